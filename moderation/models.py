"""What moderators and owners keep per journal: word lists, bans and screened
authors, and the versions of each journal's rule set."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WordRule(models.Model):
    class Kind(models.TextChoices):
        BLOCK = "block", _("Blocked: refuse the comment")
        HOLD = "hold", _("Held: wait for a moderator")

    journal = models.ForeignKey(
        "journal.Journal", on_delete=models.CASCADE, related_name="word_rules"
    )
    phrase = models.CharField(_("word or phrase"), max_length=100)
    kind = models.CharField(_("action"), max_length=8, choices=Kind.choices)
    substring = models.BooleanField(
        _("match inside words"),
        default=False,
        help_text=_("Off: whole words only (“art” does not match “artist”)."),
    )

    class Meta:
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "phrase"], name="word_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["block", "hold"]), name="word_rule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.phrase}"


class RestrictionQuerySet(models.QuerySet):
    def active(self, at=None) -> RestrictionQuerySet:
        """Restrictions in force: no end date, or one still ahead."""
        at = at or timezone.now()
        return self.filter(Q(until__isnull=True) | Q(until__gt=at))


class AuthorRestriction(models.Model):
    """A ban, or "always screen this person", in one journal, maybe until a date."""

    class Kind(models.TextChoices):
        BAN = "ban", _("Banned from commenting")
        SCREEN = "screen", _("Comments always screened")

    journal = models.ForeignKey(
        "journal.Journal", on_delete=models.CASCADE, related_name="restrictions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_restrictions",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    until = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: no end date.")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["journal", "kind", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "user", "kind"], name="author_restriction_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["ban", "screen"]),
                name="author_restriction_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "journal"], name="restriction_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} in {self.journal}"

    @property
    def is_active(self) -> bool:
        return self.until is None or self.until > timezone.now()


class RuleSetVersion(models.Model):
    """A journal's comment rules as they stood from ``created_at`` on.

    Append-only: every change to the settings or word lists adds a row, and each
    comment points at the version its verdict was made under.
    """

    journal = models.ForeignKey(
        "journal.Journal", on_delete=models.CASCADE, related_name="rule_set_versions"
    )
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept even if the account is deleted later.
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["journal", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "number"], name="rule_set_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.journal} v{self.number}"
