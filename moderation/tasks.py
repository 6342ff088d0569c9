"""Moderation's mail as tasks, and the functions that enqueue them.

Services and the plugin call ``mail_*`` inside the transaction of the change
the mail reports (``accounts.tasks.enqueue_at_commit``): with the database
queue the task commits or rolls back with the change; the request never waits
for the mail server, and a mail that fails never fails the change. A batch
decision enqueues one task per BATCH comments, never one per comment. Each task
is retried with backoff and is idempotent (``moderation.notifications``: every
mail has a delivery key made of the ``event`` it was enqueued for).

Training the spam model on decisions is a task too, beside the model's code
(``moderation.learning``). So is a long backtest (``moderation.backtest``):
not retried, since a failure is shown on its page and the owner may start
another.
"""

from __future__ import annotations

from django_tasks import task

from accounts.tasks import enqueue_at_commit, retried
from accounts.tasks import event as new_event

from . import backtest, notifications

# Comments per mail task in a batch decision: 10,000 approvals are 20 tasks.
BATCH = 500


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


@task()
@retried
def held_comment_waiting(comment_id: int, event: str) -> None:
    notifications.held_comment_waiting(comment_id, event=event)


@task()
@retried
def reply_posted(reply_id: int, event: str) -> None:
    notifications.reply_posted(reply_id, event=event)


@task()
@retried
def comments_approved(comment_ids: list[int], event: str) -> None:
    notifications.comments_approved(comment_ids, event=event)


@task()
@retried
def comment_approved(comment_id: int, event: str) -> None:
    notifications.comment_approved(comment_id, event=event)


@task()
@retried
def comments_rejected(
    comment_ids: list[int], reason_label: str, note: str, event: str
) -> None:
    notifications.comments_rejected(comment_ids, reason_label, note, event=event)


@task()
@retried
def author_restricted(restriction_id: int, sentence: str) -> None:
    notifications.author_restricted(restriction_id, sentence)


@task()
@retried
def appeal_decided(appeal_id: int, event: str) -> None:
    notifications.appeal_decided(appeal_id, event=event)


@task()
@retried
def send_reply_digests() -> int:
    return notifications.send_reply_digests()


@task()
def run_backtest(backtest_id: int) -> None:
    backtest.run(backtest_id)


def mail_held_comment(comment_id: int) -> None:
    """The journal's moderators: something waits (at most a mail per 10 minutes)."""
    enqueue_at_commit(held_comment_waiting, comment_id, new_event())


def mail_reply(reply_id: int) -> None:
    """The parent comment's author: someone answered."""
    enqueue_at_commit(reply_posted, reply_id, new_event())


def mail_approved(comment_ids: list[int]) -> None:
    """The authors of approved comments, and those they replied to."""
    occurrence = new_event()
    for batch in _batches(list(comment_ids)):
        enqueue_at_commit(comments_approved, batch, occurrence)


def mail_unscreened(comment_id: int) -> None:
    """The author of a comment a moderator published again."""
    enqueue_at_commit(comment_approved, comment_id, new_event())


def mail_rejected(comment_ids: list[int], reason_label: str, note: str) -> None:
    """The authors of rejected comments, with the reason."""
    occurrence = new_event()
    for batch in _batches(list(comment_ids)):
        enqueue_at_commit(comments_rejected, batch, reason_label, note, occurrence)


def mail_restricted(restriction_id: int, sentence: str) -> None:
    """An author the journal's ladder screened or banned."""
    enqueue_at_commit(author_restricted, restriction_id, sentence)


def mail_appeal_decided(appeal_id: int) -> None:
    """The author of an appeal a moderator granted or denied, with the answer."""
    enqueue_at_commit(appeal_decided, appeal_id, new_event())


def replay_later(backtest_id: int) -> None:
    """A queued backtest, replayed by a worker once its row commits."""
    enqueue_at_commit(run_backtest, backtest_id)
