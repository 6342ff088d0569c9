"""Forms of the moderation plugin's admin: word-list entries and restrictions,
as the journal's owner edits them on the journal page."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.validators import validate_name

from . import backtest, shared_lists
from .models import (
    AuthorRestriction,
    ScheduledMode,
    SharedList,
    Subscription,
    WordRule,
)
from .words import entry_key


class WordEntryForm(forms.ModelForm):
    """A word-list row in the owner's admin. A row already on the list is shown,
    not edited: changing it would rewrite history; "Delete" retires it."""

    class Meta:
        model = WordRule
        fields = ("phrase", "kind", "substring")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for field in self.fields.values():
                field.disabled = True

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"].strip()
        if self.instance.pk:
            return phrase
        validate_word_phrase(phrase)
        key = entry_key(phrase)
        journal = self.instance.journal
        if journal.word_rules.active().filter(key=key).exists():
            raise ValidationError(
                _(
                    "“%(phrase)s” is already on the lists (as written, or looking the "
                    "same)."
                ),
                code="duplicate",
                params={"phrase": phrase},
            )
        return phrase


class DistinctWordsFormSet(forms.BaseInlineFormSet):
    """New rows may not repeat each other either."""

    def clean(self):
        super().clean()
        keys = set()
        for form in self.forms:
            if not form.has_changed() or form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            key = entry_key(form.cleaned_data.get("phrase", ""))
            if key in keys:
                raise ValidationError(_("Each word or phrase may appear once."))
            keys.add(key)


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, with "Date:" and "Time:" as their
    labels: in a table row there is no field label to name them."""

    template_name = "admin/widgets/split_datetime_labelled.html"


class RestrictionForm(forms.ModelForm):
    """A ban or screening in the owner's admin. Whom and what it restricts are
    fixed once made (another person is another ban); its end and reason may
    change. The journal's owner and moderators cannot be restricted."""

    class Meta:
        model = AuthorRestriction
        fields = ("user", "kind", "until", "reason")
        widgets = {"until": LabelledSplitDateTime}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The picker takes usernames; a fixed field keeps its initial value.
            self.initial["user"] = self.instance.user.username
            self.fields["user"].disabled = True
            self.fields["kind"].disabled = True

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not self.instance.pk and self.instance.journal.is_moderated_by(user):
            raise ValidationError(
                _(
                    "The journal's owner and moderators cannot be banned or "
                    "screened in it."
                ),
                code="moderator",
            )
        return user


def validate_word_phrase(phrase: str) -> None:
    """A list entry is one line with something to match."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in phrase):
        raise ValidationError(
            _("A word or phrase is one line without control characters."),
            code="control_characters",
        )
    if not entry_key(phrase):
        raise ValidationError(
            _("A word or phrase needs letters or digits to match."), code="empty"
        )


# The weekdays as a scheduled mode stores them: 0 is Monday.
WEEKDAYS = (
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
)


class ScheduledModeForm(forms.ModelForm):
    """A scheduled mode's row in the owner's admin, its weekdays as boxes to
    tick. A window already on the schedule is shown, not edited (each rule-set
    version names the windows it had); "Delete" retires it."""

    days = forms.MultipleChoiceField(
        label=_("opens on"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ScheduledMode
        fields = (
            "name",
            "mode",
            "days",
            "starts_at",
            "ends_at",
            "ends_after_days",
            "rate_per_minute",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["days"] = list(self.initial.get("days") or "0123456")
        if self.instance.pk:
            for field in self.fields.values():
                field.disabled = True

    def clean_days(self) -> str:
        return "".join(sorted(self.cleaned_data["days"]))


class ScheduleFormSet(forms.BaseInlineFormSet):
    """No more windows than a journal may have in force."""

    def clean(self):
        super().clean()
        kept = sum(
            1
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        )
        if kept > ScheduledMode.MAX_ACTIVE:
            raise ValidationError(
                _("A journal has at most %(count)d scheduled modes."),
                params={"count": ScheduledMode.MAX_ACTIVE},
            )


class BacktestForm(forms.Form):
    """How many of the journal's last comments "Preview this change" replays;
    beside the journal's settings form, in the same HTML form."""

    backtest_limit = forms.IntegerField(
        label=_("Comments to replay"),
        min_value=1,
        max_value=backtest.MAX_LIMIT,
        initial=backtest.DEFAULT_LIMIT,
        help_text=_(
            "The journal's last comments, newest first; long runs continue in the "
            "background."
        ),
    )


# Shared lists (moderation.shared_lists) ------------------------------------------


def words_text(entries, kind: str) -> str:
    """A word list's entries of ``kind`` as the admin's box shows them: one a
    line, "*" at the end for an entry that matches inside words."""
    return "\n".join(
        phrase + ("*" if substring else "")
        for phrase, entry_kind, substring in entries
        if entry_kind == kind
    )


def bans_text(entries) -> str:
    """A ban list's entries as the admin's box shows them: "username | end |
    reason", the end as an ISO date and time (UTC) or empty."""
    lines = []
    for _user_id, username, until, reason in entries:
        parts = [username, until or "", reason]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _words_from(text: str, kind: str) -> list[dict]:
    words = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        substring = line.endswith("*")
        phrase = line.rstrip("*").strip() if substring else line
        words.append({"phrase": phrase, "kind": kind, "substring": substring})
    return words


def _moment(text: str):
    """An end as typed: "2027-03-01" (its start, UTC) or a date and time
    (UTC unless it says otherwise)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("“%(text)s” is not a date (2027-03-01) or a date and time."),
            params={"text": text},
        ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _bans_from(text: str) -> list[dict]:
    bans = []
    for line in text.splitlines():
        if not line.strip():
            continue
        username, _bar, rest = line.partition("|")
        until, _bar, reason = rest.partition("|")
        until = until.strip()
        bans.append(
            {
                "username": username.strip(),
                "until": _moment(until) if until else None,
                "reason": reason.strip(),
            }
        )
    return bans


class SharedListForm(forms.ModelForm):
    """A shared list in its owner's admin: its entries as lines of text. The
    journal, kind and name are fixed once published; each save that changes
    the entries adds a version (``moderation.shared_lists``)."""

    blocked = forms.CharField(
        label=_("Blocked words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One word or phrase a line: a comment holding it is refused. End a "
            "line with * to match inside words too."
        ),
    )
    held = forms.CharField(
        label=_("Held words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One word or phrase a line: a comment holding it waits for a "
            "moderator. End a line with * to match inside words too."
        ),
    )
    bans = forms.CharField(
        label=_("Banned accounts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One account a line: its username, then optionally “| end” (a date "
            "such as 2027-03-01, UTC) and “| reason”. They cannot comment in "
            "any journal that follows the list; its own moderators excepted."
        ),
    )

    class Meta:
        model = SharedList
        fields = ("journal", "kind", "name", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries: list[dict] = []
        if self.instance.pk:
            for name in ("journal", "kind", "name"):
                if name in self.fields:
                    self.fields[name].disabled = True
            latest = self.instance.versions.order_by("-number").first()
            entries = latest.entries if latest else []
            if self.instance.kind == SharedList.Kind.WORDS:
                self.initial["blocked"] = words_text(entries, "block")
                self.initial["held"] = words_text(entries, "hold")
            else:
                self.initial["bans"] = bans_text(entries)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not self.instance.pk:
            validate_name(name)
        return name

    def clean(self):
        cleaned = super().clean()
        kind = self.instance.kind if self.instance.pk else cleaned.get("kind")
        try:
            if kind == SharedList.Kind.WORDS:
                if cleaned.get("bans"):
                    self.add_error("bans", _("A word list holds no accounts."))
                words = _words_from(cleaned.get("blocked", ""), "block")
                words += _words_from(cleaned.get("held", ""), "hold")
                shared_lists.clean_words(words)
                self.entries = words
            elif kind == SharedList.Kind.BANS:
                if cleaned.get("blocked") or cleaned.get("held"):
                    self.add_error("blocked", _("A ban list holds no words."))
                bans = _bans_from(cleaned.get("bans", ""))
                shared_lists.clean_bans(bans)
                self.entries = bans
        except ValidationError as error:
            box = "bans" if kind == SharedList.Kind.BANS else "blocked"
            messages = getattr(error, "message_dict", {"": error.messages})
            for found in messages.values():
                self.add_error(box, found)
        return cleaned


class FollowedListChoice(forms.ModelChoiceField):
    def label_from_instance(self, shared: SharedList) -> str:
        return _("%(name)s (%(kind)s from %(journal)s)") % {
            "name": shared.name,
            "kind": shared.get_kind_display().lower(),
            "journal": shared.journal.name,
        }


class SubscriptionForm(forms.ModelForm):
    """A list the journal follows, on its admin page. A row already there is
    shown, not edited; "Delete" stops following it (the row stays, ended)."""

    class Meta:
        model = Subscription
        fields = ("shared_list",)
        field_classes = {"shared_list": FollowedListChoice}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["shared_list"].disabled = True

    def clean_shared_list(self):
        shared = self.cleaned_data["shared_list"]
        if self.instance.pk:
            return shared
        journal = self.instance.journal
        if shared.state != SharedList.State.PUBLISHED:
            raise ValidationError(_("This list is unpublished."), code="unpublished")
        if shared.journal_id == journal.pk:
            raise ValidationError(_("This is the journal's own list."), code="own")
        if Subscription.objects.filter(
            journal=journal, shared_list=shared, ended_at__isnull=True
        ).exists():
            raise ValidationError(
                _("The journal already follows this list."), code="duplicate"
            )
        return shared

    def validate_constraints(self, exclude=None):
        """The running-subscription constraint is checked above, in words."""


class SubscriptionFormSet(forms.BaseInlineFormSet):
    """New rows may not name the same list twice either."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if form.instance.pk or not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            shared = form.cleaned_data.get("shared_list")
            if shared is not None and shared.pk in seen:
                raise ValidationError(_("Each list may be followed once."))
            if shared is not None:
                seen.add(shared.pk)
