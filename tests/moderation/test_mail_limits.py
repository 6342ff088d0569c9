"""The site is no mail relay: replies are mailed only when published, only to
confirmed addresses, a few per person per hour, then as one digest."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from journal import services
from journal.models import Comment, CommentState
from moderation import notifications
from moderation.models import DeferredReplyMail
from tests.factories import CommentFactory, UserFactory, human_api_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(post):
    author = UserFactory(username="parent_author", email="parent@example.org")
    return CommentFactory(post=post, author=author, body_source="the parent")


def reply(post, parent, n, **kwargs):
    return services.submit_comment(
        post=post,
        author=UserFactory(username=f"replier{n}"),
        body=f"reply number {n}",
        parent_id=parent.pk,
        **kwargs,
    )


def test_an_unconfirmed_address_gets_no_mail(post, django_capture_on_commit_callbacks):
    author = UserFactory(
        username="unconfirmed", email="u@example.org", confirmed_email=""
    )
    parent = CommentFactory(post=post, author=author)

    with django_capture_on_commit_callbacks(execute=True):
        reply(post, parent, 1)

    assert mail.outbox == []


def test_a_held_reply_mails_nobody_until_it_is_approved(
    post, parent, django_capture_on_commit_callbacks
):
    post.screen_all_comments = True
    post.save()
    post.journal.trust_approved_authors = False
    post.journal.save()

    with django_capture_on_commit_callbacks(execute=True):
        held = reply(post, parent, 1)

    assert held.state == CommentState.HELD
    assert [m for m in mail.outbox if m.to == ["parent@example.org"]] == []


def test_an_anonymous_api_reply_is_mailed_only_with_its_proof(
    api, post, parent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refused = api.post(
            f"/api/posts/{post.pk}/comments/",
            {"body": "spam", "parent": parent.pk},
            format="json",
        )
        accepted = api.post(
            f"/api/posts/{post.pk}/comments/",
            {"body": "a person", "parent": parent.pk, **human_api_fields(post)},
            format="json",
        )

    assert (refused.status_code, accepted.status_code) == (403, 201)
    assert [m.to for m in mail.outbox] == [["parent@example.org"]]


def test_after_three_reply_mails_in_an_hour_the_rest_wait_for_one_digest(
    post, parent, django_capture_on_commit_callbacks
):
    post.journal.rate_limit_per_minute = 0
    post.journal.save()
    with django_capture_on_commit_callbacks(execute=True):
        replies = [reply(post, parent, n) for n in range(6)]

    assert len(mail.outbox) == 3
    assert DeferredReplyMail.objects.filter(sent_at__isnull=True).count() == 3
    # A reply withdrawn meanwhile is left out of the digest.
    Comment.objects.filter(pk=replies[5].pk).update(state=CommentState.DELETED)
    mail.outbox.clear()

    out = StringIO()
    call_command("send_mail_digests", stdout=out)
    assert mail.outbox == []  # not an hour yet

    DeferredReplyMail.objects.update(created_at=timezone.now() - timedelta(hours=2))
    call_command("send_mail_digests", stdout=out)
    [digest] = mail.outbox
    assert digest.to == ["parent@example.org"]
    assert digest.subject == "2 more replies to your comments"
    assert "reply number 3" in digest.body and "reply number 4" in digest.body
    assert "reply number 5" not in digest.body

    call_command("send_mail_digests", stdout=out)
    assert len(mail.outbox) == 1  # sent once


def test_the_digest_also_goes_out_with_the_next_reply_after_the_hour(
    post, parent, django_capture_on_commit_callbacks
):
    post.journal.rate_limit_per_minute = 0
    post.journal.save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            reply(post, parent, n)
    DeferredReplyMail.objects.update(created_at=timezone.now() - timedelta(hours=2))
    from django.core.cache import cache

    cache.delete(f"notify:replies:{parent.author_id}")  # the hour is over
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reply(post, parent, 9)

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "1 more reply to your comments",
        "Replier9 Display replied to your comment",
    ]
    assert notifications.send_reply_digests() == 0
