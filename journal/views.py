"""Reader-facing pages. Views stay thin: reads come from querysets and
journal.threads, writes go through journal.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from moderation import rules

from . import services, threads
from .conf import option
from .forms import CommentForm
from .models import Comment, Journal, Post, Tag


def _paginate_posts(request, posts):
    return Paginator(posts, option("POSTS_PER_PAGE")).get_page(request.GET.get("page"))


@require_GET
def home(request):
    page = _paginate_posts(request, Post.objects.for_listing())
    return render(request, "journal/home.html", {"page": page})


@require_GET
def journal_posts(request, journal_name: str):
    journal = get_object_or_404(
        Journal.objects.select_related("owner"), name=journal_name
    )
    page = _paginate_posts(request, journal.posts.for_listing())
    return render(request, "journal/journal.html", {"journal": journal, "page": page})


@require_GET
def tag_posts(request, journal_name: str, tag_slug: str):
    tag = get_object_or_404(
        Tag.objects.select_related("journal__owner"),
        journal__name=journal_name,
        slug=tag_slug,
    )
    page = _paginate_posts(request, tag.posts.for_listing())
    return render(
        request, "journal/tag.html", {"journal": tag.journal, "tag": tag, "page": page}
    )


def _get_post(request, journal_name: str, post_id: int) -> Post:
    queryset = (
        Post.objects.select_related("journal__owner")
        .prefetch_related("tags")
        .with_comment_count()
        .with_viewer_roles(request.user)
    )
    return get_object_or_404(queryset, pk=post_id, journal__name=journal_name)


def _roles(request, post: Post) -> services.ViewerRoles:
    user = request.user
    is_moderator = post.viewer_is_moderator or (
        user.is_authenticated
        and (user.is_superuser or post.journal.owner_id == user.pk)
    )
    return services.ViewerRoles(
        is_member=post.viewer_is_member, is_moderator=is_moderator
    )


def _positive_int(value: str | None) -> int | None:
    """Parse an id from the query string; anything odd means "no such comment"."""
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404(_("No such comment."))
    return int(value)


def _render_post_page(
    request, post: Post, *, form=None, reply_to_id=None, status=200, refusal=None
):
    access = rules.access_verdict(
        services.comment_facts(
            post=post, user=request.user, roles=_roles(request, post)
        )
    )
    focus_id = reply_to_id or _positive_int(request.GET.get("thread"))
    comment_page = None
    if focus_id:
        comment_page = threads.comment_thread(post, request.user, focus_id)
        if comment_page is None and form is None:
            raise Http404(_("No such comment."))
    if comment_page is None:
        comment_page = threads.comment_page(post, request.user, request.GET.get("page"))

    reply_to = comment_page.focus if reply_to_id else None
    if form is None and not access.refused:
        form = CommentForm(
            initial={"parent": reply_to.pk if reply_to else None},
            anonymous=not request.user.is_authenticated,
        )
    context = {
        "journal": post.journal,
        "post": post,
        "comment_page": comment_page,
        "reply_to": reply_to,
        "access": access,
        "form": form,
        "refusal": refusal,
    }
    return render(request, "journal/post.html", context, status=status)


@require_GET
def post_detail(request, journal_name: str, post_id: int):
    post = _get_post(request, journal_name, post_id)
    reply_to_id = _positive_int(request.GET.get("replyto"))
    return _render_post_page(request, post, reply_to_id=reply_to_id)


@require_POST
def post_comment(request, journal_name: str, post_id: int):
    post = _get_post(request, journal_name, post_id)
    form = CommentForm(request.POST, anonymous=not request.user.is_authenticated)
    if not form.is_valid():
        return _render_post_page(request, post, form=form, status=400)

    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            form.add_error(None, _("The comment you are replying to does not exist."))
            return _render_post_page(request, post, form=form, status=400)
    reply_to_id = (
        parent.pk if parent is not None and parent.post_id == post.pk else None
    )
    try:
        comment = services.submit_comment(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            subject=form.cleaned_data["subject"],
            parent=parent,
            author_name=form.cleaned_data.get("author_name", ""),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_post_page(
            request, post, form=form, reply_to_id=reply_to_id, status=400
        )
    except services.CommentRefused as refused:
        return _render_post_page(
            request,
            post,
            form=form,
            reply_to_id=reply_to_id,
            status=403,
            refusal=refused.reason,
        )
    messages.success(request, _("Your comment was posted."))
    return redirect(comment.get_absolute_url())
