"""Forms of the moderation plugin's admin: word-list entries and restrictions,
as the journal's owner edits them on the journal page."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AuthorRestriction, WordRule
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
