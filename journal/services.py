"""Writes of the journal app. Every door (web form, admin, API) calls these.

``submit_comment`` is the only way a reader's comment is created: it validates,
sanitizes, runs the rule pipeline and stores the comment in one transaction. No
rule hangs off a signal, so no entry point can skip one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from moderation import rules

from . import paths
from .conf import option
from .models import Comment, CommentState, Journal, Post, Tag
from .sanitize import clean_comment_body, clean_post_body


class CommentRefused(Exception):
    """The rules refused the comment; nothing was stored."""

    def __init__(self, verdict: rules.Verdict):
        self.verdict = verdict
        self.reason = verdict.refusal
        super().__init__(self.reason.message)

    @property
    def code(self) -> str:
        return self.reason.code

    @property
    def message(self) -> str:
        return self.reason.message


@dataclass(frozen=True)
class ViewerRoles:
    is_member: bool
    is_moderator: bool


def viewer_roles(journal: Journal, user) -> ViewerRoles:
    """Look up ``user``'s standing in ``journal`` (two small queries at most)."""
    if not user or not user.is_authenticated:
        return ViewerRoles(is_member=False, is_moderator=False)
    is_moderator = (
        user.is_superuser
        or journal.owner_id == user.pk
        or journal.moderators.filter(pk=user.pk).exists()
    )
    is_member = journal.members.filter(pk=user.pk).exists()
    return ViewerRoles(is_member=is_member, is_moderator=is_moderator)


def comment_facts(*, post: Post, user, roles: ViewerRoles) -> rules.CommentFacts:
    return rules.CommentFacts(
        comment_access=post.journal.comment_access,
        post_comments_enabled=post.comments_enabled,
        author_is_authenticated=bool(user and user.is_authenticated),
        author_is_member=roles.is_member,
        author_is_moderator=roles.is_moderator,
    )


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
            errors["parent"] = _("The comment you are replying to does not exist.")
        elif parent.depth + 1 > option("MAX_COMMENT_DEPTH"):
            errors["parent"] = _("This thread is too deep to reply to.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def submit_comment(
    *,
    post: Post,
    author,
    body: str,
    subject: str = "",
    parent: Comment | None = None,
    author_name: str = "",
) -> Comment:
    """Validate, sanitize, run the rules and store a new comment.

    Raises ``ValidationError`` for bad input and ``CommentRefused`` when a rule
    refuses; in both cases nothing is stored. One transaction from the first
    read to the last write.
    """
    author = author if author and author.is_authenticated else None
    subject = subject.strip()
    _validate_comment_input(post=post, parent=parent, body=body, subject=subject)
    roles = viewer_roles(post.journal, author)
    verdict = rules.decide(comment_facts(post=post, user=author, roles=roles))
    if verdict.refused:
        raise CommentRefused(verdict)
    return store_comment(
        post=post,
        parent=parent,
        author=author,
        author_name="" if author else author_name.strip()[:50],
        subject=subject,
        body_source=body,
        state=CommentState.PUBLISHED,
    )


@transaction.atomic
def store_comment(
    *, post: Post, parent: Comment | None, body_source: str, **fields
) -> Comment:
    """Insert a comment that has passed the rules (or is trusted demo data).

    The path ends with the comment's own id, known only after the insert; only
    this new row is written, never its siblings.
    """
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        body_source=body_source,
        body_html=clean_comment_body(body_source),
        **fields,
    )
    comment.path = paths.child_path(parent.path if parent else "", comment.pk)
    Comment.objects.filter(pk=comment.pk).update(path=comment.path)
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


def save_post(*, post: Post, tag_names: Iterable[str] | None = None) -> Post:
    """Sanitize the body, save the post and, if given, replace its tags."""
    post.body_html = clean_post_body(post.body_source)
    with transaction.atomic():
        post.save()
        if tag_names is not None:
            post.tags.set(_tags_for(post.journal, tag_names))
    return post


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
