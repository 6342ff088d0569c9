"""Mail and training as tasks: enqueued with the change, a bounded number per
batch, idempotent, retried with backoff, and given up loudly, never silently.

The suite runs tasks with the immediate backend (config/test_settings.py); the
tests here that look at the queue itself switch to Django's dummy backend,
which keeps what was enqueued (with its ``run_after``) for the test to run, or
to the database backend used in production.
"""

import logging
import math
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from accounts import confirmation, outbox
from accounts import tasks as mail_tasks
from accounts.models import OutgoingMail
from journal.models import CommentState
from moderation import learning, services, spam
from moderation import tasks as moderation_tasks
from moderation.models import AuditEntry, SpamTokenCount, SpamTraining
from tests.factories import CommentFactory, UserFactory
from tests.tasks.mail_servers import FlakyBackend
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DOWN = "tests.tasks.mail_servers.DownBackend"
FLAKY = "tests.tasks.mail_servers.FlakyBackend"


@pytest.fixture
def queue(settings):
    """The dummy backend: tasks wait in ``queue.results`` until a test runs them."""
    settings.TASKS = DUMMY
    return task_backends["default"]


def run(result):
    """Run one queued task as a worker would."""
    return result.task.call(*result.args, **result.kwargs)


def held_comments(post, count, *, parent=None):
    comments = [
        CommentFactory(
            post=post,
            author=UserFactory(email=f"a{n}@example.org"),
            parent=parent,
        )
        for n in range(count)
    ]
    return [hold(comment) for comment in comments]


def approve(moderator, comments):
    return services.decide(
        moderator=moderator,
        items=[services.Seen(c.pk, CommentState.HELD, c.revision) for c in comments],
        decision="approve",
    )


# Idempotent -----------------------------------------------------------------------


def test_a_mail_task_run_twice_sends_one_mail(mod_a, post_a):
    comments = held_comments(post_a, 3)
    ids = [comment.pk for comment in comments]

    moderation_tasks.comments_approved.call(ids, "event-1")
    moderation_tasks.comments_approved.call(ids, "event-1")

    assert sorted(m.to[0] for m in mail.outbox) == [
        "a0@example.org",
        "a1@example.org",
        "a2@example.org",
    ]
    assert OutgoingMail.objects.filter(state="sent").count() == 3
    # Another event (a second decision) is another mail.
    moderation_tasks.comments_approved.call(ids[:1], "event-2")
    assert len(mail.outbox) == 4


def test_the_held_comment_mail_run_again_after_its_window_still_goes_once(
    journal_a, post_a
):
    comment = held_comments(post_a, 1)[0]

    moderation_tasks.held_comment_waiting.call(comment.pk, "event-1")
    cache.clear()  # the ten-minute window alone would let it go again
    moderation_tasks.held_comment_waiting.call(comment.pk, "event-1")

    assert sorted(m.to[0] for m in mail.outbox) == [
        "mod_a@example.org",
        "owner_a@example.org",
    ]


def test_nothing_is_mailed_about_a_held_comment_decided_before_the_task_ran(
    mod_a, post_a, queue
):
    comment = held_comments(post_a, 1)[0]
    approve(mod_a, [comment])

    moderation_tasks.held_comment_waiting.call(comment.pk, "event-1")

    assert not [m for m in mail.outbox if "awaiting moderation" in m.subject]


def test_two_deliveries_of_the_same_mails_send_each_once():
    mails = [
        outbox.Mail(f"test:e:{n}", f"r{n}@example.org", "Hello", "Body") for n in (1, 2)
    ]
    ids = outbox.record(mails)
    # Recorded again (a task run twice): the same rows, still to be sent.
    assert outbox.record(mails) == ids

    assert outbox.deliver(ids) is None
    assert outbox.deliver(ids) is None
    assert outbox.record(mails) == []

    assert sorted(m.to[0] for m in mail.outbox) == ["r1@example.org", "r2@example.org"]


def test_a_confirmation_mail_task_run_twice_sends_one_mail():
    user = UserFactory(email="new@example.org", confirmed_email="")

    confirmation.send_confirmation.call(user.pk, user.email, "event-1")
    confirmation.send_confirmation.call(user.pk, user.email, "event-1")

    [message] = mail.outbox
    assert message.to == ["new@example.org"] and "/accounts/confirm/" in message.body


def test_training_run_twice_or_after_its_undo_teaches_once(
    mod_a, post_a, queue, django_capture_on_commit_callbacks
):
    comment = hold(CommentFactory(post=post_a, body_source="casino bonus"))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(comment.pk, CommentState.HELD, comment.revision)],
            decision="spam",
        )
    [learn] = [r for r in queue.results if r.task.name == "learn_decided"]

    assert run(learn) == 1
    assert run(learn) == 0
    assert SpamTraining.objects.filter(comment=comment).count() == 1
    docs = SpamTokenCount.objects.get(scope=post_a.journal_id, token=spam.DOCS)
    assert (docs.spam, docs.ham) == (1, 0)

    entry = AuditEntry.objects.get(action="comment.spam")
    with django_capture_on_commit_callbacks(execute=True):
        services.undo(moderator=mod_a, entry_id=entry.pk)
    [forget] = [r for r in queue.results if r.task.name == "forget_decided"]
    assert run(forget) == 1 and run(forget) == 0
    # The decision's training, enqueued again after its undo, teaches nothing.
    assert run(learn) == 0
    docs.refresh_from_db()
    assert (docs.spam, docs.ham) == (0, 0)


# Retried with backoff -----------------------------------------------------------


def test_a_mail_the_server_refuses_is_tried_again_after_a_backoff_then_sent(
    settings, queue, mod_a, post_a
):
    settings.EMAIL_BACKEND = FLAKY
    FlakyBackend.failures, FlakyBackend.opened = 1, 0
    comment = held_comments(post_a, 1)[0]
    before = timezone.now()

    moderation_tasks.comments_approved.call([comment.pk], "event-1")

    row = OutgoingMail.objects.get()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in row.error
    assert mail.outbox == []
    [retry] = queue.results
    assert retry.task.name == "deliver_mail" and retry.args == [[row.pk]]
    wait = retry.task.run_after - before
    assert timedelta(seconds=55) < wait < timedelta(seconds=65)

    run(retry)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("sent", 2, "")
    [message] = mail.outbox
    assert message.to == ["a0@example.org"]


def test_a_mail_that_keeps_failing_is_given_up_after_its_last_attempt_and_logged(
    settings, queue, caplog
):
    settings.EMAIL_BACKEND = DOWN
    waits = []
    with caplog.at_level(logging.WARNING, logger="accounts"):
        mail_tasks.send([outbox.Mail("test:e:1", "r@example.org", "Hello", "Body")])
        while queue.results:
            retry = queue.results.pop()
            waits.append(retry.task.run_after - timezone.now())
            run(retry)

    assert outbox.MAX_ATTEMPTS == 5
    row = OutgoingMail.objects.get()
    assert (row.state, row.attempts) == ("failed", 5)
    assert "SMTPConnectError" in row.error
    # Four waits between five attempts: 1, 4, 16 and 64 minutes.
    assert [round(wait / timedelta(minutes=1)) for wait in waits] == [1, 4, 16, 64]
    [given_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "Gave up on the mail test:e:1 to r@example.org after 5 attempts" in (
        given_up.getMessage()
    )


def test_a_task_that_fails_runs_again_after_a_backoff(
    mod_a, post_a, queue, monkeypatch, django_capture_on_commit_callbacks
):
    comment = hold(CommentFactory(post=post_a, body_source="casino bonus"))
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(comment.pk, CommentState.HELD, comment.revision)],
            decision="spam",
        )
    [learn] = queue.results
    real_learn = learning.learn

    def locked(entry_ids):
        raise RuntimeError("the counts table is locked")

    monkeypatch.setattr(learning, "learn", locked)
    with pytest.raises(RuntimeError):
        run(learn)
    [retry] = queue.results[1:]
    assert retry.kwargs == {"attempt": 2} and retry.args == learn.args
    assert retry.task.run_after > timezone.now() + timedelta(seconds=55)

    monkeypatch.setattr(learning, "learn", real_learn)
    assert run(retry) == 1
    assert SpamTraining.objects.filter(comment=comment).exists()


def test_a_task_that_keeps_failing_is_logged_as_an_error_after_its_last_attempt(
    queue, monkeypatch, caplog
):
    def broken(entry_ids):
        raise RuntimeError("the counts table is locked")

    monkeypatch.setattr(learning, "_untaught", broken)
    with caplog.at_level(logging.WARNING, logger="accounts.tasks"):
        learning.learn_decided.enqueue([1])
        while queue.results:
            with pytest.raises(RuntimeError):
                run(queue.results.pop())

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "Gave up on task moderation.learning.learn_decided after 5 attempts"
    ]


# The decision never waits for mail, nor fails with it -------------------------------


def test_a_decision_succeeds_and_the_mail_is_recorded_failed_when_the_server_is_down(
    settings, mod_a, post_a, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN
    comments = held_comments(post_a, 2)

    with (
        caplog.at_level(logging.ERROR, logger="accounts.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcomes = approve(mod_a, comments)

    assert [outcome.status for outcome in outcomes] == ["done", "done"]
    for comment in comments:
        comment.refresh_from_db()
        assert comment.state == CommentState.PUBLISHED
    # The immediate backend cannot wait: the attempts come at once, then stop.
    assert set(OutgoingMail.objects.values_list("state", "attempts")) == {
        ("failed", outbox.MAX_ATTEMPTS)
    }
    assert len([r for r in caplog.records if "Gave up on the mail" in r.msg]) == 2


def test_a_moderators_page_returns_before_any_mail_is_sent(
    client, mod_a, post_a, queue, django_capture_on_commit_callbacks
):
    comments = held_comments(post_a, 2)
    client.force_login(mod_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/moderation/act/",
            {"bulk": "approve", "selected": [token(comment) for comment in comments]},
        )

    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.state == CommentState.PUBLISHED
    assert mail.outbox == [] and not OutgoingMail.objects.exists()
    names = sorted(result.task.name for result in queue.results)
    assert names == ["comments_approved", "learn_decided"]


# Bounded: a batch decision enqueues a task per batch, not per comment ------------


def test_a_bulk_approval_enqueues_one_mail_task_per_batch_and_sends_nothing_itself(
    mod_a, post_a, queue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(moderation_tasks, "BATCH", 5)
    parent = CommentFactory(post=post_a, author=UserFactory(email="p@example.org"))
    comments = held_comments(post_a, 23, parent=parent)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approve(mod_a, comments)

    names = sorted(result.task.name for result in queue.results)
    assert names == ["comments_approved"] * 5 + ["learn_decided"]
    assert len(callbacks) == 6 and mail.outbox == []
    batches = [r.args[0] for r in queue.results if r.task.name == "comments_approved"]
    assert sorted(pk for batch in batches for pk in batch) == sorted(
        c.pk for c in comments
    )
    # One event for the decision: its batches' keys never collide.
    assert len({r.args[1] for r in queue.results if r.args[1:]}) == 1

    for result in list(queue.results):
        run(result)
    approved = [m for m in mail.outbox if m.subject == "Your comment was approved"]
    assert len(approved) == 23


def test_ten_thousand_approvals_are_at_most_twenty_mail_tasks():
    assert math.ceil(10_000 / moderation_tasks.BATCH) <= 20


# The database queue: tasks commit or roll back with the change --------------------


def test_with_the_database_queue_mail_tasks_commit_or_roll_back_with_the_decision(
    settings, mod_a, post_a
):
    settings.TASKS = DATABASE
    comments = held_comments(post_a, 2)
    DBTaskResult.objects.all().delete()

    with pytest.raises(RuntimeError), transaction.atomic():
        approve(mod_a, comments)
        assert DBTaskResult.objects.count() == 2  # written in the transaction
        raise RuntimeError("the decision fails after all")
    assert not DBTaskResult.objects.exists()  # no phantom mail

    approve(mod_a, comments)

    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == [
        "moderation.learning.learn_decided",
        "moderation.tasks.comments_approved",
    ]
    assert mail.outbox == []


# The sweep: what a dead worker left --------------------------------------------------


def test_the_sweep_gives_up_on_mails_a_dead_worker_was_sending_and_resends_lost_ones(
    queue, caplog
):
    long_ago = timezone.now() - timedelta(hours=2)
    ids = outbox.record(
        [outbox.Mail(f"test:e:{n}", f"r{n}@example.org", "Hi", "Body") for n in (1, 2)]
    )
    OutgoingMail.objects.filter(pk=ids[0]).update(state="sending", due_at=long_ago)
    OutgoingMail.objects.filter(pk=ids[1]).update(due_at=long_ago)

    with caplog.at_level(logging.ERROR, logger="accounts.outbox"):
        assert mail_tasks.sweep() == (1, 1)
    assert mail_tasks.sweep() == (0, 0)  # handed back once, not every run

    stuck = OutgoingMail.objects.get(pk=ids[0])
    assert stuck.state == "failed" and "may not have gone" in stuck.error
    assert "A worker stopped while sending the mail test:e:1" in caplog.text
    [redeliver] = queue.results
    run(redeliver)
    assert [m.to for m in mail.outbox] == [["r2@example.org"]]
