"""``{% comment_list comments %}``: the comments of a post page as HTML.

The markup is ``templates/journal/comment_list.jinja``, drawn by Django's Jinja2
backend: a thread may hold thousands of comments, and Django's template
language spends most of a big page resolving variables. This tag gathers what
the template needs once per page (the viewer, the link patterns, the
moderation plugin's tools, its words and date layout in the reader's language)
so that the loop does no more than it must.
"""

from __future__ import annotations

from django import template
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext

from accounts.models import DEFAULT_USERPIC
from journal.sentences import reason_text
from journal.threads import MAX_INDENT

from .journal_dates import display_date, month_names

register = template.Library()

# A comment id no database will reach, replaced by each real id: one reverse()
# per page instead of one per link.
_ID = 987654321987654321


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


def _sentence(translation: str, **values) -> SafeString:
    """``translation`` with ``values`` escaped into it. As with Django's
    ``blocktranslate``, the translation is trusted as markup and the values
    are not, so "Alice's" prints as written and a name cannot add markup."""
    return SafeString(
        translation
        % {name: conditional_escape(value) for name, value in values.items()}
    )


def _more_count(more) -> int:
    # The number a plural form agrees with: a capped count ("1,000+") means
    # more than it says, so it is never "one".
    return max(more.count, 2) if more.capped else more.count


class _Words:
    """The comment list's words in the active language. Made once per page,
    since the language is the request's: the loop reads attributes, and calls
    a method only for a sentence that holds a name or a number.

    makemessages cannot read the Jinja2 template, so every word it prints is
    here, where it can."""

    def __init__(self, *, is_moderator: bool):
        self.no_comments = gettext("No comments yet.")
        self.frozen = pgettext("comment thread", "Frozen")
        self.edited = gettext("(edited)")
        self.ip = pgettext("internet address", "IP")
        self.awaiting = gettext("Awaiting moderation.")
        self.held_readers = (
            gettext("Only moderators and the author can see this comment.")
            if is_moderator
            else gettext("Only you and the moderators can see this comment.")
        )
        self.not_published = gettext("Not published.")
        self.only_you = gettext("Only you can see it.")
        self.removed = gettext("Removed by a moderator.")
        self.only_moderators = gettext("Only moderators can see it.")
        self.reply = pgettext("comment action", "Reply")
        self.link = pgettext("comment action", "Link")
        self.edit = pgettext("comment action", "Edit")
        self.delete = pgettext("comment action", "Delete")
        self.moderate = gettext("Moderate:")
        self.expand = gettext("expand")
        self._to_comment = gettext("to %(name)s's comment")
        self._comment_of = gettext("%(name)s's comment")
        self._matched = gettext("(matched “%(matched)s”, list entry “%(entry)s”)")

    def to_comment(self, name: str) -> SafeString:
        """What a link to a comment adds for a screen reader: "to Alice's
        comment"."""
        return _sentence(self._to_comment, name=name)

    def comment_of(self, name: str) -> SafeString:
        return _sentence(self._comment_of, name=name)

    def matched(self, matched: str, entry: str) -> SafeString:
        return _sentence(self._matched, matched=matched, entry=entry)

    def rejected(self, reason: str, note: str) -> SafeString:
        """Why a moderator rejected the comment, for its author."""
        if reason and note:
            sentence = gettext(
                "A moderator rejected this comment: %(reason)s (“%(note)s”)."
            )
        elif reason:
            sentence = gettext("A moderator rejected this comment: %(reason)s.")
        elif note:
            sentence = gettext("A moderator rejected this comment (“%(note)s”).")
        else:
            sentence = gettext("A moderator rejected this comment.")
        return _sentence(sentence, reason=reason, note=note)

    def more_replies(self, more) -> str:
        """What a page leaves out of a comment's replies ("5 more replies")."""
        return ngettext(
            "%(number)s more reply", "%(number)s more replies", _more_count(more)
        ) % {"number": more.number}

    def more_threads(self, more) -> str:
        """The top-level threads after the page ("More threads: 6 more comments")."""
        return ngettext(
            "More threads: %(number)s more comment",
            "More threads: %(number)s more comments",
            _more_count(more),
        ) % {"number": more.number}


@register.simple_tag(takes_context=True)
def comment_list(context, comments, more_threads=None) -> SafeString:
    """The comments in display order, laid out by ``journal.threads``; with
    ``reply_to`` in the context, the reply form right under that comment, and
    with ``more_threads`` (``journal.threads.More``) a link to the later
    threads at the end."""
    user = context["user"]
    is_moderator = bool(context.get("is_moderator"))
    reply_to = context.get("reply_to")
    reply_form = ""
    if reply_to is not None:
        # A Django template like the page's own form (CSRF token included).
        reply_form = render_to_string(
            "journal/_comment_form.html",
            {**context.flatten(), "in_list": True},
            request=context.get("request"),
        )
    post_url = context["post"].get_absolute_url()

    def appeal_form(offer, comment_id: int) -> str:
        """The viewer's appeal of a decision on their comment (a Django
        template, CSRF token included; asked only for their own comments)."""
        return render_to_string(
            "journal/_appeal.html",
            {"offer": offer, "next": f"{post_url}#t{comment_id}"},
            request=context.get("request"),
        )

    html = get_template("journal/comment_list.jinja", using="jinja2").render(
        {
            "comments": comments,
            "appeal_form": appeal_form,
            "more_threads": more_threads or None,
            # The level the page's lists start at: the script that loads more
            # replies in place indents them as this page does.
            "base_depth": comments[0].depth if comments else 0,
            "reply_to_id": reply_to.pk if reply_to is not None else None,
            "reply_form": reply_form,
            "max_indent": MAX_INDENT,
            "links": _Links(context["post"], context["journal"]),
            "user_id": user.pk if user.is_authenticated else None,
            "is_moderator": is_moderator,
            "edit_minutes": context.get("edit_minutes"),
            "tools": context["tools"],
            "default_userpic": static(DEFAULT_USERPIC),
            "zone": timezone.get_current_timezone(),
            "months": month_names(),
            "display_date": display_date,
            "words": _Words(is_moderator=is_moderator),
            # A held comment's reasons, in the reader's language.
            "reason_text": reason_text,
        }
    )
    # The template escaped every value it printed (autoescape, journal.jinja).
    return SafeString(html)
