"""Background work on Django's task API (``django_tasks``, the backport of
Django 6's ``django.tasks``), with what the API leaves to us: enqueueing with the
change a task reports, retrying with backoff, and sending mail through the
outbox (``accounts.outbox``).

In production the queue is the database (``django_tasks_db``, TASKS in
config/settings.py): a task is a row written in the transaction of the change
it reports, so it commits or rolls back with it, and ``manage.py db_worker``
processes on any machine run it. In development and tests the immediate
backend runs a task right away, in-process, once the change commits.

Every task here may run more than once (a retry after a failure part-way, a
worker that died): each one checks what it did already, and every mail goes
through the outbox under a key, so a task run twice sends one mail.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend

from . import outbox

log = logging.getLogger(__name__)

# How many times a task runs before its error is final, and the waits between
# (outbox.backoff: 1, 4, 16, 64 minutes).
ATTEMPTS = outbox.MAX_ATTEMPTS
# Mails per delivery task when a sweep hands many back.
DELIVERY_BATCH = 500


def event() -> str:
    """A new id for one occurrence (a decision, a held comment), from which the
    delivery keys of its mails are made: the same task run again makes the
    same keys, a new occurrence new ones."""
    return uuid.uuid4().hex


def enqueue_at_commit(task: Task, *args, **kwargs) -> None:
    """Enqueue ``task`` so that it runs only if the current transaction commits.

    The database queue writes the task in the transaction itself: it commits or
    rolls back with the change, and no crash between the two can lose it or
    send mail about a change that never happened. Any other backend (the
    immediate one) is handed the task once the transaction commits; a failure
    there is logged and never fails the change, which is committed already.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(
            functools.partial(task.enqueue, *args, **kwargs), robust=True
        )


def run_later(task: Task, at: datetime, *args, **kwargs) -> None:
    """Enqueue ``task`` to run at ``at``; right away where the backend cannot
    wait (the immediate one, in development)."""
    if task.get_backend().supports_defer:
        task = task.using(run_after=at)
    task.enqueue(*args, **kwargs)


def retried(func: Callable) -> Callable:
    """Make a task's body try again: when it raises, the task is enqueued again
    after a backoff, and after ATTEMPTS runs the error is logged and final.

    Put it under ``@task()``. The body must be idempotent: it may run again
    after failing part-way. The attempt travels as the ``attempt`` argument.
    """
    path = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def run(*args, attempt: int = 1, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception:
            if attempt >= ATTEMPTS:
                log.exception("Gave up on task %s after %d attempts", path, attempt)
                raise
            log.warning(
                "Task %s failed (attempt %d of %d); it will run again",
                path,
                attempt,
                ATTEMPTS,
                exc_info=True,
            )
            # The module-level name is the Task that wraps this function.
            again = timezone.now() + outbox.backoff(attempt)
            run_later(import_string(path), again, *args, attempt=attempt + 1, **kwargs)
            raise

    return run


def deliver(mail_ids: Iterable[int]) -> None:
    """Send these outbox mails now; enqueue another attempt for those the
    server refused."""
    retry = outbox.deliver(mail_ids)
    if retry is not None:
        run_later(deliver_mail, retry.at, retry.ids)


def send(mails: Iterable[outbox.Mail]) -> None:
    """Record these mails and send them now, from a task (never from a
    request); those the server refuses are tried again later."""
    deliver(outbox.record(mails))


@task()
@retried
def deliver_mail(mail_ids: list[int]) -> None:
    """Another attempt at mails the server refused, or that a sweep found."""
    deliver(mail_ids)


def sweep() -> tuple[int, int]:
    """Send again the mails whose next attempt was lost with a worker, and give
    up on those a worker died sending (``outbox.sweep``); return how many of
    each. Run from cron (``send_mail_digests``)."""
    late, given_up = outbox.sweep()
    for start in range(0, len(late), DELIVERY_BATCH):
        deliver_mail.enqueue(late[start : start + DELIVERY_BATCH])
    return len(late), given_up
