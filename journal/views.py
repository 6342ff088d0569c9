"""Reader-facing pages. Views stay thin: reads come from querysets and
journal.threads, writes go through journal.services."""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from . import pagecache, services, threads
from .client_ip import client_ip
from .compiled import Compiled
from .conf import option
from .forms import CommentEditForm, CommentForm
from .models import Comment, CommentState, Journal, Post, Tag
from .params import optional_id, whole_number
from .plugins import Origin, Refusal, ViewerRoles, plugin, take_follow_ups
from .sentences import reason_text

# Ids of held comments an anonymous visitor wrote, so they can see their own.
OWN_COMMENTS_SESSION_KEY = "journal.own_held_comments"


def bad_request(request, exception=None):
    """Django's 400 handler: too large or malformed requests."""
    limit = option("COMMENT_MAX_LENGTH")
    message = ngettext(
        "The request was too large or malformed, so nothing was saved. A comment "
        "may be at most %(limit)s character.",
        "The request was too large or malformed, so nothing was saved. A comment "
        "may be at most %(limit)s characters.",
        limit,
    ) % {"limit": number_format(limit, force_grouping=True)}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def _paginate_posts(request, posts):
    """A page of ``posts`` (a ``for_listing`` queryset without counts), each
    with its comment count: from the cache while pages are cached."""
    if not pagecache.enabled():
        posts = posts.with_comment_count()
    page = Paginator(posts, option("POSTS_PER_PAGE")).get_page(request.GET.get("page"))
    if pagecache.enabled():
        page.object_list = list(page.object_list)
        pagecache.comment_counts(page.object_list, Comment.objects.published_counts)
    return page


@require_safe
def home(request):
    page = _paginate_posts(request, Post.objects.for_listing(counted=False))
    return render(request, "journal/home.html", {"page": page})


@require_safe
def journal_posts(request, journal_name: str):
    journal = get_object_or_404(
        Journal.objects.select_related("owner"), name=journal_name
    )
    page = _paginate_posts(request, journal.posts.for_listing(counted=False))
    return render(request, "journal/journal.html", {"journal": journal, "page": page})


@require_safe
def tag_posts(request, journal_name: str, tag_slug: str):
    tag = get_object_or_404(
        Tag.objects.select_related("journal__owner"),
        journal__name=journal_name,
        slug=tag_slug,
    )
    page = _paginate_posts(request, tag.posts.for_listing(counted=False))
    return render(
        request, "journal/tag.html", {"journal": tag.journal, "tag": tag, "page": page}
    )


def _get_post(request, journal_name: str, post_id: int, *, for_page=True) -> Post:
    """The post in the URL, or a 404. ``for_page`` adds what showing it needs
    (comment count, the viewer's roles and what the moderation plugin wants to
    know of the viewer, all in the same query); tags are read by the template."""
    if not for_page:
        post = services.post_to_comment_on(post_id, journal_name)
        if post is None:
            raise Http404
        post.viewer_noted = {}
        return post
    if pagecache.enabled() and not request.user.is_authenticated:
        compiled, noted = _visitors_post(type(plugin()))
        post = compiled.first_instance(post_id=post_id, journal_name=journal_name)
        if post is None:
            raise Http404
    else:
        queryset, noted = _post_page_posts(request.user)
        if not pagecache.enabled():
            queryset = queryset.with_comment_count()
        post = get_object_or_404(queryset, pk=post_id, journal__name=journal_name)
    if pagecache.enabled():
        pagecache.comment_counts([post], Comment.objects.published_counts)
    post.viewer_noted = {name: getattr(post, name) for name in noted}
    return post


def _post_page_posts(viewer) -> tuple[QuerySet, tuple[str, ...]]:
    """Posts with what their page needs of ``viewer``: their roles and what the
    moderation plugin wants to know (``viewer_annotations``, whose names come
    second)."""
    noted = plugin().viewer_annotations(viewer, journal_ref="journal_id")
    posts = (
        Post.objects.select_related("journal__owner")
        .with_viewer_roles(viewer)
        .annotate(**noted)
    )
    return posts, tuple(noted)


@lru_cache(maxsize=8)
def _visitors_post(plugin_class: type) -> tuple[Compiled, tuple[str, ...]]:
    """A visitor's post page asks the same query each time (the comment count
    comes from the cache): compiled once (journal.compiled) for the plugin
    installed, which drawing a page that is not cached spends 2 ms less on."""
    noted = _post_page_posts(AnonymousUser())[1]
    compiled = Compiled(
        lambda values: _post_page_posts(AnonymousUser())[0].filter(
            pk=values["post_id"], journal__name=values["journal_name"]
        ),
        {"post_id": -1, "journal_name": "\x1fone"},
        {"post_id": -2, "journal_name": "\x1ftwo"},
    )
    return compiled, noted


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


# What was typed into a comment form that was refused, invalid or previewed,
# with why, by post id: the form's POST redirects to the post page (303), which
# shows it again, so that page can be reloaded. Kept until the comment is
# posted or the draft discarded; only the latest few posts keep one.
DRAFTS_SESSION_KEY = "journal.comment_drafts"
MAX_DRAFTS = 3


def _see_other(url: str) -> HttpResponseRedirect:
    """Where a form's POST sends the browser: a GET of ``url``, which a reload
    repeats instead of sending the form again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


# How long an anonymous visitor's session (and so their draft) lasts.
ANONYMOUS_DRAFT_SECONDS = 24 * 60 * 60


def _draft_limits() -> dict[str, int]:
    # Enough to show a text that is a little too long as it was typed, not more.
    return {
        "body": option("COMMENT_MAX_LENGTH") + 1_000,
        "subject": option("SUBJECT_MAX_LENGTH") + 100,
        "author_name": 200,
        "parent": 30,
        # A bot that filled the trap finds it filled again, as it left it.
        CommentForm.honeypot_field: 200,
    }


def _draft(request, post: Post, reply_to_id: int | None) -> dict | None:
    """The draft kept for this post, if it belongs on this page (the reply form
    of the comment it answers, or the new-comment form)."""
    if DRAFTS_SESSION_KEY not in request.session:  # no query without a session
        return None
    draft = request.session[DRAFTS_SESSION_KEY].get(str(post.pk))
    if draft is None or draft["reply_to"] != reply_to_id:
        return None
    return draft


def _keep_draft(
    request,
    post: Post,
    *,
    errors=None,
    refusal: Refusal | None = None,
    preview_html: str | None = None,
) -> str:
    """Keep what was typed and why it was not posted; the address to show it at.

    A preview is cleaned here, once: the page shown (and reloaded) after it
    reads the result instead of cleaning the text again on every request."""
    typed = {
        name: request.POST.get(name, "")[:limit]
        for name, limit in _draft_limits().items()
    }
    preview = preview_html is not None
    reply_to_id = whole_number(typed["parent"])
    drafts = {
        key: draft
        for key, draft in request.session.get(DRAFTS_SESSION_KEY, {}).items()
        if key != str(post.pk)
    }
    drafts[str(post.pk)] = {
        "typed": typed,
        "reply_to": reply_to_id,
        # Errors the service found; the form's own are found again on display.
        "errors": errors or {},
        "refusal": [refusal.code, refusal.message] if refusal else None,
        "preview": preview,
        "preview_html": preview_html or "",
        # Nothing was judged, so the anti-bot proof is still good: keeping it
        # spares a person who previews the wait a fresh one asks for.
        "started": request.POST.get("started", "")[:500] if preview else "",
    }
    request.session[DRAFTS_SESSION_KEY] = dict(list(drafts.items())[-MAX_DRAFTS:])
    if not request.user.is_authenticated:
        # A visitor's draft is worth a day, not a login session's two weeks.
        request.session.set_expiry(ANONYMOUS_DRAFT_SECONDS)
    query = f"?replyto={reply_to_id}" if reply_to_id else ""
    anchor = "#preview" if preview and not errors else "#error-summary"
    return f"{post.get_absolute_url()}{query}{anchor}"


def _forget_draft(request, post: Post) -> None:
    drafts = request.session.get(DRAFTS_SESSION_KEY)
    if drafts and str(post.pk) in drafts:
        request.session[DRAFTS_SESSION_KEY] = {
            key: draft for key, draft in drafts.items() if key != str(post.pk)
        }


def _service_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(found) for field, found in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


def _draft_form(request, post: Post, draft: dict) -> tuple[CommentForm, Refusal | None]:
    """The comment form as it was sent, with every error it got."""
    form = CommentForm(
        dict(draft["typed"]),
        post_id=post.pk,
        anonymous=not request.user.is_authenticated,
    )
    form.is_valid()  # the form's own checks, as when it was sent
    for field, found in draft["errors"].items():
        for message in found:
            form.add_error(field if field in form.fields else None, message)
    if draft["started"]:
        form.data = {**form.data, "started": draft["started"]}
    else:
        form.refresh_token()
    refusal = Refusal(*draft["refusal"]) if draft["refusal"] else None
    return form, refusal


def _render_post_page(request, post: Post, *, reply_to_id=None):
    roles = _roles(request, post)
    access = plugin().may_comment(post, request.user, roles)
    tools = plugin().tools(post, request.user, roles)
    own_ids = _own_comment_ids(request)
    draft = _draft(request, post, reply_to_id)
    focus_id = reply_to_id or optional_id(request.GET.get("thread"))
    # Where a slice starts: after this reply of the focus, or after this
    # top-level comment (journal.threads). The reply form shows from the first.
    after = None if reply_to_id else optional_id(request.GET.get("after"))
    comment_page = None
    if focus_id:
        comment_page = threads.comment_thread(
            post,
            request.user,
            focus_id,
            own_ids,
            after=after,
            moderates=roles.is_moderator,
        )
        # A reply refused because its parent is gone comes back with its text.
        if comment_page is None and draft is None:
            raise Http404(_("No such comment."))
    if comment_page is None:
        comment_page = threads.comment_page(
            post, request.user, after, own_ids, moderates=roles.is_moderator
        )

    reply_to = comment_page.focus if reply_to_id else None
    if reply_to is not None and not reply_to.readable and draft is None:
        # Nobody replies to a placeholder: it is not there, as a missing one.
        raise Http404(_("No such comment."))
    form = refusal = preview_html = None
    if access.refused:
        draft = None
    elif draft is not None:
        form, refusal = _draft_form(request, post, draft)
        if draft["preview"]:
            # Cleaned when previewed (_keep_draft), by the write path's function.
            preview_html = draft.get("preview_html", "")
    else:
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
        # Nobody may reply under a frozen comment: say so instead of a form
        # (unless a refused reply's text is waiting there).
        "reply_frozen": bool(reply_to and reply_to.thread_frozen and draft is None),
        # Replies go under published comments only (the write path's rule).
        "reply_closed": bool(
            reply_to
            and reply_to.state != CommentState.PUBLISHED
            and not reply_to.thread_frozen
            and draft is None
        ),
        "access": access,
        "form": form,
        "refusal": refusal,
        "page_error": refusal is not None,
        "has_draft": draft is not None,
        "preview_html": preview_html,
        "is_moderator": roles.is_moderator,
        "edit_minutes": post.journal.edit_window_minutes,
        "tools": tools,
        "follow_ups": take_follow_ups(request.session, request.path),
    }
    response = render(request, "journal/post.html", context)
    # The plugin's notices above the form hold until then (a scheduled window).
    pagecache.keep_until(response, access.changes_at)
    return response


@require_safe
def post_detail(request, journal_name: str, post_id: int):
    post = _get_post(request, journal_name, post_id)
    reply_to_id = optional_id(request.GET.get("replyto"))
    return _render_post_page(request, post, reply_to_id=reply_to_id)


def _announce(request, comment: Comment) -> None:
    """Tell the author plainly whether the comment is live or waiting, and why."""
    if comment.is_held:
        reasons = "; ".join(
            reason_text(reason)
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


def _may_not_comment(request, journal_name: str, post_id: int) -> bool:
    """Whether the post's page would show no form to this user (anonymous in a
    registered-only journal, banned, comments closed): asked only when a
    comment was not posted, before keeping a draft."""
    shown = _get_post(request, journal_name, post_id)
    return plugin().may_comment(shown, request.user, _roles(request, shown)).refused


@require_POST
def post_comment(request, journal_name: str, post_id: int):
    """Post, preview or discard a comment. Anything but a stored comment sends
    the browser back to the post page (303) with the text kept in the session:
    the errors in view, and an address that can be reloaded."""
    # Writing needs the post alone: the service judges the author itself.
    post = _get_post(request, journal_name, post_id, for_page=False)
    if "discard" in request.POST:
        _forget_draft(request, post)
        messages.info(request, _("Your draft was discarded."))
        reply_to_id = whole_number(request.POST.get("parent", ""))
        query = f"?replyto={reply_to_id}" if reply_to_id else ""
        return _see_other(f"{post.get_absolute_url()}{query}#add-comment")

    def back_to_the_form(**why):
        # Nothing is kept for someone who may not comment here (anonymous in a
        # registered-only journal, banned, comments closed): the page says why
        # there is no form.
        if _may_not_comment(request, journal_name, post_id):
            return _see_other(f"{post.get_absolute_url()}#add-comment")
        return _see_other(_keep_draft(request, post, **why))

    form = CommentForm(
        request.POST, post_id=post.pk, anonymous=not request.user.is_authenticated
    )
    if not form.is_valid():
        return back_to_the_form()
    if "preview" in request.POST:
        try:
            preview_html = services.preview_comment(
                body=form.cleaned_data["body"], subject=form.cleaned_data["subject"]
            )
        except ValidationError as error:
            return back_to_the_form(errors=_service_errors(error))
        return back_to_the_form(preview_html=preview_html)
    try:
        comment = services.submit_comment(
            post=post,
            author=request.user,
            body=form.cleaned_data["body"],
            subject=form.cleaned_data["subject"],
            parent_id=form.cleaned_data["parent"],
            author_name=form.cleaned_data.get("author_name", ""),
            origin=Origin(ip_address=client_ip(request), proof=form.proof()),
        )
    except ValidationError as error:
        return back_to_the_form(errors=_service_errors(error))
    except services.CommentRefused as refused:
        return back_to_the_form(refusal=refused.reason)
    _forget_draft(request, post)
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
                status = 429 if refused.retry_after else 403
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
