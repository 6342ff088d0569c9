from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.rules import AntiBotCheck

from . import antibot
from .conf import option


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
    the post's signed, timed challenge (journal.antibot); the rules judge both.
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
                initial=partial(antibot.issue, post_id),
            )

    def antibot_check(self) -> AntiBotCheck | None:
        if "started" not in self.fields:
            return None
        return antibot.check(
            token=self.cleaned_data.get("started", ""),
            post_id=self.post_id,
            honeypot_filled=bool(
                self.cleaned_data.get(self.honeypot_field, "").strip()
            ),
        )

    def refresh_token(self) -> None:
        """Give a re-shown form a new challenge, keeping everything typed."""
        if self.is_bound and "started" in self.fields:
            self.data = self.data.copy()
            self.data["started"] = antibot.issue(self.post_id)


class CommentEditForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(comment_text_fields())
