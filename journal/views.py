"""Reader-facing pages. Views stay thin: reads come from querysets and
journal.threads, writes go through journal.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from . import services, threads
from .client_ip import client_ip
from .conf import option
from .forms import CommentEditForm, CommentForm
from .models import Comment, Journal, Post, Tag
from .params import optional_id
from .plugins import Origin, ViewerRoles, plugin

# Ids of held comments an anonymous visitor wrote, so they can see their own.
OWN_COMMENTS_SESSION_KEY = "journal.own_held_comments"


def bad_request(request, exception=None):
    """Django's 400 handler: too large or malformed requests."""
    message = _(
        "The request was too large or malformed, so nothing was saved. A comment "
        "may be at most %(limit)s characters."
    ) % {"limit": f"{option('COMMENT_MAX_LENGTH'):,}"}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def _paginate_posts(request, posts):
    return Paginator(posts, option("POSTS_PER_PAGE")).get_page(request.GET.get("page"))


@require_safe
def home(request):
    page = _paginate_posts(request, Post.objects.for_listing())
    return render(request, "journal/home.html", {"page": page})


@require_safe
def journal_posts(request, journal_name: str):
    journal = get_object_or_404(
        Journal.objects.select_related("owner"), name=journal_name
    )
    page = _paginate_posts(request, journal.posts.for_listing())
    return render(request, "journal/journal.html", {"journal": journal, "page": page})


@require_safe
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


def _get_post(request, journal_name: str, post_id: int, *, for_page=True) -> Post:
    """The post in the URL, or a 404. ``for_page`` adds what showing it needs
    (comment count, the viewer's roles and what the moderation plugin wants to
    know of the viewer, all in the same query); tags are read by the template."""
    queryset = Post.objects.select_related("journal__owner")
    noted = {}
    if for_page:
        noted = plugin().viewer_annotations(request.user, journal_ref="journal_id")
        queryset = (
            queryset.with_comment_count()
            .with_viewer_roles(request.user)
            .annotate(**noted)
        )
    post = get_object_or_404(queryset, pk=post_id, journal__name=journal_name)
    post.viewer_noted = {name: getattr(post, name) for name in noted}
    return post


def _roles(request, post: Post) -> ViewerRoles:
    return ViewerRoles(
        is_member=post.viewer_is_member,
        is_moderator=post.journal.is_moderated_by(
            request.user, named=post.viewer_is_moderator
        ),
        noted=post.viewer_noted,
    )


def _own_comment_ids(request) -> list[int]:
    # Costs no query for a visitor without a session cookie.
    return list(request.session.get(OWN_COMMENTS_SESSION_KEY, []))


def _remember_own_comment(request, comment: Comment) -> None:
    if comment.author_id is None and comment.is_held:
        own = [*_own_comment_ids(request), comment.pk][-50:]
        request.session[OWN_COMMENTS_SESSION_KEY] = own


def _render_post_page(
    request, post: Post, *, form=None, reply_to_id=None, status=200, refusal=None
):
    roles = _roles(request, post)
    access = plugin().may_comment(post, request.user, roles)
    own_ids = _own_comment_ids(request)
    focus_id = reply_to_id or optional_id(request.GET.get("thread"))
    comment_page = None
    if focus_id:
        comment_page = threads.comment_thread(post, request.user, focus_id, own_ids)
        if comment_page is None and form is None:
            raise Http404(_("No such comment."))
    if comment_page is None:
        comment_page = threads.comment_page(
            post, request.user, request.GET.get("page"), own_ids
        )

    reply_to = comment_page.focus if reply_to_id else None
    if form is None and not access.refused:
        form = CommentForm(
            initial={"parent": reply_to.pk if reply_to else None},
            post_id=post.pk,
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
        "is_moderator": roles.is_moderator,
        "edit_minutes": post.journal.edit_window_minutes,
        "tools": plugin().tools(post, request.user, roles),
    }
    return render(request, "journal/post.html", context, status=status)


@require_safe
def post_detail(request, journal_name: str, post_id: int):
    post = _get_post(request, journal_name, post_id)
    reply_to_id = optional_id(request.GET.get("replyto"))
    return _render_post_page(request, post, reply_to_id=reply_to_id)


def _announce(request, comment: Comment) -> None:
    """Tell the author plainly whether the comment is live or waiting, and why."""
    if comment.is_held:
        reasons = "; ".join(
            reason["message"]
            for reason in comment.reasons
            if reason["action"] == "hold"
        )
        messages.warning(
            request,
            _("Your comment is awaiting moderation: %(reasons)s.")
            % {"reasons": reasons},
        )
    else:
        messages.success(request, _("Your comment was posted."))


@require_POST
def post_comment(request, journal_name: str, post_id: int):
    # Writing needs the post alone: the service judges the author itself. Only a
    # page shown again (bad input, a refusal) reads what showing the post needs.
    post = _get_post(request, journal_name, post_id, for_page=False)

    def page_again(form, **kwargs):
        shown = _get_post(request, journal_name, post_id)
        return _render_post_page(request, shown, form=form, **kwargs)

    form = CommentForm(
        request.POST, post_id=post.pk, anonymous=not request.user.is_authenticated
    )
    if not form.is_valid():
        form.refresh_token()
        return page_again(form, status=400)

    # On a refusal, show the thread replied to (if it is on this post).
    reply_to_id = form.cleaned_data["parent"]
    try:
        comment = services.submit_comment(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            subject=form.cleaned_data["subject"],
            parent_id=reply_to_id,
            author_name=form.cleaned_data.get("author_name", ""),
            origin=Origin(ip_address=client_ip(request), proof=form.proof()),
        )
    except ValidationError as error:
        form.add_error(None, error)
        form.refresh_token()
        return page_again(form, reply_to_id=reply_to_id, status=400)
    except services.CommentRefused as refused:
        form.refresh_token()
        return page_again(
            form,
            reply_to_id=reply_to_id,
            status=429 if refused.code == "rate.limited" else 403,
            refusal=refused.reason,
        )
    _remember_own_comment(request, comment)
    _announce(request, comment)
    return redirect(comment.get_absolute_url())


def _own_comment(request, journal_name: str, post_id: int, comment_id: int) -> Comment:
    """The requester's own comment on this post; anything else is a 404."""
    if not request.user.is_authenticated:
        raise Http404(_("No such comment."))
    return get_object_or_404(
        Comment.objects.select_related("post__journal__owner", "author"),
        pk=comment_id,
        post_id=post_id,
        post__journal__name=journal_name,
        author_id=request.user.pk,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def edit_comment(request, journal_name: str, post_id: int, comment_id: int):
    comment = _own_comment(request, journal_name, post_id, comment_id)
    has_replies = Comment.objects.filter(parent=comment).exists()
    refusal = services.edit_refusal(comment, request.user, has_replies=has_replies)
    form = CommentEditForm(
        request.POST or None,
        initial={"subject": comment.subject, "body": comment.body_source},
    )
    status = 200
    if refusal is not None:
        status = 403
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                comment = services.edit_comment(
                    comment=comment,
                    editor=request.user,
                    body=form.cleaned_data["body"],
                    subject=form.cleaned_data["subject"],
                    origin=Origin(ip_address=client_ip(request)),
                )
            except services.NotAllowed as not_allowed:
                refusal, status = not_allowed, 403
            except ValidationError as error:
                form.add_error(None, error)
            except services.CommentRefused as refused:
                form.add_error(None, refused.message)
                status = 429 if refused.code == "rate.limited" else 403
            else:
                _announce(request, comment)
                return redirect(comment.get_absolute_url())
    context = {
        "comment": comment,
        "post": comment.post,
        "form": form,
        "refusal": refusal,
        "journal": comment.post.journal,
    }
    return render(request, "journal/comment_edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def delete_comment(request, journal_name: str, post_id: int, comment_id: int):
    comment = _own_comment(request, journal_name, post_id, comment_id)
    if request.method == "POST":
        try:
            services.delete_own_comment(comment=comment, user=request.user)
        except services.NotAllowed as not_allowed:
            messages.error(request, not_allowed.message)
        else:
            messages.success(request, _("Your comment was deleted."))
        return redirect(f"{comment.post.get_absolute_url()}#comments")
    context = {
        "comment": comment,
        "post": comment.post,
        "journal": comment.post.journal,
    }
    return render(request, "journal/comment_delete.html", context)
