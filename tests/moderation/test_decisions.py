"""The decision service and the queue's actions that use it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import AuditEntry, AuthorRestriction
from moderation.services import Seen
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db


def act(client, value, **extra):
    return client.post(
        "/moderation/act/", {"act": value, "next": "/moderation/", **extra}, follow=True
    )


def test_a_moderator_approves_a_held_comment_from_the_queue(client, mod_a, held_a):
    client.force_login(mod_a)

    response = act(client, f"approve:{token(held_a)}")

    held_a.refresh_from_db()
    assert held_a.state == CommentState.PUBLISHED
    assert "1 comment approved." in response.content.decode()
    entry = AuditEntry.objects.get(action="comment.approve")
    assert (entry.actor, entry.from_state, entry.to_state) == (
        mod_a,
        "held",
        "published",
    )
    assert entry.comment == held_a and entry.journal == held_a.journal


def test_reject_needs_a_reason_and_the_author_reads_it_on_the_post_page(
    client, mod_a, held_a, author
):
    client.force_login(mod_a)
    act(
        client,
        f"reject:{token(held_a)}",
        **{
            f"reason-{held_a.pk}": "off_topic",
            f"note-{held_a.pk}": "Stay on the harbour",
        },
    )

    held_a.refresh_from_db()
    assert held_a.state == CommentState.REJECTED
    entry = AuditEntry.objects.get(action="comment.reject")
    assert (entry.reason, entry.note) == ("off_topic", "Stay on the harbour")
    client.force_login(author)
    page = client.get(held_a.post.get_absolute_url()).content.decode()
    assert "A moderator rejected this comment: off-topic" in page
    assert "Stay on the harbour" in page and "held in alpha" in page
    client.force_login(UserFactory())
    assert (
        "held in alpha"
        not in client.get(held_a.post.get_absolute_url()).content.decode()
    )


def test_reject_without_a_valid_reason_changes_nothing(client, mod_a, held_a):
    client.force_login(mod_a)

    response = act(
        client, f"reject:{token(held_a)}", **{f"reason-{held_a.pk}": "bogus"}
    )

    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
    assert "Pick a reason for rejecting." in response.content.decode()


def test_spam_can_also_ban_the_author_until_a_date(client, mod_a, held_a, author):
    client.force_login(mod_a)

    act(
        client,
        f"spam:{token(held_a)}",
        **{f"ban-{held_a.pk}": "1", f"until-{held_a.pk}": "2030-01-31"},
    )

    held_a.refresh_from_db()
    ban = AuthorRestriction.objects.get(user=author, journal=held_a.journal)
    assert held_a.state == CommentState.SPAM
    assert ban.kind == "ban" and ban.until.date().isoformat() == "2030-01-31"
    assert AuditEntry.objects.filter(action="author.ban").exists()


def test_a_bad_ban_date_is_explained_and_nothing_changes(client, mod_a, held_a):
    client.force_login(mod_a)

    response = act(
        client,
        f"spam:{token(held_a)}",
        **{f"ban-{held_a.pk}": "1", f"until-{held_a.pk}": "soon"},
    )

    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
    assert "Enter the ban&#x27;s end date as YYYY-MM-DD." in response.content.decode()


def test_bulk_approve_reports_each_outcome(client, mod_a, post_a, author):
    comments = [hold(CommentFactory(post=post_a, author=author)) for _ in range(3)]
    stale = comments[2]
    services.decide(
        moderator=mod_a,
        items=[Seen.parse(token(stale))],
        decision="reject",
        reason="spam",
    )
    client.force_login(mod_a)

    response = client.post(
        "/moderation/act/",
        {
            "bulk": "approve",
            "selected": [token(c) for c in comments],
            "next": "/moderation/",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "2 comments approved." in page
    assert f"Comment #{stale.pk}: Already rejected by mod_a" in page
    states = dict(Comment.objects.values_list("pk", "state"))
    assert [states[c.pk] for c in comments] == ["published", "published", "rejected"]


def test_a_second_decision_on_the_same_comment_says_who_decided_and_when(
    mod_a, held_a, journal_a
):
    seen = Seen.parse(token(held_a))
    services.decide(moderator=mod_a, items=[seen], decision="approve")
    AuditEntry.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    [outcome] = services.decide(
        moderator=journal_a.owner, items=[seen], decision="spam"
    )

    assert outcome.status == "already_decided"
    assert outcome.message == "Already approved by mod_a 2\xa0minutes ago."
    assert AuditEntry.objects.filter(action__startswith="comment.").count() == 1


def test_a_comment_edited_since_the_moderator_loaded_it_is_left_alone(mod_a, held_a):
    seen = Seen.parse(token(held_a))
    Comment.objects.filter(pk=held_a.pk).update(revision=2)

    [outcome] = services.decide(moderator=mod_a, items=[seen], decision="approve")

    held_a.refresh_from_db()
    assert outcome.status == "edited"
    assert outcome.message == "The comment was edited since you loaded it; look again."
    assert held_a.state == CommentState.HELD


def test_deciding_on_another_journals_comment_is_a_404_and_changes_nothing(
    client, mod_a, held_a, held_b
):
    client.force_login(mod_a)

    single = client.post("/moderation/act/", {"act": f"approve:{token(held_b)}"})
    bulk = client.post(
        "/moderation/act/",
        {"bulk": "approve", "selected": [token(held_a), token(held_b)]},
    )

    assert single.status_code == 404 and bulk.status_code == 404
    assert set(Comment.objects.values_list("state", flat=True)) == {"held"}
    assert not AuditEntry.objects.exists()


def test_a_damaged_form_is_explained(client, mod_a, held_a):
    client.force_login(mod_a)

    response = act(client, "approve:not-a-token")

    assert "The form was damaged" in response.content.decode()


def test_bulk_decision_on_500_comments_takes_a_fixed_number_of_queries(
    mod_a, post_a, author
):
    comments = CommentFactory.create_batch(500, post=post_a, author=author)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(
        state=CommentState.HELD
    )
    items = [Seen(c.pk, CommentState.HELD, 1) for c in comments]

    with CaptureQueriesContext(connection) as queries:
        outcomes = services.decide(moderator=mod_a, items=items, decision="approve")

    assert all(outcome.done for outcome in outcomes)
    assert Comment.objects.filter(state=CommentState.PUBLISHED).count() == 500
    # Savepoint, lock-and-read, one UPDATE, the audit rows in as few INSERTs as
    # the database's parameter limit allows (1 on PostgreSQL, 8 on SQLite), release.
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    inserts = -(-500 // connection.ops.bulk_batch_size(fields, [None] * 500))
    assert len(queries) == 4 + inserts, [q["sql"][:60] for q in queries]


def test_moderation_never_deletes_a_comment_row(client, mod_a, post_a, author):
    comments = [hold(CommentFactory(post=post_a, author=author)) for _ in range(4)]
    reply = CommentFactory(post=post_a, parent=CommentFactory(post=post_a))
    count = Comment.objects.count()

    services.decide(
        moderator=mod_a, items=[Seen.parse(token(comments[0]))], decision="approve"
    )
    services.decide(
        moderator=mod_a,
        items=[Seen.parse(token(comments[1]))],
        decision="reject",
        reason="spam",
    )
    services.decide(
        moderator=mod_a,
        items=[Seen.parse(token(comments[2]))],
        decision="spam",
        ban=True,
    )
    entry = services.delete_thread(moderator=mod_a, comment_id=reply.parent_id)
    services.undo(moderator=mod_a, entry_id=entry.pk)
    services.screen_comment(moderator=mod_a, comment_id=reply.pk)

    assert Comment.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_approving_tells_the_author_only_after_the_transaction_commits(mod_a, held_a):
    mail.outbox.clear()
    from django.db import transaction

    with transaction.atomic():
        services.decide(
            moderator=mod_a, items=[Seen.parse(token(held_a))], decision="approve"
        )
        assert mail.outbox == []

    assert [m.subject for m in mail.outbox] == ["Your comment was approved"]
    assert mail.outbox[0].to == ["w@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_decision_rolled_back_sends_nothing(mod_a, held_a):
    from django.db import transaction

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decide(
            moderator=mod_a,
            items=[Seen.parse(token(held_a))],
            decision="reject",
            reason="offensive",
        )
        raise RuntimeError

    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
    assert mail.outbox == []


def test_rejection_email_gives_the_reason(
    mod_a, held_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[Seen.parse(token(held_a))],
            decision="reject",
            reason="personal_attack",
            note="Please be kind",
        )

    [message] = mail.outbox
    assert message.subject == "Your comment was not published"
    assert (
        "Reason: Personal attack" in message.body and "Please be kind" in message.body
    )


def test_admin_actions_use_the_same_decisions(
    client, journal_a, held_a, post_a, author
):
    other = hold(CommentFactory(post=post_a, author=author))
    client.force_login(journal_a.owner)
    journal_a.owner.is_staff = True
    journal_a.owner.save()
    shown = client.get("/admin/journal/comment/").content.decode()
    seen = dict(re.findall(r'name="(seen-\d+)" value="([^"]+)"', shown))

    response = client.post(
        "/admin/journal/comment/",
        {
            "action": "spam_selected",
            "_selected_action": [held_a.pk, other.pk],
            **seen,
        },
        follow=True,
    )

    assert response.status_code == 200
    assert set(
        Comment.objects.filter(pk__in=[held_a.pk, other.pk]).values_list(
            "state", flat=True
        )
    ) == {"spam"}
    assert (
        AuditEntry.objects.filter(action="comment.spam", actor=journal_a.owner).count()
        == 2
    )
    changelist = client.get("/admin/journal/comment/").content.decode()
    assert "approve_selected" in changelist and "delete_selected" not in changelist


def test_an_admin_action_leaves_alone_what_the_owner_was_not_shown(
    client, journal_a, held_a
):
    journal_a.owner.is_staff = True
    journal_a.owner.save()
    client.force_login(journal_a.owner)

    response = client.post(
        "/admin/journal/comment/",
        {"action": "approve_selected", "_selected_action": [held_a.pk]},
        follow=True,
    )

    held_a.refresh_from_db()
    assert held_a.state == "held"
    assert "not shown on this page, so left alone" in response.content.decode()
