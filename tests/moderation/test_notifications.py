"""E-mail goes out after the transaction commits, and only to the right people."""

import pytest
from django.core import mail

from journal.models import CommentState
from moderation.models import DeferredReplyMail
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def post_comment(client, post, **data):
    return client.post(f"/{post.journal.name}/{post.pk}/comment/", data)


def test_moderators_get_one_mail_per_ten_minutes_listing_what_waits(
    client, journal_a, post_a, django_capture_on_commit_callbacks
):
    journal_a.screening = "all"
    journal_a.trust_approved_authors = False
    journal_a.save()
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_comment(client, post_a, body="first held")
        post_comment(client, post_a, body="second held")

    # Two held comments, two callbacks, but one mail per moderator listing both.
    assert len(callbacks) == 2
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["mod_a@example.org", "owner_a@example.org"]
    assert mail.outbox[0].subject == "[alpha] 2 comments awaiting moderation"
    assert "first held" in mail.outbox[0].body and "second held" in mail.outbox[0].body
    assert "/moderation/" in mail.outbox[0].body


def test_nothing_is_sent_before_commit(
    client, journal_a, post_a, django_capture_on_commit_callbacks
):
    journal_a.screening = "all"
    journal_a.trust_approved_authors = False
    journal_a.save()
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_comment(client, post_a, body="held, not yet committed")

    assert callbacks and mail.outbox == []


def test_authors_hear_about_replies_but_not_their_own(
    client, post_a, author, django_capture_on_commit_callbacks
):
    parent = CommentFactory(post=post_a, author=author)
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post_a, body="answering myself", parent=parent.pk)
    assert mail.outbox == []

    client.force_login(UserFactory(display_name="Rita Replier"))
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post_a, body="a kind answer", parent=parent.pk)

    [message] = mail.outbox
    assert message.to == ["w@example.org"]
    assert message.subject == "Rita Replier replied to your comment"
    assert "a kind answer" in message.body


def test_a_held_reply_notifies_the_parent_author_when_approved(
    client, mod_a, journal_a, post_a, author, django_capture_on_commit_callbacks
):
    from moderation import services

    parent = CommentFactory(post=post_a, author=author)
    journal_a.screening = "all"
    journal_a.trust_approved_authors = False
    journal_a.save()
    replier = UserFactory(email="r@example.org")
    client.force_login(replier)
    post_comment(client, post_a, body="held reply", parent=parent.pk)
    reply = post_a.comments.get(body_source="held reply")
    assert reply.state == CommentState.HELD
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(reply.pk, "held", 1)],
            decision="approve",
        )

    assert sorted(m.subject for m in mail.outbox) == [
        "Wendy Writer replied to your comment".replace(
            "Wendy Writer", replier.public_name
        ),
        "Your comment was approved",
    ]


def test_a_moderator_of_two_journals_still_gets_one_mail_per_ten_minutes(
    client,
    journal_a,
    journal_b,
    post_a,
    post_b,
    mod_a,
    django_capture_on_commit_callbacks,
):
    for journal in (journal_a, journal_b):
        journal.screening = "all"
        journal.trust_approved_authors = False
        journal.save()
    journal_b.moderators.add(mod_a)
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post_a, body="held in alpha")
        post_comment(client, post_b, body="held in beta")

    to_mod_a = [m for m in mail.outbox if m.to == ["mod_a@example.org"]]
    assert len(to_mod_a) == 1
    assert "held in alpha" in to_mod_a[0].body and "held in beta" in to_mod_a[0].body


def test_a_bulk_approval_mails_every_author_from_one_query(
    mod_a, post_a, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from moderation import notifications, services

    parent = CommentFactory(post=post_a, author=UserFactory(email="p@example.org"))
    held = []
    for n in range(12):
        comment = CommentFactory(
            post=post_a,
            author=UserFactory(email=f"a{n}@example.org"),
            parent=parent if n % 2 else None,
        )
        held.append(comment)
    anonymous = CommentFactory(post=post_a, author=None, author_name="Nobody")
    held.append(anonymous)
    post_a.comments.filter(pk__in=[c.pk for c in held]).update(state=CommentState.HELD)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.decide(
            moderator=mod_a,
            items=[services.Seen(c.pk, "held", 1) for c in held],
            decision="approve",
        )

    # One callback for the batch's mail and one for its training, not one per
    # comment.
    assert len(callbacks) == 2
    approved = [m for m in mail.outbox if m.subject == "Your comment was approved"]
    replies = [m for m in mail.outbox if "replied to your comment" in m.subject]
    assert sorted(m.to[0] for m in approved) == sorted(
        f"a{n}@example.org" for n in range(12)
    )
    # Six replies to one person: the hour's three mails, the rest wait for a digest.
    assert len(replies) == 3 and {m.to[0] for m in replies} == {"p@example.org"}
    assert DeferredReplyMail.objects.filter(sent_at__isnull=True).count() == 3

    mail.outbox.clear()
    # A fixed handful of queries, whatever the batch's size: the batch's
    # comments, which of its mails the outbox has already, the replies that
    # wait; then recording the mails, claiming and marking them sent.
    with django_assert_num_queries(10):
        notifications.comments_approved([c.pk for c in held], event="again")
    assert len(mail.outbox) == 12


def test_a_bulk_rejection_tells_each_author_the_reason(
    mod_a, post_a, django_capture_on_commit_callbacks
):
    from moderation import services

    held = [
        CommentFactory(post=post_a, author=UserFactory(email=f"r{n}@example.org"))
        for n in range(3)
    ]
    post_a.comments.filter(pk__in=[c.pk for c in held]).update(state=CommentState.HELD)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(c.pk, "held", 1) for c in held],
            decision="reject",
            reason="off_topic",
            note="Please stay on the post's subject.",
        )

    assert sorted(m.to[0] for m in mail.outbox) == [
        "r0@example.org",
        "r1@example.org",
        "r2@example.org",
    ]
    assert all("Reason: Off-topic" in m.body for m in mail.outbox)
    assert all("stay on the post's subject" in m.body for m in mail.outbox)
