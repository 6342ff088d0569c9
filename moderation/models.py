"""What moderators and owners keep per journal: word lists, bans and screened
authors, and the versions of each journal's rule set."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journal.querysets import moderated_by
from journal.validators import validate_name

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
        # Overrides a subscribed shared list's entry for the same word.
        ALLOW = "allow", _("Allowed: overrides a shared list")

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
                condition=Q(kind__in=["block", "hold", "allow"]),
                name="word_rule_kind_valid",
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
    "time_zone",
    "heat_replies",
    "heat_minutes",
    "heat_hours",
    "appeal_days",
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


# Rules that look ahead: scheduled modes, heat, shadow rule sets, backtests ----------


class ScheduledModeQuerySet(models.QuerySet):
    def active(self) -> ScheduledModeQuerySet:
        """Windows in force; retired ones stay for the rule-set history."""
        return self.filter(retired_at__isnull=True)


class ScheduledMode(models.Model):
    """A window of the week, in the journal's own time zone, with a stricter
    mode: "Fri 22:00 – Mon 07:00: screen all", or "every night 23:00–07:00: at
    most 2 comments a minute per author".

    It starts at ``starts_at`` on each of ``days`` and ends ``ends_after_days``
    days later at ``ends_at``; with 0, later the same day, or the next morning
    when ``ends_at`` is not after ``starts_at``. Removing one retires it.
    """

    class Mode(models.TextChoices):
        SCREEN = "screen", _("Screen all comments")
        RATE = "rate", _("Fewer comments per author per minute")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="scheduled_modes",
        verbose_name=_("journal"),
    )
    name = models.CharField(
        _("name"), max_length=60, help_text=_("Shown to readers, such as “Night”.")
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    # Weekdays it starts on, as digits: 0 is Monday, 6 is Sunday.
    days = models.CharField(_("days"), max_length=7, default="0123456")
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    ends_after_days = models.PositiveSmallIntegerField(
        _("ends after (days)"), default=0
    )
    rate_per_minute = models.PositiveSmallIntegerField(
        _("comments per author per minute"),
        default=0,
        help_text=_("For the rate mode only."),
    )
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
    retired_at = models.DateTimeField(
        _("retired at"), null=True, blank=True, editable=False
    )

    objects = ScheduledModeQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled mode")
        verbose_name_plural = _("scheduled modes")
        ordering = ["journal", "days", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["screen", "rate"]),
                name="scheduled_mode_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # At most this many windows in force per journal: each comment reads them.
    MAX_ACTIVE = 20
    LONGEST_DAYS = 6

    def clean(self) -> None:
        """Refuse a window the rules could not read, with a reason per field;
        the weekdays come back sorted, each once ("404" is "04")."""
        errors = {}
        try:
            validate_name(self.name or "")
        except ValidationError as error:
            errors["name"] = error.messages
        self.name = " ".join((self.name or "").split())
        if not self.name and "name" not in errors:
            errors["name"] = _("Give the window a name readers see, such as “Night”.")
        days = self.days or ""
        if not days or set(days) - set("0123456"):
            errors["days"] = _(
                "Pick the weekdays it starts on, as digits from 0 (Monday) to 6 "
                "(Sunday)."
            )
        else:
            self.days = "".join(sorted(set(days)))
        if (self.ends_after_days or 0) > self.LONGEST_DAYS:
            errors["ends_after_days"] = _(
                "A window ends at most 6 days after it starts; for a longer one, "
                "add a window on more days."
            )
        if self.mode == self.Mode.RATE and not self.rate_per_minute:
            errors["rate_per_minute"] = _(
                "Say how many comments a minute each author may post: 1 or more."
            )
        elif self.mode == self.Mode.SCREEN and self.rate_per_minute:
            errors["rate_per_minute"] = _(
                "Only the rate mode takes a number of comments a minute; leave it "
                "at 0 for a screening window."
            )
        if errors:
            raise ValidationError(errors)


class HeatScreeningQuerySet(models.QuerySet):
    def active(self, at=None) -> HeatScreeningQuerySet:
        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True, until__gt=at)


class HeatScreening(models.Model):
    """A sub-thread screened because it got many replies fast: set by the
    system, audited with the figures that tripped it, ending on its own at
    ``until`` or earlier when a moderator lifts it (the row stays)."""

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="heat_screenings",
        verbose_name=_("journal"),
    )
    # The comment whose sub-thread heated up.
    thread = models.ForeignKey(
        "journal.Comment",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thread"),
    )
    replies = models.PositiveIntegerField(_("replies"))
    minutes = models.PositiveIntegerField(_("within (minutes)"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    until = models.DateTimeField(_("until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    objects = HeatScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("heat screening")
        verbose_name_plural = _("heat screenings")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["thread", "until"], name="heat_by_thread"),
            models.Index(fields=["journal", "until"], name="heat_by_journal"),
        ]

    def __str__(self) -> str:
        return gettext("thread %(thread)s until %(until)s") % {
            "thread": self.thread_id,
            "until": f"{self.until:%Y-%m-%d %H:%M}",
        }


class ShadowRuleSet(models.Model):
    """A proposed rule set that runs beside the live one on every new comment:
    its verdict is recorded, never acted on, until an owner promotes it."""

    class State(models.TextChoices):
        SHADOW = "shadow", _("Running in the shadow")
        PROMOTED = "promoted", _("Promoted")
        RETIRED = "retired", _("Retired")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="shadow_rule_sets",
        verbose_name=_("journal"),
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    # The same layout as RuleSetVersion.snapshot.
    snapshot = models.JSONField(_("snapshot"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SHADOW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_name = models.CharField(_("created by name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    promoted_to = models.ForeignKey(
        RuleSetVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("promoted to"),
    )

    class Meta:
        verbose_name = _("shadow rule set")
        verbose_name_plural = _("shadow rule sets")
        ordering = ["journal", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal"],
                condition=Q(state="shadow"),
                name="shadow_rule_set_one_running",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["shadow", "promoted", "retired"]),
                name="shadow_rule_set_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name or gettext("shadow rule set %(id)s") % {"id": self.pk}


class ShadowVerdict(models.Model):
    """What a shadow rule set would have done with one judged comment (new or
    edited), beside what the live rules did."""

    shadow = models.ForeignKey(
        ShadowRuleSet,
        on_delete=models.PROTECT,
        related_name="verdicts",
        verbose_name=_("shadow rule set"),
    )
    journal = models.ForeignKey(
        "journal.Journal", on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "journal.Comment", on_delete=models.PROTECT, related_name="shadow_verdicts"
    )
    live_action = models.CharField(_("live verdict"), max_length=8)
    shadow_action = models.CharField(_("shadow verdict"), max_length=8)
    reasons = models.JSONField(_("shadow reasons"), default=list, blank=True)
    disagrees = models.BooleanField(_("disagrees"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shadow verdict")
        verbose_name_plural = _("shadow verdicts")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["shadow", "disagrees", "created_at"], name="shadow_verdict_day"
            ),
            models.Index(fields=["comment"], name="shadow_verdict_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.live_action} / {self.shadow_action}"


class Backtest(models.Model):
    """A replay of a proposed rule change over the journal's last comments,
    using the facts each was judged on; run by the task queue when long."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="backtests",
        verbose_name=_("journal"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The proposed rules, in the layout of RuleSetVersion.snapshot.
    proposal = models.JSONField(_("proposal"))
    limit = models.PositiveIntegerField(_("comments"), default=1000)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.QUEUED
    )
    done = models.PositiveIntegerField(_("replayed"), default=0)
    total = models.PositiveIntegerField(_("to replay"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="backtest_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("backtest %(id)s of %(journal)s") % {
            "id": self.pk,
            "journal": self.journal,
        }


# Due process and shared defences: appeals, notes, shared lists -------------------


class Appeal(models.Model):
    """An author asking a journal's moderators to look again at one decision: a
    rejected comment (its ``comment.reject``/``comment.spam`` entry), or a ban
    or screening of the author (its ``restriction.*`` entry). Once per decision.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="appeals",
        verbose_name=_("journal"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appeals",
        verbose_name=_("author"),
    )
    # The decision appealed against.
    decision = models.OneToOneField(
        AuditEntry,
        on_delete=models.PROTECT,
        related_name="appeal",
        verbose_name=_("decision"),
    )
    comment = models.ForeignKey(
        "journal.Comment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("comment"),
    )
    text = models.TextField(_("appeal"), max_length=2000)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_by_name = models.CharField(_("decided by name"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    # The entry that records the outcome (granting also undoes the decision).
    outcome = models.ForeignKey(
        AuditEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "granted", "denied"]),
                name="appeal_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["journal", "state", "id"], name="appeal_queue"),
            models.Index(fields=["author", "journal"], name="appeal_by_author"),
        ]

    def __str__(self) -> str:
        return gettext("appeal %(id)s by %(author)s") % {
            "id": self.pk,
            "author": self.author,
        }


class AuthorNote(models.Model):
    """A moderator's private note on an author in one journal: dated, signed,
    never shown to the author. Taking one back retires it; the row stays."""

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="author_notes",
        verbose_name=_("journal"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=2000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_by_name = models.CharField(_("written by name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("note on an author")
        verbose_name_plural = _("notes on authors")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["journal", "author", "-created_at"], name="note_lookup"
            )
        ]

    def __str__(self) -> str:
        return gettext("note on %(author)s by %(by)s") % {
            "author": self.author,
            "by": self.written_by_name,
        }


class SharedList(models.Model):
    """A word list or ban list a journal's owner publishes for other journals
    to subscribe to. Every change adds a ``SharedListVersion``."""

    class Kind(models.TextChoices):
        WORDS = "words", _("Word list")
        BANS = "bans", _("Ban list")

    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="shared_lists",
        verbose_name=_("publishing journal"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    unpublished_at = models.DateTimeField(_("unpublished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shared list")
        verbose_name_plural = _("shared lists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["words", "bans"]), name="shared_list_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["published", "unpublished"]),
                name="shared_list_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SharedListVersion(models.Model):
    """A shared list's entries as they stood from ``created_at`` on (append-only):
    word lists as ``[[phrase, kind, substring], ...]``, ban lists as
    ``[[user_id, username, until or null, reason], ...]``."""

    shared_list = models.ForeignKey(
        SharedList,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("shared list"),
    )
    number = models.PositiveIntegerField(_("number"))
    entries = models.JSONField(_("entries"), default=list)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shared list version")
        verbose_name_plural = _("shared list versions")
        ordering = ["shared_list", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["shared_list", "number"], name="shared_list_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shared_list} v{self.number}"


class Subscription(models.Model):
    """A journal following a shared list (read-only). Ending it keeps the row."""

    journal = models.ForeignKey(
        "journal.Journal",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("journal"),
    )
    shared_list = models.ForeignKey(
        SharedList,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("shared list"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["journal", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "shared_list"],
                condition=Q(ended_at__isnull=True),
                name="subscription_one_running",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(journal)s follows %(list)s") % {
            "journal": self.journal,
            "list": self.shared_list,
        }


# Module-level names for the API schema's enum overrides (config.settings).
WordKind = WordRule.Kind
RestrictionKind = AuthorRestriction.Kind
SharedListKind = SharedList.Kind
SharedListState = SharedList.State
