"""How much a reader's report weighs in a journal, from their record there.

Like Discourse's flag score: a report weighs 1, plus an accuracy bonus that
grows with the log (base 4) of how many of the reader's reports here were
settled. Upheld reports (the comment was then rejected or marked as spam) raise
it; dismissed ones lower it, to nothing for a reader whose reports are always
dismissed (``ZERO_AFTER`` settled, none upheld).
"""

from __future__ import annotations

import math

from django.db.models import Count, Q, Sum

from journal.models import CommentState

from .models import Report

UPHELD_STATES = (CommentState.REJECTED, CommentState.SPAM)
ZERO_AFTER = 3


def weight_of(upheld: int, dismissed: int) -> float:
    """1 for a reader with no settled report; more with upheld ones (up to
    1 + log4(settled + 1)); 0 once ``ZERO_AFTER`` are settled and none upheld."""
    settled = upheld + dismissed
    if not settled:
        return 1.0
    if not upheld and settled >= ZERO_AFTER:
        return 0.0
    accuracy = upheld / settled
    bonus = (2 * accuracy - 1) * math.log(settled + 1, 4)
    return round(max(0.0, 1 + bonus), 2)


def record(journal_id: int, reporter_id: int) -> tuple[int, int]:
    """(upheld, dismissed) reports of this reader in this journal."""
    upheld = Q(comment__state__in=UPHELD_STATES)
    row = Report.objects.filter(
        journal_id=journal_id, reporter_id=reporter_id
    ).aggregate(
        upheld=Count("pk", filter=upheld),
        dismissed=Count("pk", filter=Q(dismissed_at__isnull=False) & ~upheld),
    )
    return row["upheld"], row["dismissed"]


def weight(journal_id: int, reporter_id: int) -> float:
    return weight_of(*record(journal_id, reporter_id))


def open_weight():
    """An expression: the total weight of a comment's open reports."""
    return Sum("reports__weight", filter=Q(reports__dismissed_at__isnull=True))
