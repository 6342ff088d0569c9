"""Reading threaded comments a page at a time in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from . import paths
from .conf import option
from .models import Comment, Post

# Deeper replies keep this indentation so a long thread stays readable on a phone.
MAX_INDENT = 12


@dataclass
class CommentPage:
    comments: list[Comment]
    page: Page | None = None
    focus: Comment | None = None


def annotate_layout(comments: list[Comment], base_depth: int) -> list[Comment]:
    """Set each comment's indent and whether a visible reply follows it."""
    for index, comment in enumerate(comments):
        comment.indent = min(comment.depth - base_depth, MAX_INDENT)
        following = comments[index + 1] if index + 1 < len(comments) else None
        comment.has_visible_replies = (
            following is not None and following.depth > comment.depth
        )
    return comments


def comment_page(
    post: Post, viewer, page_number=None, own_comment_ids=()
) -> CommentPage:
    """One page of top-level threads with all their replies: two queries."""
    visible = Comment.objects.filter(post=post).visible_to(viewer, own_comment_ids)
    root_paths = list(
        visible.filter(parent__isnull=True)
        .order_by("path")
        .values_list("path", flat=True)
    )
    page = Paginator(root_paths, option("THREADS_PER_PAGE")).get_page(page_number)
    if not page.object_list:
        return CommentPage(comments=[], page=page)
    lower, upper = paths.roots_range_bounds(page.object_list[0], page.object_list[-1])
    comments = list(visible.filter(path__gte=lower, path__lt=upper).in_display_order())
    return CommentPage(comments=annotate_layout(comments, 0), page=page)


def comment_thread(
    post: Post, viewer, comment_id: int, own_comment_ids=()
) -> CommentPage | None:
    """A comment and everything below it, or None when there is no such comment."""
    visible = Comment.objects.filter(post=post).visible_to(viewer, own_comment_ids)
    focus = visible.select_related("author").filter(pk=comment_id).first()
    if focus is None:
        return None
    lower, upper = paths.subtree_bounds(focus.path)
    comments = list(visible.filter(path__gte=lower, path__lt=upper).in_display_order())
    return CommentPage(comments=annotate_layout(comments, focus.depth), focus=focus)
