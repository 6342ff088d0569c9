"""Moderators' pages. Reads come from moderation.queue, every change goes through
moderation.services; a journal the user does not moderate is simply a 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from journal.models import Comment, CommentState
from journal.params import local_path

from . import queue, services
from .models import ReportReason

THREAD_ACTIONS = {
    "freeze": _("Freeze this thread: nobody can reply anywhere below this comment."),
    "unfreeze": _("Unfreeze this thread: replies are allowed again."),
    "delete": _(
        "Delete this thread: every comment in it is removed from view. "
        "Nothing is erased; you can undo this for 24 hours."
    ),
    "screen": _(
        "Screen this comment: only its author and moderators see it until "
        "someone unscreens it."
    ),
    "unscreen": _("Unscreen this comment: everyone can read it again."),
}


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return local_path(request, target) or default


@login_required
@require_safe
def queue_page(request):
    page = queue.load(request.user, request.GET)
    context = {
        "page": page,
        "filters": page.filters,
        "reasons": ReportReason.choices,
        # Built once: every item of the page repeats the same choices.
        "reason_options": format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == ReportReason.OTHER else "", label)
                for value, label in ReportReason.choices
            ),
        ),
        "hold_codes": queue.HOLD_CODES,
        "here": request.get_full_path(),
    }
    return render(request, "moderation/queue.html", context)


def _until(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise services.NotAllowed(
            _("Enter the ban's end date as YYYY-MM-DD."), "ban.until"
        ) from error
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _read_action(post) -> tuple[str, list[services.Seen], dict]:
    """What was asked: one item's button, or a bulk button over the ticked items."""
    if "act" in post:
        decision, _sep, token = post["act"].partition(":")
        seen = [services.Seen.parse(token)]
        key = str(seen[0].comment_id)
        fields = {
            "reason": post.get(f"reason-{key}", ""),
            "note": post.get(f"note-{key}", ""),
            "ban": bool(post.get(f"ban-{key}")),
            "ban_until": _until(post.get(f"until-{key}", "")),
        }
        return decision, seen, fields
    decision = post.get("bulk", "")
    seen = [services.Seen.parse(token) for token in post.getlist("selected")]
    fields = {
        "reason": post.get("bulk-reason", ""),
        "note": post.get("bulk-note", ""),
        "ban": bool(post.get("bulk-ban")),
        "ban_until": _until(post.get("bulk-until", "")),
    }
    return decision, seen, fields


@login_required
@require_POST
def act(request):
    back = _back(request, reverse("moderation:queue"))
    try:
        decision, seen, fields = _read_action(request.POST)
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        return redirect(back)
    except ValueError:
        messages.error(
            request, _("The form was damaged; reload the queue and try again.")
        )
        return redirect(back)
    if not seen:
        messages.error(request, _("Tick at least one comment first."))
        return redirect(back)
    try:
        if decision == "dismiss":
            closed = services.dismiss_reports(
                moderator=request.user,
                comment_ids=[item.comment_id for item in seen],
                note=fields["note"],
            )
            messages.success(
                request,
                ngettext("%(n)d report dismissed.", "%(n)d reports dismissed.", closed)
                % {"n": closed},
            )
            return redirect(back)
        outcomes = services.decide(
            moderator=request.user, items=seen, decision=decision, **fields
        )
    except services.NotFound as error:
        raise Http404(_("No such comment in your queue.")) from error
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        return redirect(back)
    _report_outcomes(request, decision, outcomes)
    return redirect(back)


def _report_outcomes(request, decision: str, outcomes) -> None:
    done = sum(outcome.done for outcome in outcomes)
    verb = {
        "approve": _("approved"),
        "reject": _("rejected"),
        "spam": _("marked as spam"),
    }
    if done:
        messages.success(
            request,
            ngettext("%(n)d comment %(verb)s.", "%(n)d comments %(verb)s.", done)
            % {"n": done, "verb": verb.get(decision, decision)},
        )
    for outcome in outcomes:
        if not outcome.done:
            messages.warning(
                request,
                _("Comment #%(id)d: %(message)s")
                % {"id": outcome.comment_id, "message": outcome.message},
            )


@login_required
@require_POST
def undo(request, entry_id: int):
    back = _back(request, f"{reverse('moderation:queue')}?tab=decided")
    try:
        services.undo(moderator=request.user, entry_id=entry_id)
    except services.NotFound as error:
        raise Http404(_("No such entry in your journals' log.")) from error
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("Undone. The log keeps both the action and the undo.")
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def thread_action(request, comment_id: int, action: str):
    if action not in THREAD_ACTIONS:
        raise Http404
    try:
        scope = services.thread_scope(moderator=request.user, comment_id=comment_id)
    except services.NotFound as error:
        raise Http404(_("No such comment in your journals.")) from error
    comment = scope.comment
    if request.method != "POST":
        context = {
            "scope": scope,
            "action": action,
            "explanation": THREAD_ACTIONS[action],
            "comment": comment,
            "post": comment.post,
        }
        return render(request, "moderation/thread_action.html", context)
    moderator = request.user
    try:
        if action in ("freeze", "unfreeze"):
            services.freeze_thread(
                moderator=moderator, comment_id=comment_id, frozen=action == "freeze"
            )
        elif action == "delete":
            services.delete_thread(
                moderator=moderator,
                comment_id=comment_id,
                note=request.POST.get("note", ""),
            )
        else:
            services.screen_comment(
                moderator=moderator, comment_id=comment_id, screened=action == "screen"
            )
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("Done. You can undo it from the Decided tab of the queue.")
        )
    return redirect(comment.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, comment_id: int):
    comment = get_object_or_404(
        Comment.objects.select_related("post__journal", "author"),
        pk=comment_id,
        state=CommentState.PUBLISHED,
    )
    error = None
    if request.method == "POST":
        try:
            services.report_comment(
                comment=comment,
                reporter=request.user,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
        except services.NotFound as missing:
            raise Http404 from missing
        except services.NotAllowed as refused:
            if refused.code == "report.reason":
                error = refused.message
            else:
                messages.error(request, refused.message)
                return redirect(comment.get_absolute_url())
        else:
            messages.success(request, _("Thank you. A moderator will look at it."))
            return redirect(comment.get_absolute_url())
    context = {
        "comment": comment,
        "post": comment.post,
        "reasons": ReportReason.choices,
        "error": error,
    }
    status = 400 if error else 200
    return render(request, "moderation/report.html", context, status=status)
