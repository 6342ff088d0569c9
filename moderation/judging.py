"""Judging a comment: gather the facts the rules read, ask them, and act on the
answer. The platform's write path asks through the plugin interface
(``moderation.plugin``), inside its own transaction.

Facts come from one query on the journal's row (the rule-set version in force,
the word list, the scheduled modes and the shared lists it follows, the shadow
rule set running beside them, the author's standing, and the draft's own
checks, a reply's sub-thread's heat screening among them), the rate limit and
the anonymous author's proof. The
verdict comes from the pure pipeline in ``moderation.rules``.

Two things are kept in process memory, because building them cost more than
the rest of the comment: the judging query compiled to SQL, once per shape
(``journal.compiled``), and each journal's rules compiled for the pipeline
(``_KnownRules``). Neither is ever trusted on its own: the query reads the
journal's latest rule-set version, word list, scheduled modes and the latest
version of each list it follows on every comment, and the compiled rules are
used only while they still match, so a change made through any door, in any
process, applies to the very next comment.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    Exists,
    OuterRef,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from journal import paths
from journal.compiled import CompiledQuery
from journal.models import Comment, CommentState, Journal, Post
from journal.plugins import Access, Draft, Judgement, Refusal, ViewerRoles

from . import (
    antibot,
    followed_lists,
    learning,
    ratelimit,
    rules,
    shadows,
    spam,
    trust,
)
from .models import (
    RULE_SETTING_FIELDS,
    AuthorRestriction,
    HeatScreening,
    RuleSetVersion,
    ScheduledMode,
    ShadowRuleSet,
    Subscription,
    WordRule,
)
from .services import rule_set_in_force, schedule_window
from .words import WordEntry


def settings_for(
    journal: Journal, word_rules, schedule=(), followed=()
) -> rules.RuleSettings:
    """The settings the rule pipeline reads: the journal's comment settings
    (columns of the platform's Journal), its word lists and scheduled modes,
    and the shared lists it follows (``moderation.followed_lists``) as its own
    entries leave them."""
    word_rules = list(word_rules)
    followed = list(followed)
    names = {one.list_id: one.name for one in followed}
    words = [(word.phrase, word.kind, word.substring, "") for word in word_rules]
    if followed:
        own = [(word.phrase, word.kind, word.substring) for word in word_rules]
        words += [
            (phrase, kind, substring, names[list_id])
            for phrase, kind, substring, list_id in followed_lists.effective_words(
                own, followed
            )
        ]
    blocked, held = [], []
    for phrase, kind, substring, list_name in words:
        entry = WordEntry(phrase, substring=substring, list_name=list_name)
        if kind == WordRule.Kind.BLOCK:
            blocked.append(entry)
        elif kind == WordRule.Kind.HOLD:
            held.append(entry)
    bans = tuple(
        rules.SharedBan(
            user_id=user_id,
            list_name=names[list_id],
            until=datetime.fromisoformat(until) if until else None,
        )
        for user_id, until, list_id in followed_lists.effective_bans(followed)
    )
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
        time_zone=journal.time_zone,
        schedule=tuple(schedule_window(mode) for mode in schedule),
        shared_bans=bans,
    )


# The scheduled modes' columns, as the judging query and the post page's query
# read them (``schedule_rows``, ``schedule_from_rows``).
SCHEDULE_COLUMNS = (
    "pk",
    "name",
    "mode",
    "days",
    "starts_at",
    "ends_at",
    "ends_after_days",
    "rate_per_minute",
)


def schedule_rows(journal_ref: str = "pk") -> Subquery:
    """The journal's scheduled modes in force, as one column of JSON text on a
    row whose ``journal_ref`` names the journal's id: no query of its own."""
    return _rows(
        ScheduledMode.objects.active().filter(journal_id=OuterRef(journal_ref)),
        *SCHEDULE_COLUMNS,
    )


def schedule_from_rows(text: str | None, journal: Journal) -> list[ScheduledMode]:
    """The scheduled modes read by ``schedule_rows`` (unsaved copies)."""
    modes = []
    for pk, name, mode, days, starts, ends, after, rate in json.loads(text or "[]"):
        modes.append(
            ScheduledMode(
                pk=pk,
                journal=journal,
                name=name,
                mode=mode,
                days=days,
                starts_at=time.fromisoformat(starts),
                ends_at=time.fromisoformat(ends),
                ends_after_days=after,
                rate_per_minute=rate,
            )
        )
    return modes


def followed_rows(journal_ref: str = "pk", kind: str | None = None) -> Subquery:
    """The shared lists the journal follows (of ``kind``, or all), as
    ``[[list id, latest version id], ...]`` text on a row whose ``journal_ref``
    names the journal's id: compared as text with the lists known, and read
    (``moderation.followed_lists.from_rows``) only when they changed."""
    running = Subscription.objects.filter(
        journal_id=OuterRef(journal_ref), ended_at__isnull=True
    )
    if kind is not None:
        running = running.filter(shared_list__kind=kind)
    return _rows(
        running.annotate(version=followed_lists.latest_version_id()),
        "shared_list_id",
        "version",
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


# The judging query ------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """What decides the judging query's SQL text."""

    authenticated: bool
    editing: bool
    trust_after_days: int
    scored: bool  # by the spam model
    bands: int  # the draft's near-duplicate bands; 0 when that check is off
    ancestors: int  # the parent's path, read for frozen threads; 0 when top level


@dataclass(frozen=True)
class _Values:
    """What changes from one comment to the next within a shape."""

    journal_id: int
    user_id: int | None
    editing_id: int | None
    post_id: int
    body: str
    now: datetime
    author_key: str
    spam_tokens: str = "[]"  # learning.wanted
    bands: tuple[int, ...] = ()
    ancestors: tuple[int, ...] = ()


class _JSONRows(Aggregate):
    """Rows as JSON text, ``[[column, ...], ...]``: many rows read in one column
    of the journal's row."""

    template = "JSON_GROUP_ARRAY(JSON_ARRAY(%(expressions)s))"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="JSON_AGG(JSON_BUILD_ARRAY(%(expressions)s))::text",
            **extra_context,
        )


def _rows(queryset, *columns) -> Subquery:
    return Subquery(
        queryset.order_by()
        .annotate(all_rows=Value(1))
        .values("all_rows")
        .annotate(rows=_JSONRows(*columns))
        .values("rows")
    )


def _count(queryset) -> Subquery:
    return Subquery(
        queryset.order_by()
        .values("author_id")
        .annotate(total=Count("pk"))
        .values("total")
    )


def _judging_query(shape: _Shape, v: _Values):
    """The journal's row with all that judging asks the database: its latest
    rule-set version and word list, the author's standing (see
    ``moderation.trust``) and the draft's checks, in one round trip."""
    duplicates = Comment.objects.filter(
        # The journal too, so that the author's own comments there (an index)
        # are read rather than every comment on the post.
        journal_id=v.journal_id,
        post_id=v.post_id,
        author_id=v.user_id,
        body_source=v.body,
        created_at__gte=v.now - timedelta(minutes=rules.DUPLICATE_WINDOW_MINUTES),
        # Deleted too: withdrawing a screened comment and posting it again is
        # the same comment.
        state__in=[CommentState.PUBLISHED, CommentState.HELD, CommentState.REJECTED,
                   CommentState.SPAM, CommentState.DELETED],
    )  # fmt: skip
    if shape.editing:
        duplicates = duplicates.exclude(pk=v.editing_id)
    asked = {
        "latest_rule_set": Subquery(
            RuleSetVersion.objects.filter(journal=OuterRef("pk"))
            .order_by("-number")
            .values("pk")[:1]
        ),
        # Compared as it comes with the list known; parsed only when it differs.
        "word_list": _rows(
            WordRule.objects.active().filter(journal=OuterRef("pk")),
            "pk",
            "kind",
            "substring",
            "phrase",
        ),
        "schedule": schedule_rows(),
        # The shared lists followed, by their latest versions (the same).
        "followed_lists": followed_rows(),
        "duplicate": Exists(duplicates),
        # The shadow rule set running beside the live rules, as "id snapshot"
        # text: compared as it comes with the one known, parsed only when new.
        "shadow_rules": Subquery(
            ShadowRuleSet.objects.filter(
                journal=OuterRef("pk"), state=ShadowRuleSet.State.SHADOW
            )
            .order_by()
            .annotate(
                text=Concat(
                    Cast("pk", CharField()),
                    Value(" "),
                    Cast("snapshot", TextField()),
                    output_field=TextField(),
                )
            )
            .values("text")[:1]
        ),
    }
    if shape.scored:
        asked["spam_counts"] = _rows(
            learning.counts_asked(v.spam_tokens), "scope", "token", "spam", "ham"
        )
    if shape.bands:
        asked["near_duplicate"] = learning.near_duplicate_of(
            v.bands, author=v.author_key, now=v.now
        )
    if shape.ancestors:
        asked["thread_frozen"] = Exists(
            Comment.objects.filter(pk__in=v.ancestors, frozen=True)
        )
        # A reply's sub-thread is the one under its top-level comment
        # (moderation.heat); screened for heat until then, if it is.
        asked["heated_until"] = Subquery(
            HeatScreening.objects.active(at=v.now)
            .filter(thread_id=v.ancestors[0])
            .order_by("-until")
            .values("until")[:1]
        )
    if shape.authenticated:
        # Unordered: the model's default ordering would join the journal again.
        restrictions = (
            AuthorRestriction.objects.active(at=v.now)
            .filter(journal_id=OuterRef("pk"), user_id=v.user_id)
            .order_by()
        )
        screens = restrictions.filter(kind=AuthorRestriction.Kind.SCREEN)
        own = Comment.objects.filter(journal_id=OuterRef("pk"), author_id=v.user_id)
        if shape.editing:
            # The comment being judged never counts towards its own trust.
            own = own.exclude(pk=v.editing_id)
        asked |= {
            "is_member": Exists(
                Journal.members.through.objects.filter(
                    journal_id=OuterRef("pk"), user_id=v.user_id
                )
            ),
            "is_named_moderator": Exists(
                Journal.moderators.through.objects.filter(
                    journal_id=OuterRef("pk"), user_id=v.user_id
                )
            ),
            "banned": Exists(restrictions.filter(kind=AuthorRestriction.Kind.BAN)),
            "screened": Exists(screens),
            "screened_until": Subquery(screens.values("until")[:1]),
            "approved": _count(own.filter(trust.approved())),
        }
        if shape.trust_after_days:
            asked["standing"] = _count(
                own.filter(trust.standing(shape.trust_after_days, v.now))
            )
    return (
        Journal.objects.filter(pk=v.journal_id)
        .order_by()
        .annotate(**asked)
        .values(*asked)
    )


def _stand_ins(shape: _Shape, family: int) -> _Values:
    """Values no real comment has, one family apart from the other: compiled
    with two families, the parameters that differ are the ones to replace."""
    base = -family * 10**12
    return _Values(
        journal_id=base - 1,
        user_id=base - 2 if shape.authenticated else None,
        editing_id=base - 3 if shape.editing else None,
        post_id=base - 4,
        body=f"\x1fbody {family}",
        now=datetime(2000 + family, 1, 1, tzinfo=UTC),
        author_key=f"\x1fauthor {family}",
        spam_tokens=f'["\x1ftoken {family}"]' if shape.scored else "[]",
        bands=tuple(base - 100 - n for n in range(shape.bands)),
        ancestors=tuple(base - 1000 - n for n in range(shape.ancestors)),
    )


def _slots(shape: _Shape) -> list:
    """Every value the query may carry, as a way to read it from ``_Values``:
    the fields, and the moments the query derives from ``now``."""
    slots = [
        lambda v, name=name: getattr(v, name)
        for name in ("journal_id", "user_id", "editing_id", "post_id", "body")
        + ("now", "author_key", "spam_tokens")
    ]
    slots += [lambda v, n=n: v.bands[n] for n in range(shape.bands)]
    slots += [lambda v, n=n: v.ancestors[n] for n in range(shape.ancestors)]
    for before in (
        timedelta(minutes=rules.DUPLICATE_WINDOW_MINUTES),
        learning.NEAR_DUPLICATE_WINDOW,
        timedelta(days=shape.trust_after_days),
    ):
        slots.append(lambda v, before=before: v.now - before)
    return slots


@lru_cache(maxsize=256)
def _compiled(vendor: str, shape: _Shape) -> CompiledQuery:
    """The judging query of one shape, compiled once: building and compiling
    it through the ORM costs several times what the database spends on it."""
    return CompiledQuery(
        lambda values: _judging_query(shape, values),
        _stand_ins(shape, 1),
        _stand_ins(shape, 2),
        _slots(shape),
    )


def _ask(shape: _Shape, values: _Values) -> dict:
    row = _compiled(connection.vendor, shape).row(values)
    if row is None:
        raise Journal.DoesNotExist
    return row


def _standing(row: dict, journal: Journal, user) -> AuthorStanding:
    if not user:
        return AuthorStanding()
    return AuthorStanding(
        is_member=row["is_member"],
        is_moderator=journal.is_moderated_by(user, named=row["is_named_moderator"]),
        approved_count=row["approved"] or 0,
        standing_count=row.get("standing") or 0,
        banned=row["banned"],
        screened=row["screened"],
        screened_until=row["screened_until"],
    )


# The rules in force -------------------------------------------------------------


@dataclass(frozen=True)
class _KnownRules:
    """A journal's rules compiled for the pipeline, and what the database and
    the journal's row must say for them to still be the rules in force."""

    version_id: int
    word_list: str | None  # as the judging query spells it
    schedule: str | None  # the same
    followed: str | None  # the same
    journal_settings: tuple
    settings: rules.RuleSettings


# By journal id; a bounded number, the least recently stored dropped first.
_known_rules: dict[int, _KnownRules] = {}
_storing_rules = threading.Lock()
KNOWN_RULES_KEPT = 1_000


def forget_known_rules() -> None:
    """Compile every journal's rules afresh. Only tests need this: a rolled-back
    test transaction hands out the same rule-set version ids again."""
    with _storing_rules:
        _known_rules.clear()
        _known_shadows.clear()
    followed_lists.forget()


def _journal_settings(journal: Journal) -> tuple:
    return tuple(getattr(journal, name) for name in RULE_SETTING_FIELDS)


def _rules_in_force(journal: Journal, row: dict) -> tuple[int, rules.RuleSettings]:
    """The version a comment is judged under, and its settings: the ones known
    while the judging query confirms them, else read again (and remembered)."""
    known = _known_rules.get(journal.pk)
    journal_settings = _journal_settings(journal)
    if (
        known is not None
        and known.version_id == row["latest_rule_set"]
        and known.word_list == row["word_list"]
        and known.schedule == row["schedule"]
        and known.followed == row["followed_lists"]
        and known.journal_settings == journal_settings
    ):
        return known.version_id, known.settings
    word_rules = [
        WordRule(
            pk=pk, journal=journal, kind=kind, substring=bool(inside), phrase=phrase
        )
        for pk, kind, inside, phrase in json.loads(row["word_list"] or "[]")
    ]
    schedule = schedule_from_rows(row["schedule"], journal)
    # Versions of shared lists this process has not read yet: one more query.
    followed = followed_lists.from_rows(row["followed_lists"])
    # The rules changed (or this process has not judged here yet): one more
    # query, and a new version if they changed without one being recorded.
    version, as_loaded = rule_set_in_force(
        journal, word_rules=word_rules, schedule=schedule, followed=followed
    )
    if not as_loaded:
        # Changed since the request read the journal: the version's own
        # settings, and nothing remembered.
        return version.pk, rules.RuleSettings.from_snapshot(version.snapshot)
    settings = settings_for(journal, word_rules, schedule, followed)
    with _storing_rules:
        _known_rules.pop(journal.pk, None)
        while len(_known_rules) >= KNOWN_RULES_KEPT:
            _known_rules.pop(next(iter(_known_rules)))
        _known_rules[journal.pk] = _KnownRules(
            version.pk,
            row["word_list"],
            row["schedule"],
            row["followed_lists"],
            journal_settings,
            settings,
        )
    return version.pk, settings


@dataclass(frozen=True)
class _KnownShadow:
    """A journal's running shadow rule set compiled for the pipeline, and the
    judging query's text of it (``shadow_rules``) it was compiled from."""

    text: str
    shadow_id: int
    settings: rules.RuleSettings


# By journal id, like _known_rules. A shadow's snapshot never changes, but ids
# come back after a rolled-back transaction: the whole text is compared.
_known_shadows: dict[int, _KnownShadow] = {}


def _shadow_in_force(journal_id: int, text: str | None) -> _KnownShadow | None:
    """The shadow running beside the live rules, as the judging query read it."""
    if not text:
        return None
    known = _known_shadows.get(journal_id)
    if known is not None and known.text == text:
        return known
    shadow_id, snapshot = text.split(" ", 1)
    known = _KnownShadow(
        text, int(shadow_id), rules.RuleSettings.from_snapshot(json.loads(snapshot))
    )
    with _storing_rules:
        _known_shadows.pop(journal_id, None)
        while len(_known_shadows) >= KNOWN_RULES_KEPT:
            _known_shadows.pop(next(iter(_known_shadows)))
        _known_shadows[journal_id] = known
    return known


def _age_days(moment) -> float:
    return (timezone.now() - moment).total_seconds() / 86400


def may_comment(post: Post, user, roles: ViewerRoles) -> Access:
    """The access rules alone: may this viewer comment here at all? And what
    the open scheduled windows say above the form, until when (the scheduled
    modes come with the page's own query: ``ModerationPlugin.viewer_annotations``).
    """
    journal = post.journal
    schedule = schedule_from_rows(roles.noted.get("journal_schedule"), journal)
    settings = settings_for(journal, (), schedule)
    signed_in = bool(user and user.is_authenticated)
    if signed_in and roles.noted.get("journal_ban_lists"):
        # Only this viewer's entries: the rule reads no one else's.
        settings = replace(
            settings,
            shared_bans=_bans_of(
                user.pk, followed_lists.from_rows(roles.noted["journal_ban_lists"])
            ),
        )
    now = timezone.now()
    facts = rules.CommentFacts(
        settings=settings,
        post_comments_enabled=post.comments_enabled,
        post_age_days=_age_days(post.published_at),
        author_is_authenticated=signed_in,
        author_id=user.pk if signed_in else None,
        author_is_member=roles.is_member,
        author_is_moderator=roles.is_moderator,
        banned=bool(roles.noted.get("viewer_is_banned")),
        now=now,
    )
    return Access(
        refusal=_refusal(rules.access_verdict(facts)),
        notices=tuple(str(notice) for notice in rules.schedule_notices(settings, now)),
        changes_at=rules.next_schedule_change(
            settings.schedule, now, settings.time_zone
        ),
    )


def _bans_of(user_id: int, followed) -> tuple[rules.SharedBan, ...]:
    return tuple(
        rules.SharedBan(
            user_id=user_id,
            list_name=one.name,
            until=datetime.fromisoformat(until) if until else None,
        )
        for one in followed
        for _user, until in one.bans_of(user_id)
    )


def _refusal(verdict: rules.Verdict, retry_after: int = 0) -> Refusal | None:
    reason = verdict.refusal
    if reason is None:
        return None
    if reason.code not in rules.RATE_CODES:
        retry_after = 0  # waiting helps only a rate limit
    return Refusal(code=reason.code, message=reason.message, retry_after=retry_after)


def _facts(
    draft: Draft,
) -> tuple[rules.CommentFacts, int, str, _KnownShadow | None]:
    """Every fact about the draft, under the rule-set version in force (and
    that version's id, the rate limit's key and the shadow rule set running).

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
    user_id = author.pk if author else None
    # Everything shown with the comment: its subject and the name beside it
    # are read by the word lists and the spam model as much as its text.
    name = author.display_name if author else draft.author_name
    text = "\n".join((draft.subject, name, draft.text))
    values = _Values(
        journal_id=journal.pk,
        user_id=user_id,
        editing_id=editing.pk if editing is not None else None,
        post_id=post.pk,
        body=draft.body,
        now=timezone.now(),
        author_key=learning.author_key(
            user_id=user_id, ip_address=draft.origin.ip_address
        ),
        ancestors=tuple(paths.ancestor_ids(parent.path)) if parent else (),
    )
    tokens: list[str] = []

    def asking(settings) -> _Shape:
        """What to ask, by ``settings``: the journal's row as the request read
        it, which nearly always holds the rules in force."""
        nonlocal values, tokens
        if settings.spam_threshold and not tokens:
            tokens = spam.features(text)
            values = replace(
                values,
                spam_tokens=learning.wanted(tokens),
                bands=tuple(spam.shingle_bands(draft.body)),
            )
        return _Shape(
            authenticated=author is not None,
            editing=editing is not None,
            trust_after_days=settings.trust_after_days,
            scored=bool(settings.spam_threshold),
            bands=len(values.bands) if settings.spam_threshold else 0,
            ancestors=len(values.ancestors),
        )

    asked = asking(journal)
    row = _ask(asked, values)
    version_id, settings = _rules_in_force(journal, row)
    if asking(settings) != asked:
        # The rules changed since the request read the journal, in what the
        # query asks: one more.
        row = _ask(asking(settings), values)
    standing = _standing(row, journal, author)
    rate_key = ratelimit.author_key(user_id=user_id, ip_address=draft.origin.ip_address)
    # An open window's stricter limit counts the same places (ratelimit).
    activity = ratelimit.recent_activity(
        journal.pk, rate_key, settings.rate_limit_at(values.now)
    )
    score = None
    # Moderators are never scored (rules.likely_spam).
    if settings.spam_threshold and not standing.is_moderator:
        score = learning.score(
            tokens,
            json.loads(row["spam_counts"] or "[]"),
            near_duplicate=row.get("near_duplicate", False),
        )
    recent = _recent_history(journal, author, settings, editing)

    facts = rules.CommentFacts(
        settings=settings,
        post_comments_enabled=post.comments_enabled,
        post_screen_all=post.screen_all_comments,
        post_age_days=_age_days(post.published_at),
        author_is_authenticated=author is not None,
        author_id=user_id,
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
        thread_frozen=row.get("thread_frozen", False),
        duplicate=row["duplicate"],
        recent_comment_count=activity.count,
        rate_retry_after=activity.retry_after,
        antibot=draft.origin.proof,
        is_edit=editing is not None,
        moderator_screened=editing is not None and editing.moderator_screened,
        spam_percent=score.percent if score is not None else None,
        spam_signs=score.top if score is not None else (),
        author_recent_count=recent[0],
        author_recent_rejected=recent[1],
        now=values.now,
        heated_until=row.get("heated_until"),
    )
    return (
        facts,
        version_id,
        rate_key,
        _shadow_in_force(journal.pk, row["shadow_rules"]),
    )


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
    facts, version_id, rate_key, shadow = _facts(draft)
    verdict = rules.decide(facts)
    # Nothing handed over for an earlier draft outlives this one.
    shadows.hand_over(None)
    if verdict.refused:
        return Judgement(refusal=_refusal(verdict, facts.rate_retry_after))
    refusal = None
    if draft.author is None:
        refusal = _spend_challenge(facts)
    refusal = refusal or _take_rate_limit_place(draft.post.journal, facts, rate_key)
    if refusal is not None:
        return Judgement(refusal=refusal)
    author = draft.author
    judgement = Judgement(
        state=CommentState.HELD if verdict.held else CommentState.PUBLISHED,
        reasons=tuple(reason.as_dict() for reason in verdict.reasons),
        rule_set_version_id=version_id,
        facts=rules.facts_record(
            facts, name=author.display_name if author else draft.author_name
        ),
        companions=_companions(draft, facts),
        work_after_storing=work_after_storing(
            created=draft.editing is None,
            held=verdict.held,
            reply=draft.parent is not None,
            shadowed=shadow is not None,
        ),
    )
    if shadow is not None:
        _judge_in_shadow(shadow, facts, verdict, judgement)
    return judgement


def work_after_storing(*, created: bool, held: bool, reply: bool, shadowed: bool):
    """Whether ``ModerationPlugin.comment_stored`` has anything to do for a
    comment: a shadow's verdict to store, a reply's heat to count and its
    mail, a held comment's mail. Everything else a new comment needs rides in
    its insert (``_companions``). ``comment_stored`` asks it too, and does
    nothing when it says no, so the two cannot drift apart."""
    return not created or held or reply or shadowed


def _companions(draft: Draft, facts: rules.CommentFacts) -> tuple:
    """What is stored with a new comment: its fingerprint, where the spam model
    reads near-duplicates (the bands were worked out to judge it)."""
    if draft.editing is not None or not facts.settings.spam_threshold:
        return ()
    found = learning.fingerprint(
        draft.body,
        user_id=draft.author.pk if draft.author else None,
        ip_address=draft.origin.ip_address,
        at=facts.now,
    )
    return (found,) if found is not None else ()


def _judge_in_shadow(
    shadow: _KnownShadow,
    facts: rules.CommentFacts,
    verdict: rules.Verdict,
    judgement: Judgement,
) -> None:
    """Decide again, with the same facts, under the shadow's settings, and hand
    the verdict over for the comment about to be stored (never acted on)."""
    seen = shadows.decide(facts, shadow.settings)
    shadows.hand_over(
        shadows.Handover(
            shadow_id=shadow.shadow_id,
            live_action=verdict.action.label,
            shadow_action=seen.action.label,
            reasons=tuple(reason.as_dict() for reason in seen.reasons),
            facts=judgement.facts,
        )
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
    limit = facts.settings.rate_limit_at(facts.now)
    if ratelimit.take_place(journal.pk, rate_key, limit):
        return None
    current = ratelimit.recent_activity(journal.pk, rate_key, limit)
    now = replace(
        facts,
        recent_comment_count=max(current.count, limit),
        rate_retry_after=max(current.retry_after, 1),
    )
    return _refusal(rules.decide(now), now.rate_retry_after)
