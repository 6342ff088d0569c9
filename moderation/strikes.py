"""Strikes and the journal's escalation ladder.

A rejection or a spam decision is a strike for the comment's author in that
journal, for ``Journal.strike_window_days``; undoing the decision takes the
strike away (strikes are read from the audit log, never stored apart). When an
author's strikes reach a step of the journal's ladder (``screen_after_strikes``,
``ban_after_strikes``), the system screens or bans them for the step's days:
audited with the code ``strikes.ladder``, undoable, told to the author, and
lifted again if the decision that tipped it is undone.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from journal.models import Journal

from . import audit, tasks
from .models import AuditEntry, AuthorRestriction

STRIKE_ACTIONS = ("comment.reject", "comment.spam")
LADDER = "strikes.ladder"


def strike_entries():
    """Decisions that count as strikes: rejections and spam, not undone."""
    return AuditEntry.objects.filter(
        action__in=STRIKE_ACTIONS, undone_by__isnull=True, comment__isnull=False
    )


def in_window(journals, now=None) -> Q:
    """Entries inside each journal's strike window (journal ids or objects)."""
    now = now or timezone.now()
    window = Q(pk__in=[])
    for journal in journals:
        window |= Q(
            journal_id=journal.pk,
            created_at__gte=now - timedelta(days=journal.strike_window_days),
        )
    return window


def count(journal: Journal, user_id: int, now=None) -> int:
    return (
        strike_entries()
        .filter(in_window([journal], now), comment__author_id=user_id)
        .count()
    )


def _step(journal: Journal, strikes: int) -> tuple[str, int] | None:
    """The ladder's step for this many strikes: (kind, days), or None."""
    if journal.ban_after_strikes and strikes >= journal.ban_after_strikes:
        return AuthorRestriction.Kind.BAN, journal.ban_for_days
    if journal.screen_after_strikes and strikes >= journal.screen_after_strikes:
        return AuthorRestriction.Kind.SCREEN, journal.screen_for_days
    return None


def climb(decisions: list[AuditEntry]) -> list[AuditEntry]:
    """After decisions were recorded (same transaction): put each struck author
    on the step of the ladder their strikes reached. Returns the entries."""
    struck = [entry for entry in decisions if entry.action in STRIKE_ACTIONS]
    if not struck:
        return []
    journals = Journal.objects.in_bulk({entry.journal_id for entry in struck})
    laddered = [
        j for j in journals.values() if j.screen_after_strikes or j.ban_after_strikes
    ]
    if not laddered:
        return []
    # The entry that tipped each (journal, author): their latest strike here.
    # Each entry carries the comment it decided, author and all.
    laddered_ids = {journal.pk for journal in laddered}
    tipping = {
        (entry.journal_id, entry.comment.author_id): entry
        for entry in struck
        if entry.comment.author_id and entry.journal_id in laddered_ids
    }
    if not tipping:
        return []
    now = timezone.now()
    counts = {
        (row["journal_id"], row["comment__author_id"]): row["strikes"]
        for row in strike_entries()
        .filter(in_window(laddered, now))
        .filter(
            journal_id__in={j for j, _ in tipping},
            comment__author_id__in={a for _, a in tipping},
        )
        .values("journal_id", "comment__author_id")
        .annotate(strikes=Count("pk"))
        .order_by()
    }
    users = get_user_model().objects.in_bulk({a for _, a in tipping})
    active = {
        (r.journal_id, r.user_id, r.kind)
        for r in AuthorRestriction.objects.active(now).filter(
            journal_id__in={j for j, _ in tipping}, user_id__in={a for _, a in tipping}
        )
    }
    entries = []
    for (journal_id, author_id), entry in tipping.items():
        journal, strikes = journals[journal_id], counts.get((journal_id, author_id), 0)
        step = _step(journal, strikes)
        if step is None or journal.is_moderated_by(users[author_id]):
            continue
        kind, days = step
        if (journal_id, author_id, AuthorRestriction.Kind.BAN) in active or (
            journal_id,
            author_id,
            kind,
        ) in active:
            continue
        entries.append(
            _restrict(journal, users[author_id], kind, days, strikes, entry, now)
        )
    return entries


def _sentence(journal: Journal, kind: str, strikes: int, until) -> str:
    when = timezone.localtime(until).strftime("%Y-%m-%d")
    counted = ngettext(
        "%(count)d of your comments was rejected in %(days)d days",
        "%(count)d of your comments were rejected in %(days)d days",
        strikes,
    ) % {"count": strikes, "days": journal.strike_window_days}
    if kind == AuthorRestriction.Kind.BAN:
        return _("%(counted)s: you may not comment in %(journal)s until %(when)s.") % {
            "counted": counted,
            "journal": journal.title,
            "when": when,
        }
    return _(
        "%(counted)s: your comments in %(journal)s wait for a moderator until %(when)s."
    ) % {"counted": counted, "journal": journal.title, "when": when}


def _restrict(journal, user, kind, days, strikes, tipping, now) -> AuditEntry:
    until = now + timedelta(days=days)
    sentence = _sentence(journal, kind, strikes, until)
    restriction, _created = AuthorRestriction.objects.update_or_create(
        journal=journal,
        user=user,
        kind=kind,
        defaults={"until": until, "reason": sentence[:200], "created_by": None},
    )
    entry = audit.record(
        journal=journal,
        actor=None,
        action=f"author.{kind}",
        target=audit.person(user),
        note=sentence,
        data={
            "user": user.pk,
            "restriction": restriction.pk,
            "until": until.isoformat(),
            "code": LADDER,
            "strikes": strikes,
            "because": tipping.pk,
        },
    )
    tasks.mail_restricted(restriction.pk, sentence)
    return entry


def ladder_entries_because(decision: AuditEntry):
    """The ladder steps a decision tipped, still in force (for its undo)."""
    return AuditEntry.objects.filter(
        journal_id=decision.journal_id,
        action__in=("author.ban", "author.screen"),
        data__code=LADDER,
        data__because=decision.pk,
        undone_by__isnull=True,
    )
