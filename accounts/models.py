import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from journal.confusables import scripts_of, skeleton

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
            user.username_key = skeleton(user.username or "")
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractUser):
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
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
        if not self.username:  # the form already said what is wrong with it
            return
        key = skeleton(self.username)
        if User.objects.filter(username_key=key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "username": _(
                        "This username looks the same as an existing one; pick another."
                    )
                },
                code="lookalike",
            )
        if len(scripts_of(self.username)) > 1:
            raise ValidationError(
                {
                    "username": _(
                        "Use the letters of one alphabet: this name mixes Latin "
                        "with Cyrillic or Greek letters."
                    )
                },
                code="mixed_scripts",
            )

    def save(self, *args, **kwargs):
        self.username_key = skeleton(self.username or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
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
