"""``{% queue_items page.items %}``: the held or reported comments of a queue page.

Written in Python for the reason the post page's comment list is: fifty items
with their forms cost the template engine most of the page's time. Every value
a person wrote is escaped; only stored sanitized bodies go in as they are.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from accounts.models import DEFAULT_USERPIC
from journal.models import CommentState
from journal.sanitize import stored_html
from journal.templatetags.comment_list import display_date
from moderation.rules import Action

register = template.Library()


def _parent(parent) -> str:
    if parent is None:
        return ""
    if parent.state == CommentState.PUBLISHED:
        excerpt = Truncator(parent.body_html).words(40, html=True, truncate=" …")
        shown = f'<div class="comment-body">{stored_html(excerpt)}</div>'
    else:
        shown = f'<em class="muted">({escape(parent.get_state_display().lower())})</em>'
    return (
        '\n  <div class="queue-parent">\n'
        f'    <span class="muted">Replying to {escape(parent.author_label)}:</span>\n'
        f"    {shown}\n  </div>"
    )


def _held_reasons(comment) -> str:
    if comment.state != CommentState.HELD:
        return ""
    items = []
    for reason in comment.verdict_reasons:
        if reason.action != Action.HOLD:
            continue
        match = ""
        if reason.entry:
            match = (
                f'<span class="reason-match"> matched <mark>{escape(reason.matched)}'
                f"</mark> ↔ list entry <mark>{escape(reason.entry)}</mark></span>"
            )
        items.append(
            f"<li><code>{escape(reason.code)}</code> {escape(reason.message)}"
            f"{match}</li>"
        )
    return f'\n  <ul class="held-reasons">\n    {"".join(items)}\n  </ul>'


def _reports(comment) -> str:
    reports = getattr(comment, "open_reports", None)
    if not reports:
        return ""
    items = []
    for report in reports:
        note = f": “{escape(report.note)}”" if report.note else ""
        items.append(
            f"<li>Reported as <strong>{escape(report.get_reason_display().lower())}"
            f"</strong> by {escape(report.reporter.public_name)}{note}</li>"
        )
    return f'\n  <ul class="reports">\n    {"".join(items)}\n  </ul>'


def _trust(record) -> str:
    """What the author's trust rests on: approvals, and comments that stood."""
    parts = [f"{record.approved} approved by a moderator"]
    if record.standing_days:
        parts.append(f"{record.standing} stood {record.standing_days}+ days")
    if not record.trust_on:
        verdict = "trust is off in this journal"
    elif record.trusted:
        verdict = f"<strong>trusted</strong> (needs {record.trust_needed})"
    else:
        verdict = f"not trusted yet ({record.trust_count} of {record.trust_needed})"
    return f" Trust: {', '.join(parts)}; {verdict}."


def _changes(comment) -> str:
    """How a held comment differs from the revision a moderator approved."""
    changes = getattr(comment, "changes_since_approval", None)
    if not changes:
        return ""
    tags = {"removed": "del", "added": "ins"}
    runs = "".join(
        f"<{tags[c.kind]}>{escape(c.text)}</{tags[c.kind]}>"
        if c.kind in tags
        else escape(c.text)
        for c in changes
    )
    return (
        '\n  <div class="approved-diff">\n'
        f'    <p class="muted">Edited after a moderator approved revision '
        f"{comment.approved_revision}; the changes since:</p>\n"
        f'    <p class="diff">{runs}</p>\n  </div>'
    )


def _record(comment) -> str:
    if comment.author is None:
        return "Anonymous comment."
    record = comment.author_record
    published = rejected = spam = 0
    extra = trust = ""
    if record is not None:
        published, rejected, spam = record.published, record.rejected, record.spam
        trust = _trust(record)
        if record.first_comment:
            first = dateformat.format(
                timezone.localtime(record.first_comment), "M j, Y"
            )
            extra += f"; first comment {first}"
        if record.banned:
            extra += "; <strong>banned</strong>"
        if record.screened:
            extra += "; <strong>screened</strong>"
    return (
        f"{escape(comment.author.public_name)} in this journal: {published} "
        f"published, {rejected} rejected, {spam} spam{extra}.{trust}"
    )


def _item(comment, *, reason_options: str, default_userpic: str, zone, months) -> str:
    pk, token = comment.pk, escape(comment.seen_token)
    author = comment.author
    userpic = (
        escape(author.userpic_url) if author and author.userpic else default_userpic
    )
    created = comment.created_at.astimezone(zone)
    ip = (
        f'<span class="comment-ip">IP {escape(comment.ip_address)}</span>'
        if comment.ip_address
        else ""
    )
    subject = (
        f'\n    <h3 class="comment-subject">{escape(comment.subject)}</h3>'
        if comment.subject
        else ""
    )
    first_action = ""
    if comment.state == CommentState.HELD:
        first_action = (
            f'<button type="submit" name="act" value="approve:{token}" '
            'data-action="approve">Approve</button>\n    '
        )
    elif comment.state == CommentState.PUBLISHED:
        first_action = (
            f'<button type="submit" name="act" value="dismiss:{token}" '
            'data-action="dismiss">Dismiss reports</button>\n    '
        )
    return f"""<li class="queue-item" id="q{pk}" tabindex="-1" data-comment="{pk}">
  <p class="queue-context">
    <label class="select-box"><input type="checkbox" name="selected" value="{token}"> <span class="visually-hidden">Select comment</span> #{pk}</label>
    on <a href="{escape(comment.get_absolute_url())}">{escape(comment.post.title)}</a> in <strong>{escape(comment.journal.name)}</strong>
  </p>{_parent(comment.parent)}
  <article class="comment queue-comment">
    <div class="comment-head">
      <img class="userpic userpic-small" src="{userpic}" alt="" width="40" height="40">
      <div>
        <span class="comment-author">{escape(comment.author_label)}</span>
        <time datetime="{created.isoformat()}">{display_date(created, months)}</time>
        {ip}
      </div>
    </div>{subject}
    <div class="comment-body">{stored_html(comment.body_html)}</div>
  </article>{_changes(comment)}{_held_reasons(comment)}{_reports(comment)}
  <p class="author-record">{_record(comment)}</p>
  <div class="item-actions">
    {first_action}<label>Reason <select name="reason-{pk}">{reason_options}</select></label>
    <label>Note <input type="text" name="note-{pk}" size="14"></label>
    <button type="submit" name="act" value="reject:{token}" data-action="reject">Reject</button>
    <label><input type="checkbox" name="ban-{pk}" value="1"{"" if author else " disabled"}> ban author</label>
    <label>until <input type="date" name="until-{pk}"></label>
    <button type="submit" name="act" value="spam:{token}" data-action="spam">Spam</button>
  </div>
</li>"""  # noqa: E501


@register.simple_tag(takes_context=True)
def queue_items(context, comments) -> SafeString:
    """Each comment as a queue item with its decision buttons."""
    options = {
        "reason_options": str(context["reason_options"]),
        "default_userpic": escape(static(DEFAULT_USERPIC)),
        "zone": timezone.get_current_timezone(),
        "months": {number: str(name) for number, name in MONTHS.items()},
    }
    return SafeString("\n".join(_item(comment, **options) for comment in comments))
