from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from moderation.rules import CommentAccess as Access

from . import paths
from .conf import DEFAULTS
from .querysets import CommentQuerySet, JournalQuerySet, PostQuerySet

# First path segments taken by the site itself; a journal cannot be named so.
RESERVED_JOURNAL_NAMES = frozenset(
    {"admin", "accounts", "api", "moderation", "static", "media", "tag", "feeds"}
)


def validate_journal_name(value: str) -> None:
    if value in RESERVED_JOURNAL_NAMES:
        raise ValidationError(
            _("“%(name)s” is reserved by the site; pick another name."),
            code="reserved",
            params={"name": value},
        )


class CommentAccess(models.TextChoices):
    ANYONE = Access.ANYONE, _("Everyone, including anonymous visitors")
    REGISTERED = Access.REGISTERED, _("Registered users only")
    MEMBERS = Access.MEMBERS, _("Members of this journal only")
    NOBODY = Access.NOBODY, _("Nobody: comments are turned off")


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
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="member_of_journals",
        help_text=_("Trusted commenters. Used when only members may comment."),
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
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
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment_access__in=CommentAccess.values),
                name="journal_comment_access_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("journal:journal", kwargs={"journal_name": self.name})


class Tag(models.Model):
    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)

    class Meta:
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
        return slugify(name, allow_unicode=True)


class Post(models.Model):
    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("title"), max_length=200)
    body_source = models.TextField(
        _("body (HTML)"),
        help_text=_(
            "Paragraphs, headings, lists, quotes, links, images, figures and "
            "video embeds from YouTube or Vimeo. Anything else is removed."
        ),
    )
    body_html = models.TextField(_("cleaned body"), editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    comments_enabled = models.BooleanField(
        _("comments enabled"),
        default=True,
        help_text=_("Turn off to close this post to new comments."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
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


class CommentState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for moderation")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    DELETED = "deleted", _("Deleted by its author")


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
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
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["post", "path"], name="comment_thread_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=CommentState.values),
                name="comment_state_valid",
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"Comment {self.pk}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}?thread={self.pk}#t{self.pk}"

    @property
    def depth(self) -> int:
        return paths.depth_of(self.path)

    @property
    def is_anonymous(self) -> bool:
        return self.author_id is None

    @property
    def author_label(self) -> str:
        if self.author_id is None:
            return self.author_name or str(_("Anonymous"))
        return self.author.public_name
