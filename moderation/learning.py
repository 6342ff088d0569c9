"""The spam model against the database: scoring a draft, remembering each new
comment's fingerprint, and training on moderators' decisions.

The arithmetic is ``moderation.spam``'s; here are the counts it reads and
writes (``SpamTokenCount``): every decision trains the site-wide scope and the
journal's own, and a journal's own counts are used once it has
``spam.OWN_MODEL_MIN_DECISIONS`` decisions of each kind.

Training is a task (``learn_decided``), enqueued with the decision and run by
a worker, one batch of counter updates per decision, whatever its size.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Value,
)
from django.utils import timezone
from django_tasks import task

from accounts.tasks import enqueue_at_commit, retried
from journal.models import Comment
from journal.plugins import Companion
from journal.sanitize import summarize

from . import spam
from .models import (
    AuditEntry,
    CommentFingerprint,
    ReportReason,
    SpamLabel,
    SpamTokenCount,
    SpamTraining,
)

SITE = SpamTokenCount.SITE
NEAR_DUPLICATE_WINDOW = timedelta(days=1)


def author_key(*, user_id: int | None, ip_address: str | None) -> str:
    """Who wrote a comment, for telling accounts apart: the user, or a digest
    of the anonymous visitor's address (kept even where IPs are not logged, so
    never the address itself)."""
    if user_id:
        return f"u{user_id}"
    digest = hashlib.blake2b(
        (ip_address or "").encode(),
        key=settings.SECRET_KEY.encode()[:64],
        digest_size=16,
    )
    return f"a{digest.hexdigest()}"


def near_duplicate(text: str, *, author: str):
    """An expression: another account posted nearly this text in the last day.
    Folded into the judging query (moderation.judging), so it costs no trip."""
    bands = spam.shingle_bands(text)
    if not bands:
        return None
    return near_duplicate_of(bands, author=author, now=timezone.now())


def near_duplicate_of(bands, *, author: str, now) -> Exists:
    """``near_duplicate`` for a text's bands, as seen at ``now``."""
    return Exists(
        CommentFingerprint.objects.filter(
            band__in=bands, created_at__gte=now - NEAR_DUPLICATE_WINDOW
        ).exclude(author_key=author)
    )


def _counts(journal_id: int, tokens: Iterable[str]) -> QuerySet:
    """Rows (scope, token, spam, ham): the site-wide and the journal's counts of
    ``tokens``."""
    return SpamTokenCount.objects.filter(
        scope__in=(SITE, journal_id), token__in=[spam.DOCS, *tokens]
    ).values_list("scope", "token", "spam", "ham")


def _split(rows) -> tuple[dict, dict]:
    site: dict[str, tuple[int, int]] = {}
    own: dict[str, tuple[int, int]] = {}
    for scope, token, spam_count, ham_count in rows:
        (site if scope == SITE else own)[token] = (spam_count, ham_count)
    return site, own


class _OneOf(Func):
    """Whether a column is one of the strings given as one parameter (``wanted``
    spells them): an ``IN`` list whose SQL is the same whatever its length, so
    that the judging query compiled once serves every text. On PostgreSQL an
    array constant, which the planner reads as it would a list."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (strings, strings_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        template = (
            "%s = ANY(%s::text[])"
            if connection.vendor == "postgresql"
            else "%s IN (SELECT value FROM JSON_EACH(%s))"
        )
        return template % (column, strings), (*column_params, *strings_params)


def wanted(tokens: list[str]) -> str:
    """The tokens whose counts scoring ``tokens`` reads, as ``counts_asked``
    takes them: a PostgreSQL array, or a JSON one for SQLite."""
    wanted = [spam.DOCS, *tokens, spam.UNSEEN_DOMAIN, spam.NEAR_DUPLICATE]
    if connection.vendor != "postgresql":
        return json.dumps(wanted, ensure_ascii=False)
    quoted = (token.replace("\\", "\\\\").replace('"', '\\"') for token in wanted)
    return "{" + ",".join(f'"{token}"' for token in quoted) + "}"


def counts_asked(wanted_tokens: str) -> QuerySet:
    """Rows (scope, token, spam, ham): the site-wide and the journal's counts of
    ``wanted_tokens`` (``wanted``), for a query on the journal's row. The
    judging query asks them (moderation.judging), so scoring costs no trip of
    its own; ``score`` reads them."""
    return SpamTokenCount.objects.filter(
        _OneOf(F("token"), Value(wanted_tokens)), scope__in=(SITE, OuterRef("pk"))
    ).values_list("scope", "token", "spam", "ham")


def score(tokens: list[str], rows, *, near_duplicate: bool = False) -> spam.SpamScore:
    """How likely the text of ``tokens`` (``spam.features``) is spam, by the
    counts ``counts_asked`` read."""
    site, own = _split(rows)
    return spam.score(_with_context(tokens, own, near_duplicate), _model(site, own))


def _model(site: dict, own: dict) -> spam.Counts:
    """The journal's own counts once it has decided enough, else the site's."""
    own_spam, own_ham = own.get(spam.DOCS, (0, 0))
    chosen = own if min(own_spam, own_ham) >= spam.OWN_MODEL_MIN_DECISIONS else site
    docs_spam, docs_ham = chosen.get(spam.DOCS, (0, 0))
    return spam.Counts(docs_spam, docs_ham, chosen)


def _with_context(tokens: list[str], own: dict, near_duplicate: bool) -> list[str]:
    """The journal's own signals: a domain no approved comment here linked to,
    and the same text from another account."""
    extra = []
    if any(own.get(domain, (0, 0))[1] == 0 for domain in spam.link_domains(tokens)):
        extra.append(spam.UNSEEN_DOMAIN)
    if near_duplicate:
        extra.append(spam.NEAR_DUPLICATE)
    return tokens + extra


def assess(
    journal_id: int, text: str, *, near_duplicate: bool = False
) -> spam.SpamScore:
    """How likely ``text`` is spam in this journal: one query."""
    tokens = spam.features(text)
    rows = _counts(journal_id, [*tokens, spam.UNSEEN_DOMAIN, spam.NEAR_DUPLICATE])
    return score(tokens, rows, near_duplicate=near_duplicate)


def fingerprint(text: str, *, user_id, ip_address, at) -> Companion | None:
    """A new comment's bands, for the near-duplicate signal (of the text as
    written, as ``near_duplicate`` reads a draft): rows stored with the
    comment, in its own insert (``journal.plugins.Companion``). None for a
    text too short to tell apart."""
    bands = sorted(set(spam.shingle_bands(text)))
    if not bands:
        return None
    key = author_key(user_id=user_id, ip_address=ip_address)
    return Companion(
        CommentFingerprint,
        "comment",
        tuple({"band": band, "author_key": key, "created_at": at} for band in bands),
    )


def comment_text(comment: Comment) -> str:
    """What the model reads of a stored comment: subject, name and words, as
    the rules read a draft."""
    return "\n".join(
        (comment.subject, comment.author_label, summarize(comment.body_html).text)
    )


# Training --------------------------------------------------------------------------


def label_of(entry: AuditEntry) -> str | None:
    if entry.action == "comment.approve":
        return SpamLabel.HAM
    if entry.action == "comment.spam" or (
        entry.action == "comment.reject" and entry.reason == ReportReason.SPAM
    ):
        return SpamLabel.SPAM
    return None


def _apply(deltas: dict) -> None:
    """Add the (scope, token) -> (spam, ham) deltas to the counts, atomically
    per row: an upsert that adds, so simultaneous trainings never lose a count.
    Take-backs are plain updates: their rows exist, and a negative insert would
    break the counts' check before the conflict is seen."""
    table = connection.ops.quote_name(SpamTokenCount._meta.db_table)
    # Only the table's own name is formatted in; every value is a parameter.
    add = (
        f"INSERT INTO {table} (scope, token, spam, ham) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (scope, token) DO UPDATE SET "
        f"spam = {table}.spam + excluded.spam, ham = {table}.ham + excluded.ham"
    )
    take_back = (
        f"UPDATE {table} SET spam = spam + %s, ham = ham + %s "  # noqa: S608
        f"WHERE scope = %s AND token = %s"
    )
    adding, taking = [], []
    for (scope, token), (spam_delta, ham_delta) in sorted(deltas.items()):
        if spam_delta < 0 or ham_delta < 0:
            taking.append((spam_delta, ham_delta, scope, token))
        elif spam_delta or ham_delta:
            adding.append((scope, token, spam_delta, ham_delta))
    with connection.cursor() as cursor:
        if taking:
            cursor.executemany(take_back, taking)
        if adding:
            cursor.executemany(add, adding)


def _add(deltas: dict, journal_id: int, label: str, tokens, sign: int) -> None:
    step = (sign, 0) if label == SpamLabel.SPAM else (0, sign)
    for token in (spam.DOCS, *tokens):
        for scope in (SITE, journal_id):
            spam_count, ham_count = deltas.get((scope, token), (0, 0))
            deltas[(scope, token)] = (spam_count + step[0], ham_count + step[1])


def _near_duplicates(comment_ids) -> set[int]:
    """Which of these comments shared a band with another account's comment in
    the day before they were posted."""
    earlier = CommentFingerprint.objects.filter(
        band=OuterRef("band"),
        created_at__lte=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - NEAR_DUPLICATE_WINDOW,
    ).exclude(author_key=OuterRef("author_key"))
    return set(
        CommentFingerprint.objects.filter(comment_id__in=comment_ids)
        .filter(Exists(earlier))
        .values_list("comment_id", flat=True)
    )


@transaction.atomic
def learn(entry_ids: Iterable[int]) -> int:
    """Train on these decisions (audit entries): approve teaches "not spam";
    spam, or a rejection as spam, teaches "spam". A comment counts once, with
    its latest label. Returns how many comments were trained."""
    entries = [
        entry
        for entry in AuditEntry.objects.filter(pk__in=list(entry_ids)).order_by("pk")
        if label_of(entry)
    ]
    if not entries:
        return 0
    by_comment = {entry.comment_id: entry for entry in entries}
    comments = Comment.objects.filter(pk__in=list(by_comment)).only(
        "id", "journal_id", "subject", "body_html", "author_name", "author_id"
    )
    comments = {c.pk: c for c in comments.select_related("author")}
    deltas: dict = {}
    # Earlier trainings of these comments are taken back first.
    replaced = {
        training.comment_id: training
        for training in SpamTraining.objects.select_for_update().filter(
            comment_id__in=list(by_comment), withdrawn_at__isnull=True
        )
    }
    now = timezone.now()
    for training in replaced.values():
        _add(deltas, training.journal_id, training.label, training.tokens, -1)
    SpamTraining.objects.filter(pk__in=[t.pk for t in replaced.values()]).update(
        withdrawn_at=now
    )
    duplicates = _near_duplicates(list(by_comment))
    journal_ids = {comment.journal_id for comment in comments.values()}
    own_ham = _approved_domains(journal_ids)
    trainings = []
    for comment_id, entry in by_comment.items():
        comment = comments.get(comment_id)
        if comment is None:
            continue
        tokens = spam.features(comment_text(comment))
        own = {
            domain: (0, 1)
            for domain in spam.link_domains(tokens)
            if (comment.journal_id, domain) in own_ham
        }
        tokens = _with_context(tokens, own, comment_id in duplicates)
        label = label_of(entry)
        _add(deltas, comment.journal_id, label, tokens, +1)
        trainings.append(
            SpamTraining(
                comment_id=comment_id,
                journal_id=comment.journal_id,
                label=label,
                tokens=tokens,
                decision=entry,
                created_at=now,
            )
        )
    _apply(deltas)
    SpamTraining.objects.bulk_create(trainings)
    return len(trainings)


def _approved_domains(journal_ids) -> set[tuple[int, str]]:
    rows = SpamTokenCount.objects.filter(
        scope__in=journal_ids,
        token__startswith="domain:",  # noqa: S106 (a token, not a password)
        ham__gt=0,
    ).values_list("scope", "token")
    return set(rows)


@transaction.atomic
def forget(decision_id: int) -> int:
    """Take back what a decision taught (its undo). Returns how many comments."""
    trainings = list(
        SpamTraining.objects.select_for_update().filter(
            decision_id=decision_id, withdrawn_at__isnull=True
        )
    )
    deltas: dict = {}
    for training in trainings:
        _add(deltas, training.journal_id, training.label, training.tokens, -1)
    _apply(deltas)
    SpamTraining.objects.filter(pk__in=[t.pk for t in trainings]).update(
        withdrawn_at=timezone.now()
    )
    return len(trainings)


# After a decision --------------------------------------------------------------
# Training is a task, enqueued with the decision (accounts.tasks): a worker does
# it, so the decision never waits for it, and one that fails is tried again
# with backoff, then logged; it never turns the moderator's answer into an error.


@task()
@retried
def learn_decided(entry_ids: list[int]) -> int:
    """Train on these decisions, those not taught yet (the task may run twice)."""
    fresh = _untaught(entry_ids)
    return learn(fresh) if fresh else 0


def _untaught(entry_ids) -> list[int]:
    """The decisions still to teach: not taught already (a run before this one),
    not undone (the undo's ``forget`` may have run first), and not overtaken by
    a later decision on the same comment that was taught already. One query."""
    taught = SpamTraining.objects.filter(decision_id=OuterRef("pk"))
    overtaken = SpamTraining.objects.filter(
        comment_id=OuterRef("comment_id"),
        decision_id__gt=OuterRef("pk"),
        withdrawn_at__isnull=True,
    )
    return list(
        AuditEntry.objects.filter(pk__in=list(entry_ids), undone_by__isnull=True)
        .exclude(Exists(taught))
        .exclude(Exists(overtaken))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@task()
@retried
def forget_decided(decision_id: int) -> int:
    """Take back what an undone decision taught (nothing, run again)."""
    return forget(decision_id)


def learn_after_commit(entries: Iterable[AuditEntry]) -> None:
    ids = [entry.pk for entry in entries if label_of(entry)]
    if ids:
        enqueue_at_commit(learn_decided, ids)


def forget_after_commit(decision_id: int) -> None:
    enqueue_at_commit(forget_decided, decision_id)
