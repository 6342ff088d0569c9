"""Reading threaded comments a bounded page at a time in a fixed number of queries.

A page shows one container's replies in display order, with what lies below
them: the post's top-level comments, or one comment's replies (the focus of a
thread view, shown first). Whatever the thread's shape, it holds at most
``COMMENTS_PER_PAGE`` comments (and ``THREADS_PER_PAGE`` top-level threads),
and it may start after a cursor: one of the container's replies (``after``).
Replies sort by id and a reply's sub-thread is one range of paths
(``journal.paths``), so the cursor is a range bound that needs no lookup, and
no query reads every top-level path of the post.

What a page leaves out lies after its last comment, in ranges that each belong
to one comment on the way down to it (that comment's further replies), or to
the post (the later threads). Each becomes a "more replies" link to the next
slice, ``?thread=<comment>&after=<reply>``, counted up to
``MORE_REPLIES_COUNTED_UP_TO`` so that counting stays flat too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import CharField, Subquery, Value
from django.db.models.functions import Concat
from django.utils.formats import number_format

from . import paths
from .compiled import Compiled
from .conf import option
from .models import Comment, Post
from .plugins import plugin
from .querysets import readable_by

# Deeper replies keep this indentation so a long thread stays readable on a phone.
MAX_INDENT = 12


@dataclass(frozen=True)
class More:
    """Comments a page leaves out in one place: the replies of one comment (or
    the post's top-level threads) after the reply ``after`` (from the first
    when None), with everything below them."""

    count: int
    # Counting stopped at ``count``: there are more than that.
    capped: bool
    after: int | None

    @property
    def number(self) -> str:
        number = number_format(self.count, force_grouping=True)
        return f"{number}+" if self.capped else number


@dataclass
class CommentPage:
    comments: list[Comment]
    focus: Comment | None = None
    # The container's reply this page starts after, if it does not start at
    # the first.
    after: int | None = None
    # The top-level threads after the page (the post page only).
    more_threads: More | None = None


def annotate_layout(
    comments: list[Comment], base_depth: int, *, frozen_above: bool = False
) -> list[Comment]:
    """Set what drawing the comments as nested lists needs.

    ``comments`` come in display order, each below its parent, and every
    comment's parent is among them unless it is the first (the top-level ones,
    or the focus of a sub-thread at ``base_depth``): a comment is shown while
    anything below it is, so a shown comment's ancestors are shown too.

    - ``indent``: the level below ``base_depth``, at most ``MAX_INDENT``;
    - ``has_visible_replies``: a reply follows it (its list item stays open);
    - ``close_lists``: how many reply lists end after it, and ``closing``: the
      comments whose reply lists those are, the innermost first;
    - ``thread_frozen``: it or a comment above it is frozen, so nobody may
      reply to it (``frozen_above`` says so of the comments above the first);
    - ``more``: what the page leaves out of its replies (``More``), None until
      ``journal.threads`` counts it.
    """
    frozen_at: list[bool] = []  # by level, along the path to the current comment
    along: list[Comment] = []  # by level, the comments on the way down to it
    for index, comment in enumerate(comments):
        level = comment.depth - base_depth
        comment.indent = min(level, MAX_INDENT)
        above = frozen_at[level - 1] if 0 < level <= len(frozen_at) else frozen_above
        comment.thread_frozen = comment.frozen or above
        del frozen_at[level:]
        frozen_at.append(comment.thread_frozen)
        del along[level:]
        along.append(comment)
        following = comments[index + 1] if index + 1 < len(comments) else None
        next_level = following.depth - base_depth if following is not None else 0
        comment.has_visible_replies = next_level > level
        comment.close_lists = max(level - next_level, 0)
        comment.closing = along[next_level:level][::-1]
        comment.more = None
    return comments


def _visible(post: Post, viewer, own_comment_ids, moderates=None):
    return Comment.objects.filter(post=post).visible_to(
        viewer, own_comment_ids, moderates=moderates
    )


def _listed(visible, viewer):
    """The comments to draw, with what the plugin wants to know of each for
    ``viewer`` (such as whether they reported it), in the same query."""
    return visible.annotate(**plugin().comment_annotations(viewer)).in_display_order()


def _shown(rows: list[Comment], *, base_depth: int, top_level: bool) -> list[Comment]:
    """The rows a page shows: at most ``COMMENTS_PER_PAGE``, and on the post
    page no more top-level threads than ``THREADS_PER_PAGE``."""
    shown = rows[: option("COMMENTS_PER_PAGE")]
    if top_level:
        threads = 0
        for index, comment in enumerate(shown):
            threads += comment.depth == base_depth
            if threads > option("THREADS_PER_PAGE"):
                return shown[:index]
    return shown


def _count_each(rows, ranges: list[tuple[str, str]], most: int) -> list[int]:
    """How many of ``rows`` have a path in each range (lower <= path < upper),
    counting at most ``most`` in each: one query, however many ranges.

    The ORM compiles the count of one range, and the query runs it for each
    row of a table of the ranges' bounds: a page may leave out replies of
    sixty comments, one above the other, and compiling (or having the
    database plan) a count for each apart would cost more than counting.
    """
    lower, upper = "\x00lower", "\x00upper"  # stand-ins, replaced below
    # In path order: PostgreSQL then reads the range from the (post, path)
    # index, where it might otherwise guess the post's rows hold few of it
    # and go through them all.
    one = rows.filter(path__gte=lower, path__lt=upper).order_by("path").values("pk")
    sql, params = one[:most].query.sql_with_params()
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1:
        raise RuntimeError("The count's SQL holds a %s of its own.")
    # The ORM's own SQL, with the stand-ins' places reading the range's bounds
    # and every other value still a parameter.
    counted, values = [pieces[0]], []
    for piece, value in zip(pieces[1:], params, strict=True):
        if value == lower:
            counted.append("bounds.lower")
        elif value == upper:
            counted.append("bounds.upper")
        else:
            counted.append("%s")
            values.append(value)
        counted.append(piece)
    table = ", ".join(f"({index}, %s, %s)" for index in range(len(ranges)))
    query = (
        f"WITH bounds(place, lower, upper) AS (VALUES {table}) "  # noqa: S608
        f"SELECT (SELECT COUNT(*) FROM ({''.join(counted)}) AS one_range) "
        "FROM bounds ORDER BY bounds.place"
    )
    bounds = [bound for start_stop in ranges for bound in start_stop]
    with connections[one.db].cursor() as cursor:
        cursor.execute(query, bounds + values)
        return [count for (count,) in cursor.fetchall()]


def _count_left_out(
    post: Post,
    viewer,
    own_comment_ids,
    shown: list[Comment],
    following: Comment,
    *,
    top_level: bool,
    moderates: bool | None = None,
) -> More | None:
    """Count what the page leaves out, in one query, and set each comment's
    ``more``; return the post's (the later threads) on the post page.

    It all lies after the last comment shown, in display order: its replies,
    then each comment's above it after the reply on the way down, then the
    later threads. ``following``, the first comment left out, lies in the
    first of these places that is not empty, so the ones before it are not
    counted.

    The counts are of the comments the viewer may read: a placeholder shows
    only above one of those, in the same place, so a place with nothing to
    read has nothing to show, and counting needs no look below each comment.
    """
    last = shown[-1]
    by_path = {comment.path: comment for comment in shown}
    # The comments on the way down to the last one, from the page's first level.
    along = [
        by_path[last.path[: paths.STEP * (depth + 1)]]
        for depth in range(shown[0].depth, last.depth + 1)
    ]
    # (whose replies, lower <= path < upper, the reply they come after); a
    # reply's path is its parent's followed by digits, so the last comment's
    # replies start at its path followed by "0".
    places: list[tuple[Comment | None, str, str, int | None]] = [
        (last, last.path + "0", paths.end_of_subtree(last.path), None)
    ]
    for above, reply in zip(along[-2::-1], along[:0:-1], strict=True):
        places.append(
            (
                above,
                paths.end_of_subtree(reply.path),
                paths.end_of_subtree(above.path),
                reply.pk,
            )
        )
    if top_level:
        # Every path sorts below the largest segment: ids never reach it.
        after = paths.end_of_subtree(along[0].path)
        places.append((None, after, paths.LAST_SEGMENT, along[0].pk))
    places = places[
        next(
            index
            for index, (_whose, lower, upper, _after) in enumerate(places)
            if lower <= following.path < upper
        ) :
    ]
    cap = option("MORE_REPLIES_COUNTED_UP_TO")
    readable = Comment.objects.filter(post=post).filter(
        readable_by(viewer, own_comment_ids, moderates=moderates)
    )
    counts = _count_each(
        readable, [(lower, upper) for _whose, lower, upper, _after in places], cap + 1
    )
    more_threads = None
    for (whose, _lower, _upper, after), count in zip(places, counts, strict=True):
        more = More(min(count, cap), count > cap, after) if count else None
        if whose is None:
            more_threads = more
        else:
            whose.more = more
    return more_threads


@lru_cache(maxsize=8)
def _visitors_first_page(plugin_class: type, most: int) -> Compiled:
    """The rows of a visitor's first page of a post, always the same query:
    compiled once (journal.compiled) for the plugin installed and the page's
    size, which drawing a page that is not cached spends 1.5 ms less on."""
    visitor = AnonymousUser()
    return Compiled(
        lambda values: _listed(
            Comment.objects.filter(post_id=values["post_id"]).visible_to(
                visitor, moderates=False
            ),
            visitor,
        )[:most],
        {"post_id": -1},
        {"post_id": -2},
    )


def comment_page(
    post: Post, viewer, after=None, own_comment_ids=(), *, moderates=None
) -> CommentPage:
    """The first top-level threads of the post, or those after the top-level
    comment ``after``, as far as a page holds: one query, and one more to count
    what it leaves out when it does. ``moderates``: whether ``viewer``
    moderates the post's journal, when the caller knows (``readable_by``)."""
    most = option("COMMENTS_PER_PAGE") + 1
    if after is None and not viewer.is_authenticated and not own_comment_ids:
        first = _visitors_first_page(type(plugin()), most)
        rows = first.query().instances({"post_id": post.pk})
    else:
        visible = _visible(post, viewer, own_comment_ids, moderates)
        in_range = visible
        if after is not None:
            in_range = visible.filter(path__gte=paths.after_reply("", after))
        rows = list(_listed(in_range, viewer)[:most])
    shown = _shown(rows, base_depth=0, top_level=True)
    page = CommentPage(comments=annotate_layout(shown, 0), after=after)
    if shown and len(rows) > len(shown):
        page.more_threads = _count_left_out(
            post,
            viewer,
            own_comment_ids,
            shown,
            rows[len(shown)],
            top_level=True,
            moderates=moderates,
        )
    return page


def comment_thread(
    post: Post,
    viewer,
    comment_id: int,
    own_comment_ids=(),
    after=None,
    *,
    moderates=None,
) -> CommentPage | None:
    """A comment and what lies below it, as far as a page holds, or None when
    there is no such comment. With ``after``, its replies start after that
    reply of it.

    The focus comes with its parent (``focus.parent``; ``parent_readable`` says
    whether the viewer may read it), the id of its thread's top-level comment
    (``root_id``) and whether a comment above it is frozen: two queries, and
    one more to count what the page leaves out when it does.
    """
    visible = _visible(post, viewer, own_comment_ids, moderates)
    focus = (
        _listed(
            visible.with_thread_context(viewer, own_comment_ids, moderates=moderates),
            viewer,
        )
        .select_related("parent__author")
        .filter(pk=comment_id)
        # By its key: ordered by path, PostgreSQL would walk the post's
        # comments in order looking for it.
        .order_by()
        .first()
    )
    if focus is None:
        return None
    focus.root_id = paths.ancestor_ids(focus.path)[0]
    if after is None:
        below = visible.filter(path__gt=focus.path)
    else:
        below = visible.filter(path__gte=paths.after_reply(focus.path, after))
    below = below.filter(path__lt=paths.end_of_subtree(focus.path))
    # The focus takes one place of the page; one more row says whether any
    # comment is left out.
    rows = [focus, *_listed(below, viewer)[: option("COMMENTS_PER_PAGE")]]
    shown = _shown(rows, base_depth=focus.depth, top_level=False)
    annotate_layout(shown, focus.depth, frozen_above=focus.frozen_above)
    if len(rows) > len(shown):
        _count_left_out(
            post,
            viewer,
            own_comment_ids,
            shown,
            rows[len(shown)],
            top_level=False,
            moderates=moderates,
        )
    return CommentPage(comments=shown, focus=focus, after=after)


def comment_run(
    post: Post, viewer, *, thread_id=None, after=None, own_comment_ids=()
) -> tuple[list[Comment], bool] | None:
    """The API's page: comments in display order after the comment ``after``
    (from the first when None), within the sub-thread of ``thread_id`` when
    given, at most ``COMMENTS_PER_PAGE``, and whether more follow; None when
    the thread asked for is not there. One query.

    Unlike the pages, it walks everything in one line: each page's last comment
    is the next one's cursor, looked up (among the comments the viewer sees)
    inside the same query.
    """
    visible = _visible(post, viewer, own_comment_ids)
    in_range = visible
    if thread_id is not None:
        top = Subquery(visible.filter(pk=thread_id).values("path")[:1])
        in_range = in_range.filter(
            path__gte=top,
            path__lt=Concat(top, Value(paths.LAST_SEGMENT), output_field=CharField()),
        )
    if after is not None:
        in_range = in_range.filter(
            path__gt=Subquery(visible.filter(pk=after).values("path")[:1])
        )
    size = option("COMMENTS_PER_PAGE")
    rows = list(_listed(in_range, viewer)[: size + 1])
    if thread_id is not None and after is None and not rows:
        return None
    return rows[:size], len(rows) > size
