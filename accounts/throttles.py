"""Limits per client address that keep one person from acting as many.

Logins: slow down password guessing across many accounts from one address,
without locking anyone out.

django-axes locks one account from one address after a few wrong passwords.
Someone trying one password on many accounts never trips that, so each address
also has a count of wrong passwords (any account) over 15 minutes. Past
FAILURES_BEFORE_SLOWING, that address gets one login attempt every
SPACING_SECONDS: a guesser drops to a dozen tries a minute, while a person
behind the same proxy or NAT still logs in after a few seconds' wait.

Sign-ups: at most SIGNUPS_PER_HOUR new accounts from one address an hour, so a
banned author or a spammer cannot mint accounts (each with its own rate limit)
as fast as they like.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from journal.client_ip import address_bucket

WINDOW_SECONDS = 15 * 60
FAILURES_BEFORE_SLOWING = 10
SPACING_SECONDS = 5


def _key(kind: str, address: str | None) -> str:
    # An IPv6 client is counted by its /64 (journal.client_ip.address_bucket).
    digest = hashlib.sha256(address_bucket(address).encode()).hexdigest()[:32]
    return f"login:{kind}:{digest}"


def failures(address: str | None) -> int:
    return cache.get(_key("failures", address), 0)


def may_try(address: str | None) -> bool:
    """Whether a login attempt from ``address`` may go ahead now."""
    if failures(address) < FAILURES_BEFORE_SLOWING:
        return True
    # One attempt per SPACING_SECONDS: the first caller takes the slot.
    return cache.add(_key("slot", address), 1, SPACING_SECONDS)


def record_failure(address: str | None) -> None:
    key = _key("failures", address)
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, WINDOW_SECONDS)


SIGNUPS_PER_HOUR = 5


def may_sign_up(address: str | None) -> bool:
    return cache.get(_key("signups", address), 0) < SIGNUPS_PER_HOUR


def record_sign_up(address: str | None) -> None:
    key = _key("signups", address)
    cache.add(key, 0, 60 * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, 60 * 60)
