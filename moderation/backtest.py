"""Backtesting a proposed rule change: replay the journal's last comments under
it, each from the facts it was judged on, and count what would change.

A comment keeps the facts its verdict was computed from (``Comment.judged_facts``,
written by ``rules.facts_record``), so a replay judges it as it stood then: the
author's standing, the thread and the clock of that moment, not today's. Each
comment is judged twice by the pure pipeline, from the same facts: under the
rule-set version it was judged under ("before") and under the proposal
("after").

"Before" is that replay, not the reasons stored with the comment. The stored
reasons also carry what happened after the verdict (a moderator's screening,
readers' reports) and were written by the rules' code of that day; two replays
by today's code, from the same facts, differ only where the settings differ, so
every change counted is one the proposal makes. Comments judged before facts
were kept (and imported ones, never judged here) are skipped and counted.

``Tally`` is the pure part: verdicts in, counts and samples out. ``replay``
reads the comments in chunks of plain values, and ``run`` is the body of the
task that replays a long backtest (``moderation.tasks.run_backtest``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.utils import timezone, translation

from journal.models import Comment, CommentState, Journal
from journal.sanitize import plain_text

from . import rules
from .models import Backtest, RuleSetVersion
from .rules import Action, RuleSettings, Verdict
from .words import WordIndex

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1_000
MAX_LIMIT = 50_000
# Comments read per query; progress is told after each chunk.
CHUNK = 2_000
# What the rules read of a comment besides its facts.
TEXT_COLUMNS = ("subject", "body_html")
# Examples kept of each kind of change.
SAMPLES = 10
EXCERPT = 120

# The kinds of change, by verdict before and after. "from_refuse" only happens
# when the rules' code changed since: a stored comment was never refused.
PUBLISH_TO_HOLD = "publish_to_hold"
HOLD_TO_PUBLISH = "hold_to_publish"
TO_REFUSE = "to_refuse"
FROM_REFUSE = "from_refuse"
KINDS = (PUBLISH_TO_HOLD, HOLD_TO_PUBLISH, TO_REFUSE, FROM_REFUSE)

# What moderators decided: turned down, or approved as it reads now (the
# definition of moderation.trust.approved).
TURNED_DOWN = frozenset({CommentState.REJECTED, CommentState.SPAM})


def kind_of(before: Action, after: Action) -> str | None:
    """The kind of change from one verdict to the other, or None for none."""
    if before is after:
        return None
    if after is Action.REFUSE:
        return TO_REFUSE
    if before is Action.REFUSE:
        return FROM_REFUSE
    return PUBLISH_TO_HOLD if after is Action.HOLD else HOLD_TO_PUBLISH


def deciding_codes(before: Verdict, after: Verdict) -> list[str]:
    """The codes that make the difference: those of the stricter verdict's
    strictest reasons ("words.held" for a comment the proposal now holds, the
    holds that no longer fire for one it now publishes)."""
    stricter = after if after.action > before.action else before
    return sorted(
        {reason.code for reason in stricter.reasons if reason.action is stricter.action}
    )


@dataclass
class Tally:
    """Counts of a replay, fed one comment at a time."""

    limit: int = DEFAULT_LIMIT
    read: int = 0
    skipped: int = 0
    unchanged: int = 0
    changes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: dict[str, list[dict]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )
    # Moderators' decisions, and how many of those comments each set of rules
    # would stop (hold or refuse).
    rejected: int = 0
    rejected_held: int = 0
    rejected_held_before: int = 0
    approved: int = 0
    approved_held: int = 0
    approved_held_before: int = 0

    def skip(self) -> None:
        self.read += 1
        self.skipped += 1

    def add(
        self,
        *,
        comment_id: int,
        state: str,
        approved: bool,
        before: Verdict,
        after: Verdict,
        author: str = "",
    ) -> None:
        self.read += 1
        kind = kind_of(before.action, after.action)
        if kind is None:
            self.unchanged += 1
        else:
            self.changes[kind] += 1
            if len(self.samples[kind]) < SAMPLES:
                self.samples[kind].append(
                    {
                        "comment": comment_id,
                        "state": state,
                        "before": before.action.label,
                        "after": after.action.label,
                        "codes": deciding_codes(before, after),
                        "author": author,
                    }
                )
        stopped_after = after.action is not Action.PUBLISH
        stopped_before = before.action is not Action.PUBLISH
        if state in TURNED_DOWN:
            self.rejected += 1
            self.rejected_held += stopped_after
            self.rejected_held_before += stopped_before
        elif approved:
            self.approved += 1
            self.approved_held += stopped_after
            self.approved_held_before += stopped_before

    @property
    def replayed(self) -> int:
        return self.read - self.skipped

    def as_dict(self) -> dict:
        return {
            "limit": self.limit,
            "read": self.read,
            "replayed": self.replayed,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "changes": dict(self.changes),
            "samples": {kind: list(rows) for kind, rows in self.samples.items()},
            "agreement": {
                "rejected": self.rejected,
                "rejected_held": self.rejected_held,
                "rejected_held_before": self.rejected_held_before,
                "approved": self.approved,
                "approved_held": self.approved_held,
                "approved_held_before": self.approved_held_before,
            },
        }


def text_of(subject: str, name: str, body_html: str) -> str:
    """The text the rules read, rebuilt as the write path built it: the
    subject, the name shown beside the comment and its words
    (moderation.judging)."""
    return "\n".join((subject, name, plain_text(body_html)))


@dataclass(frozen=True)
class Pair:
    """The rules a comment was judged under and the proposal, as a replay
    applies them to one comment after another of that rule-set version."""

    then: RuleSettings
    proposed: RuleSettings
    # Every entry of both word lists, compiled once for the whole replay (a
    # proposal may hold thousands). When none is in a comment, the word rules
    # say nothing whatever the lists: both sides are judged without them, and
    # without the costly matching that would find nothing.
    entries: WordIndex = WordIndex(())
    then_bare: RuleSettings | None = None
    proposed_bare: RuleSettings | None = None

    @classmethod
    def of(cls, then: RuleSettings, proposed: RuleSettings) -> Pair:
        entries = WordIndex(
            dict.fromkeys(
                then.blocked_words
                + then.held_words
                + proposed.blocked_words
                + proposed.held_words
            )
        )
        bare = {"blocked_words": (), "held_words": ()}
        return cls(
            then=then,
            proposed=proposed,
            entries=entries,
            then_bare=replace(then, **bare),
            proposed_bare=replace(proposed, **bare),
        )

    def judge(
        self, record: dict, text: str | Callable[[], str]
    ) -> tuple[Verdict, Verdict]:
        """The verdicts on one comment's kept facts (``record``) under the
        rules then and under the proposal; ``text`` is the text the rules read,
        or a function that rebuilds it, called only if a word list needs it.
        Raises ValueError for a record this code cannot read."""
        then, proposed = self.then_bare, self.proposed_bare
        if self.entries:
            text = text() if callable(text) else text
            if self.entries.find(text):
                then, proposed = self.then, self.proposed
            else:
                text = ""
        else:
            text = ""
        try:
            facts = rules.facts_from_record(record, settings=then, text=text)
            before = rules.decide(facts)
            if proposed == then:
                return before, before
            return before, rules.decide(replace(facts, settings=proposed))
        except (TypeError, KeyError, AttributeError) as error:
            # A record damaged by hand: a value of the wrong type.
            raise ValueError(str(error)) from error


# Reading the comments ---------------------------------------------------------------


def comments_to_replay(journal: Journal, limit: int) -> int:
    """How many comments a replay of the last ``limit`` would read."""
    newest = Comment.objects.filter(journal=journal).order_by("-id")
    return newest.values("id")[:limit].count()


def _pairs(versions, proposed: RuleSettings) -> dict[int, Pair]:
    """Each of these rule-set versions beside the proposal, by id."""
    return {
        pk: Pair.of(RuleSettings.from_snapshot(snapshot), proposed)
        for pk, snapshot in versions.order_by().values_list("pk", "snapshot")
    }


def _chunks(journal: Journal, limit: int, columns: Iterable[str]):
    """The journal's last ``limit`` comments, newest first, as plain values, a
    chunk at a time: one query, its rows read as they are needed (a cursor on
    the server on PostgreSQL), so the database orders them once."""
    newest = Comment.objects.filter(journal=journal).order_by("-id")
    chunk = []
    for row in newest.values(*columns)[:limit].iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def replay(
    journal: Journal,
    snapshot: dict,
    *,
    limit: int = DEFAULT_LIMIT,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Replay the journal's last ``limit`` comments under ``snapshot`` (a
    rule-set snapshot, ``moderation.services.rule_set_snapshot``'s layout) and
    return what would change, as plain JSON data. Reads only."""
    started = time.perf_counter()
    proposed = RuleSettings.from_snapshot(snapshot)
    pairs = _pairs(RuleSetVersion.objects.filter(journal=journal), proposed)
    columns = ["id", "state", "revision", "approved_revision", "rule_set_version_id"]
    columns.append("judged_facts")
    # The text is read only when a word list will look at it: most journals
    # keep none, and rebuilding it is most of a replay's cost.
    if any(pair.entries for pair in pairs.values()):
        columns += TEXT_COLUMNS
    total = comments_to_replay(journal, limit) if on_progress else 0
    tally = Tally(limit=limit)
    for chunk in _chunks(journal, limit, columns):
        _complete(chunk, pairs, proposed)
        # A replay keeps the reasons' codes, never their words: no language
        # to translate them into is one cost less per reason.
        with translation.override(None):
            for row in chunk:
                _replay_one(tally, row, pairs)
        if on_progress is not None:
            on_progress(tally.read, max(total, tally.read))
    result = tally.as_dict()
    _describe_samples(result["samples"])
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _complete(chunk: list[dict], pairs: dict[int, Pair], proposed: RuleSettings):
    """Comments of a post moved here from another journal were judged under
    that journal's versions: read those too (one query, only then), and the
    text of the comments whose word lists might need it (one more)."""
    missing = {row["rule_set_version_id"] for row in chunk} - pairs.keys() - {None}
    if missing:
        pairs.update(_pairs(RuleSetVersion.objects.filter(pk__in=missing), proposed))
    wanted = [
        row["id"]
        for row in chunk
        if "body_html" not in row
        and (pair := pairs.get(row["rule_set_version_id"])) is not None
        and pair.entries
    ]
    if wanted:
        texts = Comment.objects.filter(pk__in=wanted).values("id", *TEXT_COLUMNS)
        found = {row["id"]: row for row in texts}
        for row in chunk:
            row.update(found.get(row["id"], {}))


def _replay_one(tally: Tally, row: dict, pairs: dict[int, Pair]) -> None:
    record = row["judged_facts"]
    pair = pairs.get(row["rule_set_version_id"])
    if not record or not isinstance(record, dict) or pair is None:
        tally.skip()
        return
    name = record.get("name", "")
    try:
        before, after = pair.judge(
            record, lambda: text_of(row["subject"], name, row["body_html"])
        )
    except ValueError:
        tally.skip()
        return
    tally.add(
        comment_id=row["id"],
        state=row["state"],
        approved=row["state"] == CommentState.PUBLISHED
        and row["approved_revision"] == row["revision"],
        before=before,
        after=after,
        author=name,
    )


def _describe_samples(samples: dict[str, list[dict]]) -> None:
    """Give each sample its post and the start of its text: one query."""
    ids = [sample["comment"] for rows in samples.values() for sample in rows]
    if not ids:
        return
    found = {
        row["id"]: row
        for row in Comment.objects.filter(pk__in=ids).values(
            "id", "post_id", "subject", "body_html"
        )
    }
    for rows in samples.values():
        for sample in rows:
            row = found.get(sample["comment"])
            if row is None:
                continue
            text = row["subject"] or plain_text(row["body_html"])
            text = " ".join(text.split())
            if len(text) > EXCERPT:
                text = text[: EXCERPT - 1].rstrip() + "…"
            sample["post"] = row["post_id"]
            sample["excerpt"] = text


# A long backtest, run by a task -----------------------------------------------------


def run(backtest_id: int) -> None:
    """Replay a queued backtest and record its result (the task's body).

    Only a queued backtest starts, by a conditional update: a task delivered
    twice finds it running or ended and does nothing. Its progress is written
    to its row after each chunk, outside any transaction, so the page polling
    it sees the count grow."""
    claimed = Backtest.objects.filter(
        pk=backtest_id, state=Backtest.State.QUEUED
    ).update(state=Backtest.State.RUNNING)
    if not claimed:
        return
    backtest = Backtest.objects.select_related("journal").get(pk=backtest_id)
    rows = Backtest.objects.filter(pk=backtest_id)

    def tell(done: int, total: int) -> None:
        rows.update(done=done, total=total)

    try:
        result = replay(
            backtest.journal, backtest.proposal, limit=backtest.limit, on_progress=tell
        )
    except Exception:
        # The owner sees that it failed and may try again.
        log.exception("Backtest %s failed", backtest_id)
        rows.update(
            state=Backtest.State.FAILED, error="internal", finished_at=timezone.now()
        )
        return
    rows.update(
        state=Backtest.State.DONE,
        result=result,
        done=result["read"],
        total=result["read"],
        finished_at=timezone.now(),
    )
