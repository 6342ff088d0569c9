"""Shadow rule sets: a proposed rule set that runs beside the live one.

An owner saves proposed settings and word lists as a shadow. Every comment
judged from then on (new or edited, through any door: they all reach
``moderation.judging.judge``) is decided a second time, with the same facts,
under the shadow's settings; the answer is kept as a ``ShadowVerdict`` and
never acted on. The owner watches where the two disagree and promotes the
shadow, which makes it the live rules in one step, or retires it.

One shadow runs per journal: starting another retires the one running. Rows
are never deleted: a shadow ends promoted or retired, its verdicts stay.

The judging side is split in two because the verdict is reached before the
comment exists: ``judging`` decides and hands the verdict over with
``hand_over``; the plugin's ``comment_stored`` hook, called in the same
transaction once the comment is stored, calls ``record_handed_over``.
"""

from __future__ import annotations

import contextvars
import copy
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Comment, Journal

from . import audit, rules, schedules, services
from .models import (
    RULE_SETTING_FIELDS,
    ScheduledMode,
    ShadowRuleSet,
    ShadowVerdict,
    WordRule,
)
from .services import NotAllowed
from .words import entry_key

DAYS_SHOWN = 14
SAMPLE_SIZE = 10
# The directions of a disagreement, as the counts name them.
PUBLISH_TO_HOLD = "publish_hold"
HOLD_TO_PUBLISH = "hold_publish"
TO_REFUSE = "refuse"
DIRECTIONS = (PUBLISH_TO_HOLD, HOLD_TO_PUBLISH, TO_REFUSE)


def direction(live_action: str, shadow_action: str) -> str:
    """Which way the shadow parts from live ("" when they agree)."""
    if live_action == shadow_action:
        return ""
    if shadow_action == rules.Action.REFUSE.label:
        return TO_REFUSE
    if shadow_action == rules.Action.HOLD.label:
        return PUBLISH_TO_HOLD
    return HOLD_TO_PUBLISH


# Starting, retiring and promoting -------------------------------------------------


def _checked_words(words) -> list[list]:
    """The proposal's word lists, ``[[phrase, kind, substring], ...]``, sorted
    like a rule-set snapshot; ``ValidationError`` for entries that could not
    become a word list."""
    if not isinstance(words, list | tuple):
        raise ValidationError({"words": _("Give the word lists as a list.")})
    checked, keys = [], set()
    for entry in words:
        if (
            not isinstance(entry, list | tuple)
            or len(entry) != 3
            or not isinstance(entry[0], str)
            or entry[1] not in WordRule.Kind.values
        ):
            raise ValidationError(
                {
                    "words": _(
                        "Each entry is a phrase, block or hold, and true or false."
                    )
                }
            )
        phrase = entry[0].strip()
        key = entry_key(phrase)
        if not key or len(phrase) > WordRule._meta.get_field("phrase").max_length:
            raise ValidationError(
                {
                    "words": _("“%(phrase)s” cannot be a word list entry.")
                    % {"phrase": phrase}
                }
            )
        if key in keys:
            raise ValidationError(
                {
                    "words": _(
                        "Each word or phrase may appear once (as written, or looking "
                        "the same)."
                    )
                }
            )
        keys.add(key)
        checked.append([phrase, entry[1], bool(entry[2])])
    return sorted(checked)


def _window(data) -> ScheduledMode:
    """A scheduled mode of a snapshot's ``schedule``, unsaved and validated."""
    try:
        window = rules.ScheduleWindow.from_data(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValidationError(
            {"schedule": _("Each scheduled mode is a window as the settings give it.")}
        ) from error
    mode = ScheduledMode(
        name=window.name,
        mode=window.mode,
        days=window.days,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        ends_after_days=window.ends_after_days,
        rate_per_minute=window.rate_per_minute,
    )
    mode.full_clean(exclude=["journal", "created_by"])
    return mode


def _checked_schedule(schedule) -> list[dict]:
    if not isinstance(schedule, list | tuple):
        raise ValidationError({"schedule": _("Give the scheduled modes as a list.")})
    if len(schedule) > ScheduledMode.MAX_ACTIVE:
        raise ValidationError(
            {
                "schedule": _(
                    "A journal has at most %(count)d scheduled modes; remove one first."
                )
                % {"count": ScheduledMode.MAX_ACTIVE}
            }
        )
    return services.schedule_data([_window(data) for data in schedule])


def shadow_snapshot(journal: Journal, proposal: dict) -> dict:
    """The proposal as a complete rule-set snapshot: what it leaves out stays
    as the journal has it now. ``ValidationError`` for a key that is not part
    of a rule set or a value the journal could not take."""
    base = services.rule_set_snapshot(journal)
    unknown = sorted(set(proposal) - set(base))
    if unknown:
        raise ValidationError(
            {
                name: _("%(name)s is not a comment setting.") % {"name": name}
                for name in unknown
            }
        )
    snapshot = {**base, **proposal}
    snapshot["words"] = _checked_words(snapshot["words"])
    if "schedule" in snapshot:
        snapshot["schedule"] = _checked_schedule(snapshot["schedule"])
    # The journal's own validation, on a copy: a shadow that could never be
    # promoted is refused now rather than then.
    trial = copy.copy(journal)
    for name in RULE_SETTING_FIELDS:
        setattr(trial, name, snapshot[name])
    others = [f.name for f in Journal._meta.fields if f.name not in RULE_SETTING_FIELDS]
    trial.full_clean(exclude=others, validate_unique=False)
    return snapshot


@transaction.atomic
def start_shadow(
    *, journal: Journal, proposal: dict, by, name: str = ""
) -> ShadowRuleSet:
    """Run ``proposal`` (the layout of ``services.rule_set_snapshot``) beside the
    journal's live rules, retiring the shadow running there. Audited as
    ``shadow.start`` (and ``shadow.retire``). Locks the journal's row, so two
    owners starting shadows at once end with one running. Raises
    ``ValidationError`` for a proposal the journal could not take."""
    journal = Journal.objects.select_for_update().get(pk=journal.pk)
    snapshot = shadow_snapshot(journal, proposal)
    running = ShadowRuleSet.objects.filter(
        journal=journal, state=ShadowRuleSet.State.SHADOW
    ).first()
    if running is not None:
        _end(running, by=by, state=ShadowRuleSet.State.RETIRED)
    author = by if by is not None and by.is_authenticated else None
    shadow = ShadowRuleSet.objects.create(
        journal=journal,
        name=name.strip()[: ShadowRuleSet._meta.get_field("name").max_length],
        snapshot=snapshot,
        created_by=author,
        created_by_name=author.get_username() if author else "",
    )
    audit.record(
        journal=journal,
        actor=author,
        action="shadow.start",
        target=_target(shadow),
        data={
            "shadow": shadow.pk,
            "changes": _changes(services.rule_set_snapshot(journal), snapshot),
        },
    )
    return shadow


def _changes(live: dict, shadow: dict) -> dict:
    """What the shadow would change, ``{name: [live, shadow]}``, like a rule-set
    version's ``changes``."""
    return {
        key: [live.get(key), shadow.get(key)]
        for key in sorted(set(live) | set(shadow))
        if live.get(key) != shadow.get(key)
    }


def _target(shadow: ShadowRuleSet) -> str:
    return (_("shadow rule set %(id)s") % {"id": shadow.pk})[:200]


def _end(shadow: ShadowRuleSet, *, by, state: str, version=None) -> None:
    """End a running shadow, audited: the caller holds the journal's lock."""
    ended = ShadowRuleSet.objects.filter(
        pk=shadow.pk, state=ShadowRuleSet.State.SHADOW
    ).update(state=state, ended_at=timezone.now(), promoted_to=version)
    if not ended:
        raise NotAllowed(_("This shadow rule set has already ended."), "shadow.ended")
    shadow.refresh_from_db(fields=["state", "ended_at", "promoted_to"])
    audit.record(
        journal=shadow.journal_id,
        actor=by,
        action="shadow.promote"
        if state == ShadowRuleSet.State.PROMOTED
        else "shadow.retire",
        target=_target(shadow),
        data={"shadow": shadow.pk},
        rule_set_version=version,
    )


def _locked(shadow: ShadowRuleSet) -> ShadowRuleSet:
    """The shadow after locking its journal's row: one start, retire or
    promote at a time per journal."""
    Journal.objects.select_for_update().filter(pk=shadow.journal_id).first()
    return ShadowRuleSet.objects.select_related("journal").get(pk=shadow.pk)


@transaction.atomic
def retire_shadow(*, shadow: ShadowRuleSet, by) -> ShadowRuleSet:
    """Stop running ``shadow``; its verdicts stay. Audited as ``shadow.retire``.
    Raises ``NotAllowed`` (code ``shadow.ended``) once it has ended."""
    shadow = _locked(shadow)
    _end(shadow, by=by, state=ShadowRuleSet.State.RETIRED)
    return shadow


@transaction.atomic
def promote_shadow(*, shadow: ShadowRuleSet, by) -> ShadowRuleSet:
    """Make ``shadow`` the journal's live rules in one step: its settings, word
    lists and schedule applied, then ``services.update_rule_settings`` records
    the new rule-set version (audited ``settings.change``), then the shadow
    marked promoted to that version (audited ``shadow.promote``). Raises
    ``NotAllowed`` (code ``shadow.ended``) for one already promoted or retired.
    """
    shadow = _locked(shadow)
    if shadow.state != ShadowRuleSet.State.SHADOW:
        raise NotAllowed(_("This shadow rule set has already ended."), "shadow.ended")
    snapshot = shadow.snapshot
    changes = {name: snapshot[name] for name in RULE_SETTING_FIELDS if name in snapshot}
    words = [
        {"phrase": phrase, "kind": kind, "substring": substring}
        for phrase, kind, substring in snapshot.get("words", [])
    ]
    if "schedule" in snapshot:
        _replace_schedule(shadow.journal, snapshot["schedule"], by=by)
    # Records the one version for the settings, word lists and schedule.
    version = services.update_rule_settings(
        journal=shadow.journal, by=by, changes=changes, words=words
    )
    _end(shadow, by=by, state=ShadowRuleSet.State.PROMOTED, version=version)
    return shadow


def _replace_schedule(journal: Journal, schedule: list[dict], *, by) -> None:
    """Make the journal's scheduled modes ``schedule``, touching only what
    differs: a window not wanted is retired (its row stays), a missing one is
    added. No version is recorded here; the caller records one for all."""
    wanted = Counter(_key(data) for data in schedule)
    for mode in ScheduledMode.objects.active().filter(journal=journal):
        key = _key(services.schedule_window(mode).as_data())
        if wanted[key]:
            wanted[key] -= 1
        else:
            schedules.retire_window(window=mode, by=by, record=False)
    for data in schedule:
        key = _key(data)
        if wanted[key]:
            wanted[key] -= 1
            window = _window(data)
            schedules.add_window(
                journal=journal,
                by=by,
                name=window.name,
                mode=window.mode,
                days=window.days,
                starts_at=window.starts_at,
                ends_at=window.ends_at,
                ends_after_days=window.ends_after_days,
                rate_per_minute=window.rate_per_minute,
                record=False,
            )


def _key(data: dict) -> tuple:
    return tuple(sorted(data.items()))


# Judging beside the live rules ---------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """A shadow's verdict on a draft, waiting for the comment to be stored.

    ``facts`` is the record the live verdict stores with the comment
    (``Comment.judged_facts``): the verdict is recorded only for the comment
    stored with exactly that record, never for another one.
    """

    shadow_id: int
    live_action: str
    shadow_action: str
    reasons: tuple[dict, ...]
    facts: dict = field(compare=False)


# Per thread and per asyncio task: a verdict handed over in one request can
# never be recorded for a comment stored by another.
_handed_over: contextvars.ContextVar[Handover | None] = contextvars.ContextVar(
    "moderation_shadow_handover", default=None
)


def hand_over(handover: Handover | None) -> None:
    """Keep (or, with None, drop) the shadow's verdict on the draft being
    judged. Judging calls it for every draft, so nothing outlives the next."""
    _handed_over.set(handover)


def holds_handover() -> bool:
    """Whether a verdict was handed over and not yet recorded."""
    return _handed_over.get() is not None


def decide(facts: rules.CommentFacts, settings: rules.RuleSettings) -> rules.Verdict:
    """The shadow's verdict: the same facts, under its settings."""
    return rules.decide(replace(facts, settings=settings))


def record_handed_over(comment: Comment) -> ShadowVerdict | None:
    """Store the verdict handed over for ``comment``, if it is that comment's:
    one insert, no read. Called by the plugin once the comment is stored."""
    handover = _handed_over.get()
    _handed_over.set(None)
    if handover is None or handover.facts != comment.judged_facts:
        return None
    return ShadowVerdict.objects.create(
        shadow_id=handover.shadow_id,
        journal_id=comment.journal_id,
        comment=comment,
        live_action=handover.live_action,
        shadow_action=handover.shadow_action,
        reasons=list(handover.reasons),
        disagrees=handover.live_action != handover.shadow_action,
    )


# Reading -----------------------------------------------------------------------


def running(journal: Journal) -> ShadowRuleSet | None:
    return ShadowRuleSet.objects.filter(
        journal=journal, state=ShadowRuleSet.State.SHADOW
    ).first()


@dataclass
class DayCounts:
    """One day of a shadow's verdicts: how many comments it judged, and how
    many it would have decided otherwise, by direction."""

    day: date
    judged: int = 0
    publish_hold: int = 0
    hold_publish: int = 0
    refuse: int = 0

    @property
    def disagreed(self) -> int:
        return self.publish_hold + self.hold_publish + self.refuse


def counts_by_day(shadow_ids, *, days: int = DAYS_SHOWN, today: date | None = None):
    """The last ``days`` days (today first, in the current time zone) of the
    verdicts of ``shadow_ids``, in one grouped query: ``{shadow id: [DayCounts]}``,
    every day present, zeros included."""
    shadow_ids = list(shadow_ids)
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    since = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=zone)
    table = {
        shadow_id: {
            today - timedelta(days=n): DayCounts(today - timedelta(days=n))
            for n in range(days)
        }
        for shadow_id in shadow_ids
    }
    if not shadow_ids:
        return {}
    rows = (
        ShadowVerdict.objects.filter(shadow_id__in=shadow_ids, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("shadow_id", "day", "live_action", "shadow_action")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts = table[row["shadow_id"]].get(row["day"])
        if counts is None:  # a moment past midnight in another zone
            continue
        counts.judged += row["total"]
        way = direction(row["live_action"], row["shadow_action"])
        if way:
            setattr(counts, way, getattr(counts, way) + row["total"])
    return {shadow_id: list(days_.values()) for shadow_id, days_ in table.items()}


def disagreeing(shadow: ShadowRuleSet, *, limit: int = SAMPLE_SIZE):
    """The latest verdicts of ``shadow`` that part from live, with their
    comments (and posts, for links)."""
    return list(
        shadow.verdicts.filter(disagrees=True)
        .select_related("comment__post")
        .order_by("-pk")[:limit]
    )


@dataclass
class Summary:
    """What an owner reads of a shadow: what it would change in the rules as
    they are now, its last days beside live, and its latest disagreements."""

    shadow: ShadowRuleSet
    changes: dict
    days: list[DayCounts]
    totals: DayCounts
    sample: list[ShadowVerdict]


def summary(shadow: ShadowRuleSet, *, sample: int = SAMPLE_SIZE) -> Summary:
    """A shadow's summary, in a fixed number of queries."""
    days = counts_by_day([shadow.pk])[shadow.pk]
    return Summary(
        shadow=shadow,
        changes=_changes(services.rule_set_snapshot(shadow.journal), shadow.snapshot),
        days=days,
        totals=totals(days),
        sample=disagreeing(shadow, limit=sample),
    )


def totals(days: list[DayCounts]) -> DayCounts:
    """The days added up (dated the first of them)."""
    total = DayCounts(days[0].day if days else timezone.localdate())
    for day in days:
        for name in ("judged", *DIRECTIONS):
            setattr(total, name, getattr(total, name) + getattr(day, name))
    return total
