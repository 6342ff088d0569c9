"""A proposed change to a journal's comment rules, taken without saving it.

The owner proposes a change on the journal's settings page in the admin (the
settings form and its word list) or through the API (the settings body). Both
become the snapshot the change would record as a rule-set version
(``moderation.services.rule_set_snapshot``'s layout), validated as saving it
would validate it, with nothing written. A backtest replays the snapshot over
the journal's last comments (``preview``); a shadow rule set runs it beside the
live rules (``moderation.shadows.start_shadow``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Journal

from . import backtest, tasks
from .models import RULE_SETTING_FIELDS, Backtest, ScheduledMode, WordRule
from .services import NotAllowed, rule_set_snapshot

# Replays of at most this many comments run in the request; longer ones go to
# the task queue (about half a second at most, see benchmarks/backtest.py).
DIRECT_MOST = 2_000
# A queued or running backtest older than this is taken for lost (a worker
# that died) and no longer keeps the journal from starting another.
STALE_AFTER = timedelta(minutes=15)


def _proposed_words(journal: Journal, words: Iterable[Mapping] | None) -> list:
    if words is None:
        return list(journal.word_rules.active())
    return [
        WordRule(
            journal=journal,
            phrase=word["phrase"].strip(),
            kind=word["kind"],
            substring=bool(word.get("substring", False)),
        )
        for word in words
    ]


def snapshot_with(
    journal: Journal, *, changes: Mapping, words: Iterable[Mapping] | None = None
) -> dict:
    """The snapshot of ``journal``'s rules with ``changes`` (comment settings by
    name) and, when given, ``words`` ({phrase, kind, substring}) as its whole
    word list, as the settings API would save them. Raises ``ValidationError``
    for a value saving would refuse; nothing is saved."""
    unknown = sorted(set(changes) - set(RULE_SETTING_FIELDS))
    if unknown:
        raise ValidationError(
            {
                name: _("%(name)s is not a comment setting.") % {"name": name}
                for name in unknown
            }
        )
    proposed = copy.copy(journal)
    for name, value in changes.items():
        setattr(proposed, name, value)
    others = [f.name for f in Journal._meta.fields if f.name not in RULE_SETTING_FIELDS]
    proposed.full_clean(exclude=others, validate_unique=False)
    return rule_set_snapshot(proposed, _proposed_words(journal, words))


def _as_saved(formset, current: list) -> list:
    """The rows in force once a valid admin inline formset were saved:
    ``current`` (the rows in force now) without those it marks "Delete", and
    its new rows, unsaved. Rows already saved are shown, not edited (and rows
    it did not send are left alone), as saving does."""
    deleted = {form.instance.pk for form in formset.deleted_forms if form.instance.pk}
    added = [
        form.instance
        for form in formset.forms
        if not form.instance.pk
        and getattr(form, "cleaned_data", None)
        and form not in formset.deleted_forms
    ]
    return [row for row in current if row.pk not in deleted] + added


def snapshot_from_admin(journal: Journal, formsets) -> dict:
    """The snapshot a valid journal settings page would record: ``journal`` is
    the form's unsaved instance (the form applied and validated the proposed
    values), ``formsets`` the page's valid inline formsets (the word list and
    the scheduled modes as proposed; the others are not rules)."""
    words = schedule = None
    for formset in formsets:
        if formset.model is WordRule:
            words = _as_saved(formset, list(journal.word_rules.active()))
        elif formset.model is ScheduledMode:
            schedule = _as_saved(
                formset, list(ScheduledMode.objects.active().filter(journal=journal))
            )
    if words is None:
        words = list(journal.word_rules.active())
    return rule_set_snapshot(journal, words, schedule)


def changes_from_live(journal: Journal, snapshot: dict) -> dict:
    """What ``snapshot`` would change in the journal's rules in force now, as
    ``{name: [now, proposed]}`` (a rule-set version's ``changes``)."""
    live = rule_set_snapshot(Journal.objects.get(pk=journal.pk))
    return {
        key: [live.get(key), snapshot.get(key)]
        for key in sorted(set(live) | set(snapshot))
        if live.get(key) != snapshot.get(key)
    }


@dataclass(frozen=True)
class Preview:
    """A backtest's answer: its result at once, or the queued backtest."""

    result: dict | None = None
    backtest: Backtest | None = None


def preview(*, journal: Journal, snapshot: dict, limit: int, by) -> Preview:
    """Backtest ``snapshot`` over the journal's last ``limit`` comments: here
    and now when they are few, else as a queued ``Backtest`` that a worker
    replays once this commits. One backtest of a journal waits or runs at a
    time; another is ``NotAllowed``."""
    if not 1 <= limit <= backtest.MAX_LIMIT:
        raise ValidationError(
            {
                "limit": _("Replay from 1 to %(most)s comments.")
                % {"most": f"{backtest.MAX_LIMIT:,}"}
            }
        )
    total = backtest.comments_to_replay(journal, limit)
    if total <= DIRECT_MOST:
        return Preview(result=backtest.replay(journal, snapshot, limit=limit))
    with transaction.atomic():
        # The journal's row serializes two owners' requests (or two clicks).
        Journal.objects.select_for_update().filter(pk=journal.pk).first()
        busy = Backtest.objects.filter(
            journal=journal,
            state__in=[Backtest.State.QUEUED, Backtest.State.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        if busy.exists():
            raise NotAllowed(
                _(
                    "A backtest of this journal is still running; wait for it to "
                    "finish, then try again."
                ),
                code="backtest.busy",
            )
        queued = Backtest.objects.create(
            journal=journal,
            requested_by=by if by is not None and by.is_authenticated else None,
            proposal=snapshot,
            limit=limit,
            total=total,
        )
        tasks.replay_later(queued.pk)
    return Preview(backtest=queued)
