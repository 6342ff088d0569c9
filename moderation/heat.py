"""Heat: a sub-thread that gets at least N replies within M minutes (the
owner's ``heat_replies`` and ``heat_minutes``, off by default) is screened for
H hours (``heat_hours``): every reply in it, but a moderator's, waits for a
moderator (the rule ``heat.screened`` in ``moderation.rules``).

A sub-thread is everything under one top-level comment: a flame war grows
down and sideways from the comment that started it, and a reply anywhere in it
feeds the same fire. (A deeper cut, say the parent's replies, would let a war
that spreads across branches escape the count.)

Counting costs one cache round trip per reply, nothing in the database: a
moving window per journal and sub-thread, kept by the ``limits`` package in the
storage the rate limit uses (``moderation.ratelimit``: Redis in production,
memory in development). When a reply finds N - 1 already there, the system
screens the sub-thread: a ``HeatScreening`` row, audited as ``heat.screened``
with the figures that tripped it, made once while one is active. It ends on
its own at ``until``; a moderator can lift it early (``lift_heat``, audited
``heat.lifted``, undoable for 24 hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from limits import RateLimitItemPerMinute

from journal import paths
from journal.models import Comment, CommentState, Journal

from . import audit, ratelimit
from .models import HeatScreening
from .services import NotAllowed, NotFound


class _Replies(RateLimitItemPerMinute):
    """A sub-thread's replies within the journal's ``heat_minutes``: one window
    per journal and sub-thread whatever the figures, so an owner who changes
    them goes on counting the replies already there."""

    def key_for(self, *identifiers) -> str:
        return "/".join((self.namespace, *map(str, identifiers)))


def _window(journal: Journal) -> _Replies:
    # Holding N - 1: the reply that finds them all there is the Nth.
    return _Replies(
        max(journal.heat_replies - 1, 1),
        multiples=journal.heat_minutes,
        namespace="heat",
    )


def thread_of(comment: Comment) -> int | None:
    """The top-level comment whose sub-thread a reply is in; None for a
    top-level comment (it starts a sub-thread, it does not heat one)."""
    if comment.parent_id is None or not comment.path:
        return None
    return paths.ancestor_ids(comment.path)[0]


def _heated_when_judged(comment: Comment, now: datetime) -> bool:
    """Whether the reply was judged inside a heat screening (its facts say
    until when): then there is nothing to count."""
    until = comment.judged_facts.get("heated_until") if comment.judged_facts else None
    if not until:
        return False
    try:
        return datetime.fromisoformat(until) > now
    except (TypeError, ValueError):
        return False


def count_reply(comment: Comment) -> HeatScreening | None:
    """Count a new reply (published or held) towards its sub-thread's heat,
    and screen the sub-thread when this reply makes N within M minutes.

    Called by the write path (``ModerationPlugin.comment_stored``) inside the
    comment's transaction. One cache round trip, and none at all when the
    journal has heat off or the reply was judged while the sub-thread was
    screened already; the database only when it trips.
    """
    journal = comment.post.journal
    thread_id = thread_of(comment)
    if not journal.heat_replies or thread_id is None:
        return None
    if comment.state not in (CommentState.PUBLISHED, CommentState.HELD):
        return None
    now = timezone.now()
    if _heated_when_judged(comment, now):
        return None
    if journal.heat_replies > 1 and ratelimit.limiter().hit(
        _window(journal), journal.pk, thread_id
    ):
        return None
    return screen_thread(journal=journal, thread_id=thread_id, now=now)


def _forget_count(journal: Journal, thread_id: int) -> None:
    """Start the sub-thread's count afresh: after a screening (its replies
    were counted already) or a lifting (they should not trip it again)."""
    ratelimit.limiter().clear(_window(journal), journal.pk, thread_id)


@transaction.atomic
def screen_thread(
    *, journal: Journal, thread_id: int, now: datetime | None = None
) -> HeatScreening | None:
    """Screen a sub-thread for the journal's ``heat_hours``, done by the system
    and audited with the figures that tripped it; None if one is screening it
    already. Locks the top-level comment's row (for no key update, so that
    replies being inserted under it never wait on it), so two replies that
    trip it at once make one screening."""
    now = now or timezone.now()
    thread = (
        Comment.objects.select_for_update(no_key=True)
        .filter(pk=thread_id, journal_id=journal.pk)
        .first()
    )
    if thread is None:
        return None
    if HeatScreening.objects.active(at=now).filter(thread_id=thread_id).exists():
        return None
    screening = HeatScreening.objects.create(
        journal=journal,
        thread=thread,
        replies=journal.heat_replies,
        minutes=journal.heat_minutes,
        started_at=now,
        until=now + timedelta(hours=journal.heat_hours),
    )
    _forget_count(journal, thread_id)
    audit.record(
        journal=journal,
        actor=None,
        action="heat.screened",
        comment=thread,
        note=_("%(replies)d replies within %(minutes)d minutes")
        % {"replies": screening.replies, "minutes": screening.minutes},
        data={
            "code": "heat.screened",
            "screening": screening.pk,
            "replies": screening.replies,
            "minutes": screening.minutes,
            "hours": journal.heat_hours,
            "until": screening.until.isoformat(),
        },
    )
    return screening


def screenings_for(user):
    """Heat screenings in the journals ``user`` moderates (ended ones too)."""
    return HeatScreening.objects.filter(
        journal__in=Journal.objects.moderated_by(user)
    ).select_related("journal", "thread__post", "lifted_by")


def active_for_threads(thread_ids, *, now: datetime | None = None) -> dict:
    """The screening running on each of these sub-threads (by top-level id)."""
    if not thread_ids:
        return {}
    screenings = (
        HeatScreening.objects.active(at=now)
        .filter(thread_id__in=set(thread_ids))
        .order_by("until")
    )
    # The one that ends last wins (ordered by until).
    return {screening.thread_id: screening for screening in screenings}


@transaction.atomic
def lift_heat(*, moderator, screening_id: int) -> HeatScreening:
    """End a heat screening now, before its time: replies in the sub-thread
    are judged as usual again (those held stay for a moderator), and its
    count starts afresh. The row stays; audited as ``heat.lifted``, undoable.
    Raises ``NotFound`` outside the journals ``moderator`` moderates."""
    screening = (
        HeatScreening.objects.select_for_update(of=("self",))
        .filter(pk=screening_id, journal__in=Journal.objects.moderated_by(moderator))
        .select_related("journal", "thread")
        .first()
    )
    if screening is None:
        raise NotFound(screening_id)
    now = timezone.now()
    if screening.lifted_at is not None or screening.until <= now:
        raise NotAllowed(_("This screening has already ended."), "heat.ended")
    screening.lifted_at = now
    screening.lifted_by = moderator
    screening.save(update_fields=["lifted_at", "lifted_by"])
    _forget_count(screening.journal, screening.thread_id)
    audit.record(
        journal=screening.journal,
        actor=moderator,
        action="heat.lifted",
        comment=screening.thread,
        data={"screening": screening.pk, "until": screening.until.isoformat()},
    )
    return screening
