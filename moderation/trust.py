"""What earns an author trust in a journal: one definition, used by the facts the
rules judge and by the author's record the queue shows.

Trust is earned, never given by posting: a comment counts while its text is the
revision a moderator approved (or unscreened), or, where the owner allows it,
once it stood published for the journal's number of days with no open report
and no rejection, spam decision or screening ever made on it. The comment being judged
never counts towards its own trust.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q

from journal.models import CommentState

from .models import AuditEntry, Report

# Decisions that challenge a comment: once made, it never counts as standing.
CHALLENGES = ("comment.reject", "comment.spam", "comment.screen")


def approved() -> Q:
    """Published comments a moderator approved as they read now: after an edit,
    the approval covers text that is gone, so it earns nothing."""
    return Q(state=CommentState.PUBLISHED, approved_revision=F("revision"))


def standing(days: int, now: datetime) -> Q:
    """Published comments not counted as approved, last written at least
    ``days`` ago, with no open report, never challenged."""
    cutoff = now - timedelta(days=days)
    open_reports = Report.objects.filter(
        comment_id=OuterRef("pk"), dismissed_at__isnull=True
    )
    challenges = AuditEntry.objects.filter(
        comment_id=OuterRef("pk"), action__in=CHALLENGES
    )
    return (
        Q(state=CommentState.PUBLISHED)
        & ~approved()
        & Q(created_at__lte=cutoff)
        & (Q(edited_at__isnull=True) | Q(edited_at__lte=cutoff))
        & ~Q(Exists(open_reports))
        & ~Q(Exists(challenges))
    )
