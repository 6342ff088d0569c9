"""What the importer keeps: the jobs an owner started, their files while they
run, and which post or comment each item of the old site became."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.models import Comment, Journal, Post

from . import formats


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One import of one upload into one journal: its options, how far it got
    and, once it ended, its report (``importer.report`` turns it into text).

    The state moves queued → running → done or failed, each step a
    conditional update (``importer.jobs``), so a task delivered twice runs
    the import once."""

    journal = models.ForeignKey(
        Journal,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("journal"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=JobState.choices, default=JobState.QUEUED
    )
    site = models.CharField(
        _("old site"),
        max_length=100,
        default="livejournal.com",
        help_text=_(
            "Where the journal was, such as livejournal.com or dreamwidth.org. "
            "Commenters without an account here are shown with it: "
            "“frank (livejournal.com)”."
        ),
    )
    match_usernames = models.BooleanField(
        _("link my own old comments to my account"),
        default=False,
        help_text=_(
            "Your comments on the old site, under the username you have here, "
            "become your account's. Other people's comments are never linked "
            "to accounts here: nobody else agreed to have them shown as theirs."
        ),
    )
    # Old username (lower case) -> username here, given by the owner: a
    # person who is called differently here, or was renamed on the old site.
    name_map = models.JSONField(_("names"), default=dict, blank=True)
    # The uploaded files' names, kinds and sizes, kept after the files go.
    files = models.JSONField(default=list, blank=True, editable=False)
    total = models.PositiveIntegerField(_("items"), default=0, editable=False)
    done = models.PositiveIntegerField(_("items imported"), default=0, editable=False)
    report = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(
        _("finished"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=JobState.values), name="importer_job_state_valid"
            )
        ]

    def __str__(self) -> str:
        return _("Import #%(number)s into %(journal)s") % {
            "number": self.pk,
            "journal": self.journal.name,
        }

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class FileKind(models.TextChoices):
    ENTRIES = formats.ENTRIES, _("Entries")
    COMMENT_META = formats.COMMENT_META, _("Comments: comment_meta")
    COMMENT_BODY = formats.COMMENT_BODY, _("Comments: comment_body")


class ImportFile(models.Model):
    """An uploaded file, kept in the database only until its job ends.

    In the database rather than MEDIA_ROOT: task workers may run on other
    machines, which reach the database but not this one's disk, and nothing
    here is ever served to a browser (an export holds screened comments)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FileKind.choices)
    name = models.CharField(max_length=255)
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FileKind.values), name="importer_file_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    ENTRY = "entry", _("entry")
    COMMENT = "comment", _("comment")


class ImportedItem(models.Model):
    """Which post or comment an item of the old site became, per journal, so
    that importing again updates it instead of adding it twice.

    ``source_id`` is the old site's id: an entry's jitemid, a comment's id.
    ``digest`` is a hash of what the import wrote from it last time: when the
    export says the same again, the row is left alone (and so is whatever a
    moderator here did to it since)."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    source_id = models.PositiveBigIntegerField()
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    digest = models.CharField(max_length=64)
    job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "kind", "source_id"], name="importer_item_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=ItemKind.ENTRY, post__isnull=False, comment__isnull=True)
                    | Q(kind=ItemKind.COMMENT, comment__isnull=False, post__isnull=True)
                ),
                name="importer_item_points_at_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} in {self.journal_id}"
