import re
from functools import partial

from django import forms
from django.contrib.auth import get_user_model
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .conf import option
from .plugins import plugin
from .validators import validate_name


def comment_text_fields() -> dict[str, forms.Field]:
    """The subject and body fields shared by the new-comment and edit forms.

    Lengths and blank text are checked by the service, so the form and the API
    give the same sentence; the maxlength and required attributes only tell
    the browser and screen readers (the forms are sent with novalidate, so the
    service's sentence is the one shown). Limits come from settings at request
    time, not at import time.
    """
    body_limit = option("COMMENT_MAX_LENGTH")
    return {
        "subject": forms.CharField(
            label=_("Subject"),
            required=False,
            widget=forms.TextInput(attrs={"maxlength": option("SUBJECT_MAX_LENGTH")}),
        ),
        "body": forms.CharField(
            label=_("Comment"),
            strip=False,
            required=False,
            widget=forms.Textarea(
                attrs={"rows": 8, "maxlength": body_limit, "required": True}
            ),
            help_text=ngettext(
                "Up to %(limit)s character. You may use <b>, <i>, <a>, "
                "<blockquote>, lists and <code>; links get nofollow.",
                "Up to %(limit)s characters. You may use <b>, <i>, <a>, "
                "<blockquote>, lists and <code>; links get nofollow.",
                body_limit,
            )
            % {"limit": number_format(body_limit, force_grouping=True)},
        ),
    }


class CommentForm(forms.Form):
    """The reader's comment form; the rules themselves live in the service.

    Anonymous visitors also get a honeypot field (hidden from people by CSS) and
    the proof the moderation plugin issues for the post (``journal.plugins``);
    the plugin judges both.
    """

    honeypot_field = "website"
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, post_id: int, anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.post_id = post_id
        if anonymous:
            self.fields["author_name"] = forms.CharField(
                label=_("Your name"),
                required=False,
                max_length=50,
                validators=[validate_name],
                help_text=_("Optional. Shown beside your comment."),
            )
        self.fields.update(comment_text_fields())
        if anonymous:
            self.fields[self.honeypot_field] = forms.CharField(
                label=_("Leave this empty"),
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )
            self.fields["started"] = forms.CharField(
                required=False,
                widget=forms.HiddenInput,
                initial=partial(plugin().issue_proof, post_id),
            )

    def proof(self):
        """What the anonymous author's proof says, for ``Origin.proof``."""
        if "started" not in self.fields:
            return None
        return plugin().read_proof(
            token=self.cleaned_data.get("started", ""),
            post_id=self.post_id,
            honeypot=bool(self.cleaned_data.get(self.honeypot_field, "").strip()),
        )

    def refresh_token(self) -> None:
        """Give a re-shown form a new challenge, keeping everything typed."""
        if self.is_bound and "started" in self.fields:
            self.data = self.data.copy()
            self.data["started"] = plugin().issue_proof(self.post_id)


class CommentEditForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(comment_text_fields())


class PeoplePicker(forms.TextInput):
    """A text box for usernames, typed exactly, that suggests only people the
    owner already knows: those who commented in the journal (set per request in
    the admin). It never lists the site's accounts."""

    template_name = "journal/widgets/people_picker.html"

    def __init__(self, attrs=None, *, many: bool = False):
        defaults = {"autocomplete": "off", "size": 60 if many else 24}
        super().__init__({**defaults, **(attrs or {})})
        self.many = many
        self.suggestions: list[str] = []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggestions"] = self.suggestions
        return context

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = data.get(name, "")
        if self.many:
            return [part for part in re.split(r"[\s,]+", value) if part]
        return value.strip()


class PersonField(forms.ModelChoiceField):
    """One account, by its exact username."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", PeoplePicker())
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("No account is named “%(value)s”.")},
        )
        super().__init__(queryset, to_field_name="username", **kwargs)

    def prepare_value(self, value):
        return _usernames([value])[0] if value not in (None, "") else ""


class PeopleField(forms.ModelMultipleChoiceField):
    """Accounts by their exact usernames, separated by commas or spaces."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("widget", PeoplePicker(many=True))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("No account is named “%(value)s”.")},
        )
        kwargs.setdefault(
            "help_text", _("Usernames, exactly as written, separated by commas.")
        )
        super().__init__(queryset, to_field_name="username", **kwargs)

    def prepare_value(self, value):
        # Also used by clean(): keep a list; the widget joins it for display.
        if isinstance(value, str):
            return value
        return _usernames(list(value or ()))


def _usernames(values) -> list[str]:
    """Usernames for a mix of accounts, ids and names, in one query at most."""
    ids = [v for v in values if isinstance(v, int)]
    names = (
        dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        if ids
        else {}
    )
    return [getattr(v, "username", None) or names.get(v) or str(v) for v in values]
