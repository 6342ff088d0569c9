"""``{% comment_list comments %}``: the comments of a post page as HTML.

Written in Python rather than as a template loop because a thread may hold
thousands of comments and the template engine spends most of a big page
resolving variables; this produces the same markup several times faster (see
``python -m benchmarks``). Every value a person wrote is escaped here, except
``body_html``, the copy ``journal.sanitize`` cleaned when it was written.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString

from accounts.models import DEFAULT_USERPIC
from journal.models import CommentState
from journal.sanitize import stored_html
from moderation.rules import Action

register = template.Library()

# A comment id no database will reach, replaced by each real id: one reverse()
# per page instead of one per link.
_ID = 987654321987654321
_LINE = "\n  "
ORDINALS = {1: "st", 2: "nd", 3: "rd"}
NO_COMMENTS = (
    '<ol class="comment-list">\n<li class="no-comments">No comments yet.</li>\n</ol>'
)


class _Links:
    """The per-comment URLs of one page, built from patterns reversed once."""

    def __init__(self, post, journal):
        self.post = escape(post.get_absolute_url())
        self._patterns: dict[str, str] = {}
        self._journal_args = (journal.name, post.pk)

    def _pattern(self, name: str, *args) -> str:
        key = f"{name}:{args}"
        if key not in self._patterns:
            self._patterns[key] = escape(reverse(name, args=args))
        return self._patterns[key]

    def own(self, name: str, comment_id: int) -> str:
        pattern = self._pattern(name, *self._journal_args, _ID)
        return pattern.replace(str(_ID), str(comment_id))

    def moderation(self, name: str, comment_id: int, *args) -> str:
        return self._pattern(name, _ID, *args).replace(str(_ID), str(comment_id))


def _tombstone(comment) -> str:
    return (
        f'<li class="comment comment-tombstone indent-{comment.indent}" '
        f'id="t{comment.pk}" data-depth="{comment.depth}">\n'
        f'  <p class="tombstone">{escape(comment.placeholder_label)}</p>\n</li>'
    )


def display_date(moment, months) -> str:
    """``moment`` as the date format "F jS, Y H:i" writes it ("May 3rd, 2026
    09:05"), without the general formatter's cost on every comment."""
    day = moment.day
    suffix = "th" if 10 < day % 100 < 14 else ORDINALS.get(day % 10, "th")
    return f"{months[moment.month]} {day}{suffix}, {moment.year} {moment:%H:%M}"


def _head(comment, *, default_userpic: str, is_moderator: bool, zone, months) -> str:
    author = comment.author
    userpic = (
        escape(author.userpic_url) if author and author.userpic else default_userpic
    )
    created = comment.created_at.astimezone(zone)
    author_class = (
        "comment-author" if author else "comment-author comment-author-anonymous"
    )
    parts = [
        '<div class="comment-head">\n'
        f'  <img class="userpic userpic-small" src="{userpic}" alt="" '
        'width="40" height="40">\n  <div>\n'
        f'    <span class="{author_class}">'
        f"{escape(comment.author_label)}</span>\n"
        f'    <time datetime="{created.isoformat()}">'
        f"{display_date(created, months)}</time>"
    ]
    if comment.edited_at:
        parts.append('\n    <span class="comment-edited">(edited)</span>')
    if is_moderator and comment.ip_address:
        parts.append(
            f'\n    <span class="comment-ip">IP {escape(comment.ip_address)}</span>'
        )
    parts.append("\n  </div>\n</div>")
    return "".join(parts)


def _held_note(comment, *, is_moderator: bool) -> str:
    who = "moderators and the author" if is_moderator else "you and the moderators"
    reasons = []
    for reason in comment.verdict_reasons:
        if reason.action != Action.HOLD:
            continue
        match = ""
        if is_moderator and reason.entry:
            match = (
                f' <span class="reason-match">(matched “{escape(reason.matched)}”, '
                f"list entry “{escape(reason.entry)}”)</span>"
            )
        reasons.append(f"<li>{escape(reason.message)}{match}</li>")
    return (
        f'<div class="held-note">\n  <strong>Awaiting moderation.</strong> Only {who} '
        f'can see this comment.\n  <ul class="held-reasons">{"".join(reasons)}</ul>\n'
        "</div>"
    )


def _rejected_note(comment) -> str:
    why = ""
    if comment.moderator_reason_label:
        why = f": {escape(comment.moderator_reason_label.lower())}"
    if comment.moderator_note:
        why += f" (“{escape(comment.moderator_note)}”)"
    return (
        '<p class="held-note"><strong>Not published.</strong> A moderator rejected '
        f"this comment{why}. Only you can see it.</p>"
    )


def _actions(comment, links: _Links, *, user, is_moderator: bool, edit_minutes) -> str:
    pk = comment.pk
    actions = []
    if not comment.is_held:
        actions.append(f'<a href="{links.post}?replyto={pk}#add-comment">Reply</a>')
    actions.append(f'<a href="{links.post}?thread={pk}#t{pk}">Link</a>')
    rejected = comment.state == CommentState.REJECTED
    if user.is_authenticated and comment.author_id == user.pk:
        if edit_minutes and not comment.has_visible_replies and not rejected:
            edit = links.own("journal:edit_comment", pk)
            actions.append(f'<a href="{edit}">Edit</a>')
        if not rejected:
            delete = links.own("journal:delete_comment", pk)
            actions.append(f'<a href="{delete}">Delete</a>')
    elif (
        user.is_authenticated
        and comment.state == CommentState.PUBLISHED
        and not is_moderator
    ):
        report = links.moderation("moderation:report", pk)
        actions.append(f'<a href="{report}">Report</a>')
    html = f'<p class="comment-actions">\n  {_LINE.join(actions)}\n</p>'
    if not is_moderator:
        return html

    def thread(action: str, label: str) -> str:
        url = links.moderation("moderation:thread", pk, action)
        return f'<a href="{url}">{label}</a>'

    tools = [
        thread("unfreeze", "Unfreeze thread")
        if comment.frozen
        else thread("freeze", "Freeze thread"),
        thread("delete", "Delete thread"),
    ]
    if comment.state == CommentState.PUBLISHED:
        tools.append(thread("screen", "Screen"))
    elif comment.is_held:
        tools.append(thread("unscreen", "Unscreen"))
    return f'{html}\n<p class="mod-actions">\n  Moderate:\n  {_LINE.join(tools)}\n</p>'


def _comment(comment, links: _Links, **viewer) -> str:
    classes = f"comment indent-{comment.indent}"
    if comment.is_held:
        classes += " comment-held"
    if comment.state == CommentState.REJECTED:
        classes += " comment-rejected"
    parts = [
        f'<li class="{classes}" id="t{comment.pk}" data-depth="{comment.depth}" '
        f'data-state="{comment.state}">',
        _head(
            comment,
            default_userpic=viewer["default_userpic"],
            is_moderator=viewer["is_moderator"],
            zone=viewer["zone"],
            months=viewer["months"],
        ),
    ]
    if comment.is_held:
        parts.append(_held_note(comment, is_moderator=viewer["is_moderator"]))
    if comment.state == CommentState.REJECTED:
        parts.append(_rejected_note(comment))
    if comment.subject:
        parts.append(f'<h3 class="comment-subject">{escape(comment.subject)}</h3>')
    parts.append(f'<div class="comment-body">{stored_html(comment.body_html)}</div>')
    parts.append(
        _actions(
            comment,
            links,
            user=viewer["user"],
            is_moderator=viewer["is_moderator"],
            edit_minutes=viewer["edit_minutes"],
        )
    )
    parts.append("</li>")
    return "\n".join(parts)


@register.simple_tag(takes_context=True)
def comment_list(context, comments) -> SafeString:
    """The comments in display order, each with its indent already set."""
    if not comments:
        return SafeString(NO_COMMENTS)
    links = _Links(context["post"], context["journal"])
    viewer = {
        "user": context["user"],
        "is_moderator": bool(context.get("is_moderator")),
        "edit_minutes": context.get("edit_minutes"),
        "default_userpic": escape(static(DEFAULT_USERPIC)),
        "zone": timezone.get_current_timezone(),
        # Month names in the active language, looked up once per page.
        "months": {number: str(name) for number, name in MONTHS.items()},
    }
    items = [
        _comment(comment, links, **viewer) if comment.readable else _tombstone(comment)
        for comment in comments
    ]
    return SafeString('<ol class="comment-list">\n' + "\n".join(items) + "\n</ol>")
