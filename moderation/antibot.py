"""The proof an anonymous comment carries, whatever door it comes through.

A challenge is a signed note of when it was issued, for which post, with a
random nonce. The web form carries one in a hidden field; API clients fetch one
from ``GET /api/posts/{id}/challenge/`` and send it back. The rules then refuse a
comment sent too fast, too late, without a valid challenge, or with one already
spent: each challenge posts one comment.
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.core.cache import cache

from .rules import FORM_MAX_SECONDS, AntiBotCheck

SALT = "journal.comment-challenge"


def issue(post_id: int, now: float | None = None) -> str:
    """A new challenge for commenting on ``post_id``."""
    issued = time.time() if now is None else now
    return signing.dumps(
        {"t": issued, "p": post_id, "n": secrets.token_urlsafe(12)}, salt=SALT
    )


def _read(token: str, post_id: int) -> tuple[float | None, str]:
    """Seconds since ``token`` was issued and its nonce; None when it is missing,
    forged, or made for another post."""
    try:
        data = signing.loads(token, salt=SALT)
        issued, post, nonce = float(data["t"]), int(data["p"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, ""
    if post != post_id:
        return None, ""
    return time.time() - issued, nonce


def check(
    *, token: str | None, post_id: int, honeypot_filled: bool = False
) -> AntiBotCheck:
    """What a submitted challenge (and, for the form, its honeypot) says."""
    age, nonce = _read(token or "", post_id)
    return AntiBotCheck(honeypot_filled=honeypot_filled, age_seconds=age, nonce=nonce)


def spend(check: AntiBotCheck) -> AntiBotCheck:
    """Use the challenge up; a second comment with it is told it was reused.

    Atomic across processes through the cache (Redis in production). Only a
    challenge that is otherwise valid is spent; its key outlives its validity.
    """
    if check.age_seconds is None or not check.nonce:
        return check
    fresh = cache.add(f"antibot:spent:{check.nonce}", 1, timeout=FORM_MAX_SECONDS + 60)
    return (
        check
        if fresh
        else AntiBotCheck(
            honeypot_filled=check.honeypot_filled,
            age_seconds=check.age_seconds,
            nonce=check.nonce,
            reused=True,
        )
    )
