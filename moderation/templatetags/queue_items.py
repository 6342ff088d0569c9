"""``{% queue_items page.items %}``: the held or reported comments of a queue page.

The markup is ``templates/moderation/queue_items.jinja``, drawn by Django's Jinja2
backend for the reason the post page's comments are: fifty items with their
forms cost Django's template language most of the page's time. This tag gathers
what the template needs once per page.
"""

from __future__ import annotations

from django import template
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from accounts.models import DEFAULT_USERPIC
from journal.templatetags.comment_list import display_date, month_names
from moderation.rules import rule_label

register = template.Library()


def excerpt(body_html: str) -> str:
    """The first 40 words of a stored sanitized body, its tags closed."""
    return Truncator(body_html).words(40, html=True, truncate=" …")


def open_reports(comment) -> list:
    """The open reports prefetched for the reports tab; none on the held tab."""
    return getattr(comment, "open_reports", [])


def weight(value: float) -> str:
    """A report's weight as a person reads it: "1", "1.5", "0"."""
    return f"{value:g}"


def short_date(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "M j, Y")


@register.simple_tag(takes_context=True)
def queue_items(context, comments) -> SafeString:
    """Each comment as a queue item with its decision buttons."""
    html = get_template("moderation/queue_items.jinja", using="jinja2").render(
        {
            "comments": comments,
            "reason_options": context["reason_options"],
            "default_userpic": static(DEFAULT_USERPIC),
            "zone": timezone.get_current_timezone(),
            "months": month_names(),
            "display_date": display_date,
            "short_date": short_date,
            "excerpt": excerpt,
            "open_reports": open_reports,
            "weight": weight,
            "rule_label": rule_label,
            "select_all": context.get("select_all", False),
        }
    )
    # The template escaped every value it printed (autoescape, journal.jinja).
    return SafeString(html)
