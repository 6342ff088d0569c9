"""Writes of the journal app. Every door (web form, admin, API) calls these.

``submit_comment`` is the only way a reader's comment is created and
``edit_comment`` the only way one changes: each validates, sanitizes, gathers the
facts, asks the rule pipeline for a verdict and stores the result in one
transaction. No rule hangs off a signal, so no entry point can skip one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation import audit, notifications, ratelimit, rules, trust
from moderation.models import AuthorRestriction, Report, WordRule
from moderation.services import rule_set_in_force

from . import antibot, paths
from .conf import option
from .confusables import skeleton
from .models import Comment, CommentRevision, CommentState, Journal, Post, Tag
from .sanitize import clean_comment_body, clean_post_body, summarize
from .validators import validate_name


class CommentRefused(Exception):
    """The rules refused the comment; nothing was stored or changed."""

    def __init__(self, verdict: rules.Verdict, retry_after: int = 0):
        self.verdict = verdict
        self.reason = verdict.refusal
        self.retry_after = retry_after
        super().__init__(self.reason.message)

    @property
    def code(self) -> str:
        return self.reason.code

    @property
    def message(self) -> str:
        return self.reason.message


class NotAllowed(Exception):
    """The user may not do this to this comment; the message says why."""

    def __init__(self, message: str, code: str):
        self.message = message
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Origin:
    """Where a submission came from, as far as the rules care."""

    ip_address: str | None = None
    antibot: rules.AntiBotCheck | None = None


@dataclass(frozen=True)
class ViewerRoles:
    is_member: bool = False
    is_moderator: bool = False
    banned: bool = False


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


def access_facts(*, post: Post, user, roles: ViewerRoles) -> rules.CommentFacts:
    """Facts for the access rules alone: may this viewer comment here at all?"""
    return rules.CommentFacts(
        settings=post.journal.rule_settings(()),
        post_comments_enabled=post.comments_enabled,
        post_age_days=_age_days(post.published_at),
        author_is_authenticated=bool(user and user.is_authenticated),
        author_is_member=roles.is_member,
        author_is_moderator=roles.is_moderator,
        banned=roles.banned,
    )


def name_is_taken(name: str) -> bool:
    """Whether an anonymous name looks like a member's username or display name."""
    key = skeleton(name)
    return bool(key) and (
        get_user_model()
        .objects.filter(Q(username_key=key) | Q(display_key=key))
        .exists()
    )


def _age_days(moment) -> float:
    return (timezone.now() - moment).total_seconds() / 86400


PARENT_MISSING = gettext_lazy("The comment you are replying to does not exist.")


def _validate_comment_input(
    *, post: Post, parent: Comment | None, body: str, subject: str
):
    errors: dict[str, str] = {}
    max_length = option("COMMENT_MAX_LENGTH")
    if not body.strip():
        errors["body"] = _("Write something before posting.")
    elif len(body) > max_length:
        errors["body"] = _(
            "A comment may be at most %(limit)s characters; this one has %(count)s."
        ) % {"limit": f"{max_length:,}", "count": f"{len(body):,}"}
    if "\x00" in body or "\x00" in subject:
        errors["body"] = _("Null characters are not allowed.")
    if len(subject) > option("SUBJECT_MAX_LENGTH"):
        errors["subject"] = _("A subject may be at most %(limit)s characters.") % {
            "limit": option("SUBJECT_MAX_LENGTH")
        }
    if parent is not None:
        if parent.post_id != post.pk or parent.state != CommentState.PUBLISHED:
            errors["parent"] = PARENT_MISSING
        elif parent.depth + 1 > option("MAX_COMMENT_DEPTH"):
            errors["parent"] = _("This thread is too deep to reply to.")
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class _Assessment:
    verdict: rules.Verdict
    body_html: str
    facts: rules.CommentFacts
    rule_set_version: object
    rate_key: str


def _assess(
    *,
    post: Post,
    author,
    parent: Comment | None,
    body: str,
    origin: Origin,
    subject: str = "",
    author_name: str = "",
    editing: Comment | None = None,
) -> _Assessment:
    """Sanitize the text, gather every fact and ask the pipeline for a verdict.

    The verdict is made under the rule-set version in force, and says so: if the
    rules changed since the request read the journal, the version's own
    settings are used (see moderation.services.rule_set_in_force).
    """
    journal = post.journal
    body_html = clean_comment_body(body)
    summary = summarize(body_html)
    if not summary.text.strip():
        # "<script>…</script>" or "<br>" alone: nothing would be left to read.
        raise ValidationError({"body": _("Write something before posting.")})
    word_rules = list(WordRule.objects.active().filter(journal=journal))
    version, as_loaded = rule_set_in_force(journal, word_rules=word_rules)
    settings = (
        journal.rule_settings(word_rules)
        if as_loaded
        else rules.RuleSettings.from_snapshot(version.snapshot)
    )
    rate_key = ratelimit.author_key(
        user_id=author.pk if author else None, ip_address=origin.ip_address
    )
    activity = ratelimit.recent_activity(
        journal.pk, rate_key, settings.rate_limit_per_minute
    )

    since = timezone.now() - timedelta(minutes=rules.DUPLICATE_WINDOW_MINUTES)
    duplicates = Comment.objects.filter(
        post=post,
        author=author,
        body_source=body,
        created_at__gte=since,
        # Deleted too: withdrawing a screened comment and posting it again is
        # the same comment.
        state__in=[CommentState.PUBLISHED, CommentState.HELD, CommentState.REJECTED,
                   CommentState.SPAM, CommentState.DELETED],
    )  # fmt: skip
    if editing is not None:
        duplicates = duplicates.exclude(pk=editing.pk)
    checks = {"duplicate": Exists(duplicates)}
    if parent is not None:
        checks["thread_frozen"] = Exists(
            Comment.objects.filter(pk__in=paths.ancestor_ids(parent.path), frozen=True)
        )
    # Asked in the same query as the author's standing: one round trip for all.
    standing = author_standing(journal, author, also=checks, judging=editing)

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
        # Everything shown with the comment: its subject and the name beside it
        # are read by the word lists as much as its text.
        text="\n".join(
            (subject, author.display_name if author else author_name, summary.text)
        ),
        link_count=summary.link_count,
        depth=parent.depth + 1 if parent is not None else 0,
        thread_frozen=standing.also.get("thread_frozen", False),
        duplicate=standing.also["duplicate"],
        recent_comment_count=activity.count,
        rate_retry_after=activity.retry_after,
        antibot=origin.antibot,
        is_edit=editing is not None,
        moderator_screened=editing is not None and editing.moderator_screened,
    )
    return _Assessment(
        verdict=rules.decide(facts),
        body_html=body_html,
        facts=facts,
        rule_set_version=version,
        rate_key=rate_key,
    )


def _state_for(verdict: rules.Verdict) -> str:
    return CommentState.HELD if verdict.held else CommentState.PUBLISHED


@transaction.atomic
def submit_comment(
    *,
    post: Post,
    author,
    body: str,
    subject: str = "",
    parent_id: int | None = None,
    author_name: str = "",
    origin: Origin = Origin(),  # noqa: B008 (frozen, so a shared default is safe)
) -> Comment:
    """Validate, sanitize, run the rules and store a new comment.

    ``parent_id`` is the comment replied to, as the door received it; a missing
    one, or one on another post, is bad input like any other. Raises
    ``ValidationError`` for bad input and ``CommentRefused`` when a rule
    refuses; in both cases nothing is stored. Published or held, the verdict's
    reasons and rule-set version are stored with the comment.
    """
    author = author if author and author.is_authenticated else None
    subject = subject.strip()
    author_name = "" if author else author_name.strip()[:50]
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id).first()
        if parent is None:
            raise ValidationError({"parent": PARENT_MISSING})
    _validate_comment_input(post=post, parent=parent, body=body, subject=subject)
    try:
        validate_name(author_name)
    except ValidationError as error:
        raise ValidationError({"author_name": error.messages}) from error
    if author_name and name_is_taken(author_name):
        raise ValidationError(
            {
                "author_name": _(
                    "“%(name)s” looks like the name of a member of this site; pick "
                    "another name, or log in."
                )
                % {"name": author_name}
            }
        )
    assessment = _assess(
        post=post,
        author=author,
        parent=parent,
        body=body,
        origin=origin,
        subject=subject,
        author_name=author_name,
    )
    verdict = assessment.verdict
    if verdict.refused:
        raise CommentRefused(verdict, retry_after=assessment.facts.rate_retry_after)
    journal = post.journal
    if author is None:
        _spend_challenge(assessment)
    _take_rate_limit_place(journal, assessment)

    comment = store_comment(
        post=post,
        parent=parent,
        author=author,
        author_name=author_name,
        subject=subject,
        body_source=body,
        body_html=assessment.body_html,
        state=_state_for(verdict),
        reasons=[reason.as_dict() for reason in verdict.reasons],
        rule_set_version=assessment.rule_set_version,
        ip_address=origin.ip_address
        if journal.logs_ip_of(anonymous=author is None)
        else None,
    )
    if comment.is_held:
        transaction.on_commit(lambda: notifications.held_comment_waiting(comment.pk))
    elif parent is not None:
        transaction.on_commit(lambda: notifications.reply_posted(comment.pk))
    return comment


def _spend_challenge(assessment: _Assessment) -> None:
    """Use up the anonymous author's challenge, or refuse as the rule does.

    Spent only once the rules accepted the comment, so a refusal (too fast, a
    blocked word) leaves it usable; two comments racing with one challenge get
    one place between them.
    """
    check = assessment.facts.antibot
    spent = antibot.spend(check) if check is not None else None
    if spent is None or not spent.reused:
        return
    facts = replace(assessment.facts, antibot=spent)
    raise CommentRefused(rules.decide(facts))


def _take_rate_limit_place(journal: Journal, assessment: _Assessment) -> None:
    """Take the author's place under the rate limit, or refuse as the rule does.

    The count the verdict saw was read a moment ago; a simultaneous comment by
    the same author may have taken the last place since. Then the rules judge
    again with the count as it is now. A place is taken at once rather than on
    commit: should the transaction still fail, the limit errs on the strict side.
    """
    limit = assessment.facts.settings.rate_limit_per_minute
    if ratelimit.take_place(journal.pk, assessment.rate_key, limit):
        return
    current = ratelimit.recent_activity(journal.pk, assessment.rate_key, limit)
    facts = replace(
        assessment.facts,
        recent_comment_count=max(current.count, limit),
        rate_retry_after=max(current.retry_after, 1),
    )
    raise CommentRefused(rules.decide(facts), retry_after=facts.rate_retry_after)


def store_comment(
    *,
    post: Post,
    parent: Comment | None,
    body_source: str,
    body_html: str | None = None,
    **fields,
) -> Comment:
    """Insert a comment that has passed the rules (or is trusted demo data).

    The path ends with the comment's own id, known only after the insert; only
    this new row is written, never its siblings.
    """
    fields.setdefault("rule_codes", Comment.codes_of(fields.get("reasons", [])))
    # Part of the caller's transaction when there is one; no extra savepoint.
    with transaction.atomic(savepoint=False):
        comment = Comment.objects.create(
            post=post,
            journal_id=post.journal_id,
            parent=parent,
            body_source=body_source,
            body_html=clean_comment_body(body_source)
            if body_html is None
            else body_html,
            **fields,
        )
        comment.path = paths.child_path(parent.path if parent else "", comment.pk)
        Comment.objects.filter(pk=comment.pk).update(path=comment.path)
    return comment


def edit_window_closes_at(comment: Comment):
    minutes = comment.post.journal.edit_window_minutes
    return comment.created_at + timedelta(minutes=minutes) if minutes else None


def edit_refusal(comment: Comment, user, *, has_replies: bool) -> NotAllowed | None:
    """Why ``user`` may not edit ``comment`` now, or None when they may."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return NotAllowed(
            _("Only the author can edit this comment."), "edit.not_author"
        )
    if comment.state not in (CommentState.PUBLISHED, CommentState.HELD):
        return NotAllowed(_("This comment can no longer be edited."), "edit.state")
    closes_at = edit_window_closes_at(comment)
    if closes_at is None or timezone.now() > closes_at:
        minutes = comment.post.journal.edit_window_minutes
        return NotAllowed(
            _(
                "Comments can be edited for %(minutes)d minutes after posting; that "
                "time is over."
            )
            % {"minutes": minutes}
            if minutes
            else _("Comments cannot be edited in this journal."),
            "edit.window_closed",
        )
    if has_replies:
        return NotAllowed(
            _("Someone has replied, so this comment can no longer be edited."),
            "edit.has_replies",
        )
    most = option("COMMENT_MAX_REVISIONS")
    if comment.revision > most:
        return NotAllowed(
            _(
                "This comment was edited %(count)d times, the most a comment may "
                "be; write a new comment instead."
            )
            % {"count": most},
            "edit.too_many",
        )
    return None


@transaction.atomic
def edit_comment(
    *,
    comment: Comment,
    editor,
    body: str,
    subject: str = "",
    origin: Origin = Origin(),  # noqa: B008
) -> Comment:
    """Change a comment's text: re-sanitized, re-judged, the old text kept.

    The edit is judged like a new comment (rate limit included), never counting
    the comment towards its own author's trust, and a moderator's screening
    holds it whatever the rules say; a moderator's approval covered the
    revision approved, so an edit that trips a hold rule goes back to the queue.
    Locks the comment row. Raises ``NotAllowed`` (not the author, too late, has
    replies, too many revisions), ``ValidationError`` or ``CommentRefused``;
    then nothing changes.
    """
    # Lock only the comment row: PostgreSQL cannot lock the nullable parent join.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post__journal", "parent")
        .get(pk=comment.pk)
    )
    refusal = edit_refusal(
        comment, editor, has_replies=Comment.objects.filter(parent=comment).exists()
    )
    if refusal is not None:
        raise refusal
    subject = subject.strip()
    _validate_comment_input(post=comment.post, parent=None, body=body, subject=subject)
    assessment = _assess(
        post=comment.post,
        author=editor,
        parent=comment.parent,
        body=body,
        origin=origin,
        subject=subject,
        editing=comment,
    )
    verdict = assessment.verdict
    if verdict.refused:
        raise CommentRefused(verdict, retry_after=assessment.facts.rate_retry_after)
    _take_rate_limit_place(comment.post.journal, assessment)

    was_held = comment.is_held
    CommentRevision.objects.create(
        comment=comment,
        number=comment.revision,
        subject=comment.subject,
        body_source=comment.body_source,
        body_html=comment.body_html,
        state=comment.state,
        reasons=comment.reasons,
        written_at=comment.edited_at or comment.created_at,
    )
    comment.subject = subject
    comment.body_source = body
    comment.body_html = assessment.body_html
    comment.state = _state_for(verdict)
    comment.reasons = [reason.as_dict() for reason in verdict.reasons]
    comment.rule_codes = Comment.codes_of(comment.reasons)
    comment.rule_set_version = assessment.rule_set_version
    comment.edited_at = timezone.now()
    comment.revision += 1
    comment.save(
        update_fields=[
            "subject",
            "body_source",
            "body_html",
            "state",
            "reasons",
            "rule_codes",
            "rule_set_version",
            "edited_at",
            "revision",
        ]  # fmt: skip
    )
    if comment.is_held and not was_held:
        transaction.on_commit(lambda: notifications.held_comment_waiting(comment.pk))
    return comment


@transaction.atomic
def delete_own_comment(*, comment: Comment, user) -> Comment:
    """The author withdraws a comment: its state changes, the row stays."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not user.is_authenticated or comment.author_id != user.pk:
        raise NotAllowed(
            _("Only the author can delete this comment."), "delete.not_author"
        )
    if comment.state not in (CommentState.PUBLISHED, CommentState.HELD):
        raise NotAllowed(_("This comment is already gone."), "delete.state")
    comment.state = CommentState.DELETED
    comment.save(update_fields=["state"])
    return comment


def parse_tag_names(text: str) -> list[str]:
    """Split comma-separated tag names, dropping blanks and duplicates."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        slug = Tag.slug_for(name)
        if slug and slug not in names:
            names[slug] = name
    return list(names.values())


def save_post(*, post: Post, tag_names: Iterable[str] | None = None, by=None) -> Post:
    """Sanitize the body, save the post and, if given, replace its tags.

    A post moved to another journal takes its comments and their open reports
    along, so that the queue of the journal it is shown in is the one that holds
    them; the move is logged in both journals. Tags are per journal: pass the
    tag names again when moving.
    """
    post.body_html = clean_post_body(post.body_source)
    with transaction.atomic():
        before = (
            Post.objects.select_for_update().filter(pk=post.pk).values("journal_id")
            if post.pk
            else None
        )
        moved_from = before[0]["journal_id"] if before else None
        post.save()
        if moved_from is not None and moved_from != post.journal_id:
            _move_comments(post, moved_from, by=by)
        if tag_names is not None:
            post.tags.set(_tags_for(post.journal, tag_names))
    return post


def _move_comments(post: Post, from_journal_id: int, *, by) -> None:
    moved = Comment.objects.filter(post=post).update(journal_id=post.journal_id)
    Report.objects.filter(comment__post=post).update(journal_id=post.journal_id)
    data = {
        "post": post.pk,
        "from": from_journal_id,
        "to": post.journal_id,
        "comments": moved,
    }
    for journal_id in (from_journal_id, post.journal_id):
        audit.record(
            journal=journal_id,
            actor=by,
            action="post.move",
            target=f"post {post.pk}",
            data=data,
        )


def _tags_for(journal: Journal, names: Iterable[str]) -> list[Tag]:
    wanted = {Tag.slug_for(name): name for name in names}
    existing = {tag.slug: tag for tag in journal.tags.filter(slug__in=wanted)}
    missing = [
        Tag(journal=journal, name=name, slug=slug)
        for slug, name in wanted.items()
        if slug not in existing
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.slug: tag for tag in journal.tags.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted if slug in existing]
