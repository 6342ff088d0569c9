"""The comment rule pipeline: plain facts in, a frozen verdict out.

Nothing here touches the database, the request or the cache, so every rule is
tested with plain values. ``moderation.judging`` gathers the facts and asks for
a verdict when the platform's write path asks the plugin to judge a comment;
the post page asks the access rules alone whether to show the comment form or
the reason there is none.

Every rule yields ``Reason`` values: a stable code, the action it asks for and a
sentence for people. The strictest action wins and every reason is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from journal.sentences import Sentence

from .words import WordEntry, WordIndex


# A reason's words are read later, by moderators and the author, each in their
# own language: the rules keep them untranslated (journal.sentences), under the
# names makemessages looks for.
def _(message: str) -> Sentence:
    return Sentence(message)


def ngettext(singular: str, plural: str, number: int) -> Sentence:
    return Sentence(singular, plural, number)


# Anti-bot limits for anonymous comments (the form's and the API's challenge).
FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 4 * 60 * 60
DUPLICATE_WINDOW_MINUTES = 10
# A moderator screening a comment by hand: its code among the rules' codes, and
# a rule that keeps it held through every edit.
MODERATOR_SCREENING = "screening.moderator"


class Action(IntEnum):
    """What a rule asks for; a larger value is stricter and wins."""

    PUBLISH = 0
    HOLD = 1
    REFUSE = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class CommentAccess:
    """Who may comment in a journal (the values stored on ``Journal``)."""

    ANYONE = "anyone"
    REGISTERED = "registered"
    MEMBERS = "members"
    NOBODY = "nobody"


class Screening:
    """Whose comments wait for a moderator before anyone else sees them."""

    NONE = "none"
    ANONYMOUS = "anonymous"
    NON_MEMBERS = "non_members"
    ALL = "all"


@dataclass(frozen=True)
class Reason:
    """One rule that fired: a stable code, what it asks for, and why in words.

    Word rules also carry the text as the author wrote it and the list entry it
    matched, so a moderator can see both side by side, and the shared list the
    entry came from, if it did (``list_name``, "list" in the stored reason).
    """

    code: str
    action: Action
    # The words in the language active when the rule ran (given a Sentence,
    # it is kept as ``sentence`` too, for readers of other languages).
    message: str
    matched: str = ""
    entry: str = ""
    sentence: Sentence | None = field(default=None, compare=False)
    list_name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.message, Sentence):
            object.__setattr__(self, "sentence", self.message)
            object.__setattr__(self, "message", str(self.message))

    def as_dict(self) -> dict:
        data = {"code": self.code, "action": self.action.label, "message": self.message}
        if self.sentence is not None:
            data["text"] = self.sentence.as_data()
        if self.entry:
            data.update(matched=self.matched, entry=self.entry)
        if self.list_name:
            data["list"] = self.list_name
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Reason:
        text = data.get("text")
        return cls(
            code=data["code"],
            action=Action[data["action"].upper()],
            message=data["message"],
            matched=data.get("matched", ""),
            entry=data.get("entry", ""),
            sentence=Sentence.from_data(text) if text else None,
            list_name=data.get("list", ""),
        )


@dataclass(frozen=True)
class Verdict:
    action: Action
    reasons: tuple[Reason, ...] = ()

    @property
    def refused(self) -> bool:
        return self.action is Action.REFUSE

    @property
    def held(self) -> bool:
        return self.action is Action.HOLD

    @property
    def refusal(self) -> Reason | None:
        """The first refusing reason: the sentence shown to the would-be author."""
        return next((r for r in self.reasons if r.action is Action.REFUSE), None)

    @property
    def hold_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.action is Action.HOLD)


class ScheduleMode:
    """What a scheduled window does while it is open."""

    SCREEN = "screen"  # every comment waits for a moderator
    RATE = "rate"  # fewer comments per author per minute


@dataclass(frozen=True)
class ScheduleWindow:
    """A window of the week with a stricter mode, in the journal's own time
    zone (``moderation.models.ScheduledMode``): it opens at ``starts_at`` on
    each weekday in ``days`` (digits, 0 Monday to 6 Sunday) and closes
    ``ends_after_days`` days later at ``ends_at``; with 0, later the same day,
    or the next morning when ``ends_at`` is not after ``starts_at``.

    "Fri 22:00 – Mon 07:00" is days "4", 22:00, 07:00, ends_after_days 3;
    "every night 23:00–07:00" is days "0123456", 23:00, 07:00.
    """

    name: str
    mode: str
    days: str = "0123456"
    starts_at: time = time(0)
    ends_at: time = time(0)
    ends_after_days: int = 0
    rate_per_minute: int = 0

    def as_data(self) -> dict:
        """The window as plain JSON data (a rule-set version's ``schedule``)."""
        return {
            "name": self.name,
            "mode": self.mode,
            "days": self.days,
            "starts_at": _clock_text(self.starts_at),
            "ends_at": _clock_text(self.ends_at),
            "ends_after_days": self.ends_after_days,
            "rate_per_minute": self.rate_per_minute,
        }

    @classmethod
    def from_data(cls, data: dict) -> ScheduleWindow:
        return cls(
            name=data["name"],
            mode=data["mode"],
            days=data["days"],
            starts_at=time.fromisoformat(data["starts_at"]),
            ends_at=time.fromisoformat(data["ends_at"]),
            ends_after_days=data.get("ends_after_days", 0),
            rate_per_minute=data.get("rate_per_minute", 0),
        )

    def spans(self, first: date, last: date) -> Iterable[tuple[datetime, datetime]]:
        """(start, end) as local wall-clock times, without a zone, of each time
        the window opens on a day from ``first`` to ``last``."""
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            if str(day.weekday()) not in self.days:
                continue
            end_day = day + timedelta(days=self.ends_after_days)
            if not self.ends_after_days and self.ends_at <= self.starts_at:
                end_day += timedelta(days=1)
            yield (
                datetime.combine(day, self.starts_at),
                datetime.combine(end_day, self.ends_at),
            )


def _clock_text(moment: time) -> str:
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


@dataclass(frozen=True)
class OpenWindow:
    """A window open at some moment, and when it closes (in the journal's zone)."""

    window: ScheduleWindow
    ends: datetime


def time_zone(name: str) -> ZoneInfo:
    """The journal's zone; UTC for a name this machine does not know (the
    model refuses such names, so only a zone database gone stale gets here)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC moment. A time skipped by a change to
    summer time counts by the offset before it (02:30 on that night is 03:30
    summer time); a time that happens twice, its first time (PEP 495)."""
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _longest_days(schedule: Iterable[ScheduleWindow]) -> int:
    return max((window.ends_after_days for window in schedule), default=0) + 1


def open_windows(
    schedule: Iterable[ScheduleWindow], now: datetime, zone_name: str
) -> tuple[OpenWindow, ...]:
    """The windows open at ``now`` (an aware moment) in the zone named, each
    with the local time it closes; compared as UTC moments, so a change to or
    from summer time moves a window with the wall clock."""
    schedule = tuple(schedule)
    if not schedule or now is None:
        return ()
    zone = time_zone(zone_name)
    today = now.astimezone(zone).date()
    found = []
    for window in schedule:
        reach = timedelta(days=window.ends_after_days + 1)
        spans = sorted(
            (_utc(start, zone), _utc(end, zone))
            for start, end in window.spans(today - reach, today + reach)
        )
        ends = None
        for start, end in spans:
            if start <= now < end or (ends is not None and start <= ends < end):
                # Open now, or carried on by the next time it opens (a window
                # on every day that lasts longer than a day).
                ends = end if ends is None else max(ends, end)
        if ends is not None:
            found.append(OpenWindow(window, ends.astimezone(zone)))
    return tuple(found)


def next_schedule_change(
    schedule: Iterable[ScheduleWindow], now: datetime, zone_name: str
) -> datetime | None:
    """The first moment after ``now`` (UTC) when a window opens or closes:
    until then, which windows are open stays as it is. None without windows."""
    schedule = tuple(schedule)
    if not schedule:
        return None
    zone = time_zone(zone_name)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=_longest_days(schedule))
    moments = [
        moment
        for window in schedule
        for span in window.spans(first, today + timedelta(days=8))
        for moment in (_utc(span[0], zone), _utc(span[1], zone))
        if moment > now
    ]
    return min(moments, default=None)


WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def until_text(moment: datetime, now: datetime) -> str | Sentence:
    """When something ends, as a reader of the journal's clock says it: "07:00"
    within a day, "Monday at 07:00" further off."""
    clock = moment.strftime("%H:%M")
    if moment.astimezone(UTC) - now.astimezone(UTC) < timedelta(hours=23):
        return clock
    return _("%(day)s at %(time)s") % {
        "day": WEEKDAYS[moment.weekday()],
        "time": clock,
    }


@dataclass(frozen=True)
class SharedBan:
    """An account on a ban list the journal follows (``moderation.shared_lists``),
    maybe until a moment."""

    user_id: int
    list_name: str
    until: datetime | None = None


@dataclass(frozen=True)
class RuleSettings:
    """A journal's rule settings, copied out of the model.

    The word lists are the journal's own entries followed by those of the
    shared lists it follows that its own entries leave standing (each naming
    its list); ``shared_bans`` are the accounts on the ban lists it follows.
    """

    comment_access: str = CommentAccess.REGISTERED
    screening: str = Screening.NONE
    link_limit: int = 3
    blocked_words: tuple[WordEntry, ...] = ()
    held_words: tuple[WordEntry, ...] = ()
    new_account_days: int = 0
    trust_approved_authors: bool = True
    trusted_after: int = 1
    trust_after_days: int = 0
    rate_limit_per_minute: int = 5
    max_thread_depth: int = 30
    close_after_days: int = 0
    spam_threshold: int = 90
    history_comments: int = 10
    history_rejected_percent: int = 0
    strike_window_days: int = 30
    # The journal's own clock, and its scheduled windows (by it).
    time_zone: str = "UTC"
    schedule: tuple[ScheduleWindow, ...] = ()
    shared_bans: tuple[SharedBan, ...] = ()

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> RuleSettings:
        """The settings a rule-set version recorded (its plain JSON snapshot):
        the shared lists' entries as it recorded them too (``shared_words``,
        ``shared_bans``, their lists named in ``subscriptions``)."""
        names = {
            list_id: name
            for list_id, _number, name, *_ in snapshot.get("subscriptions", ())
        }
        words = [(*entry, "") for entry in snapshot.get("words", [])]
        words += [
            (phrase, kind, substring, names.get(list_id, ""))
            for phrase, kind, substring, list_id in snapshot.get("shared_words", [])
        ]
        blocked, held = [], []
        for phrase, kind, substring, list_name in words:
            entry = WordEntry(phrase, substring=substring, list_name=list_name)
            if kind == "block":
                blocked.append(entry)
            elif kind == "hold":
                held.append(entry)
        known = {
            name: snapshot[name]
            for name in cls.__dataclass_fields__
            if name in snapshot
            and name not in ("blocked_words", "held_words", "schedule", "shared_bans")
        }
        schedule = tuple(
            ScheduleWindow.from_data(window) for window in snapshot.get("schedule", ())
        )
        bans = tuple(
            SharedBan(
                user_id=user_id,
                list_name=names.get(list_id, ""),
                until=datetime.fromisoformat(until) if until else None,
            )
            for user_id, until, list_id in snapshot.get("shared_bans", ())
        )
        return cls(
            **known,
            blocked_words=tuple(blocked),
            held_words=tuple(held),
            schedule=schedule,
            shared_bans=bans,
        )

    # Compiled once per settings object: the judging code keeps one per
    # rule-set version (moderation.judging), so a long shared list is
    # compiled once, not once per comment.
    @cached_property
    def blocked_index(self) -> WordIndex:
        return WordIndex(self.blocked_words)

    @cached_property
    def held_index(self) -> WordIndex:
        return WordIndex(self.held_words)

    @cached_property
    def _bans_by_user(self) -> dict[int, tuple[SharedBan, ...]]:
        found: dict[int, list[SharedBan]] = {}
        for ban in self.shared_bans:
            found.setdefault(ban.user_id, []).append(ban)
        return {user_id: tuple(bans) for user_id, bans in found.items()}

    def shared_bans_of(self, user_id: int | None, now: datetime | None):
        """The shared ban-list entries in force on ``user_id`` at ``now`` (with
        no moment known, every entry counts)."""
        if user_id is None or not self.shared_bans:
            return ()
        return tuple(
            ban
            for ban in self._bans_by_user.get(user_id, ())
            if ban.until is None or now is None or ban.until > now
        )

    def open_windows(self, now: datetime | None) -> tuple[OpenWindow, ...]:
        return open_windows(self.schedule, now, self.time_zone)

    def _stricter_rate(self, now: datetime | None) -> OpenWindow | None:
        """The open rate window with the fewest comments a minute, if it is
        stricter than the journal's own rate limit."""
        rates = [
            found
            for found in self.open_windows(now)
            if found.window.mode == ScheduleMode.RATE
            and found.window.rate_per_minute > 0
            and (
                not self.rate_limit_per_minute
                or found.window.rate_per_minute < self.rate_limit_per_minute
            )
        ]
        return min(rates, key=lambda found: found.window.rate_per_minute, default=None)

    def rate_limit_at(self, now: datetime | None) -> int:
        """Comments a minute per author at ``now``: the journal's limit, or an
        open window's stricter one (0: no limit)."""
        stricter = self._stricter_rate(now)
        if stricter is not None:
            return stricter.window.rate_per_minute
        return self.rate_limit_per_minute


@dataclass(frozen=True)
class AntiBotCheck:
    """What an anonymous comment's proof says: the web form's honeypot and the
    signed, timed challenge that the form and the API both carry."""

    honeypot_filled: bool = False
    # Seconds since the challenge was issued; None when it is missing, forged or
    # made for another post.
    age_seconds: float | None = None
    # The challenge was already spent on an earlier comment.
    reused: bool = False
    # Identifies the challenge, so that it can be spent once.
    nonce: str = ""


@dataclass(frozen=True)
class CommentFacts:
    """Everything the rules may look at, gathered by the caller."""

    settings: RuleSettings = field(default_factory=RuleSettings)
    post_comments_enabled: bool = True
    post_screen_all: bool = False
    post_age_days: float = 0.0
    author_is_authenticated: bool = False
    # The author's account (None: anonymous); ban lists name accounts.
    author_id: int | None = None
    author_is_member: bool = False
    author_is_moderator: bool = False
    author_account_age_days: float | None = None
    # The author's comments here that a moderator approved, and (when the
    # journal counts them) those that stood long enough unchallenged; never the
    # comment being judged.
    author_approved_count: int = 0
    author_standing_count: int = 0
    banned: bool = False
    banned_until: datetime | None = None
    screened_until: datetime | None = None
    author_screened: bool = False
    text: str = ""
    link_count: int = 0
    depth: int = 0
    thread_frozen: bool = False
    duplicate: bool = False
    recent_comment_count: int = 0
    rate_retry_after: int = 0
    antibot: AntiBotCheck | None = None
    is_edit: bool = False
    # A moderator screened this comment by hand (edits only).
    moderator_screened: bool = False
    # The spam model's score in percent (None: not scored), and the signs that
    # weighed most (moderation.spam).
    spam_percent: int | None = None
    spam_signs: tuple[str | Sentence, ...] = ()
    # The author's last comments here within the strike window (at most
    # ``settings.history_comments``), and how many of them were rejected or
    # marked as spam.
    author_recent_count: int = 0
    author_recent_rejected: int = 0
    # When the comment was judged (UTC): scheduled modes read it in the
    # journal's own time zone.
    now: datetime | None = None
    # The comment's sub-thread is screened for heat until then.
    heated_until: datetime | None = None

    @property
    def trust_count(self) -> int:
        standing = self.author_standing_count if self.settings.trust_after_days else 0
        return self.author_approved_count + standing

    @property
    def trusted(self) -> bool:
        settings = self.settings
        return settings.trust_approved_authors and (
            self.author_is_moderator
            or (
                self.author_is_authenticated
                and self.trust_count >= max(settings.trusted_after, 1)
            )
        )


Rule = Callable[[CommentFacts], Iterable[Reason]]


# The facts kept with each comment --------------------------------------------------

# The version of the record's layout: a replay reads every version it knows.
FACTS_VERSION = 1
# Facts not kept: the settings are the rule-set version's (or a proposal's), and
# the text is the comment's own, rebuilt from it.
_NOT_KEPT = {"settings", "text", "antibot", "spam_signs"}
_MOMENTS = {"banned_until", "screened_until", "now", "heated_until"}


def facts_record(facts: CommentFacts, *, name: str = "") -> dict:
    """The facts a verdict was computed from, as compact JSON data: only what
    differs from the defaults, and the author's name as shown then (the text the
    rules read is the subject, that name and the comment's own words)."""
    default = _DEFAULT_FACTS
    record: dict = {"v": FACTS_VERSION}
    for name_ in CommentFacts.__dataclass_fields__:
        value = getattr(facts, name_)
        if name_ in _NOT_KEPT or value == getattr(default, name_):
            continue
        if name_ in _MOMENTS:
            value = value.isoformat()
        elif isinstance(value, float):
            value = round(value, 4)
        record[name_] = value
    check = facts.antibot
    if check is not None:
        record["antibot"] = [check.honeypot_filled, check.age_seconds, check.reused]
    if facts.spam_signs:
        record["spam_signs"] = [
            sign.as_data() if isinstance(sign, Sentence) else sign
            for sign in facts.spam_signs
        ]
    if name:
        record["name"] = name
    return record


def facts_from_record(
    record: dict, *, settings: RuleSettings, text: str
) -> CommentFacts:
    """The facts kept by ``facts_record``, under ``settings`` (the ones in force
    then, or a proposal to replay them under). Raises ``ValueError`` for a
    record this code cannot read."""
    if record.get("v") != FACTS_VERSION:
        raise ValueError(f"Unknown facts record version: {record.get('v')!r}")
    known = {}
    for key, value in record.items():
        if key not in CommentFacts.__dataclass_fields__ or key in _NOT_KEPT:
            continue
        if key in _MOMENTS and value is not None:
            value = datetime.fromisoformat(value)
        known[key] = value
    if "antibot" in record:
        honeypot, age, reused = record["antibot"]
        known["antibot"] = AntiBotCheck(
            honeypot_filled=honeypot, age_seconds=age, reused=reused
        )
    if "spam_signs" in record:
        known["spam_signs"] = tuple(
            Sentence.from_data(sign) if isinstance(sign, list) else sign
            for sign in record["spam_signs"]
        )
    return CommentFacts(settings=settings, text=text, **known)


def _date(value: datetime) -> str:
    return date_format(value, "DATE_FORMAT")


# Refusals -------------------------------------------------------------------


def post_comments_enabled(facts: CommentFacts) -> Iterable[Reason]:
    if not facts.post_comments_enabled:
        yield Reason(
            "access.post_closed",
            Action.REFUSE,
            _("Comments are disabled for this post"),
        )


def who_may_comment(facts: CommentFacts) -> Iterable[Reason]:
    access = facts.settings.comment_access
    if access == CommentAccess.NOBODY:
        yield Reason(
            "access.nobody", Action.REFUSE, _("Comments are turned off in this journal")
        )
    elif facts.author_is_moderator:
        return
    elif access == CommentAccess.REGISTERED and not facts.author_is_authenticated:
        yield Reason(
            "access.anonymous_disabled",
            Action.REFUSE,
            _("Anonymous comments are disabled in this journal"),
        )
    elif access == CommentAccess.MEMBERS and not facts.author_is_member:
        yield Reason(
            "access.members_only",
            Action.REFUSE,
            _("Only members of this journal may comment"),
        )


def closed_old_post(facts: CommentFacts) -> Iterable[Reason]:
    days = facts.settings.close_after_days
    if days and facts.post_age_days > days and not facts.is_edit:
        yield Reason(
            "post.closed_old",
            Action.REFUSE,
            ngettext(
                "Comments are closed on posts older than %(days)d day",
                "Comments are closed on posts older than %(days)d days",
                days,
            )
            % {"days": days},
        )


def banned_author(facts: CommentFacts) -> Iterable[Reason]:
    if facts.banned:
        yield Reason(
            "ban.active",
            Action.REFUSE,
            _("You are banned from commenting in this journal"),
        )


def shared_ban_list(facts: CommentFacts) -> Iterable[Reason]:
    """An account on a ban list the journal follows. The sentence names the
    list, never the people who keep it; the journal's own moderators are
    never refused by someone else's list."""
    if facts.author_is_moderator:
        return
    for ban in facts.settings.shared_bans_of(facts.author_id, facts.now):
        if ban.until is not None:
            message = _(
                "You are on the “%(list)s” ban list that this journal follows, "
                "until %(date)s"
            ) % {"list": ban.list_name, "date": _date(ban.until)}
        else:
            message = _(
                "You are on the “%(list)s” ban list that this journal follows"
            ) % {"list": ban.list_name}
        yield Reason("ban.shared_list", Action.REFUSE, message, list_name=ban.list_name)


def frozen_thread(facts: CommentFacts) -> Iterable[Reason]:
    if facts.thread_frozen and not facts.is_edit:
        yield Reason(
            "thread.frozen",
            Action.REFUSE,
            _("This thread is frozen: no new replies can be added to it"),
        )


def thread_depth(facts: CommentFacts) -> Iterable[Reason]:
    limit = facts.settings.max_thread_depth
    if limit and facts.depth + 1 > limit:
        yield Reason(
            "thread.too_deep",
            Action.REFUSE,
            ngettext(
                "Threads in this journal go %(limit)d level deep at most; reply "
                "higher up instead",
                "Threads in this journal go %(limit)d levels deep at most; reply "
                "higher up instead",
                limit,
            )
            % {"limit": limit},
        )


def anti_bot(facts: CommentFacts) -> Iterable[Reason]:
    """Every anonymous comment, whatever door it came through, carries a proof."""
    if facts.author_is_authenticated:
        return
    check = facts.antibot or AntiBotCheck()
    if check.honeypot_filled:
        yield Reason(
            "antibot.honeypot",
            Action.REFUSE,
            _(
                "The form had a field filled in that people leave empty. If you are "
                "a person, clear the field labelled “Leave this empty” and post again"
            ),
        )
    elif check.age_seconds is None:
        yield Reason(
            "antibot.invalid_form",
            Action.REFUSE,
            _(
                "This form could not be checked. Reload the page, then post your "
                "comment again"
            ),
        )
    elif check.reused:
        yield Reason(
            "antibot.reused",
            Action.REFUSE,
            _(
                "This form was already used to post a comment. Reload the page, "
                "then post your comment again"
            ),
        )
    elif check.age_seconds < FORM_MIN_SECONDS:
        yield Reason(
            "antibot.too_fast",
            Action.REFUSE,
            _(
                "That was faster than a person can type. Wait a few seconds, then "
                "post your comment again"
            ),
        )
    elif check.age_seconds > FORM_MAX_SECONDS:
        yield Reason(
            "antibot.expired",
            Action.REFUSE,
            ngettext(
                "This form was opened more than %(hours)d hour ago. Your text is "
                "kept; post it again",
                "This form was opened more than %(hours)d hours ago. Your text is "
                "kept; post it again",
                FORM_MAX_SECONDS // 3600,
            )
            % {"hours": FORM_MAX_SECONDS // 3600},
        )


def rate_limit(facts: CommentFacts) -> Iterable[Reason]:
    """Edits take places like new comments: each one stores another revision."""
    limit = facts.settings.rate_limit_per_minute
    if limit and facts.recent_comment_count >= limit:
        seconds = max(facts.rate_retry_after, 1)
        yield Reason(
            "rate.limited",
            Action.REFUSE,
            ngettext(
                "You are commenting too fast: try again in %(seconds)d second",
                "You are commenting too fast: try again in %(seconds)d seconds",
                seconds,
            )
            % {"seconds": seconds},
        )


def scheduled_rate(facts: CommentFacts) -> Iterable[Reason]:
    """An open window's stricter limit; the count is taken by that limit
    (``RuleSettings.rate_limit_at``), so it holds across the window's start."""
    settings = facts.settings
    stricter = settings._stricter_rate(facts.now)
    if stricter is None:
        return
    limit = stricter.window.rate_per_minute
    if facts.recent_comment_count < limit:
        return
    seconds = max(facts.rate_retry_after, 1)
    yield Reason(
        "schedule.rate",
        Action.REFUSE,
        ngettext(
            "Until %(time)s (%(window)s), each author may post %(limit)d comment "
            "a minute",
            "Until %(time)s (%(window)s), each author may post %(limit)d comments "
            "a minute",
            limit,
        )
        % {
            "time": until_text(stricter.ends, facts.now),
            "window": stricter.window.name,
            "limit": limit,
        }
        + ngettext(
            ": try again in %(seconds)d second",
            ": try again in %(seconds)d seconds",
            seconds,
        )
        % {"seconds": seconds},
    )


def duplicate(facts: CommentFacts) -> Iterable[Reason]:
    if facts.duplicate:
        yield Reason(
            "comment.duplicate",
            Action.REFUSE,
            ngettext(
                "You posted this same comment here less than %(minutes)d minute ago",
                "You posted this same comment here less than %(minutes)d minutes ago",
                DUPLICATE_WINDOW_MINUTES,
            )
            % {"minutes": DUPLICATE_WINDOW_MINUTES},
        )


def blocked_words(facts: CommentFacts) -> Iterable[Reason]:
    for match in facts.settings.blocked_index.find(facts.text):
        yield Reason(
            "words.blocked",
            Action.REFUSE,
            _(
                "“%(matched)s” is not allowed in this journal; edit your comment and "
                "post it again"
            )
            % {"matched": match.matched},
            matched=match.matched,
            entry=match.entry.phrase,
            list_name=match.entry.list_name,
        )


# Holds that trusted authors skip ----------------------------------------------


def screening(facts: CommentFacts) -> Iterable[Reason]:
    level = facts.settings.screening
    if level == Screening.ALL:
        yield Reason(
            "screening.all", Action.HOLD, _("All comments in this journal are screened")
        )
    elif level == Screening.NON_MEMBERS and not (
        facts.author_is_member or facts.author_is_moderator
    ):
        yield Reason(
            "screening.non_members",
            Action.HOLD,
            _("Comments from people who are not members of this journal are screened"),
        )
    elif level == Screening.ANONYMOUS and not facts.author_is_authenticated:
        yield Reason(
            "screening.anonymous",
            Action.HOLD,
            _("Anonymous comments are screened in this journal"),
        )
    if facts.post_screen_all:
        yield Reason(
            "screening.post", Action.HOLD, _("All comments on this post are screened")
        )


def too_many_links(facts: CommentFacts) -> Iterable[Reason]:
    limit = facts.settings.link_limit
    if limit and facts.link_count >= limit:
        yield Reason(
            "links.too_many",
            Action.HOLD,
            ngettext(
                "The comment has %(count)d link; comments with %(limit)d or more "
                "links wait for a moderator",
                "The comment has %(count)d links; comments with %(limit)d or more "
                "links wait for a moderator",
                facts.link_count,
            )
            % {"count": facts.link_count, "limit": limit},
        )


def held_words(facts: CommentFacts) -> Iterable[Reason]:
    for match in facts.settings.held_index.find(facts.text):
        yield Reason(
            "words.held",
            Action.HOLD,
            _("The comment contains “%(matched)s”, which a moderator reviews first")
            % {"matched": match.matched},
            matched=match.matched,
            entry=match.entry.phrase,
            list_name=match.entry.list_name,
        )


TRUST_SKIPS: tuple[Rule, ...] = (screening, too_many_links, held_words)


def trusted_author(facts: CommentFacts) -> Iterable[Reason]:
    """Run the skippable holds, or say that a trusted author skipped them."""
    reasons = [reason for rule in TRUST_SKIPS for reason in rule(facts)]
    if not reasons:
        return
    if not facts.trusted:
        yield from reasons
        return
    skipped = ", ".join(sorted({reason.code for reason in reasons}))
    if facts.author_is_moderator:
        message = _("Published without holding: the author moderates this journal")
    else:
        message = ngettext(
            "Published without holding: a moderator approved %(count)d comment by "
            "this author in this journal",
            "Published without holding: moderators approved %(count)d comments by "
            "this author in this journal",
            facts.author_approved_count,
        ) % {"count": facts.author_approved_count}
        standing = facts.trust_count - facts.author_approved_count
        if standing:
            message += ngettext(
                ", and %(count)d more stood %(days)d days unchallenged",
                ", and %(count)d more stood %(days)d days unchallenged",
                standing,
            ) % {"count": standing, "days": facts.settings.trust_after_days}
    yield Reason("trusted.author", Action.PUBLISH, message, entry=skipped)


# Holds that always apply --------------------------------------------------------


def moderator_screening(facts: CommentFacts) -> Iterable[Reason]:
    """A moderator's screening outlasts any edit: only a moderator lifts it."""
    if facts.moderator_screened:
        yield Reason(
            MODERATOR_SCREENING,
            Action.HOLD,
            _("A moderator screened this comment; it waits for a moderator again"),
        )


def screened_author(facts: CommentFacts) -> Iterable[Reason]:
    if facts.author_screened:
        if facts.screened_until:
            message = _("Comments from this author are screened until %(date)s") % {
                "date": _date(facts.screened_until)
            }
        else:
            message = _("Comments from this author are screened")
        yield Reason("screening.author", Action.HOLD, message)


def new_account(facts: CommentFacts) -> Iterable[Reason]:
    days = facts.settings.new_account_days
    age = facts.author_account_age_days
    if days and facts.author_is_authenticated and age is not None and age < days:
        yield Reason(
            "account.new",
            Action.HOLD,
            ngettext(
                "Comments from accounts younger than %(days)d day are held for a "
                "moderator",
                "Comments from accounts younger than %(days)d days are held for a "
                "moderator",
                days,
            )
            % {"days": days},
        )


def likely_spam(facts: CommentFacts) -> Iterable[Reason]:
    """The journal's spam model (moderation.spam): it holds, never refuses."""
    threshold = facts.settings.spam_threshold
    percent = facts.spam_percent
    if not threshold or percent is None or percent < threshold:
        return
    if facts.author_is_moderator:
        return
    if facts.spam_signs:
        message = _("Looks like spam (%(signs)s)") % {"signs": facts.spam_signs}
    else:
        message = _("Looks like spam")
    yield Reason("spam.likely", Action.HOLD, message)


def scheduled_screening(facts: CommentFacts) -> Iterable[Reason]:
    """A screening window holds everyone but the journal's moderators: trusted
    authors too, since the window is there for the hours nobody watches."""
    if facts.author_is_moderator:
        return
    screens = [
        found
        for found in facts.settings.open_windows(facts.now)
        if found.window.mode == ScheduleMode.SCREEN
    ]
    if not screens:
        return
    last = max(screens, key=lambda found: found.ends)
    yield Reason(
        "schedule.screening",
        Action.HOLD,
        _("Comments are screened until %(time)s (%(window)s)")
        % {
            "time": until_text(last.ends, facts.now),
            "window": last.window.name,
        },
    )


def heated_thread(facts: CommentFacts) -> Iterable[Reason]:
    """A sub-thread that got many replies fast (``moderation.heat``) holds
    every reply in it, but a moderator's, until the screening ends."""
    until, now = facts.heated_until, facts.now
    if until is None or now is None or until <= now or facts.author_is_moderator:
        return
    zone = time_zone(facts.settings.time_zone)
    yield Reason(
        "heat.screened",
        Action.HOLD,
        _(
            "This thread got many replies in a short time; replies wait for a "
            "moderator until %(time)s"
        )
        % {"time": until_text(until.astimezone(zone), now)},
    )


def schedule_notices(settings: RuleSettings, now: datetime) -> tuple[Sentence, ...]:
    """What readers see above the comment form while windows are open:
    "Comments are screened until 07:00"."""
    found = settings.open_windows(now)
    screens = [f for f in found if f.window.mode == ScheduleMode.SCREEN]
    notices = []
    if screens:
        last = max(screens, key=lambda f: f.ends)
        notices.append(
            _("Comments are screened until %(time)s")
            % {"time": until_text(last.ends, now)}
        )
    stricter = settings._stricter_rate(now)
    if stricter is not None:
        limit = stricter.window.rate_per_minute
        notices.append(
            ngettext(
                "At most %(limit)d comment a minute per author until %(time)s",
                "At most %(limit)d comments a minute per author until %(time)s",
                limit,
            )
            % {"limit": limit, "time": until_text(stricter.ends, now)}
        )
    return tuple(notices)


def recent_history(facts: CommentFacts) -> Iterable[Reason]:
    """Hold while much of what the author recently wrote here was turned down."""
    percent = facts.settings.history_rejected_percent
    total, rejected = facts.author_recent_count, facts.author_recent_rejected
    if not percent or not total or rejected * 100 < percent * total:
        return
    yield Reason(
        "history.rejected",
        Action.HOLD,
        ngettext(
            "%(rejected)d of the author's last %(total)d comment here was rejected",
            "%(rejected)d of the author's last %(total)d comments here were rejected",
            total,
        )
        % {"rejected": rejected, "total": total},
    )


# Rules that depend only on who is commenting where: the post page runs these to
# decide between the form and the reason there is no form.
ACCESS_RULES: tuple[Rule, ...] = (
    post_comments_enabled,
    who_may_comment,
    closed_old_post,
    banned_author,
    shared_ban_list,
)
RULES: tuple[Rule, ...] = (
    *ACCESS_RULES,
    frozen_thread,
    thread_depth,
    anti_bot,
    rate_limit,
    scheduled_rate,
    duplicate,
    blocked_words,
    trusted_author,
    moderator_screening,
    screened_author,
    new_account,
    likely_spam,
    recent_history,
    scheduled_screening,
    heated_thread,
)
RULE_CODES = {
    "access.post_closed", "access.nobody", "access.anonymous_disabled",
    "access.members_only", "post.closed_old", "ban.active", "ban.shared_list",
    "thread.frozen",
    "thread.too_deep", "antibot.honeypot", "antibot.invalid_form", "antibot.too_fast",
    "antibot.expired", "antibot.reused", "rate.limited", "comment.duplicate",
    "words.blocked",
    "screening.all", "screening.non_members", "screening.anonymous", "screening.post",
    "links.too_many", "words.held", "trusted.author", "screening.author", "account.new",
    "screening.moderator", "spam.likely", "history.rejected", "reports.weighted",
    "schedule.screening", "schedule.rate", "heat.screened",
}  # fmt: skip


# Refusals that waiting lifts: they come with the seconds to wait.
RATE_CODES = frozenset({"rate.limited", "schedule.rate"})


# What a moderator reads for each code: a few words, the code kept as a tooltip.
RULE_LABELS = {
    "access.post_closed": gettext_lazy("Comments closed on the post"),
    "access.nobody": gettext_lazy("Comments turned off"),
    "access.anonymous_disabled": gettext_lazy("Anonymous comments off"),
    "access.members_only": gettext_lazy("Members only"),
    "post.closed_old": gettext_lazy("Post too old"),
    "ban.active": gettext_lazy("Author banned"),
    "ban.shared_list": gettext_lazy("On a shared ban list"),
    "thread.frozen": gettext_lazy("Thread frozen"),
    "thread.too_deep": gettext_lazy("Thread too deep"),
    "antibot.honeypot": gettext_lazy("Bot trap filled in"),
    "antibot.invalid_form": gettext_lazy("Form damaged"),
    "antibot.too_fast": gettext_lazy("Sent too fast"),
    "antibot.expired": gettext_lazy("Form expired"),
    "antibot.reused": gettext_lazy("Form sent twice"),
    "rate.limited": gettext_lazy("Too many comments"),
    "comment.duplicate": gettext_lazy("Same comment twice"),
    "words.blocked": gettext_lazy("Blocked word"),
    "screening.all": gettext_lazy("Journal screens everyone"),
    "screening.non_members": gettext_lazy("Not a member"),
    "screening.anonymous": gettext_lazy("Anonymous"),
    "screening.post": gettext_lazy("Post screens everyone"),
    "links.too_many": gettext_lazy("Too many links"),
    "words.held": gettext_lazy("Held word"),
    "trusted.author": gettext_lazy("Trusted author"),
    "screening.author": gettext_lazy("Author screened"),
    "account.new": gettext_lazy("New account"),
    "screening.moderator": gettext_lazy("Screened by a moderator"),
    "spam.likely": gettext_lazy("Looks like spam"),
    "history.rejected": gettext_lazy("Often rejected"),
    "reports.weighted": gettext_lazy("Reported by readers"),
    "schedule.screening": gettext_lazy("Scheduled screening"),
    "schedule.rate": gettext_lazy("Scheduled rate limit"),
    "heat.screened": gettext_lazy("Thread heated up"),
}


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


_DEFAULT_FACTS = CommentFacts()


def decide(facts: CommentFacts, rules: Iterable[Rule] = RULES) -> Verdict:
    """Run every rule; the strictest action wins and every reason is kept."""
    reasons = tuple(reason for rule in rules for reason in rule(facts))
    action = max((reason.action for reason in reasons), default=Action.PUBLISH)
    return Verdict(action=action, reasons=reasons)


def access_verdict(facts: CommentFacts) -> Verdict:
    return decide(facts, ACCESS_RULES)
