"""Writes of the moderation app: decisions, reports, thread actions, undo and
rule-set versions. The queue, the admin and the API all call these; each one
runs in a transaction and writes its audit entries through ``moderation.audit``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal import paths
from journal.models import Comment, CommentState, Journal
from journal.params import whole_number
from journal.querysets import moderated_by

from . import audit, claims, followed_lists, learning, reporters, rules, strikes, tasks
from .models import (
    RULE_SETTING_FIELDS,
    AuditEntry,
    AuthorRestriction,
    HeatScreening,
    Report,
    ReportReason,
    RuleSetVersion,
    ScheduledMode,
    WordRule,
)

UNDO_WINDOW = timedelta(hours=24)


class NotFound(Exception):
    """Missing, or in a journal the user does not moderate: the same to them."""


class NotAllowed(Exception):
    def __init__(self, message: str, code: str = "not_allowed"):
        self.message = message
        self.code = code
        super().__init__(message)


# Rule-set versions ---------------------------------------------------------------


def schedule_window(mode: ScheduledMode) -> rules.ScheduleWindow:
    """A scheduled mode as the rules read it."""
    return rules.ScheduleWindow(
        name=mode.name,
        mode=mode.mode,
        days=mode.days,
        starts_at=mode.starts_at,
        ends_at=mode.ends_at,
        ends_after_days=mode.ends_after_days,
        rate_per_minute=mode.rate_per_minute,
    )


def schedule_data(modes) -> list[dict]:
    """Scheduled modes as a rule-set version records them: plain JSON, in a
    fixed order, without their ids (like the word lists)."""
    windows = [schedule_window(mode).as_data() for mode in modes]
    return sorted(
        windows,
        key=lambda w: (w["days"], w["starts_at"], w["ends_at"], w["name"], w["mode"]),
    )


def rule_set_snapshot(
    journal: Journal, word_rules=None, schedule=None, followed=None
) -> dict:
    """The journal's comment rules as plain JSON data, word lists, scheduled
    modes and the shared lists it follows (``followed``: their versions, see
    ``moderation.followed_lists``) included."""
    if word_rules is None:
        word_rules = journal.word_rules.active()
    if schedule is None:
        schedule = ScheduledMode.objects.active().filter(journal=journal)
    if followed is None:
        followed = followed_lists.followed_by(journal)
    snapshot = {name: getattr(journal, name) for name in RULE_SETTING_FIELDS}
    snapshot["words"] = sorted(
        [word.phrase, word.kind, word.substring] for word in word_rules
    )
    snapshot["schedule"] = schedule_data(schedule)
    snapshot |= followed_lists.snapshot_part(snapshot["words"], followed)
    return snapshot


# Worked out from the rest of a snapshot (the lists followed and the journal's
# own words): its ``changes`` leave them out, since each may hold thousands of
# entries, and the shared lists' own versions say what changed in them.
DERIVED_KEYS = ("shared_words", "shared_bans")


def _changes(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def latest_rule_set(journal: Journal) -> RuleSetVersion | None:
    return journal.rule_set_versions.order_by("-number").first()


def record_rule_set(journal: Journal, *, by=None) -> RuleSetVersion:
    """Return the journal's rule-set version, adding one if its rules changed.

    Every door that changes a journal's rules calls this afterwards, in the same
    transaction. The rules are read again from the database under the journal
    row's lock, never taken from the caller's object: a caller holding an older
    copy can neither take a version number twice nor write a version that
    reverts the owner's change. Adding a version audits the change.
    """
    with transaction.atomic():
        current = Journal.objects.select_for_update().get(pk=journal.pk)
        snapshot = rule_set_snapshot(
            current,
            list(current.word_rules.active()),
            list(ScheduledMode.objects.active().filter(journal=current)),
        )
        latest = latest_rule_set(current)
        if latest is not None and latest.snapshot == snapshot:
            return latest
        author = by if by is not None and by.is_authenticated else None
        changes = _changes(latest.snapshot if latest else {}, snapshot)
        for key in DERIVED_KEYS:
            changes.pop(key, None)
        version = RuleSetVersion.objects.create(
            journal=current,
            number=(latest.number + 1) if latest else 1,
            snapshot=snapshot,
            changes=changes,
            created_by=author,
            created_by_name=author.get_username() if author else "",
        )
        audit.record(
            journal=current,
            actor=author,
            action="settings.change",
            target=f"rule set v{version.number}",
            data={"changes": changes},
            rule_set_version=version,
        )
        return version


def rule_set_in_force(
    journal: Journal, *, word_rules, schedule=None, followed=None
) -> tuple[RuleSetVersion, bool]:
    """The version a comment is judged under, and whether it holds exactly the
    rules the caller loaded (``journal``, its ``word_rules``, ``schedule`` and
    the shared lists it follows, ``followed``).

    One read when they match, as they nearly always do. When they do not, the
    rules changed since the caller read them (or were changed without going
    through a door that records them): the version is taken from the database
    under the lock, and the caller judges by that version's own snapshot.
    """
    latest = latest_rule_set(journal)
    loaded = rule_set_snapshot(journal, word_rules, schedule, followed)
    if latest is not None and latest.snapshot == loaded:
        return latest, True
    version = record_rule_set(journal)
    return version, version.snapshot == loaded


@transaction.atomic
def update_rule_settings(
    *, journal: Journal, by, changes: dict, words: list[dict] | None = None
) -> RuleSetVersion:
    """Change a journal's comment rules (and, if given, replace its word lists).

    The caller validated the values; this saves them and records the new
    rule-set version, which also writes the audit entry.
    """
    Journal.objects.select_for_update().filter(pk=journal.pk).first()
    for name, value in changes.items():
        if name not in RULE_SETTING_FIELDS:
            raise NotAllowed(_("%(name)s is not a comment setting.") % {"name": name})
        setattr(journal, name, value)
    journal.full_clean(exclude=["name", "title", "owner", "description"])
    journal.save(update_fields=list(changes) or None)
    if words is not None:
        _replace_words(journal, words)
    return record_rule_set(journal, by=by)


def _replace_words(journal: Journal, words: list[dict]) -> None:
    """Make the journal's active word list ``words``, touching only what changed:
    an entry gone or changed is retired (its row stays), a new or changed one
    is added."""
    wanted = {
        word["phrase"].strip(): (word["kind"], bool(word.get("substring", False)))
        for word in words
    }
    current = {word.phrase: word for word in journal.word_rules.active()}
    retire = [
        word.pk
        for phrase, word in current.items()
        if wanted.get(phrase) != (word.kind, word.substring)
    ]
    WordRule.objects.filter(pk__in=retire).update(retired_at=timezone.now())
    WordRule.objects.bulk_create(
        WordRule(journal=journal, phrase=phrase, kind=kind, substring=substring)
        for phrase, (kind, substring) in wanted.items()
        if phrase not in current or current[phrase].pk in retire
    )


def retire_word(*, word, by) -> None:
    """Take an entry off the journal's list; the row stays for the history."""
    type(word).objects.filter(pk=word.pk, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )


# Bans and screened authors ----------------------------------------------------------


@transaction.atomic
def restrict_author(
    *, journal: Journal, user, kind: str, by, until=None, reason: str = ""
) -> AuthorRestriction:
    """Ban or always screen ``user`` in ``journal`` (again), maybe until a date.

    One row per person and kind: restricting again renews it. Audited. The
    journal's owner and moderators cannot be restricted in it.
    """
    if journal.is_moderated_by(user):
        raise NotAllowed(
            _(
                "The journal's owner and moderators cannot be banned or screened in "
                "it; take away the moderator's role first."
            ),
            "restriction.moderator",
        )
    running = (
        AuthorRestriction.objects.select_for_update()
        .filter(journal=journal, user=user, kind=kind)
        .first()
    )
    restriction, _created = AuthorRestriction.objects.update_or_create(
        journal=journal,
        user=user,
        kind=kind,
        defaults={"until": until, "reason": reason.strip()[:200], "created_by": by},
    )
    record_restriction(
        restriction=restriction, by=by, because={"until_before": _end_of(running)}
    )
    return restriction


@transaction.atomic
def lift_restriction(*, restriction: AuthorRestriction, by) -> AuthorRestriction:
    """End a ban or screening now. The row stays; the lifting is audited."""
    restriction = AuthorRestriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.is_active:
        raise NotAllowed(_("This has already ended."), "restriction.ended")
    restriction.until = timezone.now()
    restriction.save(update_fields=["until"])
    record_restriction(restriction=restriction, by=by, lifted=True)
    return restriction


# Decisions -------------------------------------------------------------------------


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"


# decision -> (state it leads to, states it may start from)
DECISIONS = {
    Decision.APPROVE: (CommentState.PUBLISHED, {CommentState.HELD}),
    Decision.REJECT: (
        CommentState.REJECTED,
        {CommentState.HELD, CommentState.PUBLISHED},
    ),
    Decision.SPAM: (CommentState.SPAM, {CommentState.HELD, CommentState.PUBLISHED}),
}
PAST_TENSE = {
    "comment.approve": gettext_lazy("approved"),
    "comment.reject": gettext_lazy("rejected"),
    "comment.spam": gettext_lazy("marked as spam"),
    "comment.screen": gettext_lazy("screened"),
    "comment.unscreen": gettext_lazy("unscreened"),
    "thread.delete": gettext_lazy("removed with its thread"),
    "undo": gettext_lazy("changed by an undo"),
}


@dataclass(frozen=True)
class Seen:
    """What the moderator saw: the comment, its state and its revision."""

    comment_id: int
    state: str
    revision: int

    @classmethod
    def parse(cls, token: str) -> Seen:
        """Read "id:state:revision" as the queue's forms carry it; ValueError
        for anything else (the form was damaged)."""
        comment_id, state, revision = token.split(":")
        seen = cls(whole_number(comment_id), state, whole_number(revision, most=2**31))
        if seen.comment_id is None or seen.revision is None:
            raise ValueError(f"not a comment token: {token!r}")
        return seen

    @property
    def token(self) -> str:
        return f"{self.comment_id}:{self.state}:{self.revision}"


@dataclass(frozen=True)
class Outcome:
    comment_id: int
    status: str  # "done", "already_decided", "edited"
    message: str
    # The audit entry a done decision wrote: what an Undo button undoes.
    entry_id: int | None = None

    @property
    def done(self) -> bool:
        return self.status == "done"


def moderated_comments(user):
    return Comment.objects.filter(moderated_by(user, journal_field="journal"))


# What a decision reads of each comment: a bulk decision locks thousands.
DECISION_FIELDS = (
    "id",
    "post_id",
    "journal_id",
    "parent_id",
    "author_id",
    "state",
    "revision",
    "approved_revision",
    "moderator_screened",
    "rule_set_version_id",
)


def _approval_fields() -> dict:
    """What approving (or unscreening) sets: the revision it covers, and the end
    of any screening by hand."""
    return {"approved_revision": F("revision"), "moderator_screened": False}


def _approval_memory(comment: Comment) -> dict:
    """What an approval replaces, kept in its audit entry so undo restores it."""
    return {
        "revision": comment.revision,
        "approved_before": comment.approved_revision,
        "screened_before": comment.moderator_screened,
    }


def _locked(user, ids, *, only=None) -> dict[int, Comment]:
    """Lock the comments ``user`` moderates; any other id means NotFound."""
    comments = (
        moderated_comments(user).select_for_update(of=("self",)).filter(pk__in=set(ids))
    )
    comments = (
        comments.only(*only) if only else comments.select_related("journal", "author")
    )
    rows = {comment.pk: comment for comment in comments}
    if len(rows) != len(set(ids)):
        raise NotFound
    return rows


def _conflict_message(comment: Comment, seen: Seen, last: AuditEntry | None) -> tuple:
    if comment.state == seen.state and comment.revision != seen.revision:
        return "edited", _("The comment was edited since you loaded it; look again.")
    if last is not None:
        return "already_decided", _("Already %(what)s by %(who)s %(when)s ago.") % {
            "what": PAST_TENSE.get(last.action, _("changed")),
            "who": last.actor_name or _("the system"),
            "when": timesince(last.created_at),
        }
    return "already_decided", _(
        "The comment changed since you loaded it: now %(state)s."
    ) % {"state": comment.get_state_display().lower()}


def _last_entries(comment_ids) -> dict[int, AuditEntry]:
    latest: dict[int, AuditEntry] = {}
    for entry in AuditEntry.objects.filter(comment_id__in=comment_ids).order_by("-id"):
        latest.setdefault(entry.comment_id, entry)
    return latest


def _set_state(comments: Sequence[Comment], to_state: str, **fields) -> None:
    """One UPDATE per starting state, each guarded by that state."""
    by_state: dict[str, list[int]] = defaultdict(list)
    for comment in comments:
        by_state[comment.state].append(comment.pk)
    for from_state, ids in by_state.items():
        updated = Comment.objects.filter(pk__in=ids, state=from_state).update(
            state=to_state, **fields
        )
        # The rows are locked, so this should never happen; if it does, the
        # whole action rolls back instead of writing half of it.
        if updated != len(ids):
            raise NotAllowed(
                _(
                    "A comment changed while this was being done; nothing was "
                    "changed. Reload and try again."
                ),
                "comment.changed",
            )


@transaction.atomic
def decide(
    *,
    moderator,
    items: Sequence[Seen],
    decision: str,
    reason: str = "",
    note: str = "",
    ban: bool = False,
    ban_until=None,
) -> list[Outcome]:
    """Approve, reject or mark as spam: every comment still as the moderator saw it.

    Locks the comments. A comment listed more than once is decided once, by its
    first item, with one outcome. A comment whose state or revision changed
    since the moderator loaded it is left alone and its outcome says who changed it and
    when, so two moderators racing on one comment never both decide. Raises
    NotFound if any comment is outside the journals ``moderator`` moderates.
    A batch costs a fixed handful of queries, whatever its size.
    """
    if decision not in DECISIONS:
        raise NotAllowed(_("Unknown decision."), "decision.unknown")
    if decision == Decision.REJECT and reason not in ReportReason.values:
        raise NotAllowed(_("Pick a reason for rejecting."), "decision.reason_required")
    # Only a rejection gives a reason and a note to its author; an approval or
    # a spam decision recorded with one (typed in a panel left open, a form's
    # default) would read as a rejection's. A spam ban keeps its note.
    ban_note = note
    if decision != Decision.REJECT:
        reason = note = ""
    banning = decision == Decision.SPAM and ban
    if banning and ban_until is not None and ban_until <= timezone.now():
        raise NotAllowed(_("A ban's end must be in the future."), "ban.until")
    to_state, from_states = DECISIONS[decision]
    # A comment listed twice is decided once, by its first item.
    first: dict[int, Seen] = {}
    for seen in items:
        first.setdefault(seen.comment_id, seen)
    items = list(first.values())
    rows = _locked(moderator, [seen.comment_id for seen in items], only=DECISION_FIELDS)

    applicable, conflicts = [], []
    for seen in items:
        comment = rows[seen.comment_id]
        if (
            comment.state != seen.state
            or comment.revision != seen.revision
            or comment.state not in from_states
        ):
            conflicts.append((seen, comment))
        else:
            applicable.append(comment)
    last = _last_entries([comment.pk for _, comment in conflicts]) if conflicts else {}

    approving = decision == Decision.APPROVE
    _set_state(
        applicable,
        to_state,
        moderator_reason=reason,
        moderator_note=note,
        **(_approval_fields() if approving else {}),
    )
    entries = audit.record_many(
        audit.entry(
            journal=comment.journal_id,
            actor=moderator,
            action=f"comment.{decision}",
            comment=comment,
            from_state=comment.state,
            to_state=to_state,
            reason=reason,
            note=note,
            data=_approval_memory(comment) if approving else None,
            rule_set_version=comment.rule_set_version_id,
        )
        for comment in applicable
    )
    if banning:
        _ban_authors(moderator, applicable, entries, until=ban_until, note=ban_note)
    strikes.climb(entries)
    _notify_decided(applicable, decision, reason, note)
    learning.learn_after_commit(entries)

    claims.clear((comment.journal_id, comment.pk) for comment in applicable)
    outcomes = {
        entry.comment_id: Outcome(entry.comment_id, "done", _("Done."), entry.pk)
        for entry in entries
    }
    for seen, comment in conflicts:
        status, message = _conflict_message(comment, seen, last.get(comment.pk))
        outcomes[seen.comment_id] = Outcome(seen.comment_id, status, message)
    return [outcomes[seen.comment_id] for seen in items]


def _notify_decided(comments, decision: str, reason: str, note: str) -> None:
    """Mail the authors from tasks enqueued with the decision: one per batch of
    comments, not one each; the decision never waits for the mail server."""
    if decision == Decision.APPROVE:
        ids = [comment.pk for comment in comments if comment.state == CommentState.HELD]
        if ids:
            tasks.mail_approved(ids)
    elif decision == Decision.REJECT and comments:
        ids = [comment.pk for comment in comments]
        label = str(ReportReason(reason).label)
        tasks.mail_rejected(ids, label, note)


# The code of a ban that came with a spam decision, for its undo.
DECISION_BAN = "decision.ban"


def _ban_authors(moderator, comments, entries, *, until, note: str) -> None:
    """Ban the authors of comments just marked as spam, each entry's ban tied to
    the decision (``because``) so that undoing the decision lifts it. A ban
    that already runs longer is left as it is: a spam decision never shortens
    or lifts a ban."""
    decided_by = {entry.comment_id: entry.pk for entry in entries}
    pairs: dict[tuple[int, int], int] = {}
    for comment in comments:
        if comment.author_id:
            key = (comment.journal_id, comment.author_id)
            pairs.setdefault(key, decided_by[comment.pk])
    journals = Journal.objects.in_bulk({journal_id for journal_id, _ in pairs})
    authors = get_user_model().objects.in_bulk({author_id for _, author_id in pairs})
    for (journal_id, author_id), decision_id in pairs.items():
        author = authors[author_id]
        # The journal's own owner and moderators are never banned in it.
        if journals[journal_id].is_moderated_by(author):
            continue
        ban = AuthorRestriction.Kind.BAN
        running = (
            AuthorRestriction.objects.select_for_update()
            .filter(journal_id=journal_id, user_id=author_id, kind=ban)
            .first()
        )
        longer = (
            running is not None
            and running.is_active
            and (
                running.until is None or (until is not None and running.until >= until)
            )
        )
        if longer:
            continue
        restriction, _created = AuthorRestriction.objects.update_or_create(
            journal_id=journal_id,
            user_id=author_id,
            kind=ban,
            defaults={
                "until": until,
                "reason": (note or _("Spam"))[:200],
                "created_by": moderator,
            },
        )
        restriction.user = author
        record_restriction(
            restriction=restriction,
            by=moderator,
            note=note,
            because={
                "code": DECISION_BAN,
                "because": decision_id,
                # What an undo puts back: the shorter ban that ran before.
                "until_before": _end_of(running),
            },
        )


def record_restriction(
    *,
    restriction: AuthorRestriction,
    by,
    note: str = "",
    lifted: bool = False,
    because: dict | None = None,
) -> AuditEntry:
    """Log a ban or screening set (from the queue or the admin) or lifted;
    ``because`` says which decision brought it, for that decision's undo."""
    until = restriction.until
    data = {"user": restriction.user_id, **(because or {})}
    if not lifted:
        data.update(
            restriction=restriction.pk, until=until.isoformat() if until else None
        )
    return audit.record(
        journal=restriction.journal_id,
        actor=by,
        action=f"author.{restriction.kind}" + ("_lifted" if lifted else ""),
        target=audit.person(restriction.user),
        note=note or ("" if lifted else restriction.reason),
        data=data,
    )


# Reports --------------------------------------------------------------------------


@transaction.atomic
def report_comment(
    *, comment: Comment, reporter, reason: str, note: str = ""
) -> Report:
    """A reader flags a published comment, once."""
    if not reporter.is_authenticated:
        raise NotAllowed(_("Log in to report a comment."), "report.login")
    if comment.state != CommentState.PUBLISHED:
        raise NotFound
    if comment.author_id == reporter.pk:
        raise NotAllowed(_("You cannot report your own comment."), "report.own")
    if reason not in ReportReason.values:
        raise NotAllowed(_("Pick a reason."), "report.reason")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                journal_id=comment.journal_id,
                reporter=reporter,
                reason=reason,
                note=note.strip()[:500],
                weight=reporters.weight(comment.journal_id, reporter.pk),
            )
    except IntegrityError as error:
        raise NotAllowed(
            _("You already reported this comment; a moderator will look at it."),
            "report.duplicate",
        ) from error
    _screen_if_weighty(comment)
    return report


def _screen_if_weighty(comment: Comment) -> AuditEntry | None:
    """Screen a comment whose open reports weigh the journal's threshold, until
    a moderator looks: done by the system, audited with ``reports.weighted``."""
    threshold = Journal.objects.values_list("report_screen_weight", flat=True).get(
        pk=comment.journal_id
    )
    if not threshold:
        return None
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    total = (
        Report.objects.filter(comment=comment, dismissed_at__isnull=True).aggregate(
            total=Sum("weight")
        )["total"]
        or 0
    )
    if total < threshold or comment.state != CommentState.PUBLISHED:
        return None
    memory = _approval_memory(comment)
    message = _("Readers' reports weigh %(total)s: it waits for a moderator") % {
        "total": f"{total:g}"
    }
    _screen(comment, code="reports.weighted", message=message)
    return audit.record(
        journal=comment.journal_id,
        actor=None,
        action="comment.screen",
        comment=comment,
        from_state=CommentState.PUBLISHED,
        to_state=CommentState.HELD,
        note=message,
        data={**memory, "code": "reports.weighted", "weight": total},
    )


@transaction.atomic
def dismiss_reports(*, moderator, comment_ids: Sequence[int], note: str = "") -> int:
    """Close the open reports on these comments; the reports themselves stay."""
    rows = _locked(moderator, comment_ids)
    now = timezone.now()
    open_reports = Report.objects.filter(
        comment_id__in=list(rows), dismissed_at__isnull=True
    )
    reported = set(open_reports.values_list("comment_id", flat=True))
    closed = open_reports.update(dismissed_at=now, dismissed_by=moderator)
    # Only what was closed is logged: dismissing nothing changes nothing.
    audit.record_many(
        audit.entry(
            journal=comment.journal,
            actor=moderator,
            action="report.dismiss",
            comment=comment,
            from_state=comment.state,
            to_state=comment.state,
            note=note,
        )
        for comment in rows.values()
        if comment.pk in reported
    )
    return closed


# Claims ("Dan is looking at this") -------------------------------------------------


def _claimable(moderator, comment_id: int) -> int:
    """The journal of a comment ``moderator`` may claim: one query."""
    row = (
        moderated_comments(moderator)
        .filter(pk=comment_id)
        .values_list("journal_id", "journal__queue_claims")
        .first()
    )
    if row is None:
        raise NotFound(comment_id)
    journal_id, claims_on = row
    if not claims_on:
        raise NotAllowed(
            _("This journal does not show who is looking at a queue item."),
            "claims.off",
        )
    return journal_id


def claim_item(*, moderator, comment_id: int) -> claims.Claim:
    """Tell the journal's other moderators that ``moderator`` is looking at
    this comment, for a few minutes. Informs only: it never blocks a decision."""
    journal_id = _claimable(moderator, comment_id)
    return claims.lease(
        moderator=moderator, journal_id=journal_id, comment_id=comment_id
    )


def release_item(*, moderator, comment_id: int) -> None:
    """Withdraw ``moderator``'s own claim on a comment."""
    journal_id = _claimable(moderator, comment_id)
    claims.release(moderator=moderator, journal_id=journal_id, comment_id=comment_id)


# Posts moving between journals -----------------------------------------------------


def post_moved(*, post, from_journal_id: int, comment_count: int, by) -> None:
    """A post moved to another journal (its comments moved with it): move their
    open reports and their sub-threads' heat screenings too, so that the
    journal it is shown in moderates them, and log the move in both journals."""
    Report.objects.filter(comment__post=post).update(journal_id=post.journal_id)
    HeatScreening.objects.filter(thread__post=post).update(journal_id=post.journal_id)
    data = {
        "post": post.pk,
        "from": from_journal_id,
        "to": post.journal_id,
        "comments": comment_count,
    }
    for journal_id in (from_journal_id, post.journal_id):
        audit.record(
            journal=journal_id,
            actor=by,
            action="post.move",
            target=f"post {post.pk}",
            data=data,
        )


# Thread actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadScope:
    comment: Comment
    comments: int
    authors: int
    removable: int


def _subtree(comment: Comment):
    lower, upper = paths.subtree_bounds(comment.path)
    return Comment.objects.filter(
        post_id=comment.post_id, path__gte=lower, path__lt=upper
    )


def thread_scope(*, moderator, comment_id: int) -> ThreadScope:
    """How many comments and authors a sub-thread action would touch."""
    comment = moderated_comments(moderator).filter(pk=comment_id).first()
    if comment is None:
        raise NotFound
    rows = list(_subtree(comment).values_list("author_id", "author_name", "state"))
    authors = {author_id or f"anonymous:{name}" for author_id, name, _ in rows}
    removable = sum(
        state in (CommentState.PUBLISHED, CommentState.HELD) for *_, state in rows
    )
    return ThreadScope(comment, len(rows), len(authors), removable)


def _lock_one(moderator, comment_id: int) -> Comment:
    return _locked(moderator, [comment_id])[comment_id]


@transaction.atomic
def freeze_thread(*, moderator, comment_id: int, frozen: bool = True) -> AuditEntry:
    """Stop (or allow again) new replies anywhere below this comment."""
    comment = _lock_one(moderator, comment_id)
    if comment.frozen == frozen:
        raise NotAllowed(
            _("This thread is already frozen.")
            if frozen
            else _("This thread is not frozen."),
            "thread.unchanged",
        )
    scope = thread_scope(moderator=moderator, comment_id=comment_id)
    Comment.objects.filter(pk=comment.pk).update(frozen=frozen)
    return audit.record(
        journal=comment.journal,
        actor=moderator,
        action="thread.freeze" if frozen else "thread.unfreeze",
        comment=comment,
        data={"comments": scope.comments, "authors": scope.authors},
    )


@transaction.atomic
def delete_thread(*, moderator, comment_id: int, note: str = "") -> AuditEntry:
    """Move every published or held comment of the sub-thread to "removed".

    No row is deleted; the audit entry keeps each comment's earlier state so the
    action can be undone.
    """
    root = _lock_one(moderator, comment_id)
    members = list(
        _subtree(root)
        .select_for_update(of=("self",))
        .filter(state__in=[CommentState.PUBLISHED, CommentState.HELD])
    )
    if not members:
        raise NotAllowed(_("Nothing left to remove in this thread."), "thread.empty")
    _set_state(members, CommentState.REMOVED)
    authors = {c.author_id or f"anonymous:{c.author_name}" for c in members}
    return audit.record(
        journal=root.journal,
        actor=moderator,
        action="thread.delete",
        comment=root,
        from_state=root.state,
        to_state=CommentState.REMOVED,
        note=note,
        data={
            "states": {str(c.pk): c.state for c in members},
            "comments": len(members),
            "authors": len(authors),
        },
    )


def _screen(comment: Comment, *, code: str, message: str) -> None:
    """Hold a published (locked) comment until a moderator looks, with why; it
    stays held through every edit its author makes."""
    _set_state([comment], CommentState.HELD, moderator_screened=True)
    reasons = [*comment.reasons, {"code": code, "action": "hold", "message": message}]
    Comment.objects.filter(pk=comment.pk).update(
        reasons=reasons, rule_codes=Comment.codes_of(reasons)
    )


@transaction.atomic
def screen_comment(*, moderator, comment_id: int, screened: bool = True) -> AuditEntry:
    """Hide one published comment for a moderator's review, or publish it again.

    A screened comment stays held through every edit its author makes, until a
    moderator unscreens or approves it. Unscreening approves the current text.
    """
    comment = _lock_one(moderator, comment_id)
    from_state = CommentState.PUBLISHED if screened else CommentState.HELD
    to_state = CommentState.HELD if screened else CommentState.PUBLISHED
    # Unscreening lifts a moderator's screening; a comment held by the rules is
    # decided in the queue, against the revision the moderator saw.
    if comment.state != from_state or not (screened or comment.moderator_screened):
        raise NotAllowed(
            _("Only a published comment can be screened.")
            if screened
            else _("Only a screened comment can be unscreened."),
            "comment.wrong_state",
        )
    memory = _approval_memory(comment)
    if screened:
        _screen(
            comment,
            code=rules.MODERATOR_SCREENING,
            message=_("Screened by a moderator"),
        )
    else:
        _set_state([comment], to_state, **_approval_fields())
        tasks.mail_unscreened(comment.pk)
    return audit.record(
        journal=comment.journal,
        actor=moderator,
        action="comment.screen" if screened else "comment.unscreen",
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        data=memory,
    )


# Undo ---------------------------------------------------------------------------------

UNDOABLE = {
    "comment.approve", "comment.reject", "comment.spam", "comment.screen",
    "comment.unscreen", "thread.freeze", "thread.unfreeze", "thread.delete",
    "author.ban", "author.screen", "heat.lifted",
}  # fmt: skip


def can_undo(entry: AuditEntry, now=None) -> bool:
    now = now or timezone.now()
    return entry.action in UNDOABLE and now - entry.created_at <= UNDO_WINDOW


@transaction.atomic
def undo(*, moderator, entry_id: int, appeal=None) -> AuditEntry:
    """Restore what an audit entry changed, within 24 hours, once. Logged too.

    Granting an ``appeal`` of this very entry (``moderation.appeals``) undoes it
    whatever its age: its author had the journal's appeal days to ask."""
    entry = (
        AuditEntry.objects.in_journals_moderated_by(moderator)
        .select_for_update(of=("self",))
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound
    if entry.action not in UNDOABLE:
        raise NotAllowed(_("This kind of entry cannot be undone."), "undo.unsupported")
    appealed = appeal is not None and appeal.decision_id == entry.pk
    if timezone.now() - entry.created_at > UNDO_WINDOW and not appealed:
        raise NotAllowed(
            _("Decisions can be undone for 24 hours; this one is older."),
            "undo.too_late",
        )
    if AuditEntry.objects.filter(undoes=entry).exists():
        raise NotAllowed(_("This was already undone."), "undo.already")

    # A comment whose post moved to another journal is that journal's to decide.
    if entry.comment_id is not None and not (
        moderated_comments(moderator).filter(pk=entry.comment_id).exists()
    ):
        raise NotAllowed(
            _(
                "The comment's post moved to another journal; its moderators decide "
                "it now. Nothing was undone."
            ),
            "undo.moved",
        )
    if entry.action == "thread.delete":
        states = {int(pk): state for pk, state in entry.data.get("states", {}).items()}
        members = list(
            moderated_comments(moderator)
            .select_for_update(of=("self",))
            .filter(pk__in=list(states), state=CommentState.REMOVED)
        )
        for from_state in set(states.values()):
            Comment.objects.filter(
                pk__in=[c.pk for c in members if states[c.pk] == from_state]
            ).update(state=from_state)
    elif entry.action in ("thread.freeze", "thread.unfreeze"):
        Comment.objects.filter(pk=entry.comment_id).update(
            frozen=entry.action == "thread.unfreeze"
        )
    elif entry.action == "heat.lifted":
        # The sub-thread is screened again, while the screening would still run.
        restored = HeatScreening.objects.filter(
            pk=entry.data.get("screening"),
            lifted_at__isnull=False,
            until__gt=timezone.now(),
        ).update(lifted_at=None, lifted_by=None)
        if not restored:
            raise NotAllowed(
                _("The screening would have ended by now; nothing was undone."),
                "undo.changed",
            )
    elif entry.action in ("author.ban", "author.screen"):
        if not _take_back(entry):
            raise NotAllowed(
                _(
                    "The ban has already ended or was changed since; nothing was "
                    "undone."
                ),
                "undo.changed",
            )
    else:
        comment = Comment.objects.select_for_update().get(pk=entry.comment_id)
        if comment.state != entry.to_state:
            raise NotAllowed(
                _(
                    "The comment changed since (it is now %(state)s); nothing was "
                    "undone."
                )
                % {"state": comment.get_state_display().lower()},
                "undo.changed",
            )
        restore = {}
        if entry.action in ("comment.approve", "comment.unscreen", "comment.screen"):
            # What the decision replaced: the approval it covered, the screening.
            restore = {
                "approved_revision": entry.data.get(
                    "approved_before", comment.approved_revision
                ),
                "moderator_screened": entry.data.get(
                    "screened_before", comment.moderator_screened
                ),
            }
        Comment.objects.filter(pk=comment.pk, state=entry.to_state).update(
            state=entry.from_state, **restore
        )
    if entry.action in ("comment.approve", "comment.reject", "comment.spam"):
        learning.forget_after_commit(entry.pk)
        _undo_ladder_steps(moderator, entry)
        _undo_decision_bans(moderator, entry)
    try:
        with transaction.atomic():
            return audit.record(
                journal=entry.journal,
                actor=moderator,
                action="undo",
                comment=entry.comment,
                target=f"{entry.action} #{entry.pk}",
                from_state=entry.to_state,
                to_state=entry.from_state,
                undoes=entry,
                rule_set_version=entry.rule_set_version_id,
                data={"appeal": appeal.pk} if appealed else None,
            )
    except IntegrityError as error:  # a second moderator undid it a moment ago
        raise NotAllowed(_("This was already undone."), "undo.already") from error


def _end_of(restriction: AuthorRestriction | None) -> str | None:
    """How a restriction stood before a change, for its undo: "ended" (none
    ran), its end as ISO text, or None (it ran for good)."""
    if restriction is None or not restriction.is_active:
        return "ended"
    return restriction.until.isoformat() if restriction.until else None


def _take_back(entry: AuditEntry) -> bool:
    """Undo the ban or screening an entry set: put back what ran before it
    (or end it now), but only while it still stands as the entry set it.
    Renewed, shortened or lifted since, it is someone else's now: False."""
    restriction = (
        AuthorRestriction.objects.select_for_update()
        .filter(pk=entry.data.get("restriction"))
        .first()
    )
    if restriction is None or not restriction.is_active:
        return False
    set_until = entry.data.get("until")
    if set_until is None:
        unchanged = restriction.until is None
    else:
        unchanged = restriction.until == datetime.fromisoformat(set_until)
    if not unchanged:
        return False
    before = entry.data.get("until_before", "ended")
    if before == "ended":
        restriction.until = timezone.now()
    else:
        restriction.until = datetime.fromisoformat(before) if before else None
    restriction.save(update_fields=["until"])
    return True


def _undo_decision_bans(moderator, decision: AuditEntry) -> None:
    """A spam decision undone takes back the ban it brought: the ban ends, or
    goes back to the shorter one that ran before; a ban someone changed since
    is left as it is."""
    bans = AuditEntry.objects.filter(
        journal_id=decision.journal_id,
        action="author.ban",
        data__code=DECISION_BAN,
        data__because=decision.pk,
        undone_by__isnull=True,
    )
    for ban in bans:
        if not _take_back(ban):
            continue
        audit.record(
            journal=ban.journal_id,
            actor=moderator,
            action="undo",
            target=ban.target,
            note=_("The spam decision that brought it was undone."),
            undoes=ban,
        )


def _undo_ladder_steps(moderator, decision: AuditEntry) -> None:
    """A strike undone takes back the ladder step it tipped, if any, unless
    someone changed that restriction since (as for a spam decision's ban)."""
    for step in strikes.ladder_entries_because(decision):
        if not _take_back(step):
            continue
        audit.record(
            journal=step.journal_id,
            actor=moderator,
            action="undo",
            target=f"{step.action} #{step.pk}",
            note=_("The strike that led to it was undone."),
            undoes=step,
        )
