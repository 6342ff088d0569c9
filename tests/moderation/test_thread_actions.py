"""Freeze, delete and screen from the post page, each previewed and undoable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import AuditEntry
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(post_a, author):
    """root -> (child -> grandchild), sibling; four comments by three authors."""
    root = CommentFactory(post=post_a, author=author, body_source="root text")
    child = CommentFactory(post=post_a, parent=root, body_source="child text")
    grandchild = CommentFactory(
        post=post_a, parent=child, author=author, body_source="grandchild text"
    )
    sibling = CommentFactory(
        post=post_a,
        parent=root,
        author=None,
        author_name="Anon",
        body_source="sibling text",
    )
    return root, child, grandchild, sibling


def reply_url(post):
    return f"/{post.journal.name}/{post.pk}/comment/"


def test_moderators_see_thread_actions_on_the_post_page_and_readers_do_not(
    client, mod_a, post_a, thread
):
    root = thread[0]
    client.force_login(mod_a)
    page = client.get(post_a.get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    reader_page = client.get(post_a.get_absolute_url()).content.decode()

    assert f"/moderation/thread/{root.pk}/freeze/" in page
    assert f"/moderation/thread/{root.pk}/delete/" in page
    assert f"/moderation/thread/{root.pk}/screen/" in page
    assert "/moderation/thread/" not in reader_page


def test_preview_says_how_many_comments_and_authors_a_thread_action_touches(
    client, mod_a, thread
):
    client.force_login(mod_a)

    page = client.get(f"/moderation/thread/{thread[0].pk}/delete/").content.decode()

    assert "This touches 4 comments by 3 authors" in page
    assert "4 of them will be removed" in page


def test_freezing_stops_replies_anywhere_below_and_unfreezing_allows_them(
    client, mod_a, post_a, thread
):
    root, child, grandchild, _ = thread
    client.force_login(mod_a)
    client.post(f"/moderation/thread/{child.pk}/freeze/")
    reader = UserFactory()
    client.force_login(reader)

    refused = client.post(reply_url(post_a), {"body": "deep", "parent": grandchild.pk})
    allowed = client.post(reply_url(post_a), {"body": "beside", "parent": root.pk})

    assert refused.status_code == 303
    assert "This thread is frozen" in client.get(refused["Location"]).content.decode()
    assert allowed.status_code == 302
    client.force_login(mod_a)
    client.post(f"/moderation/thread/{child.pk}/unfreeze/")
    client.force_login(reader)
    assert (
        client.post(
            reply_url(post_a), {"body": "deep", "parent": grandchild.pk}
        ).status_code
        == 302
    )
    thread_entries = AuditEntry.objects.filter(action__startswith="thread.").order_by(
        "id"
    )
    assert [e.action for e in thread_entries] == ["thread.freeze", "thread.unfreeze"]


def test_deleting_a_thread_removes_every_comment_in_it_without_deleting_rows(
    client, mod_a, post_a, thread
):
    root, child, grandchild, sibling = thread
    outside = CommentFactory(post=post_a, body_source="outside text")
    count = Comment.objects.count()
    client.force_login(mod_a)

    client.post(f"/moderation/thread/{child.pk}/delete/", {"note": "flame war"})

    states = dict(Comment.objects.values_list("pk", "state"))
    assert states[child.pk] == states[grandchild.pk] == CommentState.REMOVED
    assert states[root.pk] == states[sibling.pk] == states[outside.pk] == "published"
    assert Comment.objects.count() == count
    entry = AuditEntry.objects.get(action="thread.delete")
    assert entry.data["comments"] == 2 and entry.note == "flame war"
    client.logout()
    page = client.get(post_a.get_absolute_url()).content.decode()
    assert "child text" not in page and "grandchild text" not in page


def test_undoing_a_thread_delete_restores_each_comments_earlier_state(mod_a, thread):
    root, child, grandchild, sibling = thread
    Comment.objects.filter(pk=grandchild.pk).update(state=CommentState.HELD)
    Comment.objects.filter(pk=sibling.pk).update(state=CommentState.SPAM)

    entry = services.delete_thread(moderator=mod_a, comment_id=root.pk)
    services.undo(moderator=mod_a, entry_id=entry.pk)

    states = dict(Comment.objects.values_list("pk", "state"))
    assert states[root.pk] == states[child.pk] == "published"
    assert states[grandchild.pk] == "held"
    assert states[sibling.pk] == "spam"
    undo_entry = AuditEntry.objects.get(action="undo")
    assert undo_entry.undoes == entry and undo_entry.actor == mod_a


def test_screening_and_unscreening_one_comment(client, mod_a, post_a, thread):
    root = thread[0]
    client.force_login(mod_a)

    client.post(f"/moderation/thread/{root.pk}/screen/")
    root.refresh_from_db()
    client.logout()
    reader_page = client.get(post_a.get_absolute_url()).content.decode()
    client.force_login(mod_a)
    client.post(f"/moderation/thread/{root.pk}/unscreen/")

    assert root.state == CommentState.HELD
    assert "Screened by a moderator" in [r["message"] for r in root.reasons]
    assert (
        "root text" not in reader_page and "Comment awaiting moderation" in reader_page
    )
    root.refresh_from_db()
    assert root.state == CommentState.PUBLISHED


def test_a_screened_comment_is_found_by_the_queue_filter_for_screening(
    client, mod_a, post_a, thread
):
    root = thread[0]
    client.force_login(mod_a)
    client.post(f"/moderation/thread/{root.pk}/screen/")

    by_screening = client.get("/moderation/?rule=screening.moderator").content
    by_links = client.get("/moderation/?rule=links.too_many").content

    assert b"root text" in by_screening and b"root text" not in by_links


def test_thread_actions_on_another_journal_are_404(client, mod_a, post_b):
    foreign = CommentFactory(post=post_b)
    client.force_login(mod_a)

    for action in ("freeze", "unfreeze", "delete", "screen", "unscreen"):
        assert (
            client.get(f"/moderation/thread/{foreign.pk}/{action}/").status_code == 404
        )
        assert (
            client.post(f"/moderation/thread/{foreign.pk}/{action}/").status_code == 404
        )
    foreign.refresh_from_db()
    assert foreign.state == "published" and not foreign.frozen


def test_an_unknown_thread_action_is_404(client, mod_a, thread):
    client.force_login(mod_a)

    assert client.get(f"/moderation/thread/{thread[0].pk}/explode/").status_code == 404


# Undo ------------------------------------------------------------------------------


def test_undo_restores_the_previous_state_once(client, mod_a, held_a):
    [outcome] = services.decide(
        moderator=mod_a,
        items=[services.Seen(held_a.pk, "held", 1)],
        decision="reject",
        reason="spam",
    )
    entry = AuditEntry.objects.get(action="comment.reject")
    client.force_login(mod_a)

    first = client.post(f"/moderation/log/{entry.pk}/undo/", follow=True)
    second = client.post(f"/moderation/log/{entry.pk}/undo/", follow=True)

    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
    assert "Undone." in first.content.decode()
    assert "This was already undone." in second.content.decode()
    assert AuditEntry.objects.filter(action="undo").count() == 1


def test_undo_is_refused_after_24_hours(client, mod_a, held_a):
    services.decide(
        moderator=mod_a, items=[services.Seen(held_a.pk, "held", 1)], decision="approve"
    )
    entry = AuditEntry.objects.get(action="comment.approve")
    AuditEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    client.force_login(mod_a)

    response = client.post(f"/moderation/log/{entry.pk}/undo/", follow=True)

    held_a.refresh_from_db()
    assert held_a.state == CommentState.PUBLISHED
    assert "Decisions can be undone for 24 hours" in response.content.decode()


def test_undo_refuses_when_the_comment_changed_since(mod_a, held_a, author):
    services.decide(
        moderator=mod_a, items=[services.Seen(held_a.pk, "held", 1)], decision="approve"
    )
    Comment.objects.filter(pk=held_a.pk).update(state=CommentState.DELETED)
    entry = AuditEntry.objects.get(action="comment.approve")

    with pytest.raises(services.NotAllowed, match="changed since"):
        services.undo(moderator=mod_a, entry_id=entry.pk)


def test_undo_of_another_journals_entry_is_404(client, mod_a, mod_b, held_b):
    services.decide(
        moderator=mod_b, items=[services.Seen(held_b.pk, "held", 1)], decision="approve"
    )
    entry = AuditEntry.objects.get()
    client.force_login(mod_a)

    assert client.post(f"/moderation/log/{entry.pk}/undo/").status_code == 404
    assert not AuditEntry.objects.filter(action="undo").exists()
