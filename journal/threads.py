"""Reading threaded comments a page at a time in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from . import paths
from .conf import option
from .models import Comment, Post
from .plugins import plugin

# Deeper replies keep this indentation so a long thread stays readable on a phone.
MAX_INDENT = 12


@dataclass
class CommentPage:
    comments: list[Comment]
    page: Page | None = None
    focus: Comment | None = None


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
    - ``close_lists``: how many reply lists end after it;
    - ``thread_frozen``: it or a comment above it is frozen, so nobody may
      reply to it (``frozen_above`` says so of the comments above the first).
    """
    frozen_at: list[bool] = []  # by level, along the path to the current comment
    for index, comment in enumerate(comments):
        level = comment.depth - base_depth
        comment.indent = min(level, MAX_INDENT)
        above = frozen_at[level - 1] if 0 < level <= len(frozen_at) else frozen_above
        comment.thread_frozen = comment.frozen or above
        del frozen_at[level:]
        frozen_at.append(comment.thread_frozen)
        following = comments[index + 1] if index + 1 < len(comments) else None
        next_level = following.depth - base_depth if following is not None else 0
        comment.has_visible_replies = next_level > level
        comment.close_lists = max(level - next_level, 0)
    return comments


def _visible(post: Post, viewer, own_comment_ids):
    return Comment.objects.filter(post=post).visible_to(viewer, own_comment_ids)


def _listed(visible, viewer):
    """The comments to draw, with what the plugin wants to know of each for
    ``viewer`` (such as whether they reported it), in the same query."""
    return visible.annotate(**plugin().comment_annotations(viewer)).in_display_order()


def comment_page(
    post: Post, viewer, page_number=None, own_comment_ids=()
) -> CommentPage:
    """One page of top-level threads with all their replies: two queries."""
    visible = _visible(post, viewer, own_comment_ids)
    root_paths = list(
        visible.filter(parent__isnull=True)
        .order_by("path")
        .values_list("path", flat=True)
    )
    page = Paginator(root_paths, option("THREADS_PER_PAGE")).get_page(page_number)
    if not page.object_list:
        return CommentPage(comments=[], page=page)
    lower, upper = paths.roots_range_bounds(page.object_list[0], page.object_list[-1])
    comments = list(_listed(visible.filter(path__gte=lower, path__lt=upper), viewer))
    return CommentPage(comments=annotate_layout(comments, 0), page=page)


def comment_thread(
    post: Post, viewer, comment_id: int, own_comment_ids=()
) -> CommentPage | None:
    """A comment and everything below it, or None when there is no such comment.

    The focus comes with its parent (``focus.parent``; ``parent_readable`` says
    whether the viewer may read it), the id of its thread's top-level comment
    (``root_id``) and whether a comment above it is frozen: two queries.
    """
    visible = _visible(post, viewer, own_comment_ids)
    focus = (
        visible.with_thread_context(viewer, own_comment_ids)
        .select_related("author", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if focus is None:
        return None
    focus.root_id = paths.ancestor_ids(focus.path)[0]
    lower, upper = paths.subtree_bounds(focus.path)
    comments = list(_listed(visible.filter(path__gte=lower, path__lt=upper), viewer))
    annotate_layout(comments, focus.depth, frozen_above=focus.frozen_above)
    focus.thread_frozen = focus.frozen or focus.frozen_above
    return CommentPage(comments=comments, focus=focus)
