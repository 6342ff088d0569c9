from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import paths
from .conf import DEFAULTS
from .querysets import CommentQuerySet, JournalQuerySet, PostQuerySet
from .states import CommentState

# First path segments taken by the site itself; a journal cannot be named so.
RESERVED_JOURNAL_NAMES = frozenset(
    {"admin", "accounts", "api", "moderation", "static", "media", "tag", "feeds"}
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone; use a name such as Europe/Berlin."),
            code="invalid_time_zone",
            params={"zone": value},
        )


def validate_journal_name(value: str) -> None:
    if value in RESERVED_JOURNAL_NAMES:
        raise ValidationError(
            _("“%(name)s” is reserved by the site; pick another name."),
            code="reserved",
            params={"name": value},
        )


# The journal's comment settings. The owner sets them here; the moderation
# plugin reads them (its pure rules know the same values as plain strings).
class CommentAccess(models.TextChoices):
    ANYONE = "anyone", _("Everyone, including anonymous visitors")
    REGISTERED = "registered", _("Registered users only")
    MEMBERS = "members", _("Members of this journal only")
    NOBODY = "nobody", _("Nobody: comments are turned off")


class Screening(models.TextChoices):
    NONE = "none", _("No screening")
    ANONYMOUS = "anonymous", _("Screen anonymous comments")
    NON_MEMBERS = "non_members", _("Screen everyone but members")
    ALL = "all", _("Screen all comments")


class IpLogging(models.TextChoices):
    NONE = "none", _("Do not log IP addresses")
    ANONYMOUS = "anonymous", _("Log IP addresses of anonymous comments")
    ALL = "all", _("Log IP addresses of all comments")


class Journal(models.Model):
    name = models.CharField(
        _("name"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]{2,30}$",
                _("Use 2 to 30 lowercase letters, digits or underscores."),
            ),
            validate_journal_name,
        ],
        help_text=_("Part of the journal's address: /<name>/."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_journals",
        verbose_name=_("owner"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="member_of_journals",
        help_text=_("Trusted commenters. Used when only members may comment."),
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderators"),
        blank=True,
        related_name="moderated_journals",
        help_text=_("People who may moderate comments here besides the owner."),
    )
    comment_access = models.CharField(
        _("who may comment"),
        max_length=16,
        choices=CommentAccess.choices,
        default=CommentAccess.REGISTERED,
        help_text=_(
            "Anonymous visitors see “Anonymous comments are disabled in this "
            "journal” unless this is set to everyone. The owner and moderators "
            "may always comment unless comments are turned off."
        ),
    )
    screening = models.CharField(
        _("screening"),
        max_length=16,
        choices=Screening.choices,
        default=Screening.NONE,
        help_text=_(
            "Screened comments wait for a moderator before others see them. "
            "Moderators count as members."
        ),
    )
    link_limit = models.PositiveSmallIntegerField(
        _("hold comments with this many links"),
        # Not 2: a genuine comment often cites two sources; the spam model
        # judges the links below this.
        default=3,
        help_text=_(
            "Comments with this many links or more wait for a moderator. "
            "0 turns this off."
        ),
    )
    new_account_days = models.PositiveSmallIntegerField(
        _("hold comments from accounts younger than (days)"),
        default=0,
        help_text=_("0 turns this off."),
    )
    trust_approved_authors = models.BooleanField(
        _("trust authors with approved comments"),
        default=True,
        help_text=_(
            "Trusted authors (and moderators) skip screening, the link limit and "
            "held words. Blocked words and bans still apply."
        ),
    )
    trusted_after = models.PositiveSmallIntegerField(
        _("approved comments needed to be trusted"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Only comments a moderator approved count, never the comment being judged."
        ),
    )
    trust_after_days = models.PositiveSmallIntegerField(
        _("also count comments that stood this many days"),
        default=0,
        help_text=_(
            "Published comments that stood this many days with no open report "
            "and no rejection, spam decision or screening count towards trust "
            "as approvals do. 0: only approvals count."
        ),
    )
    rate_limit_per_minute = models.PositiveSmallIntegerField(
        _("comments per author per minute"),
        default=5,
        help_text=_(
            "Per registered user, or per IP address for anonymous comments. "
            "0 turns this off."
        ),
    )
    max_thread_depth = models.PositiveSmallIntegerField(
        _("deepest reply level"),
        default=30,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(DEFAULTS["MAX_COMMENT_DEPTH"]),
        ],
        help_text=_("Replies below this level are refused."),
    )
    close_after_days = models.PositiveIntegerField(
        _("close comments on posts older than (days)"),
        default=0,
        help_text=_("0 keeps comments open."),
    )
    spam_threshold = models.PositiveSmallIntegerField(
        _("hold comments the spam model scores at or above (%)"),
        default=90,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "The spam model learns from this journal's approvals and spam "
            "decisions (the whole site's until the journal has 50 of each). It "
            "only ever holds, never refuses. 0 turns it off."
        ),
    )
    report_screen_weight = models.PositiveSmallIntegerField(
        _("screen a comment when its reports weigh"),
        default=0,
        help_text=_(
            "Each reader's report weighs 1, more when their reports were upheld, "
            "nothing when they are always dismissed. At this total the comment "
            "waits for a moderator. 0 turns this off."
        ),
    )
    history_comments = models.PositiveSmallIntegerField(
        _("recent history: the author's last comments"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many of the author's recent comments here to look at."),
    )
    history_rejected_percent = models.PositiveSmallIntegerField(
        _("hold when this share of them was rejected (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Rejected or marked as spam, within the strike window. 0 turns this off."
        ),
    )
    strike_window_days = models.PositiveSmallIntegerField(
        _("strikes count for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("Each rejection or spam decision is a strike for its author."),
    )
    screen_after_strikes = models.PositiveSmallIntegerField(
        _("screen an author after this many strikes"),
        default=0,
        help_text=_("0 turns this step off."),
    )
    screen_for_days = models.PositiveSmallIntegerField(
        _("screen them for (days)"), default=7, validators=[MinValueValidator(1)]
    )
    ban_after_strikes = models.PositiveSmallIntegerField(
        _("ban an author after this many strikes"),
        default=0,
        help_text=_("0 turns this step off."),
    )
    ban_for_days = models.PositiveSmallIntegerField(
        _("ban them for (days)"), default=30, validators=[MinValueValidator(1)]
    )
    edit_window_minutes = models.PositiveSmallIntegerField(
        _("authors may edit for (minutes)"),
        default=15,
        help_text=_("Only while nobody has replied. 0 turns editing off."),
    )
    ip_logging = models.CharField(
        _("IP logging"),
        max_length=16,
        choices=IpLogging.choices,
        default=IpLogging.ANONYMOUS,
        help_text=_("Only logged addresses are stored; only moderators see them."),
    )
    queue_claims = models.BooleanField(
        _("show who is looking at a queue item"),
        default=True,
        help_text=_(
            "A moderator who opens an item claims it for a few minutes; the others "
            "see their name on it. A claim only informs: anyone may still decide."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "The journal's own clock: scheduled modes start and end by it, such as "
            "Europe/Moscow or America/New_York."
        ),
    )
    heat_replies = models.PositiveSmallIntegerField(
        _("screen a sub-thread that gets this many replies"),
        default=0,
        help_text=_(
            "A heated sub-thread is screened for a while, then opens again on its "
            "own. 0 turns this off."
        ),
    )
    heat_minutes = models.PositiveSmallIntegerField(
        _("within (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    heat_hours = models.PositiveSmallIntegerField(
        _("screen it for (hours)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("authors may appeal a decision for (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "A rejected comment, a ban or a screening may be appealed once, within "
            "this many days. 0 turns appeals off."
        ),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )

    objects = JournalQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment_access__in=CommentAccess.values),
                name="journal_comment_access_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(screening__in=Screening.values),
                name="journal_screening_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ip_logging__in=IpLogging.values),
                name="journal_ip_logging_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("journal:journal", kwargs={"journal_name": self.name})

    def is_moderated_by(self, user, *, named: bool | None = None) -> bool:
        """Whether ``user`` moderates this journal: owner, named moderator or
        superuser. Pass ``named`` when a query already told whether the user is a
        named moderator, to save asking again."""
        if not user or not user.is_authenticated:
            return False
        if user.is_superuser or self.owner_id == user.pk:
            return True
        if named is None:
            named = self.moderators.filter(pk=user.pk).exists()
        return named

    def logs_ip_of(self, *, anonymous: bool) -> bool:
        return self.ip_logging == IpLogging.ALL or (
            anonymous and self.ip_logging == IpLogging.ANONYMOUS
        )


class Tag(models.Model):
    journal = models.ForeignKey(
        Journal,
        on_delete=models.CASCADE,
        related_name="tags",
        verbose_name=_("journal"),
    )
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "slug"], name="tag_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "journal:tag",
            kwargs={"journal_name": self.journal.name, "tag_slug": self.slug},
        )

    @staticmethod
    def slug_for(name: str) -> str:
        # Within the column: Unicode normalisation can make a short name's
        # slug many times longer (U+FDFA alone becomes 18 letters).
        return slugify(name, allow_unicode=True)[:80].strip("-_")


class Post(models.Model):
    journal = models.ForeignKey(
        Journal,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("journal"),
    )
    title = models.CharField(_("title"), max_length=200)
    body_source = models.TextField(
        _("body (HTML)"),
        help_text=_(
            "Paragraphs, headings, lists, quotes, links, images, figures and "
            "video embeds from YouTube or Vimeo. Anything else is removed."
        ),
    )
    body_html = models.TextField(_("cleaned body"), editable=False)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="posts", verbose_name=_("tags")
    )
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    comments_enabled = models.BooleanField(
        _("comments enabled"),
        default=True,
        help_text=_("Turn off to close this post to new comments."),
    )
    screen_all_comments = models.BooleanField(
        _("screen all comments"),
        default=False,
        help_text=_(
            "Every new comment on this post waits for a moderator, unless "
            "its author is trusted."
        ),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["journal", "-published_at"], name="post_journal_recent"
            ),
            models.Index(fields=["-published_at"], name="post_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "journal:post",
            kwargs={"journal_name": self.journal.name, "post_id": self.pk},
        )


class Comment(models.Model):
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("post"),
    )
    # The post's journal, copied so that the moderation queue reads one table
    # through one index; moving the post moves its comments too (save_post).
    journal = models.ForeignKey(
        Journal,
        on_delete=models.PROTECT,
        related_name="comments",
        editable=False,
        verbose_name=_("journal"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("parent"),
    )
    # See journal.paths: display order and sub-thread ranges come from this column.
    path = models.CharField(
        max_length=paths.STEP * (DEFAULTS["MAX_COMMENT_DEPTH"] + 1),
        editable=False,
        default="",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    author_name = models.CharField(
        _("name"),
        max_length=50,
        blank=True,
        help_text=_("Name given by an anonymous commenter."),
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    body_source = models.TextField(_("comment"))
    body_html = models.TextField(_("cleaned comment"), editable=False)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CommentState.choices,
        default=CommentState.PUBLISHED,
    )
    # The verdict's reasons as data (code, action, message; matched text and list
    # entry for word rules) and the rule-set version it was made under.
    reasons = models.JSONField(default=list, blank=True, editable=False)
    rule_set_version = models.ForeignKey(
        "moderation.RuleSetVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="comments",
        verbose_name=_("rule set version"),
    )
    # The reasons' codes as " code code ", so the queue can filter by rule with
    # a plain text match on every database.
    rule_codes = models.CharField(max_length=400, blank=True, editable=False)
    # Why a moderator rejected it, shown to its author.
    moderator_reason = models.CharField(max_length=20, blank=True, editable=False)
    moderator_note = models.TextField(blank=True, editable=False)
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, editable=False
    )
    frozen = models.BooleanField(
        _("frozen"), default=False, help_text=_("No new replies below this comment.")
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    # The revision a moderator approved (or unscreened). It earns its author
    # trust; an edit after it is judged afresh and held again if a rule says so.
    approved_revision = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    # A moderator screened it by hand: every edit stays held until a moderator
    # approves or unscreens it.
    moderator_screened = models.BooleanField(default=False, editable=False)
    # The facts the verdict was computed from (the plugin's compact, versioned
    # record), so that a later replay judges the comment as it stood then.
    judged_facts = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False
    )
    edited_at = models.DateTimeField(
        _("edited at"), null=True, blank=True, editable=False
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["post", "path"], name="comment_thread_order"),
            # The moderation queue: one journal's (or every journal's) held
            # comments in id order, paged by keyset.
            models.Index(fields=["journal", "state", "id"], name="comment_queue"),
            models.Index(fields=["state", "id"], name="comment_queue_all"),
            models.Index(fields=["author", "journal"], name="comment_author_record"),
            # A post's published comments counted from the index alone.
            models.Index(fields=["post", "state"], name="comment_post_state"),
            # A thread's frozen comments above one comment, without walking
            # the post's comments (journal.querysets.with_thread_context).
            models.Index(
                fields=["post", "path"],
                condition=models.Q(frozen=True),
                name="comment_frozen_path",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=CommentState.values),
                name="comment_state_valid",
            )
        ]

    def __str__(self) -> str:
        return self.subject or gettext("Comment %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}?thread={self.pk}#t{self.pk}"

    @property
    def depth(self) -> int:
        return paths.depth_of(self.path)

    @property
    def is_anonymous(self) -> bool:
        return self.author_id is None

    @property
    def placeholder_label(self) -> str:
        """What stands in for a comment the viewer may not read."""
        if self.state == CommentState.DELETED:
            return str(_("Deleted comment"))
        if self.state == CommentState.HELD:
            return str(_("Comment awaiting moderation"))
        return str(_("Removed by a moderator"))

    @property
    def is_held(self) -> bool:
        return self.state == CommentState.HELD

    @staticmethod
    def codes_of(reasons: list[dict]) -> str:
        return f" {' '.join(reason['code'] for reason in reasons)} " if reasons else ""

    @property
    def author_label(self) -> str:
        if self.author_id is None:
            return self.author_name or str(_("Anonymous"))
        return self.author.public_name


class CommentRevision(models.Model):
    """An earlier text of an edited comment, kept when its author changes it."""

    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("number"))
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    body_source = models.TextField(_("body source"))
    body_html = models.TextField(_("body html"))
    state = models.CharField(_("state"), max_length=16, choices=CommentState.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    written_at = models.DateTimeField(_("written at"))
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment revision")
        verbose_name_plural = _("comment revisions")
        ordering = ["comment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "number"], name="comment_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} r{self.number}"
