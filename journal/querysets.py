"""Read-side querysets: what each viewer may see, with the joins pages need."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


class JournalQuerySet(models.QuerySet):
    def owned_by(self, user) -> JournalQuerySet:
        if user.is_superuser:
            return self
        return self.filter(owner=user)


class PostQuerySet(models.QuerySet):
    def with_comment_count(self) -> PostQuerySet:
        """Annotate ``comment_count``: published comments, as a subquery."""
        from .models import Comment, CommentState

        published = (
            Comment.objects.filter(post=OuterRef("pk"), state=CommentState.PUBLISHED)
            .order_by()
            .values("post")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return self.annotate(comment_count=Coalesce(Subquery(published), Value(0)))

    def for_listing(self) -> PostQuerySet:
        """Posts with their journal, owner, tags and comment count, newest first."""
        return (
            self.select_related("journal__owner")
            .prefetch_related("tags")
            .with_comment_count()
            .order_by("-published_at", "-id")
        )

    def with_viewer_roles(self, user) -> PostQuerySet:
        """Annotate whether ``user`` is a member or moderator of the post's journal.

        Folded into the post's own query so that the page does not spend extra
        round trips deciding whether to show the comment form.
        """
        if not user.is_authenticated:
            return self.annotate(
                viewer_is_member=Value(False), viewer_is_moderator=Value(False)
            )
        from .models import Journal

        member = Journal.members.through.objects.filter(
            journal_id=OuterRef("journal_id"), user_id=user.pk
        )
        moderator = Journal.moderators.through.objects.filter(
            journal_id=OuterRef("journal_id"), user_id=user.pk
        )
        return self.annotate(
            viewer_is_member=Exists(member),
            viewer_is_moderator=Exists(moderator),
        )

    def owned_by(self, user) -> PostQuerySet:
        if user.is_superuser:
            return self
        return self.filter(journal__owner=user)


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommentQuerySet:
        """Comments ``user`` may read: published comments are visible to everyone."""
        from .models import CommentState

        return self.filter(state=CommentState.PUBLISHED)

    def in_display_order(self) -> CommentQuerySet:
        return self.select_related("author").order_by("path")

    def owned_by(self, user) -> CommentQuerySet:
        if user.is_superuser:
            return self
        return self.filter(post__journal__owner=user)
