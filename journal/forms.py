import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from moderation.rules import AntiBotCheck

from .conf import option

ANTIBOT_SALT = "journal.comment-form.started"


def form_token(now: float | None = None) -> str:
    """A signed note of when the form was shown."""
    return signing.dumps({"t": time.time() if now is None else now}, salt=ANTIBOT_SALT)


def token_age(token: str) -> float | None:
    """Seconds since ``token`` was made, or None when it is missing or forged."""
    try:
        issued = float(signing.loads(token, salt=ANTIBOT_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return time.time() - issued


def comment_text_fields() -> dict[str, forms.Field]:
    """The subject and body fields shared by the new-comment and edit forms.

    Lengths and blank text are checked by the service, so the form and the API
    give the same sentence; the maxlength attributes only help the browser.
    Limits come from settings at request time, not at import time.
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
            widget=forms.Textarea(attrs={"rows": 8, "maxlength": body_limit}),
            help_text=_(
                "Up to %(limit)s characters. You may use <b>, <i>, <a>, "
                "<blockquote>, lists and <code>; links get nofollow."
            )
            % {"limit": f"{body_limit:,}"},
        ),
    }


class CommentForm(forms.Form):
    """The reader's comment form; the rules themselves live in the service.

    Anonymous visitors also get a honeypot field (hidden from people by CSS) and
    a signed timestamp; the service turns both into anti-bot facts.
    """

    honeypot_field = "website"
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if anonymous:
            self.fields["author_name"] = forms.CharField(
                label=_("Your name"),
                required=False,
                max_length=50,
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
                required=False, widget=forms.HiddenInput, initial=form_token
            )

    def antibot_check(self) -> AntiBotCheck | None:
        if "started" not in self.fields:
            return None
        return AntiBotCheck(
            honeypot_filled=bool(
                self.cleaned_data.get(self.honeypot_field, "").strip()
            ),
            age_seconds=token_age(self.cleaned_data.get("started", "")),
        )

    def refresh_token(self) -> None:
        """Give a re-shown form a new timestamp, keeping everything typed."""
        if self.is_bound and "started" in self.fields:
            self.data = self.data.copy()
            self.data["started"] = form_token()


class CommentEditForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(comment_text_fields())
