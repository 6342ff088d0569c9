"""Who sees which comment: every state × every kind of viewer."""

import pytest
from django.contrib.auth.models import AnonymousUser

from journal.models import Comment, CommentState
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEWERS = [
    "anonymous",
    "other_reader",
    "author",
    "named_moderator",
    "owner",
    "superuser",
]
MODERATING = {"named_moderator", "owner", "superuser"}
FULL, PLACEHOLDER, HIDDEN = "full", "placeholder", "hidden"


def expected(state: str, viewer: str, has_reply: bool) -> str:
    if state == CommentState.PUBLISHED:
        return FULL
    if state == CommentState.HELD and (viewer == "author" or viewer in MODERATING):
        return FULL
    if state == CommentState.REJECTED and viewer == "author":
        return FULL  # with the moderator's reason
    if state == CommentState.REMOVED and viewer in MODERATING:
        return FULL  # marked as removed, so that they can undo it
    return PLACEHOLDER if has_reply else HIDDEN


@pytest.fixture
def people(journal, owner):
    moderator = UserFactory(username="named_mod")
    journal.moderators.add(moderator)
    return {
        "anonymous": AnonymousUser(),
        "other_reader": UserFactory(username="other"),
        "author": UserFactory(username="writer"),
        "named_moderator": moderator,
        "owner": owner,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }


def seen_as(post, viewer, comment) -> str:
    found = (
        Comment.objects.filter(post=post)
        .visible_to(viewer)
        .filter(pk=comment.pk)
        .first()
    )
    if found is None:
        return HIDDEN
    return FULL if found.readable else PLACEHOLDER


@pytest.mark.parametrize("has_reply", [False, True], ids=["alone", "with-reply"])
@pytest.mark.parametrize("state", CommentState.values)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_visibility_of_each_state_for_each_viewer(
    post, people, state, viewer, has_reply
):
    comment = CommentFactory(
        post=post, author=people["author"], body_source="the comment"
    )
    if has_reply:
        CommentFactory(post=post, parent=comment, body_source="a published reply")
    Comment.objects.filter(pk=comment.pk).update(state=state)

    assert seen_as(post, people[viewer], comment) == expected(state, viewer, has_reply)


def test_a_moderator_of_another_journal_does_not_see_held_comments(post, people):
    from tests.factories import JournalFactory

    stranger = JournalFactory().owner
    comment = CommentFactory(post=post, author=people["author"])
    Comment.objects.filter(pk=comment.pk).update(state=CommentState.HELD)

    assert seen_as(post, stranger, comment) == HIDDEN


def test_placeholders_keep_the_thread_shape_all_the_way_down(post, people):
    root = CommentFactory(post=post)
    middle = CommentFactory(post=post, parent=root)
    leaf = CommentFactory(post=post, parent=middle, body_source="still here")
    Comment.objects.filter(pk=root.pk).update(state=CommentState.SPAM)
    Comment.objects.filter(pk=middle.pk).update(state=CommentState.DELETED)

    shown = list(
        Comment.objects.filter(post=post)
        .visible_to(people["anonymous"])
        .order_by("path")
    )

    assert [(c.pk, c.readable) for c in shown] == [
        (root.pk, False),
        (middle.pk, False),
        (leaf.pk, True),
    ]


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (CommentState.DELETED, "Deleted comment"),
        (CommentState.REJECTED, "Removed by a moderator"),
        (CommentState.SPAM, "Removed by a moderator"),
        (CommentState.HELD, "Comment awaiting moderation"),
    ],
)
def test_page_shows_placeholders_without_the_hidden_text_or_author(
    client, post, state, label
):
    hidden = CommentFactory(
        post=post,
        author=UserFactory(display_name="Hidden Author"),
        body_source="secret words",
    )
    CommentFactory(post=post, parent=hidden, body_source="visible reply")
    Comment.objects.filter(pk=hidden.pk).update(state=state)

    page = client.get(post.get_absolute_url()).content.decode()

    assert label in page and "visible reply" in page
    assert "secret words" not in page and "Hidden Author" not in page
    assert f'id="t{hidden.pk}"' in page


def test_author_sees_own_held_comment_marked_awaiting_moderation_with_reasons(
    client, post, people
):
    comment = CommentFactory(
        post=post, author=people["author"], body_source="my held words"
    )
    Comment.objects.filter(pk=comment.pk).update(
        state=CommentState.HELD,
        reasons=[
            {
                "code": "links.too_many",
                "action": "hold",
                "message": (
                    "The comment has 3 links; comments with 2 or more links wait "
                    "for a moderator"
                ),
            }
        ],
    )
    client.force_login(people["author"])

    page = client.get(post.get_absolute_url()).content.decode()

    assert "my held words" in page
    assert "Awaiting moderation." in page
    assert (
        "The comment has 3 links; comments with 2 or more links wait for a moderator"
        in page
    )
    client.force_login(people["other_reader"])
    assert "my held words" not in client.get(post.get_absolute_url()).content.decode()


def test_comment_count_counts_only_published_comments(client, post):
    CommentFactory(post=post)
    held = CommentFactory(post=post)
    Comment.objects.filter(pk=held.pk).update(state=CommentState.HELD)

    assert ">1 comment<" in client.get(post.get_absolute_url()).content.decode()
