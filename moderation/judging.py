"""Judging a comment: gather the facts the rules read, ask them, and act on the
answer. The platform's write path asks through the plugin interface
(``moderation.plugin``), inside its own transaction.

Facts come from the journal's rule-set version in force, the author's standing
(one query), the rate limit (the cache) and the anonymous author's proof. The
verdict comes from the pure pipeline in ``moderation.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from journal import paths
from journal.models import Comment, CommentState, Journal, Post
from journal.plugins import Access, Draft, Judgement, Refusal, ViewerRoles

from . import antibot, learning, ratelimit, rules, trust
from .models import AuthorRestriction, WordRule
from .services import rule_set_in_force
from .words import WordEntry


def settings_for(journal: Journal, word_rules) -> rules.RuleSettings:
    """The settings the rule pipeline reads: the journal's comment settings
    (columns of the platform's Journal) and its word lists."""
    blocked, held = [], []
    for word in word_rules:
        entry = WordEntry(word.phrase, substring=word.substring)
        (blocked if word.kind == WordRule.Kind.BLOCK else held).append(entry)
    return rules.RuleSettings(
        comment_access=journal.comment_access,
        screening=journal.screening,
        link_limit=journal.link_limit,
        blocked_words=tuple(blocked),
        held_words=tuple(held),
        new_account_days=journal.new_account_days,
        trust_approved_authors=journal.trust_approved_authors,
        trusted_after=journal.trusted_after,
        trust_after_days=journal.trust_after_days,
        rate_limit_per_minute=journal.rate_limit_per_minute,
        max_thread_depth=journal.max_thread_depth,
        close_after_days=journal.close_after_days,
        spam_threshold=journal.spam_threshold,
        history_comments=journal.history_comments,
        history_rejected_percent=journal.history_rejected_percent,
        strike_window_days=journal.strike_window_days,
    )


@dataclass(frozen=True)
class AuthorStanding:
    is_member: bool = False
    is_moderator: bool = False
    # What the author's trust rests on (see moderation.trust).
    approved_count: int = 0
    standing_count: int = 0
    banned: bool = False
    screened: bool = False
    screened_until: object = None
    # The values of the caller's own ``also`` expressions, by name.
    also: dict = field(default_factory=dict)


def _count(queryset) -> Subquery:
    return Subquery(
        queryset.order_by()
        .values("author_id")
        .annotate(total=Count("pk"))
        .values("total")
    )


def author_standing(
    journal: Journal, user, *, also=None, judging: Comment | None = None
) -> AuthorStanding:
    """Everything about ``user`` in ``journal`` that the rules need: one query.

    ``also`` adds the caller's own expressions (say, whether this text is a
    duplicate) to that query, so that they cost no round trip of their own.
    ``judging`` is the comment being judged, if it exists: it never counts
    towards its own author's trust.
    """
    also = also or {}
    if not user or not user.is_authenticated:
        if not also:
            return AuthorStanding()
        row = Journal.objects.filter(pk=journal.pk).values(**also).get()
        return AuthorStanding(also=row)
    # Unordered: the model's default ordering would join the journal table again.
    restrictions = (
        AuthorRestriction.objects.active()
        .filter(journal_id=OuterRef("pk"), user_id=user.pk)
        .order_by()
    )
    own = Comment.objects.filter(journal_id=OuterRef("pk"), author_id=user.pk)
    if judging is not None:
        own = own.exclude(pk=judging.pk)
    counts = {"approved": _count(own.filter(trust.approved()))}
    if journal.trust_after_days:
        counts["standing"] = _count(
            own.filter(trust.standing(journal.trust_after_days, timezone.now()))
        )
    row = (
        Journal.objects.filter(pk=journal.pk)
        .annotate(
            is_member=Exists(
                Journal.members.through.objects.filter(
                    journal_id=OuterRef("pk"), user_id=user.pk
                )
            ),
            is_named_moderator=Exists(
                Journal.moderators.through.objects.filter(
                    journal_id=OuterRef("pk"), user_id=user.pk
                )
            ),
            banned=Exists(restrictions.filter(kind=AuthorRestriction.Kind.BAN)),
            screened=Exists(restrictions.filter(kind=AuthorRestriction.Kind.SCREEN)),
            screened_until=Subquery(
                restrictions.filter(kind=AuthorRestriction.Kind.SCREEN).values("until")[
                    :1
                ]
            ),
            **counts,
            **also,
        )
        .values(
            "is_member",
            "is_named_moderator",
            "banned",
            "screened",
            "screened_until",
            *counts,
            *also,
        )  # fmt: skip
        .get()
    )
    return AuthorStanding(
        is_member=row["is_member"],
        is_moderator=journal.is_moderated_by(user, named=row["is_named_moderator"]),
        approved_count=row["approved"] or 0,
        standing_count=row.get("standing") or 0,
        banned=row["banned"],
        screened=row["screened"],
        screened_until=row["screened_until"],
        also={name: row[name] for name in also},
    )


def _age_days(moment) -> float:
    return (timezone.now() - moment).total_seconds() / 86400


def may_comment(post: Post, user, roles: ViewerRoles) -> Access:
    """The access rules alone: may this viewer comment here at all?"""
    facts = rules.CommentFacts(
        settings=settings_for(post.journal, ()),
        post_comments_enabled=post.comments_enabled,
        post_age_days=_age_days(post.published_at),
        author_is_authenticated=bool(user and user.is_authenticated),
        author_is_member=roles.is_member,
        author_is_moderator=roles.is_moderator,
        banned=bool(roles.noted.get("viewer_is_banned")),
    )
    return Access(refusal=_refusal(rules.access_verdict(facts)))


def _refusal(verdict: rules.Verdict, retry_after: int = 0) -> Refusal | None:
    reason = verdict.refusal
    if reason is None:
        return None
    return Refusal(code=reason.code, message=reason.message, retry_after=retry_after)


def _facts(draft: Draft) -> tuple[rules.CommentFacts, object, str]:
    """Every fact about the draft, under the rule-set version in force.

    If the rules changed since the request read the journal, the version's own
    settings are used (see moderation.services.rule_set_in_force).
    """
    post, author, parent, editing = (
        draft.post,
        draft.author,
        draft.parent,
        draft.editing,
    )
    journal = post.journal
    word_rules = list(WordRule.objects.active().filter(journal=journal))
    version, as_loaded = rule_set_in_force(journal, word_rules=word_rules)
    settings = (
        settings_for(journal, word_rules)
        if as_loaded
        else rules.RuleSettings.from_snapshot(version.snapshot)
    )
    rate_key = ratelimit.author_key(
        user_id=author.pk if author else None, ip_address=draft.origin.ip_address
    )
    activity = ratelimit.recent_activity(
        journal.pk, rate_key, settings.rate_limit_per_minute
    )

    since = timezone.now() - timedelta(minutes=rules.DUPLICATE_WINDOW_MINUTES)
    duplicates = Comment.objects.filter(
        post=post,
        author=author,
        body_source=draft.body,
        created_at__gte=since,
        # Deleted too: withdrawing a screened comment and posting it again is
        # the same comment.
        state__in=[CommentState.PUBLISHED, CommentState.HELD, CommentState.REJECTED,
                   CommentState.SPAM, CommentState.DELETED],
    )  # fmt: skip
    if editing is not None:
        duplicates = duplicates.exclude(pk=editing.pk)
    checks = {"duplicate": Exists(duplicates)}
    # Everything shown with the comment: its subject and the name beside it
    # are read by the word lists and the spam model as much as its text.
    name = author.display_name if author else draft.author_name
    text = "\n".join((draft.subject, name, draft.text))
    key = learning.author_key(
        user_id=author.pk if author else None, ip_address=draft.origin.ip_address
    )
    if settings.spam_threshold:
        near_duplicate = learning.near_duplicate(draft.body, author=key)
        if near_duplicate is not None:
            checks["near_duplicate"] = near_duplicate
    if parent is not None:
        checks["thread_frozen"] = Exists(
            Comment.objects.filter(pk__in=paths.ancestor_ids(parent.path), frozen=True)
        )
    # Asked in the same query as the author's standing: one round trip for all.
    standing = author_standing(journal, author, also=checks, judging=editing)
    score = None
    # Moderators are never scored (rules.likely_spam): no query for them.
    if settings.spam_threshold and not standing.is_moderator:
        score = learning.assess(
            journal.pk, text, near_duplicate=standing.also.get("near_duplicate", False)
        )
    recent = _recent_history(journal, author, settings, editing)

    facts = rules.CommentFacts(
        settings=settings,
        post_comments_enabled=post.comments_enabled,
        post_screen_all=post.screen_all_comments,
        post_age_days=_age_days(post.published_at),
        author_is_authenticated=author is not None,
        author_is_member=standing.is_member,
        author_is_moderator=standing.is_moderator,
        author_account_age_days=_age_days(author.date_joined) if author else None,
        author_approved_count=standing.approved_count,
        author_standing_count=standing.standing_count,
        banned=standing.banned,
        author_screened=standing.screened,
        screened_until=standing.screened_until,
        text=text,
        link_count=draft.link_count,
        depth=parent.depth + 1 if parent is not None else 0,
        thread_frozen=standing.also.get("thread_frozen", False),
        duplicate=standing.also["duplicate"],
        recent_comment_count=activity.count,
        rate_retry_after=activity.retry_after,
        antibot=draft.origin.proof,
        is_edit=editing is not None,
        moderator_screened=editing is not None and editing.moderator_screened,
        spam_percent=score.percent if score is not None else None,
        spam_signs=score.top if score is not None else (),
        author_recent_count=recent[0],
        author_recent_rejected=recent[1],
    )
    return facts, version, rate_key


def _recent_history(journal, author, settings: rules.RuleSettings, editing):
    """(how many, how many rejected or spam) of the author's last comments here
    within the strike window: a query only when the journal uses the rule."""
    if not settings.history_rejected_percent or author is None:
        return 0, 0
    since = timezone.now() - timedelta(days=settings.strike_window_days)
    recent = Comment.objects.filter(
        journal=journal, author=author, created_at__gte=since
    ).exclude(state=CommentState.DELETED)
    if editing is not None:
        recent = recent.exclude(pk=editing.pk)
    states = list(
        recent.order_by("-created_at", "-pk").values_list("state", flat=True)[
            : settings.history_comments
        ]
    )
    rejected = sum(s in (CommentState.REJECTED, CommentState.SPAM) for s in states)
    return len(states), rejected


def judge(draft: Draft) -> Judgement:
    """The verdict on a draft, and its places taken: the anonymous author's
    challenge spent and the author's place under the rate limit."""
    facts, version, rate_key = _facts(draft)
    verdict = rules.decide(facts)
    if verdict.refused:
        return Judgement(refusal=_refusal(verdict, facts.rate_retry_after))
    refusal = None
    if draft.author is None:
        refusal = _spend_challenge(facts)
    refusal = refusal or _take_rate_limit_place(draft.post.journal, facts, rate_key)
    if refusal is not None:
        return Judgement(refusal=refusal)
    return Judgement(
        state=CommentState.HELD if verdict.held else CommentState.PUBLISHED,
        reasons=tuple(reason.as_dict() for reason in verdict.reasons),
        rule_set_version_id=version.pk,
    )


def _spend_challenge(facts: rules.CommentFacts) -> Refusal | None:
    """Use up the anonymous author's challenge, or refuse as the rule does.

    Spent only once the rules accepted the comment, so a refusal (too fast, a
    blocked word) leaves it usable; two comments racing with one challenge get
    one place between them.
    """
    check = facts.antibot
    spent = antibot.spend(check) if check is not None else None
    if spent is None or not spent.reused:
        return None
    return _refusal(rules.decide(replace(facts, antibot=spent)))


def _take_rate_limit_place(
    journal: Journal, facts: rules.CommentFacts, rate_key: str
) -> Refusal | None:
    """Take the author's place under the rate limit, or refuse as the rule does.

    The count the verdict saw was read a moment ago; a simultaneous comment by
    the same author may have taken the last place since. Then the rules judge
    again with the count as it is now. A place is taken at once rather than on
    commit: should the transaction still fail, the limit errs on the strict side.
    """
    limit = facts.settings.rate_limit_per_minute
    if ratelimit.take_place(journal.pk, rate_key, limit):
        return None
    current = ratelimit.recent_activity(journal.pk, rate_key, limit)
    now = replace(
        facts,
        recent_comment_count=max(current.count, limit),
        rate_retry_after=max(current.retry_after, 1),
    )
    return _refusal(rules.decide(now), now.rate_retry_after)
