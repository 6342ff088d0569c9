"""Moderators' pages. Reads come from moderation.queue, every change goes through
moderation.services; a journal the user does not moderate is simply a 404."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import (
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    pgettext_lazy,
)
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from journal.models import Comment, CommentState, Journal
from journal.params import local_path, whole_number
from journal.plugins import FollowUp, offer_follow_up

from . import appeals, heat, notes, queue, rules, services
from .models import AuthorRestriction, ReportReason

# Each thread action's page: its heading, its button and what it does.
THREAD_ACTIONS = {
    "freeze": (
        gettext_lazy("Freeze thread #%(id)s"),
        pgettext_lazy("thread action", "Freeze"),
        gettext_lazy(
            "Freeze this thread: nobody can reply anywhere below this comment."
        ),
    ),
    "unfreeze": (
        gettext_lazy("Unfreeze thread #%(id)s"),
        pgettext_lazy("thread action", "Unfreeze"),
        gettext_lazy("Unfreeze this thread: replies are allowed again."),
    ),
    "delete": (
        gettext_lazy("Delete thread #%(id)s"),
        pgettext_lazy("thread action", "Delete"),
        gettext_lazy(
            "Delete this thread: every comment in it is removed from view. "
            "Nothing is erased; you can undo this for 24 hours."
        ),
    ),
    "screen": (
        gettext_lazy("Screen comment #%(id)s"),
        pgettext_lazy("thread action", "Screen"),
        gettext_lazy(
            "Screen this comment: only its author and moderators see it until "
            "someone unscreens it."
        ),
    ),
    "unscreen": (
        gettext_lazy("Unscreen comment #%(id)s"),
        pgettext_lazy("thread action", "Unscreen"),
        gettext_lazy("Unscreen this comment: everyone can read it again."),
    ),
}


# As long as the API lets a decision's note be.
NOTE_LENGTH = 2_000

# The decisions just made without JavaScript, shown once with their Undo.
LAST_ACTION_SESSION_KEY = "moderation.last_action"


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return local_path(request, target) or default


@login_required
@require_safe
def queue_page(request):
    page = queue.load(request.user, request.GET)
    queue.Badge.remember(request.user, page.tabs[0][2])
    context = {
        "page": page,
        "filters": page.filters,
        "reasons": ReportReason.choices,
        # Built once: every item of the page repeats the same choices.
        "reason_options": format_html(
            '<option value="">{}</option>{}',
            _("Choose a reason"),
            format_html_join(
                "", '<option value="{}">{}</option>', ReportReason.choices
            ),
        ),
        "hold_codes": [(code, rules.rule_label(code)) for code in queue.HOLD_CODES],
        # Where each form comes back to; "select all" is for this page only.
        "here": _without_select(request),
        "select_all": request.GET.get("select") == "all",
        # The decisions just made without JavaScript, each with its Undo.
        "last_action": request.session.pop(LAST_ACTION_SESSION_KEY, None),
        "poll_seconds": settings.MODERATION_QUEUE_POLL_SECONDS,
        "script_words": _script_words(page),
    }
    return render(request, "moderation/queue.html", context)


def _script_words(page) -> dict:
    """What queue.js writes on the page, in the page's language (the template
    hands it over with ``json_script``): the script itself translates nothing.
    "%(id)s" in a sentence is for the script to fill in."""
    words = {
        "shortcutsOn": _("Single-key shortcuts on."),
        "shortcutsOff": _("Single-key shortcuts off."),
        "noAnswer": _(
            "The server did not answer; nothing was changed. Reload and try again."
        ),
        "unreachable": _("The server could not be reached; nothing was changed."),
        "nothingChanged": _("Nothing was changed."),
        "nothingUndone": _("Nothing was undone."),
        "undo": _("Undo"),
        "undoneGone": _("#%(id)s undone; it is no longer on this page of the queue."),
        "selectAll": _("Select all on this page"),
        "selectNone": _("Select none"),
        "noneSelected": _("None selected."),
        "selected": {},
    }
    if page.filters.tab != "decided":
        # Ticked boxes are never more than the page's items; each number with
        # its own plural form (the script cannot choose one).
        words["selected"] = {
            count: selected_text(count) for count in range(1, len(page.items) + 1)
        }
    return words


def selected_text(count: int) -> str:
    # Translators: announced when "Select all on this page" ticks the comments.
    return ngettext("%(count)s selected.", "%(count)s selected.", count) % {
        "count": count
    }


def new_items_text(count: int) -> str:
    """The link to comments held since the page was drawn: "3 new — show"."""
    # Translators: a link to comments held since the queue page was drawn.
    return ngettext("%(count)s new — show", "%(count)s new — show", count) % {
        "count": count
    }


def _without_select(request) -> str:
    query = request.GET.copy()
    query.pop("select", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@login_required
@require_safe
def live_counts(request):
    """What an open queue page polls for: tab counts, how many comments were
    held since it was drawn, and who else is looking at its items. JSON with
    an ETag, so an unchanged answer is a bodiless 304."""
    try:
        counts = queue.live(
            request.user,
            since=_count_from(request.GET.get("since", "")),
            journal=request.GET.get("journal", "")[:64],
            items=_item_pairs(request.GET.get("items", "")),
        )
    except Http404:
        return _json_error("not_found", _("You do not moderate any journal."), 404)
    queue.Badge.remember(request.user, counts.tabs["held"])
    # The "3 new — show" link, worded here: the script only puts it in place.
    answer = {**counts.as_json(), "new_text": new_items_text(counts.new_held)}
    body = json.dumps(answer, sort_keys=True)
    digest = hashlib.blake2b(body.encode(), digest_size=12).hexdigest()
    etag = f'"{digest}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _count_from(value: str) -> int | None:
    """The page's newest held id when drawn: 0 when the queue was empty."""
    return 0 if value == "0" else whole_number(value)


def _item_pairs(value: str) -> list[tuple[int, int]]:
    """ "3:41,3:42" (journal id:comment id, as the page's items carry them)
    as pairs; anything malformed is skipped, and at most a page's worth read."""
    pairs = []
    for part in value.split(",")[: queue.PAGE_SIZE * 2]:
        journal_id, _sep, comment_id = part.partition(":")
        journal_id, comment_id = whole_number(journal_id), whole_number(comment_id)
        if journal_id and comment_id:
            pairs.append((journal_id, comment_id))
    return pairs


@login_required
@require_POST
def claim(request, comment_id: int):
    """Claim a queue item for a few minutes ("Dan is looking at this"), or
    with ``release`` withdraw one's own claim. JSON for the queue's script."""
    try:
        if request.POST.get("release"):
            services.release_item(moderator=request.user, comment_id=comment_id)
            return JsonResponse({"comment": comment_id, "released": True})
        held = services.claim_item(moderator=request.user, comment_id=comment_id)
    except services.NotFound:
        return _json_error("not_found", _("No such comment in your queue."), 404)
    except services.NotAllowed as refused:
        return _json_error(refused.code, refused.message, 403)
    return JsonResponse(
        {"comment": comment_id, "name": held.name, "until": held.until.isoformat()}
    )


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
        if decision == "spamban":  # the item's own "Spam and ban" button
            fields = {
                "note": post.get(f"ban-note-{key}", "")[:NOTE_LENGTH],
                "ban": True,
                "ban_until": _until(post.get(f"until-{key}", "")),
            }
            return "spam", seen, fields
        fields = {
            "reason": post.get(f"reason-{key}", ""),
            # The Reject panel's note, for a rejection's author only.
            "note": post.get(f"note-{key}", "")[:NOTE_LENGTH]
            if decision in ("reject", "dismiss")
            else "",
            "ban": bool(post.get(f"ban-{key}")),
            "ban_until": _until(post.get(f"until-{key}", "")),
        }
        return decision, seen, fields
    decision = post.get("bulk", "")
    seen = [services.Seen.parse(token) for token in post.getlist("selected")]
    fields = {
        "reason": post.get("bulk-reason", ""),
        "note": post.get("bulk-note", "")[:NOTE_LENGTH]
        if decision in ("reject", "dismiss")
        else "",
        "ban": bool(post.get("bulk-ban")),
        "ban_until": _until(post.get("bulk-until", "")),
    }
    return decision, seen, fields


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    """The API's error shape, for the queue's script."""
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _wants_json(request) -> bool:
    """The queue's script asks for JSON; a plain form post gets a redirect."""
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def act(request):
    back = _back(request, reverse("moderation:queue"))
    as_json = _wants_json(request)

    def refuse(message: str, code: str, status: int = 400):
        if as_json:
            return _json_error(code, message, status)
        messages.error(request, message)
        return redirect(back)

    try:
        decision, seen, fields = _read_action(request.POST)
    except services.NotAllowed as refused:
        return refuse(refused.message, refused.code)
    except ValueError:
        return refuse(
            _("The form was damaged; reload the queue and try again."), "form.damaged"
        )
    if not seen:
        return refuse(_("Tick at least one comment first."), "selection.empty")
    try:
        if decision == "dismiss":
            ids = [item.comment_id for item in seen]
            closed = services.dismiss_reports(
                moderator=request.user, comment_ids=ids, note=fields["note"]
            )
            summary = ngettext(
                "%(n)d report dismissed.", "%(n)d reports dismissed.", closed
            ) % {"n": closed}
            outcomes = [services.Outcome(pk, "done", summary) for pk in ids]
        else:
            outcomes = services.decide(
                moderator=request.user, items=seen, decision=decision, **fields
            )
            summary = _summary(decision, outcomes)
    except services.NotFound as error:
        if as_json:
            return refuse(_("No such comment in your queue."), "not_found", 404)
        raise Http404(_("No such comment in your queue.")) from error
    except services.NotAllowed as refused:
        return refuse(refused.message, refused.code)

    results = [_result(decision, outcome) for outcome in outcomes]
    if as_json:
        return JsonResponse({"detail": summary, "outcomes": results})
    for result in results:
        if result["status"] != "done":
            messages.warning(request, result["message"])
    done = [result for result in results if result["undo"]]
    if done:  # shown with an Undo for each comment
        request.session[LAST_ACTION_SESSION_KEY] = {"summary": summary, "done": done}
    elif summary:
        messages.success(request, summary)
    return redirect(back + _place_after(request.POST, outcomes))


# What a decision did, as whole sentences: a verb agrees with its number in
# some languages. (services.decide refuses any other decision first.)
SUMMARIES = {
    "approve": ngettext_lazy(
        "%(n)d comment approved.", "%(n)d comments approved.", "n"
    ),
    "reject": ngettext_lazy("%(n)d comment rejected.", "%(n)d comments rejected.", "n"),
    "spam": ngettext_lazy(
        "%(n)d comment marked as spam.", "%(n)d comments marked as spam.", "n"
    ),
}
DONE_LINES = {
    "approve": gettext_lazy("#%(id)d approved."),
    "reject": gettext_lazy("#%(id)d rejected."),
    "spam": gettext_lazy("#%(id)d marked as spam."),
    "dismiss": gettext_lazy("#%(id)d reports dismissed."),
}


def _summary(decision: str, outcomes) -> str:
    done = sum(outcome.done for outcome in outcomes)
    if not done:
        return ""
    return SUMMARIES[decision] % {"n": done}


def _result(decision: str, outcome) -> dict:
    """One item's outcome as the page shows it: a line, and its Undo."""
    if outcome.done:
        message = DONE_LINES[decision] % {"id": outcome.comment_id}
    else:
        message = _("Comment #%(id)d: %(message)s") % {
            "id": outcome.comment_id,
            "message": outcome.message,
        }
    return {
        "comment": outcome.comment_id,
        "status": outcome.status,
        "message": message,
        "undo": (
            reverse("moderation:undo", args=(outcome.entry_id,))
            if outcome.entry_id
            else None
        ),
    }


def _place_after(post, outcomes) -> str:
    """The page's anchor after a decision without JavaScript: the item that
    followed the first one decided, so a reload lands where the moderator was."""
    parts = post.get("order", "").split(",")[: queue.PAGE_SIZE * 2]
    order = [whole_number(part) for part in parts]
    order = [pk for pk in order if pk]
    decided = {outcome.comment_id for outcome in outcomes if outcome.done}
    positions = [order.index(pk) for pk in decided if pk in order]
    if not positions:
        return ""
    following = [pk for pk in order[min(positions) :] if pk not in decided]
    return f"#q{following[0]}" if following else "#queue-items"


@login_required
@require_POST
def undo(request, entry_id: int):
    back = _back(request, f"{reverse('moderation:queue')}?tab=decided")
    as_json = _wants_json(request)
    try:
        entry = services.undo(moderator=request.user, entry_id=entry_id)
    except services.NotFound as error:
        if as_json:
            return _json_error("not_found", _("No such entry in your log."), 404)
        raise Http404(_("No such entry in your journals' log.")) from error
    except services.NotAllowed as refused:
        if as_json:
            return _json_error(refused.code, refused.message, 409)
        messages.error(request, refused.message)
        return redirect(back)
    done = _("Undone. The log keeps both the action and the undo.")
    if as_json:
        return JsonResponse({"detail": done, "comment": entry.comment_id})
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def lift_heat(request, screening_id: int):
    """End a sub-thread's heat screening now (the queue's banner)."""
    back = _back(request, reverse("moderation:queue"))
    try:
        heat.lift_heat(moderator=request.user, screening_id=screening_id)
    except services.NotFound as error:
        raise Http404(_("No such screening in your journals.")) from error
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        return redirect(back)
    messages.success(
        request,
        _(
            "Heat screening lifted: new replies in the thread are judged as usual "
            "again. Those held stay in the queue; the Decided tab can undo it."
        ),
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
        heading, button, explanation = THREAD_ACTIONS[action]
        context = {
            "scope": scope,
            "action": action,
            "heading": heading % {"id": comment.pk},
            "button": button,
            "explanation": explanation,
            "comment": comment,
            "post": comment.post,
        }
        return render(request, "moderation/thread_action.html", context)
    moderator = request.user
    post_url = comment.post.get_absolute_url()
    # Land above the comments, where the post page says what was done and
    # offers Undo: after a deletion on the whole post (the thread is gone from
    # the comment's own address for readers), otherwise on the comment's thread.
    query = "" if action == "delete" else f"?thread={comment.pk}"
    landing = f"{post_url}{query}#comments"
    try:
        if action in ("freeze", "unfreeze"):
            entry = services.freeze_thread(
                moderator=moderator, comment_id=comment_id, frozen=action == "freeze"
            )
        elif action == "delete":
            entry = services.delete_thread(
                moderator=moderator,
                comment_id=comment_id,
                note=request.POST.get("note", ""),
            )
        else:
            entry = services.screen_comment(
                moderator=moderator, comment_id=comment_id, screened=action == "screen"
            )
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        # The top of the page, where the message is.
        return redirect(f"{post_url}{query}")
    offer_follow_up(
        request.session,
        FollowUp(
            message=_thread_action_done(action, entry),
            label=_("Undo"),
            url=reverse("moderation:undo", args=[entry.pk]),
            path=post_url,
            fields=(("next", landing),),
        ),
    )
    return redirect(landing)


def _thread_action_done(action: str, entry) -> str:
    if action == "delete":
        count = entry.data.get("comments", 0)
        return ngettext(
            "Thread deleted: %(count)s comment removed from view.",
            "Thread deleted: %(count)s comments removed from view.",
            count,
        ) % {"count": count}
    return {
        "freeze": _("Thread frozen: nobody can reply below this comment."),
        "unfreeze": _("Thread unfrozen: replies are allowed again."),
        "screen": _("Comment screened: only its author and moderators see it."),
        "unscreen": _("Comment unscreened: everyone can read it again."),
    }[action]


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


# Appeals ---------------------------------------------------------------------------


def _errors(invalid: ValidationError) -> list[str]:
    return [message for found in invalid.message_dict.values() for message in found]


def _appeal_page(request, *, read, send, back: str, context: dict):
    """An author's appeal of one decision: its page (what was decided, where
    the appeal stands, the form while one may be made), and the form's POST,
    which comes back to ``next`` (the post page) once sent. Bad input shows
    the page again with the text kept and a 4xx; nothing is stored."""
    errors, status, text = [], 200, ""
    if request.method == "POST":
        text = request.POST.get("text", "")[: appeals.MAX_LENGTH * 2]
        try:
            send(text)
        except services.NotFound as missing:
            raise Http404(_("No such decision to appeal.")) from missing
        except ValidationError as invalid:
            errors, status = _errors(invalid), 400
        except services.NotAllowed as refused:
            errors = [refused.message]
            status = 409 if refused.code in appeals.CONFLICTS else 403
        else:
            messages.success(
                request,
                _("Your appeal was sent. A moderator will answer it here and by mail."),
            )
            return redirect(_back(request, back))
    try:
        standing = read()
    except services.NotFound as missing:
        raise Http404(_("No such decision to appeal.")) from missing
    except services.NotAllowed as refused:
        standing = None
        errors = errors or [refused.message]
    context = {
        **context,
        "standing": standing,
        "errors": errors,
        "text": text,
        "max_length": appeals.MAX_LENGTH,
        "next": _back(request, back),
    }
    return render(request, "moderation/appeal.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_comment(request, comment_id: int):
    """Appeal the rejection of one's own comment (someone else's is a 404)."""
    comment = get_object_or_404(
        Comment.objects.select_related("post__journal"),
        pk=comment_id,
        author_id=request.user.pk,
    )
    return _appeal_page(
        request,
        read=lambda: appeals.comment_standing(
            author=request.user, comment_id=comment.pk
        ),
        send=lambda text: appeals.file_appeal(
            author=request.user, comment_id=comment.pk, text=text
        ),
        back=f"{comment.post.get_absolute_url()}#t{comment.pk}",
        context={"comment": comment, "journal": comment.post.journal},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_restriction(request, journal_name: str, kind: str):
    """Appeal one's ban (``kind`` "ban") or screening ("screen") in a journal."""
    if kind not in AuthorRestriction.Kind.values:
        raise Http404
    journal = get_object_or_404(Journal, name=journal_name)
    return _appeal_page(
        request,
        read=lambda: appeals.restriction_standing(
            author=request.user, journal=journal, kind=kind
        ),
        send=lambda text: appeals.file_appeal(
            author=request.user, journal=journal, restriction=kind, text=text
        ),
        back=journal.get_absolute_url(),
        context={
            "journal": journal,
            "restriction": AuthorRestriction.Kind(kind).label,
        },
    )


@login_required
@require_POST
def decide_appeal(request, appeal_id: int):
    """Grant or deny an appeal from the queue's Appeals tab."""
    back = _back(request, f"{reverse('moderation:queue')}?tab=appeals")
    outcome = request.POST.get("outcome", "")
    if outcome not in ("grant", "deny"):
        messages.error(request, _("The form was damaged; reload and try again."))
        return redirect(back)
    try:
        appeal = appeals.decide_appeal(
            moderator=request.user,
            appeal_id=appeal_id,
            grant=outcome == "grant",
            answer=request.POST.get("answer", ""),
        )
    except services.NotFound as missing:
        raise Http404(_("No such appeal in your journals.")) from missing
    except ValidationError as invalid:
        for message in _errors(invalid):
            messages.error(request, message)
        return redirect(f"{back}#a{appeal_id}")
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        return redirect(f"{back}#a{appeal_id}")
    if appeal.state == appeal.State.GRANTED:
        done = _("Appeal #%(id)s granted: the decision is undone.")
    else:
        done = _("Appeal #%(id)s denied: the decision stands.")
    messages.success(request, done % {"id": appeal.pk} + " " + _("The author is told."))
    return redirect(back)


# Notes on authors -------------------------------------------------------------------


@login_required
@require_POST
def write_note(request):
    """Add a private note on an author, beside their record in the queue."""
    back = _back(request, reverse("moderation:queue"))
    journal = (
        Journal.objects.moderated_by(request.user)
        .filter(name=request.POST.get("journal", "")[:64])
        .first()
    )
    author_id = whole_number(request.POST.get("author", ""))
    author = (
        get_user_model().objects.filter(pk=author_id).first()
        if author_id is not None
        else None
    )
    if journal is None or author is None:
        raise Http404(_("No such journal or author in your queue."))
    try:
        notes.write_note(
            moderator=request.user,
            journal=journal,
            author=author,
            text=request.POST.get("text", "")[: notes.MAX_LENGTH * 2],
        )
    except services.NotFound as missing:
        raise Http404 from missing
    except ValidationError as invalid:
        for message in _errors(invalid):
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Note saved. Only this journal's moderators see it."))
    return redirect(back)


@login_required
@require_POST
def retire_note(request, note_id: int):
    """Take a note back (it stays in the log and the admin)."""
    back = _back(request, reverse("moderation:queue"))
    try:
        notes.retire_note(moderator=request.user, note_id=note_id)
    except services.NotFound as missing:
        raise Http404(_("No such note in your journals.")) from missing
    except services.NotAllowed as refused:
        messages.error(request, refused.message)
        return redirect(back)
    messages.success(request, _("Note taken back."))
    return redirect(back)
