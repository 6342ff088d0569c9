"""The comment rule pipeline: plain facts in, a frozen verdict out.

Nothing here touches the database, the request or the cache, so every rule is
tested with plain values. ``journal.services`` gathers the facts, asks for a
verdict and acts on it; the post page asks the access rules alone whether to show
the comment form or the reason there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from django.utils.translation import gettext_lazy as _


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


@dataclass(frozen=True)
class Reason:
    """One rule that fired: a stable code, what it asks for, and why in words."""

    code: str
    action: Action
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "action": self.action.label, "message": self.message}


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


@dataclass(frozen=True)
class CommentFacts:
    """Everything the rules may look at, gathered by the caller."""

    comment_access: str
    post_comments_enabled: bool
    author_is_authenticated: bool
    author_is_member: bool = False
    author_is_moderator: bool = False


Rule = Callable[[CommentFacts], Iterable[Reason]]


def post_comments_enabled(facts: CommentFacts) -> Iterable[Reason]:
    if not facts.post_comments_enabled:
        yield Reason(
            "access.post_closed",
            Action.REFUSE,
            str(_("Comments are disabled for this post")),
        )


def who_may_comment(facts: CommentFacts) -> Iterable[Reason]:
    access = facts.comment_access
    if access == CommentAccess.NOBODY:
        yield Reason(
            "access.nobody",
            Action.REFUSE,
            str(_("Comments are turned off in this journal")),
        )
    elif facts.author_is_moderator:
        return
    elif access == CommentAccess.REGISTERED and not facts.author_is_authenticated:
        yield Reason(
            "access.anonymous_disabled",
            Action.REFUSE,
            str(_("Anonymous comments are disabled in this journal")),
        )
    elif access == CommentAccess.MEMBERS and not facts.author_is_member:
        yield Reason(
            "access.members_only",
            Action.REFUSE,
            str(_("Only members of this journal may comment")),
        )


# Rules that depend only on who is commenting where: the post page runs these to
# decide between the form and the reason there is no form.
ACCESS_RULES: tuple[Rule, ...] = (post_comments_enabled, who_may_comment)
RULES: tuple[Rule, ...] = ACCESS_RULES


def decide(facts: CommentFacts, rules: Iterable[Rule] = RULES) -> Verdict:
    """Run every rule; the strictest action wins and every reason is kept."""
    reasons = tuple(reason for rule in rules for reason in rule(facts))
    action = max((reason.action for reason in reasons), default=Action.PUBLISH)
    return Verdict(action=action, reasons=reasons)


def access_verdict(facts: CommentFacts) -> Verdict:
    return decide(facts, ACCESS_RULES)
