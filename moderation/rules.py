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
from datetime import datetime
from enum import IntEnum

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from journal.sentences import Sentence

from .words import WordEntry, find_matches


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
    matched, so a moderator can see both side by side.
    """

    code: str
    action: Action
    # The words in the language active when the rule ran (given a Sentence,
    # it is kept as ``sentence`` too, for readers of other languages).
    message: str
    matched: str = ""
    entry: str = ""
    sentence: Sentence | None = field(default=None, compare=False)

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


@dataclass(frozen=True)
class RuleSettings:
    """A journal's rule settings, copied out of the model."""

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

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> RuleSettings:
        """The settings a rule-set version recorded (its plain JSON snapshot)."""
        blocked, held = [], []
        for phrase, kind, substring in snapshot.get("words", []):
            entry = WordEntry(phrase, substring=substring)
            (blocked if kind == "block" else held).append(entry)
        known = {
            name: snapshot[name]
            for name in cls.__dataclass_fields__
            if name in snapshot and name not in ("blocked_words", "held_words")
        }
        return cls(**known, blocked_words=tuple(blocked), held_words=tuple(held))


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
    for match in find_matches(facts.text, facts.settings.blocked_words):
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
    for match in find_matches(facts.text, facts.settings.held_words):
        yield Reason(
            "words.held",
            Action.HOLD,
            _("The comment contains “%(matched)s”, which a moderator reviews first")
            % {"matched": match.matched},
            matched=match.matched,
            entry=match.entry.phrase,
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
)
RULES: tuple[Rule, ...] = (
    *ACCESS_RULES,
    frozen_thread,
    thread_depth,
    anti_bot,
    rate_limit,
    duplicate,
    blocked_words,
    trusted_author,
    moderator_screening,
    screened_author,
    new_account,
    likely_spam,
    recent_history,
)
RULE_CODES = {
    "access.post_closed", "access.nobody", "access.anonymous_disabled",
    "access.members_only", "post.closed_old", "ban.active", "thread.frozen",
    "thread.too_deep", "antibot.honeypot", "antibot.invalid_form", "antibot.too_fast",
    "antibot.expired", "antibot.reused", "rate.limited", "comment.duplicate",
    "words.blocked",
    "screening.all", "screening.non_members", "screening.anonymous", "screening.post",
    "links.too_many", "words.held", "trusted.author", "screening.author", "account.new",
    "screening.moderator", "spam.likely", "history.rejected", "reports.weighted",
}  # fmt: skip


# What a moderator reads for each code: a few words, the code kept as a tooltip.
RULE_LABELS = {
    "access.post_closed": gettext_lazy("Comments closed on the post"),
    "access.nobody": gettext_lazy("Comments turned off"),
    "access.anonymous_disabled": gettext_lazy("Anonymous comments off"),
    "access.members_only": gettext_lazy("Members only"),
    "post.closed_old": gettext_lazy("Post too old"),
    "ban.active": gettext_lazy("Author banned"),
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
}


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


def decide(facts: CommentFacts, rules: Iterable[Rule] = RULES) -> Verdict:
    """Run every rule; the strictest action wins and every reason is kept."""
    reasons = tuple(reason for rule in rules for reason in rule(facts))
    action = max((reason.action for reason in reasons), default=Action.PUBLISH)
    return Verdict(action=action, reasons=reasons)


def access_verdict(facts: CommentFacts) -> Verdict:
    return decide(facts, ACCESS_RULES)
