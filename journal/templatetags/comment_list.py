"""``{% comment_list comments %}``: the comments of a post page as HTML.

The markup is ``templates/journal/comment_list.jinja``, drawn by Django's Jinja2
backend: a thread may hold thousands of comments, and Django's template
language spends most of a big page resolving variables. This tag gathers what
the template needs once per page (the viewer, the link patterns, the
moderation plugin's tools) so that the loop does no more than it must.
"""

from __future__ import annotations

from django import template
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

from accounts.models import DEFAULT_USERPIC
from journal.threads import MAX_INDENT

register = template.Library()

# A comment id no database will reach, replaced by each real id: one reverse()
# per page instead of one per link.
_ID = 987654321987654321
ORDINALS = {1: "st", 2: "nd", 3: "rd"}


class _Links:
    """The per-comment URLs of one page, built from patterns reversed once."""

    def __init__(self, post, journal):
        self.post = post.get_absolute_url()
        self._patterns: dict[str, str] = {}
        self._journal_args = (journal.name, post.pk)

    def own(self, name: str, comment_id: int) -> str:
        if name not in self._patterns:
            self._patterns[name] = reverse(name, args=(*self._journal_args, _ID))
        return self._patterns[name].replace(str(_ID), str(comment_id))


def display_date(moment, months) -> str:
    """``moment`` as the date format "F jS, Y H:i" writes it ("May 3rd, 2026
    09:05"), without the general formatter's cost on every comment."""
    day = moment.day
    suffix = "th" if 10 < day % 100 < 14 else ORDINALS.get(day % 10, "th")
    return f"{months[moment.month]} {day}{suffix}, {moment.year} {moment:%H:%M}"


def month_names() -> dict[int, str]:
    """Month names in the active language, looked up once per page."""
    return {number: str(name) for number, name in MONTHS.items()}


@register.simple_tag(takes_context=True)
def comment_list(context, comments, more_threads=None) -> SafeString:
    """The comments in display order, laid out by ``journal.threads``; with
    ``reply_to`` in the context, the reply form right under that comment, and
    with ``more_threads`` (``journal.threads.More``) a link to the later
    threads at the end."""
    user = context["user"]
    reply_to = context.get("reply_to")
    reply_form = ""
    if reply_to is not None:
        # A Django template like the page's own form (CSRF token included).
        reply_form = render_to_string(
            "journal/_comment_form.html",
            {**context.flatten(), "in_list": True},
            request=context.get("request"),
        )
    html = get_template("journal/comment_list.jinja", using="jinja2").render(
        {
            "comments": comments,
            "more_threads": more_threads or None,
            # The level the page's lists start at: the script that loads more
            # replies in place indents them as this page does.
            "base_depth": comments[0].depth if comments else 0,
            "reply_to_id": reply_to.pk if reply_to is not None else None,
            "reply_form": reply_form,
            "max_indent": MAX_INDENT,
            "links": _Links(context["post"], context["journal"]),
            "user_id": user.pk if user.is_authenticated else None,
            "is_moderator": bool(context.get("is_moderator")),
            "edit_minutes": context.get("edit_minutes"),
            "tools": context["tools"],
            "default_userpic": static(DEFAULT_USERPIC),
            "zone": timezone.get_current_timezone(),
            "months": month_names(),
            "display_date": display_date,
        }
    )
    # The template escaped every value it printed (autoescape, journal.jinja).
    return SafeString(html)
