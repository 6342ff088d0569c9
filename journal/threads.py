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


def _with_indent(comments: list[Comment], base_depth: int) -> list[Comment]:
    for comment in comments:
        comment.indent = min(comment.depth - base_depth, MAX_INDENT)
    return comments


def comment_page(post: Post, viewer, page_number=None) -> CommentPage:
    """One page of top-level threads with all their replies: two queries."""
    visible = Comment.objects.filter(post=post).visible_to(viewer)
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
    return CommentPage(comments=_with_indent(comments, 0), page=page)


def comment_thread(post: Post, viewer, comment_id: int) -> CommentPage | None:
    """A comment and everything below it, or None when there is no such comment."""
    visible = Comment.objects.filter(post=post).visible_to(viewer)
    focus = visible.select_related("author").filter(pk=comment_id).first()
    if focus is None:
        return None
    lower, upper = paths.subtree_bounds(focus.path)
    comments = list(visible.filter(path__gte=lower, path__lt=upper).in_display_order())
    return CommentPage(comments=_with_indent(comments, focus.depth), focus=focus)
