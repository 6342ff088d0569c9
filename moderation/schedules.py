"""Scheduled modes: windows of the week, in the journal's own time zone, with
stricter rules ("Fri 22:00 – Mon 07:00: screen all", "every night 23:00–07:00:
at most 2 comments a minute per author").

The windows are rows (``ScheduledMode``) and part of the rules: every change
records a rule-set version, audited, and the judging query reads the windows in
force with the journal's row (``moderation.judging``). The rules themselves
(which window is open, what it says) are pure: ``moderation.rules``. Removing a
window retires it; the row stays, and so does every version that named it.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Journal

from .models import ScheduledMode
from .services import NotAllowed, record_rule_set


def windows_of(journal: Journal):
    """The windows in force in ``journal``, in the order the week has them."""
    return (
        ScheduledMode.objects.active()
        .filter(journal=journal)
        .order_by("days", "starts_at", "pk")
    )


@transaction.atomic
def add_window(
    *,
    journal: Journal,
    by,
    name: str,
    mode: str,
    days: str,
    starts_at: time,
    ends_at: time,
    ends_after_days: int = 0,
    rate_per_minute: int = 0,
    record: bool = True,
) -> ScheduledMode:
    """Add a window to the journal's schedule, as a new rule-set version.

    The caller checked that ``by`` may change the journal's rules. Raises
    ``ValidationError`` (by field) for a window the rules could not read, or
    past ``ScheduledMode.MAX_ACTIVE`` windows; then nothing changes. Locks the
    journal's row, so two additions cannot both take the last place.
    ``record=False`` leaves the version to the caller (the admin records one
    for the whole page it saves).
    """
    Journal.objects.select_for_update().filter(pk=journal.pk).first()
    window = ScheduledMode(
        journal=journal,
        name=name,
        mode=mode,
        days=days,
        starts_at=starts_at,
        ends_at=ends_at,
        ends_after_days=ends_after_days,
        rate_per_minute=rate_per_minute,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    window.full_clean(exclude=["journal", "created_by"])
    if windows_of(journal).count() >= ScheduledMode.MAX_ACTIVE:
        raise ValidationError(
            _("A journal has at most %(count)d scheduled modes; remove one first.")
            % {"count": ScheduledMode.MAX_ACTIVE},
            code="schedule.full",
        )
    window.save()
    if record:
        record_rule_set(journal, by=by)
    return window


@transaction.atomic
def retire_window(*, window: ScheduledMode, by, record: bool = True) -> ScheduledMode:
    """Take a window off the schedule, as a new rule-set version. The row
    stays for the history. The caller checked that ``by`` may change the
    journal's rules."""
    retired = ScheduledMode.objects.filter(
        pk=window.pk, retired_at__isnull=True
    ).update(retired_at=timezone.now())
    if not retired:
        raise NotAllowed(_("This window was already removed."), "schedule.retired")
    window.refresh_from_db(fields=["retired_at"])
    if record:
        record_rule_set(window.journal, by=by)
    return window
