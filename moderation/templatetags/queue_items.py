"""``{% queue_items page.items %}``: the held or reported comments of a queue page.

The markup is ``templates/moderation/queue_items.jinja``, drawn by Django's Jinja2
backend for the reason the post page's comments are: fifty items with their
forms cost Django's template language most of the page's time. This tag gathers
what the template needs once per page, its words included: makemessages cannot
read a Jinja2 template, so every word the template prints is here (``Words``).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext, pgettext

from accounts.models import DEFAULT_USERPIC
from journal.sentences import reason_text
from journal.templatetags.comment_list import display_date, month_names
from moderation.rules import rule_label, time_zone, until_text

register = template.Library()


def excerpt(body_html: str) -> str:
    """The first 40 words of a stored sanitized body, its tags closed."""
    return Truncator(body_html).words(40, html=True, truncate=" …")


def open_reports(comment) -> list:
    """The open reports prefetched for the reports tab; none on the held tab."""
    return getattr(comment, "open_reports", [])


def shadow_verdict(comment):
    """Where the running shadow rule set parts from live, its verdict
    (moderation.queue._attach_shadow_verdicts); else None."""
    return getattr(comment, "shadow_verdict", None)


def weight(value: float) -> str:
    """A report's weight as a person reads it: "1", "1.5", "0"."""
    return f"{value:g}"


def short_date_format() -> str:
    """The layout of a day in the active language: English keeps the queue's
    "Dec 1, 2026"; other languages write their own (Russian "1 декабря 2026 г.")."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == "en":
        return "M j, Y"
    return get_format("DATE_FORMAT")


def fill(sentence: str, **parts) -> SafeString:
    """A translated sentence with ``parts`` put in its %(name)s places: the
    sentence is text (escaped here), a part is escaped unless it is markup
    already (the template's ``{% set %}`` blocks), as Django escapes."""
    return SafeString(
        escape(sentence)
        % {name: conditional_escape(part) for name, part in parts.items()}
    )


class Words:
    """The queue items' words in the active language, made once per page: the
    loop reads attributes, and calls a method only for a sentence that holds a
    name or a number. A sentence with markup in it (a link, a bold word) is
    filled in by the template with ``fill``, so the markup stays there."""

    def __init__(self):
        self.select = pgettext("tick a queue item", "Select")
        # Translators: after "#41 by Dan"; post is a link, journal a name in bold.
        self.on_post_in_journal = gettext("on %(post)s in %(journal)s")
        # Translators: the text as the author wrote it, then the word-list entry.
        self.matched_entry = gettext("matched %(matched)s ↔ list entry %(entry)s")
        # Translators: after "list entry casino": the shared list it came from.
        self.from_list = gettext("of the shared list “%(list)s”")
        # Translators: reason is a report's reason in bold ("spam", "off-topic").
        self.reported_as = gettext("Reported as %(reason)s by %(reporter)s")
        self.banned = pgettext("author record", "banned")
        self.screened = pgettext("author record", "screened")
        self.trust_off = gettext("trust is off in this journal")
        self.trusted = pgettext("author record", "trusted")
        self.anonymous_comment = gettext("Anonymous comment.")
        self.approve = pgettext("queue button", "Approve")
        self.dismiss = pgettext("queue button", "Dismiss reports")
        self.spam = pgettext("queue button", "Spam")
        self.reject_panel = pgettext("queue button", "Reject…")
        self.reason = pgettext("rejection", "Reason")
        self.note_to_author = gettext("Note to the author")
        self.reject = pgettext("queue button", "Reject")
        self.spam_ban_panel = pgettext("queue button", "Spam and ban…")
        self.ban_until = gettext("Ban until")
        self.note_for_log = gettext("Note for the log")
        self.spam_ban = pgettext("queue button", "Spam and ban")
        self._short_date = short_date_format()
        # What the journal's shadow rule set (moderation.shadows) would have
        # done with the comment, where it parts from the live rules.
        self.shadow_would = {
            "publish": gettext("The shadow rule set would publish it."),
            "hold": gettext("The shadow rule set would hold it:"),
            "refuse": gettext("The shadow rule set would refuse it:"),
        }
        # Sentences with a name or a number in it, filled in by the methods.
        self._item_label = gettext("#%(id)s by %(author)s")
        self._replying_to = gettext("Replying to %(author)s:")
        self._ip = pgettext("internet address", "IP %(address)s")
        self._edited_after = gettext(
            "Edited after a moderator approved revision %(revision)s; the changes "
            "since:"
        )
        # Translators: what a reader's report weighs ("1", "1.5").
        self._weighs = gettext("(weighs %(weight)s)")
        self._quoted = gettext("“%(text)s”")
        self._on_comment = gettext("on #%(id)s")
        self._author_of = gettext("the author of #%(id)s")
        self._in_this_journal = gettext("%(name)s in this journal:")
        self._first_comment = gettext("first comment %(date)s")
        self._needs = gettext("(needs %(count)s)")
        self._not_trusted_yet = gettext("not trusted yet (%(count)s of %(needed)s)")
        # Translators: replies is "12 replies", minutes "in 10 minutes".
        self._heat_banner = gettext(
            "This thread is screened for heat until %(time)s: %(replies)s %(minutes)s"
        )
        self.lift = pgettext("queue button", "Lift")
        # The moderators' private notes on the author (moderation.notes).
        self.former_moderator = gettext("a former moderator")
        self.take_back = pgettext("a note", "Take back")
        self.note = pgettext("a note on an author", "Note")
        self.note_help = gettext(
            "Only this journal's moderators see it, dated and signed; the author "
            "never does."
        )
        self.save_note = gettext("Save note")
        self._add_note = gettext("Add a private note on %(name)s")
        self._note_number = gettext("note #%(id)s")
        self._lift_what = gettext("the heat screening of thread #%(id)s")
        self._now = timezone.now()

    def item_label(self, comment_id: int, author: str) -> str:
        """The item's name: "#41 by Dan"."""
        return self._item_label % {"id": comment_id, "author": author}

    def replying_to(self, author: str) -> str:
        return self._replying_to % {"author": author}

    def ip(self, address: str) -> str:
        return self._ip % {"address": address}

    def edited_after(self, revision: int) -> str:
        return self._edited_after % {"revision": revision}

    def weighs(self, value: float) -> str:
        """What a report weighs: "(weighs 1.5)"."""
        return self._weighs % {"weight": weight(value)}

    def quoted(self, text: str) -> str:
        return self._quoted % {"text": text}

    def on_comment(self, comment_id: int) -> str:
        """After "Dismiss reports", for a screen reader: "on #41"."""
        return self._on_comment % {"id": comment_id}

    def author_of(self, comment_id: int) -> str:
        """After "Spam and ban", for a screen reader: "the author of #41"."""
        return self._author_of % {"id": comment_id}

    def in_this_journal(self, name: str) -> str:
        return self._in_this_journal % {"name": name}

    def published(self, count: int) -> str:
        return ngettext("%(count)s published", "%(count)s published", count) % {
            "count": count
        }

    def rejected(self, count: int) -> str:
        return ngettext("%(count)s rejected", "%(count)s rejected", count) % {
            "count": count
        }

    def spam_count(self, count: int) -> str:
        return ngettext("%(count)s spam", "%(count)s spam", count) % {"count": count}

    def first_comment(self, moment) -> str:
        day = dateformat.format(timezone.localtime(moment), self._short_date)
        return self._first_comment % {"date": day}

    def strikes(self, count: int) -> str:
        return ngettext("%(count)s strike", "%(count)s strikes", count) % {
            "count": count
        }

    def in_days(self, days: int) -> str:
        """The strike window: "in 30 days"."""
        # Translators: the strike window, after "2 strikes".
        return ngettext("in %(days)s days", "in %(days)s days", days) % {"days": days}

    def trust_approved(self, count: int) -> str:
        return ngettext(
            "Trust: %(count)s approved by a moderator",
            "Trust: %(count)s approved by a moderator",
            count,
        ) % {"count": count}

    def standing(self, count: int, days: int) -> str:
        """Comments that stood unchallenged: "2 stood 7+ days"."""
        # Translators: comments nobody challenged for at least that many days.
        return ngettext(
            "%(count)s stood %(days)s+ days", "%(count)s stood %(days)s+ days", count
        ) % {"count": count, "days": days}

    def needs(self, count: int) -> str:
        return self._needs % {"count": count}

    def not_trusted_yet(self, count: int, needed: int) -> str:
        return self._not_trusted_yet % {"count": count, "needed": needed}

    def heat_banner(self, screening, journal) -> str:
        """The banner on an item in a heated sub-thread, by the journal's own
        clock: "This thread is screened for heat until 14:20: 12 replies in
        10 minutes"."""
        until = screening.until.astimezone(time_zone(journal.time_zone))
        replies = ngettext("%(count)s reply", "%(count)s replies", screening.replies)
        minutes = ngettext(
            "in %(count)s minute", "in %(count)s minutes", screening.minutes
        )
        return self._heat_banner % {
            "time": str(until_text(until, self._now)),
            "replies": replies % {"count": screening.replies},
            "minutes": minutes % {"count": screening.minutes},
        }

    def add_note(self, name: str) -> str:
        return self._add_note % {"name": name}

    def note_number(self, note_id: int) -> str:
        """After "Take back", for a screen reader: "note #7"."""
        return self._note_number % {"id": note_id}

    def lift_what(self, thread_id: int) -> str:
        """After "Lift", for a screen reader."""
        return self._lift_what % {"id": thread_id}


def retire_note_url(note_id: int) -> str:
    """Where a note's "Take back" posts (a page holds few notes)."""
    return reverse("moderation:retire_note", args=(note_id,))


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
            "excerpt": excerpt,
            "open_reports": open_reports,
            "shadow_verdict": shadow_verdict,
            "rule_label": rule_label,
            "reason_text": reason_text,
            "select_all": context.get("select_all", False),
            "words": Words(),
            "fill": fill,
            "retire_note_url": retire_note_url,
        }
    )
    # The template escaped every value it printed (autoescape, journal.jinja).
    return SafeString(html)
