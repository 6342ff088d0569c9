"""The outbox: every e-mail the site sends is recorded here before it goes.

A mail carries a delivery key that names what it reports and the event that
caused it ("approved:<event>:<comment id>"), unique in the table. Sending claims
each row first (pending to sending, under a row lock), so a task that runs
twice, or two workers running the same task, send a mail once.

A mail the server refuses, or that finds the server down, goes back to pending
with the error and a time for the next attempt (after 1, 4, 16 and 64 minutes;
the caller enqueues that attempt, see ``accounts.tasks``). After MAX_ATTEMPTS it
is marked failed and logged as an error: never lost silently. A worker that
dies while sending leaves its rows "sending"; ``sweep`` marks them failed once
their claim runs out (they may have gone: better one missing mail, logged, than
two), and hands back pending mails whose next attempt was lost with a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(minutes=1)
# How long a worker may take over one batch before its mails count as stuck.
CLAIM = timedelta(minutes=30)
# A pending mail this late was lost with its worker's retry: send it again.
GRACE = timedelta(minutes=15)
KEEP_SENT = timedelta(days=7)
SWEEP_AT_MOST = 10_000

State = OutgoingMail.State


@dataclass(frozen=True)
class Mail:
    key: str
    to: str
    subject: str
    body: str

    def message(self) -> EmailMessage:
        return EmailMessage(self.subject, self.body, None, [self.to])


@dataclass(frozen=True)
class Retry:
    """Mails the server refused this time, and when to try them again."""

    ids: list[int]
    at: datetime


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 4, 16, 64
    minutes."""
    return FIRST_BACKOFF * 4 ** (max(attempts, 1) - 1)


def recorded(keys: Iterable[str]) -> set[str]:
    """Which of these delivery keys have a mail already, sent or not: one query.
    A task run again skips what it recorded the first time."""
    keys = list(keys)
    if not keys:
        return set()
    return set(OutgoingMail.objects.filter(key__in=keys).values_list("key", flat=True))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def record(mails: Iterable[Mail]) -> list[int]:
    """Store these mails as pending, each under its key (a key recorded before
    is left as it is), and return the ids of those still waiting to be sent.

    A mail that cannot be built (a header with a line break, say) is recorded
    as failed and logged; the others still go."""
    rows = []
    for mail in mails:
        row = OutgoingMail(key=mail.key, to=mail.to, subject=mail.subject)
        row.body = mail.body
        try:
            mail.message().message()  # builds the headers: a bad one raises here
        except Exception as error:
            log.exception("Could not build the mail %s to %s", mail.key, mail.to)
            row.state, row.error = State.FAILED, _describe(error)
        rows.append(row)
    if not rows:
        return []
    OutgoingMail.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        OutgoingMail.objects.filter(
            key__in=[row.key for row in rows], state=State.PENDING
        ).values_list("pk", flat=True)
    )


def _claim(ids: list[int]) -> list[OutgoingMail]:
    """Take the pending mails among ``ids`` for this worker (one lock, one
    update): another worker skips them."""
    with transaction.atomic():
        claimed = list(
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, state=State.PENDING)
            .order_by("pk")
        )
        OutgoingMail.objects.filter(pk__in=[row.pk for row in claimed]).update(
            state=State.SENDING, due_at=timezone.now() + CLAIM
        )
    return claimed


def deliver(ids: Iterable[int]) -> Retry | None:
    """Send the pending mails among ``ids`` over one connection; return the
    ones to try again and when, or None.

    Mail never raises here: whatever the server says is written on the rows.
    """
    claimed = _claim(list(ids))
    if not claimed:
        return None
    sent: list[int] = []
    failed: dict[int, str] = {}
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:
        log.warning("Could not reach the mail server for %d mail(s)", len(claimed))
        failed = {row.pk: _describe(error) for row in claimed}
    else:
        try:
            for row in claimed:
                try:
                    connection.send_messages([_message(row)])
                except Exception as error:
                    log.warning("Could not send the mail %s to %s", row.key, row.to)
                    failed[row.pk] = _describe(error)
                else:
                    sent.append(row.pk)
        finally:
            try:
                connection.close()
            except Exception:  # the mails went; a rude goodbye changes nothing
                log.warning("The mail server closed badly", exc_info=True)
    now = timezone.now()
    if sent:
        OutgoingMail.objects.filter(pk__in=sent).update(
            state=State.SENT, sent_at=now, attempts=F("attempts") + 1, error=""
        )
    return _after_failures([row for row in claimed if row.pk in failed], failed, now)


def _message(row: OutgoingMail) -> EmailMessage:
    return Mail(row.key, row.to, row.subject, row.body).message()


def _after_failures(rows, errors: dict[int, str], now) -> Retry | None:
    """Put refused mails back to wait for their next attempt, or give up on
    those that had their last one: marked failed, each logged as an error."""
    retry: list[int] = []
    due = None
    for row in rows:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.error(
                "Gave up on the mail %s to %s after %d attempts: %s",
                row.key,
                row.to,
                attempts,
                errors[row.pk],
            )
            changes = {"state": State.FAILED}
        else:
            next_at = now + backoff(attempts)
            due = min(due, next_at) if due else next_at
            retry.append(row.pk)
            changes = {"state": State.PENDING, "due_at": next_at}
        OutgoingMail.objects.filter(pk=row.pk).update(
            attempts=attempts, error=errors[row.pk], **changes
        )
    return Retry(retry, due) if retry else None


def sweep(*, now=None) -> tuple[list[int], int]:
    """Look after what dead workers left behind; return the pending mails to
    send again (their next attempt was lost) and how many mails were given up.

    A mail still "sending" after its claim ran out is marked failed and logged:
    it may have gone, and sending it again could send it twice. Sent mails are
    forgotten after KEEP_SENT (they hold people's addresses and words)."""
    now = now or timezone.now()
    stuck = OutgoingMail.objects.filter(state=State.SENDING, due_at__lt=now)
    given_up = 0
    for row in stuck.only("pk", "key", "to"):
        log.error(
            "A worker stopped while sending the mail %s to %s; it may not have "
            "been delivered",
            row.key,
            row.to,
        )
        given_up += OutgoingMail.objects.filter(pk=row.pk, state=State.SENDING).update(
            state=State.FAILED,
            error="The worker stopped while sending it; it may not have gone.",
        )
    late = list(
        OutgoingMail.objects.filter(
            state=State.PENDING, due_at__lt=now - GRACE
        ).values_list("pk", flat=True)[:SWEEP_AT_MOST]
    )
    # Due again now: the next sweep hands them back only if this try is lost too.
    OutgoingMail.objects.filter(pk__in=late).update(due_at=now)
    OutgoingMail.objects.filter(
        state=State.SENT, created_at__lt=now - KEEP_SENT
    ).delete()
    return late, given_up
