"""The upload form of the owner's admin page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import formats, report, services
from .conf import option
from .models import ImportJob

# A host name such as livejournal.com, shown beside old commenters' names.
SITE = RegexValidator(
    r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
    _("Give the old site's address, such as livejournal.com or dreamwidth.org."),
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files, as a list (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".xml,text/xml"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [
                super(MultipleFileField, self).clean(item, initial) for item in data
            ]
        return [super().clean(data, initial)] if data else []


class ImportForm(forms.ModelForm):
    entries = MultipleFileField(
        label=_("Entries"),
        required=False,
        help_text=_(
            "The XML export of your entries (on the old site: Export journal, "
            "format XML, month by month), or ljdump's entry files. Several at once."
        ),
    )
    comment_meta = MultipleFileField(
        label=_("Comments: comment_meta"),
        required=False,
        help_text=_(
            "export_comments.bml?get=comment_meta&startid=0 (and its further "
            "pages): who wrote each comment, and its state."
        ),
    )
    comment_body = MultipleFileField(
        label=_("Comments: comment_body"),
        required=False,
        help_text=_(
            "export_comments.bml?get=comment_body&startid=0 (and its further "
            "pages, 1,000 comments each): the comments themselves."
        ),
    )
    names = forms.CharField(
        label=_("Names that differ here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=_(
            "One a line, “old name = username here”: someone called differently "
            "here, or renamed on the old site (the export gives their newest name)."
        ),
    )

    class Meta:
        model = ImportJob
        fields = ("journal", "site", "match_usernames")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].validators.append(SITE)
        self.sources: list[formats.Source] = []
        self.name_map: dict[str, str] = {}

    def clean_site(self):
        return self.cleaned_data["site"].strip().lower()

    def clean_names(self):
        try:
            self.name_map = services.parse_name_map(
                self.cleaned_data["names"].splitlines()
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return self.cleaned_data["names"]

    def clean(self):
        cleaned = super().clean()
        uploads = [
            (kind, upload)
            for kind in formats.KINDS
            for upload in cleaned.get(kind) or []
        ]
        if not uploads:
            raise ValidationError(_("Choose the export files to import."))
        if cleaned.get("comment_body") and not cleaned.get("comment_meta"):
            raise ValidationError(
                _("Add the comment_meta file(s) too: the commenters' names are in it.")
            )
        limit = option("MAX_UPLOAD_BYTES")
        size = sum(upload.size for _kind, upload in uploads)
        if size > limit:
            raise ValidationError(
                _(
                    "These files come to %(size)s; one import takes at most "
                    "%(limit)s. Import the rest in another upload: it finds what "
                    "this one imported."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            )
        self.sources = [
            formats.Source(kind=kind, name=upload.name[:255], data=upload.read())
            for kind, upload in uploads
        ]
        try:
            formats.check(self.sources)
        except formats.ExportRefused as refused:
            raise ValidationError(
                report.refusal_text(refused.code, {**refused.params}),
                code=refused.code,
            ) from refused
        return cleaned
