"""Personal API tokens: made, looked up and revoked here; used by the API."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from journal.compiled import Compiled

from .models import ApiToken

# "Last used" is stamped at most this often: the account page shows it to the
# minute, and a write on every call would cost each API request a commit.
LAST_USED_STEP = timedelta(minutes=1)


# The token of a key hash, with its user, read on every API request that
# carries one: compiled once (journal.compiled).
_ACTIVE_TOKEN = Compiled(
    lambda values: (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=values["key_hash"])
    ),
    {"key_hash": "\x1fone"},
    {"key_hash": "\x1ftwo"},
)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a token; return it and its key, which is never retrievable again."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:60] or gettext("API token"),
        prefix=key[:8],
        key_hash=_hash(key),
    )
    return token, key


def revoke_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a personal token."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if (
            not header
            or header[0].lower().decode(errors="replace") not in self.keywords
        ):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give one token after the keyword.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid.")
            ) from error
        token = _ACTIVE_TOKEN.first_instance(key_hash=_hash(key))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid or was revoked.")
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes these tokens (drf-spectacular finds
    the extension once this module is loaded, as DRF loads it to authenticate)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal token from your account page: “Token <key>”.",
        }
