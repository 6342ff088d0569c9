from django import forms
from django.utils.translation import gettext_lazy as _

from .conf import option


class CommentForm(forms.Form):
    """The reader's comment form; the rules themselves live in the service."""

    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Limits come from settings at request time, not at import time.
        body_limit = option("COMMENT_MAX_LENGTH")
        if anonymous:
            self.fields["author_name"] = forms.CharField(
                label=_("Your name"),
                required=False,
                max_length=50,
                help_text=_("Optional. Shown beside your comment."),
            )
        self.fields["subject"] = forms.CharField(
            label=_("Subject"),
            required=False,
            max_length=option("SUBJECT_MAX_LENGTH"),
        )
        self.fields["body"] = forms.CharField(
            label=_("Comment"),
            strip=False,
            max_length=body_limit,
            widget=forms.Textarea(attrs={"rows": 8}),
            error_messages={"required": _("Write something before posting.")},
            help_text=_(
                "Up to %(limit)s characters. You may use <b>, <i>, <a>, "
                "<blockquote>, lists and <code>; links get nofollow."
            )
            % {"limit": f"{body_limit:,}"},
        )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting."))
        return body
