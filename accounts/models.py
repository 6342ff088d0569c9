import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.confusables import scripts_of, skeleton
from journal.validators import validate_name

from .validators import validate_userpic

DEFAULT_USERPIC = "img/default-userpic.svg"


def userpic_upload_to(user: "User", filename: str) -> str:
    # A random name: the original file name is the uploader's, not ours to publish.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"userpics/{uuid.uuid4().hex}.{extension[:5]}"


class AccountManager(UserManager):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(), where every other way in sets the key.
        objs = list(objs)
        for user in objs:
            user.set_keys()
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractUser):
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        validators=[validate_name],
        help_text=_("Shown beside your posts and comments instead of your username."),
    )
    userpic = models.ImageField(
        _("userpic"),
        upload_to=userpic_upload_to,
        blank=True,
        validators=[validate_userpic],
        help_text=_("PNG, JPEG, GIF or WebP, at most 200 KB and 600×600 pixels."),
    )
    # What the username looks like, with case, width, invisible characters and
    # look-alike letters folded away (journal.confusables.skeleton). Unique, so
    # no account can pass for another: "ＯＷＮＥＲ" and "оwner" are "owner".
    username_key = models.CharField(max_length=150, unique=True, editable=False)
    # The same for the display name, shown instead of the username.
    display_key = models.CharField(
        max_length=255, unique=True, null=True, blank=True, editable=False
    )
    # The address its owner proved they read, through the link mailed to it. No
    # mail goes anywhere else: changing the address needs a new confirmation.
    confirmed_email = models.EmailField(blank=True, editable=False)

    objects = AccountManager()

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def mail_address(self) -> str:
        """Where mail for this person may go: their confirmed address, or ""."""
        if self.email and self.email == self.confirmed_email:
            return self.email
        return ""

    def clean(self):
        super().clean()
        # Names are compared as they look (journal.confusables.skeleton), and a
        # display name is shown instead of the username, so neither may look
        # like another account's username or display name.
        others = User.objects.exclude(pk=self.pk)
        errors = {}
        key = skeleton(self.username or "")
        if key and others.filter(Q(username_key=key) | Q(display_key=key)).exists():
            errors["username"] = _(
                "This username looks the same as an existing one; pick another."
            )
        elif len(scripts_of(self.username or "")) > 1:
            errors["username"] = _(
                "Use the letters of one alphabet: this name mixes letters of "
                "different scripts."
            )
        shown = skeleton(self.display_name or "")
        if (
            shown
            and shown != key
            and others.filter(Q(username_key=shown) | Q(display_key=shown)).exists()
        ):
            errors["display_name"] = _(
                "This display name looks the same as another member's name; pick "
                "another."
            )
        if errors:
            raise ValidationError(errors, code="lookalike")

    def set_keys(self) -> None:
        self.username_key = skeleton(self.username or "")[:150]
        self.display_key = skeleton(self.display_name or "")[:255] or None

    def save(self, *args, **kwargs):
        self.set_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            keys = {"username": "username_key", "display_name": "display_key"}
            extra = {keys[name] for name in update_fields if name in keys}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    @property
    def userpic_url(self) -> str:
        return self.userpic.url if self.userpic else static(DEFAULT_USERPIC)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only a hash of the key is stored; the key itself is
    shown once, when the token is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OutgoingMail(models.Model):
    """One e-mail the site sends, recorded under its delivery key before it goes
    (``accounts.outbox``): a task that runs twice finds the key and sends the
    mail once, and a mail that could not be sent says so here."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # What the mail reports, e.g. "approved:<event>:<comment id>".
    key = models.CharField(max_length=200, unique=True)
    to = models.CharField(max_length=254)
    subject = models.TextField()
    body = models.TextField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Pending: when the next attempt is due. Sending: when the worker's claim
    # runs out (a worker that died while sending leaves it so).
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed"]),
                name="outgoing_mail_state_valid",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="outgoing_mail_due",
            ),
            models.Index(fields=["created_at"], name="outgoing_mail_created"),
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.to} ({self.state})"
