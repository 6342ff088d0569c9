import unicodedata

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from journal.client_ip import client_ip

from . import throttles
from .models import User


class SignUpForm(UserCreationForm):
    """Username, e-mail address and password. The address gets a confirmation
    link; until it is confirmed, the site sends it nothing else."""

    class Meta:
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "We mail a link to confirm it. Replies and moderation news go only "
            "to a confirmed address."
        )

    def clean_email(self):
        return normalized_email(self.cleaned_data.get("email", ""))

    def clean_username(self):
        # The model's own check (User.clean) refuses a name that differs from
        # an existing one only in case, width or look-alike letters.
        return self.cleaned_data.get("username")


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email", "userpic")

    def clean_email(self):
        return normalized_email(self.cleaned_data.get("email", ""))


def normalized_email(email: str) -> str:
    """Fullwidth and other compatibility forms made plain, as mail will see them."""
    return unicodedata.normalize("NFKC", email or "").strip()


class SlowedLoginMixin:
    """Count wrong passwords per address and space out attempts from an address
    that made too many (accounts.throttles); the lockout of one account
    from one address is django-axes's."""

    def clean(self):
        address = client_ip(self.request) if self.request else None
        if not throttles.may_try(address):
            raise ValidationError(
                ngettext_lazy(
                    "Too many wrong passwords came from your network. Wait "
                    "%(seconds)d second, then try again.",
                    "Too many wrong passwords came from your network. Wait "
                    "%(seconds)d seconds, then try again.",
                    "seconds",
                ),
                code="slowed",
                params={"seconds": throttles.SPACING_SECONDS},
            )
        try:
            return super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                throttles.record_failure(address)
            raise


class LoginForm(SlowedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(SlowedLoginMixin, AdminAuthenticationForm):
    pass
