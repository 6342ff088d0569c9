"""Confirming an e-mail address: the site mails nobody who has not proved they
read the address.

A link carries a signed note of the account and the address, valid for three
days; it confirms only while the account still has that address. Opening the
link shows a button: confirming takes a POST, so a mail scanner that fetches
every link cannot confirm an address for someone who never asked. Each account,
and each mailbox (however its address is spelled), gets at most one
confirmation mail per ten minutes, so the sign-up form cannot be used to flood a
stranger's mailbox. The mail itself is a task (``send_confirmation``), so the
page never waits for the mail server.
"""

from __future__ import annotations

import contextlib
import hashlib
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from . import tasks
from .models import User
from .outbox import Mail

SALT = "accounts.email-confirmation"
MAX_AGE_SECONDS = 3 * 24 * 60 * 60
RESEND_SECONDS = 10 * 60


def token_for(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT)


def pending(token: str) -> tuple[User, str] | None:
    """The account and address a link stands for, while both still match."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        user_id, email = int(data["u"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_id, email=email).first()
    return (user, email) if user is not None and email else None


def confirm(token: str) -> User | None:
    """Mark the link's address confirmed; None if the link is no longer good."""
    found = pending(token)
    if found is None:
        return None
    user, email = found
    User.objects.filter(pk=user.pk, email=email).update(confirmed_email=email)
    user.confirmed_email = email
    return user


def mailbox(email: str) -> str:
    """The mailbox an address reaches, however it is spelled: width and case
    folded, quotes and a "+tag" dropped, the domain in its ASCII form."""
    address = unicodedata.normalize("NFKC", email).strip()
    local, _at, domain = address.rpartition("@")
    local = local.strip('"').split("+", 1)[0].casefold()
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain.lower()}"


def _address_key(email: str) -> str:
    digest = hashlib.sha256(mailbox(email).encode()).hexdigest()[:32]
    return f"confirm-mail:address:{digest}"


def send_link(user: User) -> bool:
    """Mail a confirmation link to the account's address, at most once per ten
    minutes per account and per address. False when nothing was sent.

    Enqueued straight away, not at commit: the address is stored already."""
    if not user.email or user.mail_address:
        return False
    if not cache.add(f"confirm-mail:user:{user.pk}", 1, RESEND_SECONDS):
        return False
    if not cache.add(_address_key(user.email), 1, RESEND_SECONDS):
        return False
    # The mail is written by a task, outside the request: in the language the
    # page that asked for it was in.
    language = translation.get_language()
    send_confirmation.enqueue(user.pk, user.email, tasks.event(), language)
    return True


@task()
@tasks.retried
def send_confirmation(
    user_id: int, email: str, event: str, language: str | None = None
) -> None:
    """Mail the link, if the account still has the address and has not
    confirmed it meanwhile, in ``language`` (the site's default when None). A
    mail the server refuses is tried again later (``accounts.tasks``); the
    account page also offers a resend."""
    user = User.objects.filter(pk=user_id, email=email).first()
    if user is None or user.mail_address:
        return
    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    link = site + reverse("accounts:confirm_email", args=[token_for(user)])
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "accounts/email/confirm.txt", {"link": link, "site_url": site}
        )
        subject = gettext("Confirm your e-mail address")
    tasks.send([Mail(f"confirm:{event}:{user_id}", email, subject, body)])
