import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from .validators import validate_userpic

DEFAULT_USERPIC = "img/default-userpic.svg"


def userpic_upload_to(user: "User", filename: str) -> str:
    # A random name: the original file name is the uploader's, not ours to publish.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"userpics/{uuid.uuid4().hex}.{extension[:5]}"


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

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

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
