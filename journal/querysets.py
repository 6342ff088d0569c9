"""Read-side querysets: what each viewer may see, with the joins pages need.

The models module imports these, so they look other models up by name
(``_model``) instead of importing them.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat

from . import paths
from .states import CommentState


def _model(name: str) -> type[models.Model]:
    return apps.get_model("journal", name)


class JournalQuerySet(models.QuerySet):
    def moderated_by(self, user) -> JournalQuerySet:
        """Journals ``user`` moderates: as owner, named moderator or superuser."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        named = self.model.moderators.through.objects.filter(
            journal_id=OuterRef("pk"), user_id=user.pk
        )
        return self.filter(Q(owner_id=user.pk) | Q(Exists(named)))

    def owned_by(self, user) -> JournalQuerySet:
        if user.is_superuser:
            return self
        return self.filter(owner=user)


class PostQuerySet(models.QuerySet):
    def with_comment_count(self) -> PostQuerySet:
        """Annotate ``comment_count``: published comments, as a subquery."""
        published = (
            _model("Comment")
            .objects.filter(post=OuterRef("pk"), state=CommentState.PUBLISHED)
            .order_by()
            .values("post")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.annotate(comment_count=Coalesce(Subquery(published), Value(0)))

    def for_listing(self, *, counted: bool = True) -> PostQuerySet:
        """Posts with their journal, owner, tags and (unless the caller reads
        it from the cache) comment count, newest first."""
        posts = self.select_related("journal__owner").prefetch_related("tags")
        if counted:
            posts = posts.with_comment_count()
        return posts.order_by("-published_at", "-id")

    def with_viewer_roles(self, user) -> PostQuerySet:
        """Annotate whether ``user`` is a member or a named moderator of the
        journal.

        Folded into the post's own query so that the page does not spend extra
        round trips deciding whether to show the comment form. (The moderation
        plugin adds its own, such as a ban: see ``journal.plugins``.)
        """
        if not user.is_authenticated:
            return self.annotate(
                viewer_is_member=Value(False), viewer_is_moderator=Value(False)
            )
        Journal = _model("Journal")
        member = Journal.members.through.objects.filter(
            journal_id=OuterRef("journal_id"), user_id=user.pk
        )
        moderator = Journal.moderators.through.objects.filter(
            journal_id=OuterRef("journal_id"), user_id=user.pk
        )
        return self.annotate(
            viewer_is_member=Exists(member), viewer_is_moderator=Exists(moderator)
        )

    def owned_by(self, user) -> PostQuerySet:
        if user.is_superuser:
            return self
        return self.filter(journal__owner=user)


def moderated_by(user, journal_field: str = "post__journal") -> Q:
    """Rows in journals ``user`` moderates: as owner, named moderator or superuser."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        # Not Q(): an empty Q drops out of an OR instead of matching everything.
        return Q(pk__isnull=False)
    named = _model("Journal").moderators.through.objects.filter(
        journal_id=OuterRef(f"{journal_field}_id"), user_id=user.pk
    )
    return Q(**{f"{journal_field}__owner_id": user.pk}) | Q(Exists(named))


def readable_by(user, own_comment_ids=(), *, moderates: bool | None = None) -> Q:
    """Comments ``user`` may read in full.

    Published ones for everyone; held ones for their author (also an anonymous
    author, through the ids remembered in their session) and for the journal's
    moderators; rejected ones for their author, who is told why; ones removed
    with their thread for the journal's moderators, who may undo that.

    ``moderates`` says whether ``user`` moderates the journal, when every
    comment asked about is in one journal and the caller knows: the query then
    need not join each comment's journal to find out (a page's counts repeat
    this condition for every range they count).
    """
    held = Q(state=CommentState.HELD)
    readable = Q(state=CommentState.PUBLISHED)
    if own_comment_ids:
        readable |= held & Q(pk__in=list(own_comment_ids))
    if user.is_authenticated:
        moderated_states = [CommentState.HELD, CommentState.REMOVED]
        readable |= held & Q(author_id=user.pk)
        if moderates is None:
            readable |= Q(state__in=moderated_states) & moderated_by(user)
        elif moderates:
            readable |= Q(state__in=moderated_states)
        # Authors read their own rejected comments, with the moderator's reason.
        readable |= Q(state=CommentState.REJECTED, author_id=user.pk)
    return readable


# Fields of a comment's author that no page or API response showing the comment
# reads; the display queryset leaves them out.
PRIVATE_AUTHOR_FIELDS = (
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)


class CommentQuerySet(models.QuerySet):
    def visible_to(
        self, user, own_comment_ids=(), *, moderates: bool | None = None
    ) -> CommentQuerySet:
        """Comments ``user`` sees, annotated ``readable``: in full, or a placeholder.

        A comment ``user`` may not read (held for someone else, rejected, spam,
        deleted) still shows as a placeholder while something below it is
        readable, so the thread keeps its shape; otherwise it is not shown.
        """
        readable = readable_by(user, own_comment_ids, moderates=moderates)
        # The descendants' paths lie strictly between the comment's path and that
        # path followed by the largest segment: a range the (post, path) index
        # answers directly, where a LIKE on an outer column would scan the post.
        readable_below = self.model.objects.filter(readable).filter(
            post_id=OuterRef("post_id"),
            path__gt=OuterRef("path"),
            path__lt=Concat(
                OuterRef("path"), Value(paths.LAST_SEGMENT), output_field=CharField()
            ),
        )
        return self.filter(readable | Q(Exists(readable_below))).annotate(
            readable=ExpressionWrapper(readable, output_field=BooleanField())
        )

    def with_thread_context(
        self, user, own_comment_ids=(), *, moderates: bool | None = None
    ) -> CommentQuerySet:
        """With what a page showing one comment's sub-thread needs to know of
        the comments above it, which it does not load: ``frozen_above`` (a
        comment above it is frozen: nobody may reply below) and
        ``parent_readable`` (``user`` may read its parent in full)."""
        # The ancestors' paths are the prefixes of the comment's path: each lies
        # at or below it, and the comment's path below the ancestor's followed
        # by the largest segment (as in visible_to, the other way round).
        frozen_above = (
            self.model.objects.filter(
                post_id=OuterRef("post_id"), frozen=True, path__lt=OuterRef("path")
            )
            .alias(
                below=Concat(
                    "path", Value(paths.LAST_SEGMENT), output_field=CharField()
                )
            )
            .filter(below__gt=OuterRef("path"))
        )
        parent = self.model.objects.filter(
            readable_by(user, own_comment_ids, moderates=moderates),
            pk=OuterRef("parent_id"),
        )
        return self.annotate(
            frozen_above=Exists(frozen_above), parent_readable=Exists(parent)
        )

    def published_counts(self, post_ids) -> dict[int, int]:
        """How many published comments each of these posts has, in one query."""
        counts = (
            self.filter(post__in=post_ids, state=CommentState.PUBLISHED)
            .order_by()
            .values_list("post")
            .annotate(total=Count("pk"))
        )
        return dict.fromkeys(post_ids, 0) | dict(counts)

    def in_display_order(self) -> CommentQuerySet:
        """With what showing a comment needs: its author's public face, not the
        raw input (only editing needs that) nor the author's private fields.
        A thread may hold thousands of rows, so the columns left out count."""
        return (
            self.select_related("author")
            .defer(
                "body_source",
                "rule_codes",
                "rule_set_version",
                *(f"author__{name}" for name in PRIVATE_AUTHOR_FIELDS),
            )
            .order_by("path")
        )

    def owned_by(self, user) -> CommentQuerySet:
        if user.is_superuser:
            return self
        return self.filter(post__journal__owner=user)
