"""Slow down password guessing across many accounts from one address, without
locking anyone out.

django-axes locks one account from one address after a few wrong passwords.
Someone trying one password on many accounts never trips that, so each address
also has a count of wrong passwords (any account) over 15 minutes. Past
FAILURES_BEFORE_SLOWING, that address gets one login attempt every
SPACING_SECONDS: a guesser drops to a dozen tries a minute, while a person
behind the same proxy or NAT still logs in after a few seconds' wait.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
FAILURES_BEFORE_SLOWING = 10
SPACING_SECONDS = 5


def _key(kind: str, address: str | None) -> str:
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
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
