"""Appeals: an author asking a journal's moderators to look again at one
decision about them, and a moderator's answer.

What may be appealed is an audit entry: the rejection or spam decision on the
author's comment (``comment.reject``, ``comment.spam``), or the ban or
screening that stands against them in the journal (``author.ban``,
``author.screen``). Once per decision (``Appeal.decision`` is one-to-one),
within the journal's ``appeal_days``, in at most ``MAX_LENGTH`` characters.

A moderator other than the one who decided answers it, where the journal has
more than one, with a sentence the author reads. Granting undoes the decision
through the one undo path (``services.undo``, whatever the decision's age), and
a rejected comment that had been waiting is approved, so it is published
again. Both outcomes are audited (``appeal.grant``, ``appeal.deny``) and told
to the author on the page and by mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from journal.models import Comment, CommentState, Journal

from . import audit, strikes, tasks
from .models import Appeal, AuditEntry, AuthorRestriction, ReportReason
from .services import Decision, NotAllowed, NotFound, Seen, decide, undo

MAX_LENGTH = 2_000
COMMENT_DECISIONS = ("comment.reject", "comment.spam")
RESTRICTION_DECISIONS = ("author.ban", "author.screen")
# Refusals that are about the state of things (HTTP 409), not a rule (403).
CONFLICTS = {
    "appeal.duplicate",
    "appeal.undone",
    "appeal.decided",
    "undo.changed",
    "undo.already",
    "undo.moved",
}


def teams(journal_ids) -> dict[int, frozenset[int]]:
    """The moderators of each journal (its owner and named moderators), as
    user ids: one query."""
    found: dict[int, set[int]] = {}
    rows = Journal.objects.filter(pk__in=set(journal_ids)).values_list(
        "pk", "owner_id", "moderators"
    )
    for journal_id, owner_id, named in rows:
        team = found.setdefault(journal_id, {owner_id})
        if named is not None:
            team.add(named)
    return {journal_id: frozenset(team) for journal_id, team in found.items()}


def deadline(decision: AuditEntry, journal: Journal) -> datetime:
    return decision.created_at + timedelta(days=journal.appeal_days)


def _text(value: str, *, field: str, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {
                field: [
                    _("At most %(count)s characters (this has %(length)s).")
                    % {"count": f"{MAX_LENGTH:,}", "length": f"{len(text):,}"}
                ]
            }
        )
    return text


# What may be appealed ------------------------------------------------------------


def comment_decision(*, author, comment_id: int) -> AuditEntry:
    """The decision that rejected ``author``'s comment or marked it as spam.
    Someone else's comment is NotFound, like a missing one."""
    comment = (
        Comment.objects.filter(pk=comment_id, author_id=author.pk)
        .only("pk", "state", "journal_id", "author_id")
        .first()
    )
    if comment is None:
        raise NotFound
    if comment.state not in (CommentState.REJECTED, CommentState.SPAM):
        raise NotAllowed(
            _("This comment was not rejected: there is no decision to appeal."),
            "appeal.nothing",
        )
    entry = (
        AuditEntry.objects.filter(
            comment_id=comment.pk,
            # A moved post's comment is its new journal's to decide.
            journal_id=comment.journal_id,
            action__in=COMMENT_DECISIONS,
            to_state=comment.state,
        )
        .select_related("journal")
        .order_by("-id")
        .first()
    )
    if entry is None:
        raise NotAllowed(
            _("No moderator's decision stands on this comment to appeal."),
            "appeal.nothing",
        )
    return entry


def restriction_decision(*, author, journal: Journal, kind: str) -> AuditEntry:
    """The entry that set the ban or screening standing against ``author``."""
    if kind not in AuthorRestriction.Kind.values:
        raise ValidationError({"restriction": [_("Use ban or screen.")]})
    restriction = (
        AuthorRestriction.objects.active()
        .filter(journal=journal, user_id=author.pk, kind=kind)
        .first()
    )
    if restriction is None:
        raise NotAllowed(
            _("You are not banned from this journal.")
            if kind == AuthorRestriction.Kind.BAN
            else _("Your comments are not screened in this journal."),
            "appeal.nothing",
        )
    entry = (
        AuditEntry.objects.filter(
            journal=journal,
            action=f"author.{kind}",
            data__restriction=restriction.pk,
            undone_by__isnull=True,
        )
        .select_related("journal")
        .order_by("-id")
        .first()
    )
    if entry is None:
        raise NotAllowed(
            _("No decision was recorded for this; there is nothing to appeal."),
            "appeal.nothing",
        )
    return entry


# Filing one ------------------------------------------------------------------------


@transaction.atomic
def file_appeal(
    *,
    author,
    text: str,
    comment_id: int | None = None,
    journal: Journal | None = None,
    restriction: str = "",
) -> Appeal:
    """Appeal the decision on ``author``'s comment ``comment_id``, or the ban or
    screening (``restriction``) against them in ``journal``. Once per
    decision, while the journal's appeal days run; ``ValidationError`` for
    empty or over-long text, ``NotAllowed`` or ``NotFound`` otherwise. Locks
    the decision's entry, so two appeals at once make one."""
    if not author.is_authenticated:
        raise NotAllowed(_("Log in to appeal."), "appeal.login")
    text = _text(text, field="text", missing=_("Say why the decision was wrong."))
    if comment_id is not None:
        decision = comment_decision(author=author, comment_id=comment_id)
    elif journal is not None:
        decision = restriction_decision(
            author=author, journal=journal, kind=restriction
        )
    else:
        raise ValidationError(
            {"comment": [_("Name the comment, or the journal and the restriction.")]}
        )
    decision = (
        AuditEntry.objects.select_for_update(of=("self",))
        .select_related("journal")
        .get(pk=decision.pk)
    )
    journal = decision.journal
    if not journal.appeal_days:
        raise NotAllowed(_("This journal does not take appeals."), "appeal.off")
    if timezone.now() > deadline(decision, journal):
        raise NotAllowed(
            _("Decisions here may be appealed for %(days)s days; this one is older.")
            % {"days": journal.appeal_days},
            "appeal.too_late",
        )
    if AuditEntry.objects.filter(undoes=decision).exists():
        raise NotAllowed(
            _("This decision was already undone; there is nothing to appeal."),
            "appeal.undone",
        )
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                journal=journal,
                author=author,
                decision=decision,
                comment_id=decision.comment_id,
                text=text,
            )
    except IntegrityError as error:
        raise NotAllowed(
            _("You already appealed this decision; a moderator will answer."),
            "appeal.duplicate",
        ) from error


# Deciding one -----------------------------------------------------------------------


def appeals_moderated_by(user):
    return Appeal.objects.filter(journal__in=Journal.objects.moderated_by(user))


def may_decide(appeal: Appeal, moderator, team: frozenset[int]) -> bool:
    """Whether ``moderator`` (one of the journal's ``team``) may answer: never
    their own appeal, nor one of their own decision while another moderator,
    not the appellant, could answer instead."""
    if appeal.author_id == moderator.pk:
        return False
    others = team - {moderator.pk, appeal.author_id}
    return not others or appeal.decision.actor_id != moderator.pk


@transaction.atomic
def decide_appeal(*, moderator, appeal_id: int, grant: bool, answer: str) -> Appeal:
    """Grant or deny an open appeal, with a sentence for its author.

    Granting undoes the decision (``services.undo``, past its 24 hours), and
    approves a comment that waits again because of it; if the decision was
    undone meanwhile, granting only records the answer. Audited as
    ``appeal.grant`` or ``appeal.deny``; the author is mailed after commit.
    Locks the appeal: two moderators answering at once make one answer.
    """
    appeal = (
        appeals_moderated_by(moderator)
        .select_for_update(of=("self",))
        .select_related("journal", "decision")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound
    if appeal.state != Appeal.State.OPEN:
        raise NotAllowed(
            _("This appeal was already answered by %(who)s.")
            % {"who": appeal.decided_by_name or _("another moderator")},
            "appeal.decided",
        )
    answer = _text(
        answer,
        field="answer",
        missing=_("Write a sentence for the author: they read it."),
    )
    if appeal.author_id == moderator.pk:
        raise NotAllowed(
            _("Nobody answers their own appeal; another moderator will."),
            "appeal.own_appeal",
        )
    team = teams([appeal.journal_id]).get(appeal.journal_id, frozenset())
    if not may_decide(appeal, moderator, team):
        raise NotAllowed(
            _(
                "You made this decision; another of the journal's moderators "
                "answers the appeal."
            ),
            "appeal.own_decision",
        )
    decision = appeal.decision
    data = {"appeal": appeal.pk, "decision": decision.pk}
    if grant:
        already = AuditEntry.objects.filter(undoes=decision).first()
        if already is None:
            undone = undo(moderator=moderator, entry_id=decision.pk, appeal=appeal)
            data["undo"] = undone.pk
            data.update(_publish_again(moderator, decision))
        else:
            data["undone_before"] = already.pk
    outcome = audit.record(
        journal=appeal.journal,
        actor=moderator,
        action="appeal.grant" if grant else "appeal.deny",
        comment=decision.comment if decision.comment_id else None,
        target=decision.target or f"appeal {appeal.pk}",
        note=answer,
        data=data,
    )
    appeal.state = Appeal.State.GRANTED if grant else Appeal.State.DENIED
    appeal.decided_by = moderator
    appeal.decided_by_name = moderator.get_username()
    appeal.decided_at = outcome.created_at
    appeal.answer = answer
    appeal.outcome = outcome
    appeal.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "answer",
            "outcome",
        ]
    )
    tasks.mail_appeal_decided(appeal.pk)
    return appeal


def _publish_again(moderator, decision: AuditEntry) -> dict:
    """A comment rejected while it waited waits again once its rejection is
    undone: granting the appeal says it should have been published, so it is
    approved (the one decision path, audited ``comment.approve``)."""
    if decision.comment_id is None:
        return {}
    comment = Comment.objects.only("pk", "state", "revision").get(
        pk=decision.comment_id
    )
    if comment.state != CommentState.HELD:
        return {}
    outcomes = decide(
        moderator=moderator,
        items=[Seen(comment.pk, comment.state, comment.revision)],
        decision=Decision.APPROVE,
    )
    return {"approve": outcomes[0].entry_id} if outcomes[0].done else {}


# What the author sees ----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where an author stands with one decision: the appeal they made (or
    None), and until when they may still make one (None: they may not)."""

    decision: AuditEntry
    appeal: Appeal | None
    open_until: datetime | None

    @property
    def status(self) -> str:
        """The sentence the author reads about their appeal ("" for none)."""
        appeal = self.appeal
        if appeal is None:
            return ""
        if appeal.state == Appeal.State.OPEN:
            return _(
                "You appealed on %(date)s; a moderator will answer here and by mail."
            ) % {"date": _day(appeal.created_at)}
        if appeal.state == Appeal.State.GRANTED:
            return _("Your appeal was granted: “%(answer)s”") % {
                "answer": appeal.answer
            }
        return _("Your appeal was denied: “%(answer)s”") % {"answer": appeal.answer}

    @property
    def told(self) -> str:
        """What the author was already told of the decision: a rejection's
        reason and note, the ladder's sentence. Nothing else: a ban's note is
        for the log."""
        decision = self.decision
        if decision.action in COMMENT_DECISIONS:
            reason = (
                ReportReason(decision.reason).label
                if decision.reason in ReportReason.values
                else ""
            )
            if reason and decision.note:
                return _("Reason: %(reason)s (“%(note)s”).") % {
                    "reason": reason,
                    "note": decision.note,
                }
            if reason:
                return _("Reason: %(reason)s.") % {"reason": reason}
            return ""
        if decision.data.get("code") == strikes.LADDER:
            return decision.note
        return ""

    @property
    def help(self) -> str:
        if self.open_until is None:
            return ""
        return _(
            "You may appeal once, until %(date)s, in up to %(count)s characters. "
            "A moderator who did not make the decision reads it."
        ) % {"date": _day(self.open_until), "count": f"{MAX_LENGTH:,}"}


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _standing(decision: AuditEntry, now) -> Standing:
    """``decision`` read with its journal, its appeal and whether it was undone
    (``undone``, annotated by ``_decisions``)."""
    journal = decision.journal
    appeal = _appeal_of(decision)
    open_until = None
    if appeal is None and journal.appeal_days and not decision.undone:
        until = deadline(decision, journal)
        open_until = until if until > now else None
    return Standing(decision, appeal, open_until)


def _appeal_of(entry: AuditEntry) -> Appeal | None:
    try:
        return entry.appeal
    except Appeal.DoesNotExist:
        return None


def _decisions(**lookups):
    return (
        AuditEntry.objects.filter(**lookups)
        .select_related("journal", "appeal")
        .annotate(undone=Exists(AuditEntry.objects.filter(undoes=OuterRef("pk"))))
        .order_by("-id")
    )


def comment_standings(*, author, post_id: int) -> dict[int, Standing]:
    """For each of ``author``'s comments on the post that a moderator
    rejected or marked as spam, its latest such decision and the appeal of
    it: one query."""
    now = timezone.now()
    latest: dict[int, Standing] = {}
    entries = _decisions(
        comment__post_id=post_id,
        comment__author_id=author.pk,
        action__in=COMMENT_DECISIONS,
    )
    for entry in entries:
        if entry.comment_id not in latest:
            latest[entry.comment_id] = _standing(entry, now)
    return latest


def restriction_standings(*, author, journal_id: int) -> list[Standing]:
    """Each ban or screening standing against ``author`` in the journal, with
    the decision that set it and the appeal of it: two queries."""
    now = timezone.now()
    running = set(
        AuthorRestriction.objects.active(now)
        .filter(journal_id=journal_id, user_id=author.pk)
        .values_list("pk", flat=True)
    )
    if not running:
        return []
    found: dict[int, Standing] = {}
    entries = _decisions(
        journal_id=journal_id,
        action__in=RESTRICTION_DECISIONS,
        data__user=author.pk,
    )
    for entry in entries[:50]:
        restriction = entry.data.get("restriction")
        if restriction in running and restriction not in found and not entry.undone:
            found[restriction] = _standing(entry, now)
    return sorted(found.values(), key=lambda standing: standing.decision.action)


def comment_standing(*, author, comment_id: int) -> Standing:
    """Where ``author`` stands with the decision on their comment (its own
    page): NotFound for someone else's comment, NotAllowed when none stands."""
    decision = comment_decision(author=author, comment_id=comment_id)
    return _standing(_decisions(pk=decision.pk).get(), timezone.now())


def restriction_standing(*, author, journal: Journal, kind: str) -> Standing:
    """Where ``author`` stands with their ban or screening in ``journal``."""
    decision = restriction_decision(author=author, journal=journal, kind=kind)
    return _standing(_decisions(pk=decision.pk).get(), timezone.now())


# How long a granted appeal against a ban or screening is still told on the
# journal's pages (the mail told it too).
GRANTED_SHOWN = timedelta(days=30)


def granted_lately(*, author, journal_id: int) -> Standing | None:
    """The author's latest appeal against a ban or screening granted within
    GRANTED_SHOWN, for its answer where the ban was: one query."""
    appeal = (
        Appeal.objects.filter(
            author_id=author.pk,
            journal_id=journal_id,
            comment__isnull=True,
            state=Appeal.State.GRANTED,
            decided_at__gte=timezone.now() - GRANTED_SHOWN,
        )
        .select_related("decision__journal")
        .order_by("-decided_at")
        .first()
    )
    if appeal is None:
        return None
    return Standing(appeal.decision, appeal, None)
