"""What moderators and owners keep per journal: word lists, bans and screened
authors, and the versions of each journal's rule set."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journal.querysets import moderated_by

from .words import entry_key


class WordRuleQuerySet(models.QuerySet):
    def active(self) -> WordRuleQuerySet:
        """Entries in force; retired ones stay for the rule-set history."""
        return self.filter(retired_at__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(), where the key is set.
        objs = list(objs)
        for word in objs:
            word.key = entry_key(word.phrase)[:400]
        return super().bulk_create(objs, *args, **kwargs)


class WordRule(models.Model):
    """A word-list entry. Removing one retires it: the row stays, so the history
    of a journal's rules can still explain every old verdict."""

    class Kind(models.TextChoices):
        BLOCK = "block", _("Blocked: refuse the comment")
        HOLD = "hold", _("Held: wait for a moderator")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="word_rules",
        verbose_name=_("journal"),
    )
    phrase = models.CharField(_("word or phrase"), max_length=100)
    kind = models.CharField(_("action"), max_length=8, choices=Kind.choices)
    substring = models.BooleanField(
        _("match inside words"),
        default=False,
        help_text=_("Off: whole words only (“art” does not match “artist”)."),
    )
    # What the entry matches (moderation.words.entry_key): one active entry per
    # key, so "Casino" and "cаsino" cannot both be on a list.
    key = models.CharField(_("key"), max_length=400, editable=False, default="")
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    retired_at = models.DateTimeField(
        _("retired at"), null=True, blank=True, editable=False
    )

    objects = WordRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("word rule")
        verbose_name_plural = _("word rules")
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "key"],
                condition=Q(retired_at__isnull=True),
                name="word_rule_unique_active",
                violation_error_message=_(
                    "This word or phrase is already in the journal's lists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["block", "hold"]), name="word_rule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.phrase}"

    def save(self, *args, **kwargs):
        self.key = entry_key(self.phrase)[:400]
        super().save(*args, **kwargs)


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
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="restrictions",
        verbose_name=_("journal"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_restrictions",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
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
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("author restriction")
        verbose_name_plural = _("author restrictions")
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
        return gettext("%(kind)s: %(user)s in %(journal)s") % {
            "kind": self.get_kind_display(),
            "user": self.user,
            "journal": self.journal,
        }

    @property
    def is_active(self) -> bool:
        return self.until is None or self.until > timezone.now()


# The journal's fields (columns of the platform's Journal) that make up its
# comment rules; a change to any of them (or to the word lists) starts a new
# rule-set version.
RULE_SETTING_FIELDS = (
    "comment_access",
    "screening",
    "link_limit",
    "new_account_days",
    "trust_approved_authors",
    "trusted_after",
    "trust_after_days",
    "rate_limit_per_minute",
    "max_thread_depth",
    "close_after_days",
    "edit_window_minutes",
    "ip_logging",
    "spam_threshold",
    "report_screen_weight",
    "history_comments",
    "history_rejected_percent",
    "strike_window_days",
    "screen_after_strikes",
    "screen_for_days",
    "ban_after_strikes",
    "ban_for_days",
    "queue_claims",
)


class RuleSetVersion(models.Model):
    """A journal's comment rules as they stood from ``created_at`` on.

    Append-only: every change to the settings or word lists adds a row, and each
    comment points at the version its verdict was made under.
    """

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="rule_set_versions",
        verbose_name=_("journal"),
    )
    number = models.PositiveIntegerField(_("number"))
    snapshot = models.JSONField(_("snapshot"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Kept even if the account is deleted later.
    created_by_name = models.CharField(_("created by name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")
        ordering = ["journal", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "number"], name="rule_set_version_unique"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(journal)s v%(number)s") % {
            "journal": self.journal,
            "number": self.number,
        }


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_ATTACK = "personal_attack", _("Personal attack")
    OTHER = "other", _("Other")


class Report(models.Model):
    """A reader flagging a published comment; each reader flags a comment once."""

    comment = models.ForeignKey(
        "journal.Comment",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("comment"),
    )
    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("journal"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("reporter"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The reporter's weight in the journal when they reported
    # (moderation.reporters): upheld reports raise it, dismissed ones lower it.
    weight = models.FloatField(_("weight"), default=1.0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="report_once_per_reader"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["journal", "comment"],
                condition=Q(dismissed_at__isnull=True),
                name="report_open",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(reason)s on %(comment)s") % {
            "reason": self.get_reason_display(),
            "comment": self.comment_id,
        }


class AuditEntryQuerySet(models.QuerySet):
    def in_journals_moderated_by(self, user) -> AuditEntryQuerySet:
        return self.filter(moderated_by(user, journal_field="journal"))


class AuditEntry(models.Model):
    """One thing a moderator or owner did, kept for good (append-only).

    ``action`` is namespaced ("comment.approve", "thread.delete",
    "settings.change"...). An undo is a new entry pointing at the one it undoes;
    the pointer is unique, so nothing can be undone twice.
    """

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("journal"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept even if the account is deleted later.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    comment = models.ForeignKey(
        "journal.Comment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("comment"),
    )
    target = models.CharField(_("target"), max_length=200, blank=True)
    from_state = models.CharField(_("from state"), max_length=16, blank=True)
    to_state = models.CharField(_("to state"), max_length=16, blank=True)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    rule_set_version = models.ForeignKey(
        RuleSetVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("rule set version"),
    )
    undoes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="undone_by",
        verbose_name=_("undoes"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, db_index=True
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["comment", "-id"], name="audit_by_comment")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return gettext("%(action)s by %(who)s at %(when)s") % {
            "action": self.action,
            "who": self.actor_name or gettext("system"),
            "when": f"{self.created_at:%Y-%m-%d %H:%M}",
        }


class DeferredReplyMail(models.Model):
    """A reply mail held back because its recipient already had the hour's share
    of reply mails; sent later, with the others, in one digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reply = models.ForeignKey(
        "journal.Comment", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deferred reply mail")
        verbose_name_plural = _("deferred reply mails")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reply"], name="deferred_reply_mail_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="deferred_reply_mail_due",
            )
        ]

    def __str__(self) -> str:
        return gettext("reply %(reply)s for user %(user)s") % {
            "reply": self.reply_id,
            "user": self.recipient_id,
        }


# The spam model ---------------------------------------------------------------


class SpamTokenCount(models.Model):
    """How many trained comments of each class contained ``token``, in one scope:
    0 for the site-wide model, otherwise a journal's id. The ``#docs`` row of a
    scope counts the trained comments themselves (moderation.spam)."""

    SITE = 0

    scope = models.PositiveIntegerField()
    token = models.CharField(max_length=300)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("spam token count")
        verbose_name_plural = _("spam token counts")
        constraints = [
            models.UniqueConstraint(fields=["scope", "token"], name="spam_token_unique")
        ]

    def __str__(self) -> str:
        return gettext("%(token)s in %(scope)s: %(spam)s/%(ham)s") % {
            "token": self.token,
            "scope": self.scope or gettext("site"),
            "spam": self.spam,
            "ham": self.ham,
        }


class SpamLabel(models.TextChoices):
    SPAM = "spam", _("Spam")
    HAM = "ham", _("Not spam")


class SpamTraining(models.Model):
    """One comment taught to the model by a decision: its label and exactly the
    tokens added, so that an undo, or a later decision on the same comment,
    takes back what was added. Rows stay; a withdrawn one has ``withdrawn_at``."""

    comment = models.ForeignKey(
        "journal.Comment", on_delete=models.PROTECT, related_name="+"
    )
    journal = models.ForeignKey(
        "journal.Journal", on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=8, choices=SpamLabel.choices)
    tokens = models.JSONField(default=list)
    decision = models.ForeignKey(
        AuditEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("spam training")
        verbose_name_plural = _("spam trainings")
        constraints = [
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(withdrawn_at__isnull=True),
                name="spam_training_one_in_force",
            ),
            models.CheckConstraint(
                condition=Q(label__in=["spam", "ham"]), name="spam_training_label_valid"
            ),
        ]
        indexes = [models.Index(fields=["decision"], name="spam_training_decision")]

    def __str__(self) -> str:
        return gettext("comment %(comment)s as %(label)s") % {
            "comment": self.comment_id,
            "label": self.label,
        }


class CommentFingerprint(models.Model):
    """One MinHash band of a comment's text (moderation.spam.shingle_bands):
    the same pitch posted by several accounts shares bands."""

    band = models.BigIntegerField()
    comment = models.ForeignKey(
        "journal.Comment", on_delete=models.CASCADE, related_name="+"
    )
    # "u<id>" for a registered author, "a<address>" for an anonymous one.
    author_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment fingerprint")
        verbose_name_plural = _("comment fingerprints")
        indexes = [
            models.Index(fields=["band", "created_at"], name="fingerprint_band"),
            models.Index(fields=["created_at"], name="fingerprint_age"),
        ]

    def __str__(self) -> str:
        return gettext("band of comment %(comment)s") % {"comment": self.comment_id}


# Module-level names for the API schema's enum overrides (config.settings).
WordKind = WordRule.Kind
RestrictionKind = AuthorRestriction.Kind
