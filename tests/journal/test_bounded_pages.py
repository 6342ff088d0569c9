"""A page of comments is bounded whatever the thread's shape (issue 16): one
giant thread, thousands of top-level comments or chains as deep as the site
allows. What it leaves out waits behind "more replies" and "more threads"
links, which lead to the next slice and, followed, show every comment once."""

from __future__ import annotations

import pytest
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from journal import paths
from journal.conf import option
from journal.models import Comment, CommentState
from journal.sanitize import clean_comment_body
from tests.factories import UserFactory
from tests.journal.html_tree import parse

pytestmark = pytest.mark.django_db

PAGE = option("COMMENTS_PER_PAGE")
THREADS = option("THREADS_PER_PAGE")
# The deepest reply the site stores (journal.conf MAX_COMMENT_DEPTH is 60).
CHAIN = 61


def shape_parents(shape: str, size: int) -> list[int | None]:
    """Each comment's parent, by index (None: top level), in creation order.

    - ``giant``: one top-level comment and everything below it; every fourth
      reply answers it, the others the comment before (a few levels deep);
    - ``flat``: every comment top level;
    - ``chains``: chains as deep as the site allows, each reply answering the
      comment before.
    """
    if shape == "giant":
        return [None] + [0 if i % 4 == 1 else i - 1 for i in range(1, size)]
    if shape == "flat":
        return [None] * size
    if shape == "chains":
        return [None if i % CHAIN == 0 else i - 1 for i in range(size)]
    raise ValueError(shape)


def store_shape(post, parents: list[int | None], *, author=None) -> list[Comment]:
    """Published comments in bulk, ids chosen up front so the paths are known."""
    author = author or UserFactory()
    first = (Comment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    comments: list[Comment] = []
    for index, parent_index in enumerate(parents):
        pk = first + index
        parent = comments[parent_index] if parent_index is not None else None
        text = f"c{index}"
        comments.append(
            Comment(
                id=pk,
                post=post,
                journal_id=post.journal_id,
                parent=parent,
                path=paths.child_path(parent.path if parent else "", pk),
                author=author,
                body_source=text,
                body_html=clean_comment_body(text),
                state=CommentState.PUBLISHED,
            )
        )
    Comment.objects.bulk_create(comments, batch_size=500)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    return comments


def shown_ids(tree) -> list[int]:
    return [int(li.attrs["id"][1:]) for li in tree.find_all("li", cls="comment")]


def more_links(tree) -> list:
    return [li.find("a") for li in tree.find_all("li", cls="comment-more")]


def tokens(element) -> list:
    """What a list shows, in document order: comment ids and "more" links."""
    found = []
    for li in element.find_all("li"):
        if "comment" in li.classes:
            found.append(int(li.attrs["id"][1:]))
        elif "comment-more" in li.classes:
            found.append(li.find("a"))
    return found


def expand(client, link) -> list:
    """What following a "more" link shows in its place, as the script inserts
    it: the items of the replies list of the comment it belongs to, or of the
    page's list for later threads."""
    tree = parse(client.get(link.attrs["href"]).content.decode())
    target = link.attrs["data-expand"]
    if target == "comments":
        return tokens(tree.find("ol", cls="comment-list"))
    item = tree.by_id(target)
    replies = next(
        child
        for child in item.children
        if not isinstance(child, str) and "comment-replies" in child.classes
    )
    return tokens(replies)


def walk(client, url) -> tuple[list[int], int]:
    """Every comment id a reader reaches from ``url`` by expanding every "more"
    link in place, in the order shown; and how many pages that took."""
    tree = parse(client.get(url).content.decode())
    shown = tokens(tree.find("ol", cls="comment-list"))
    pages = 1
    while any(not isinstance(token, int) for token in shown):
        index = next(i for i, t in enumerate(shown) if not isinstance(t, int))
        shown[index : index + 1] = expand(client, shown[index])
        pages += 1
        # A cursor that does not move on would go round for ever.
        assert pages <= Comment.objects.count(), "the links go round in circles"
    return shown, pages


def display_order(post) -> list[int]:
    return list(
        Comment.objects.filter(post=post, state=CommentState.PUBLISHED)
        .order_by("path")
        .values_list("pk", flat=True)
    )


# Bounded, whatever the shape -------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "size", "on_post_page"),
    [("giant", 300, PAGE), ("flat", 300, THREADS), ("chains", 3 * CHAIN, PAGE)],
)
def test_a_page_holds_a_bounded_number_of_comments_whatever_the_shape(
    client, post, shape, size, on_post_page
):
    comments = store_shape(post, shape_parents(shape, size))
    root = comments[0]

    page = parse(client.get(post.get_absolute_url()).content.decode())
    thread = parse(client.get(f"{post.get_absolute_url()}?thread={root.pk}").text)
    reply = parse(client.get(f"{post.get_absolute_url()}?replyto={root.pk}").text)

    assert shown_ids(page) == display_order(post)[:on_post_page]
    assert more_links(page)
    expected_thread = [c.pk for c in comments if c.path.startswith(root.path)]
    assert shown_ids(thread) == expected_thread[:PAGE]
    assert shown_ids(reply) == expected_thread[:PAGE]


def test_a_giant_thread_shows_its_first_replies_and_counts_the_rest(client, post):
    # One top-level comment with 120 direct replies, and a later thread.
    comments = store_shape(post, [None] + [0] * 120 + [None])
    root, replies, later = comments[0], comments[1:121], comments[121]

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    assert shown_ids(tree) == [root.pk, *(r.pk for r in replies[: PAGE - 1])]
    root_item = tree.by_id(f"t{root.pk}")
    more = root_item.find("li", cls="comment-more").find("a")
    assert more.text() == (
        f"{120 - (PAGE - 1)} more replies to {root.author_label}'s comment — expand"
    )
    assert more.attrs["href"] == (
        f"{post.get_absolute_url()}?thread={root.pk}"
        f"&after={replies[PAGE - 2].pk}#t{root.pk}"
    )
    # The "more" item ends the root's reply list, at the replies' depth.
    assert more.closest("li").attrs["data-depth"] == "1"
    assert more.closest("ol").closest("li") is root_item
    threads = tree.find("li", cls="comment-more-threads").find("a")
    assert threads.text() == "More threads: 1 more comment — expand"
    assert (
        threads.attrs["href"] == f"{post.get_absolute_url()}?after={root.pk}#comments"
    )
    later_page = parse(client.get(threads.attrs["href"]).text)
    assert shown_ids(later_page) == [later.pk]


def test_a_cut_deep_in_a_thread_counts_each_comment_above_it_apart(client, post):
    # root -> branch -> 60 replies; root also has a later reply with one answer.
    parents = [None, 0] + [1] * 60 + [0, 62]
    comments = store_shape(post, parents)
    root, branch = comments[0], comments[1]
    leaves = comments[2:62]

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    assert shown_ids(tree) == [c.pk for c in comments[:PAGE]]
    branch_more = tree.by_id(f"t{branch.pk}").find("li", cls="comment-more")
    root_more = [
        li
        for li in tree.by_id(f"t{root.pk}").find_all("li", cls="comment-more")
        if li.closest("ol").closest("li") is tree.by_id(f"t{root.pk}")
    ]
    assert branch_more.find("a").text().startswith(f"{60 - (PAGE - 2)} more replies")
    assert f"after={leaves[PAGE - 3].pk}" in branch_more.find("a").attrs["href"]
    assert len(root_more) == 1
    assert root_more[0].find("a").text().startswith("2 more replies")
    assert f"after={branch.pk}" in root_more[0].find("a").attrs["href"]
    # The branch's list ends with its "more" item, then the root's.
    assert tokens(tree.find("ol", cls="comment-list"))[-2:] == [
        branch_more.find("a"),
        root_more[0].find("a"),
    ]
    assert tree.find("li", cls="comment-more-threads") is None


def test_the_last_comment_shown_links_to_its_own_replies(client, post):
    comments = store_shape(post, shape_parents("chains", CHAIN))
    last = comments[PAGE - 1]

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    more = tree.by_id(f"t{last.pk}").find("li", cls="comment-more").find("a")
    assert more.text().startswith(f"{CHAIN - PAGE} more replies")
    assert more.attrs["href"] == (
        f"{post.get_absolute_url()}?thread={last.pk}#t{last.pk}"
    )
    # Only that one: the comments above it have no other replies.
    assert len(more_links(tree)) == 1
    assert "Edit" not in tree.by_id(f"t{last.pk}").own_text()


def test_counting_what_is_left_out_stops_at_the_limit(client, post, settings):
    settings.JOURNAL = {"MORE_REPLIES_COUNTED_UP_TO": 10}
    store_shape(post, [None] * (THREADS + 30))

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    more = tree.find("li", cls="comment-more-threads").find("a")
    assert more.text() == "More threads: 10+ more comments — expand"


# Following the links shows everything once ----------------------------------------


@pytest.mark.parametrize(
    ("shape", "size"), [("giant", 400), ("flat", 130), ("chains", 4 * CHAIN)]
)
def test_expanding_every_link_shows_every_comment_once_in_display_order(
    client, post, shape, size
):
    store_shape(post, shape_parents(shape, size))

    shown, pages = walk(client, post.get_absolute_url())

    assert shown == display_order(post)
    assert pages >= size // PAGE


def test_a_giant_thread_walked_from_its_thread_view_shows_all_of_it(client, post):
    comments = store_shape(post, [None] + [0] * 200 + [None])
    root = comments[0]

    shown, _pages = walk(client, f"{post.get_absolute_url()}?thread={root.pk}")

    assert shown == [c.pk for c in comments[:201]]


def test_a_later_slice_is_shown_below_its_comment_without_script(client, post):
    comments = store_shape(post, [None] + [0] * 120)
    root = comments[0]
    cursor = comments[PAGE - 1]

    response = client.get(
        f"{post.get_absolute_url()}?thread={root.pk}&after={cursor.pk}"
    )
    tree = parse(response.content.decode())

    assert shown_ids(tree) == [root.pk, *(c.pk for c in comments[PAGE : 2 * PAGE - 1])]
    assert "from a later reply" in tree.find(cls="thread-note").text()
    first_replies = tree.find(cls="thread-note").find(
        "a", href=f"{post.get_absolute_url()}?thread={root.pk}#t{root.pk}"
    )
    assert first_replies is not None
    assert tree.by_id(f"t{comments[PAGE].pk}").closest("ol").closest(
        "li"
    ) is tree.by_id(f"t{root.pk}")


@pytest.mark.parametrize("value", ["abc", "-1", "0", "9" * 30])
def test_an_odd_cursor_is_a_404(client, post, value):
    comments = store_shape(post, [None, 0])

    for query in (f"?after={value}", f"?thread={comments[0].pk}&after={value}"):
        assert client.get(f"{post.get_absolute_url()}{query}").status_code == 404


def test_a_cursor_past_the_end_shows_nothing_more(client, post):
    comments = store_shape(post, [None, 0, None])

    later = parse(client.get(f"{post.get_absolute_url()}?after={comments[-1].pk}").text)
    replies = parse(
        client.get(
            f"{post.get_absolute_url()}?thread={comments[0].pk}&after={comments[1].pk}"
        ).text
    )

    assert shown_ids(later) == [] and "No comments yet." in later.text()
    assert shown_ids(replies) == [comments[0].pk]
    assert more_links(later) == more_links(replies) == []


# The reply form, frozen threads and visibility across slices -----------------------


def test_replying_deep_in_a_giant_thread_puts_the_form_under_the_comment(
    reader_client, post
):
    comments = store_shape(post, shape_parents("giant", 600))
    target = comments[450]
    # It has replies of its own, shown below the form.
    assert comments[451].parent_id == target.pk

    tree = parse(
        reader_client.get(f"{post.get_absolute_url()}?replyto={target.pk}").text
    )

    item = tree.by_id(f"t{target.pk}")
    form_area = tree.by_id("add-comment")
    assert form_area.closest("li") is item
    assert tree.find_all("li", cls="comment")[0] is item
    assert len(tree.find_all("li", cls="comment")) <= PAGE
    assert tree.by_id(f"t{comments[451].pk}").closest("li") is item


def test_a_later_slice_of_a_frozen_thread_stays_frozen(reader_client, post):
    comments = store_shape(post, [None] + [0] * 80)
    root = comments[0]
    Comment.objects.filter(pk=root.pk).update(frozen=True)
    link = parse(reader_client.get(post.get_absolute_url()).text).find(
        "li", cls="comment-more"
    )

    tree = parse(reader_client.get(link.find("a").attrs["href"]).text)

    later = tree.by_id(f"t{comments[PAGE].pk}")
    assert "comment-in-frozen" in later.classes
    assert "Frozen" in later.find(cls="comment-head").text()
    assert not any("replyto" in a.attrs.get("href", "") for a in later.find_all("a"))


def test_held_comments_are_left_out_of_slices_and_counts_but_keep_their_place(
    client, post
):
    comments = store_shape(post, [None] + [0] * 100 + [60])
    root, answered = comments[0], comments[60]
    held = {comments[n].pk for n in (10, 55, 60, 70)}
    Comment.objects.filter(pk__in=held).update(state=CommentState.HELD)

    shown, _pages = walk(client, post.get_absolute_url())
    first = parse(client.get(post.get_absolute_url()).text)

    # The held comment that has a published reply stays, as a placeholder.
    in_order = sorted(comments, key=lambda comment: comment.path)
    expected = [c.pk for c in in_order if c.pk not in held - {answered.pk}]
    assert shown == expected
    assert shown_ids(first) == expected[:PAGE]
    more = first.by_id(f"t{root.pk}").find("li", cls="comment-more").find("a")
    # It counts what the reader may read: not the held ones, nor the placeholder.
    assert more.text().startswith(f"{len(expected) - PAGE - 1} more replies")
    later = parse(client.get(more.attrs["href"]).text)
    assert "comment-tombstone" in later.by_id(f"t{answered.pk}").classes


def test_the_author_of_a_held_comment_finds_it_in_its_slice(client, post):
    author = UserFactory()
    comments = store_shape(post, [None] + [0] * 100)
    mine = comments[80]
    Comment.objects.filter(pk=mine.pk).update(state=CommentState.HELD, author=author)
    client.force_login(author)

    shown, _pages = walk(client, post.get_absolute_url())

    assert shown == [c.pk for c in comments]
