"""Claims: "Dan is looking at this" on a queue item.

A moderator who opens or focuses an item claims it for a few minutes so that
the others can pick another. A claim is a soft lease: it only informs, expires
on its own, and never stops anyone deciding (the revision guard in
``services.decide`` still settles races). Leases live in the cache (Redis in
production, shared by every app server) because they are worth nothing once
expired; nothing users wrote is kept there.

Keys name the journal as well as the comment. A claim is only ever written
after checking that the comment is in that journal (``services.claim_item``),
so a moderator who may see a journal's claims can only ask for keys of that
journal, whatever comment id they put in them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

CLAIM_SECONDS = 180


@dataclass(frozen=True)
class Claim:
    comment_id: int
    moderator_id: int
    name: str
    until: datetime


def _key(journal_id: int, comment_id: int) -> str:
    return f"moderation:claim:{journal_id}:{comment_id}"


def _alive(stored: dict | None, now: float) -> dict:
    """Claimers in a stored lease that have not expired: {user id: (name, until)}."""
    return {
        int(user_id): (name, until)
        for user_id, (name, until) in (stored or {}).items()
        if until > now
    }


def lease(*, moderator, journal_id: int, comment_id: int) -> Claim:
    """Record that ``moderator`` is looking at the comment, for CLAIM_SECONDS.
    The caller (``services.claim_item``) has checked that they may."""
    now = timezone.now()
    until = now.timestamp() + CLAIM_SECONDS
    key = _key(journal_id, comment_id)
    claimers = _alive(cache.get(key), now.timestamp())
    claimers[moderator.pk] = (moderator.public_name, until)
    # Read, change, write: two moderators claiming at the same instant may drop
    # one name until the next claim, which a soft lease can afford.
    cache.set(key, {str(k): v for k, v in claimers.items()}, CLAIM_SECONDS)
    return Claim(
        comment_id=comment_id,
        moderator_id=moderator.pk,
        name=moderator.public_name,
        until=datetime.fromtimestamp(until, tz=now.tzinfo),
    )


def release(*, moderator, journal_id: int, comment_id: int) -> None:
    """Drop ``moderator``'s own claim (they moved on)."""
    key = _key(journal_id, comment_id)
    claimers = _alive(cache.get(key), timezone.now().timestamp())
    if claimers.pop(moderator.pk, None) is not None:
        cache.set(key, {str(k): v for k, v in claimers.items()}, CLAIM_SECONDS)


def clear(pairs: Iterable[tuple[int, int]]) -> None:
    """Forget the claims on decided comments: (journal id, comment id) pairs."""
    keys = [_key(journal_id, comment_id) for journal_id, comment_id in pairs]
    if keys:
        cache.delete_many(keys)


def current(pairs: Iterable[tuple[int, int]]) -> dict[int, list[Claim]]:
    """The live claims on these (journal id, comment id) pairs, by comment id.

    The caller passes only journals the viewer moderates and where claims are
    on. One cache round trip, no query.
    """
    keys = {_key(journal, comment): comment for journal, comment in pairs}
    if not keys:
        return {}
    now = timezone.now()
    found: dict[int, list[Claim]] = {}
    for key, stored in cache.get_many(list(keys)).items():
        comment_id = keys[key]
        for user_id, (name, until) in sorted(
            _alive(stored, now.timestamp()).items(), key=lambda item: item[1][1]
        ):
            found.setdefault(comment_id, []).append(
                Claim(
                    comment_id=comment_id,
                    moderator_id=user_id,
                    name=name,
                    until=datetime.fromtimestamp(until, tz=now.tzinfo),
                )
            )
    return found


def sentence(claims: list[Claim], viewer_id: int) -> str:
    """ "Dan is looking at this", naming the others only; "" when nobody else is."""
    others = [claim.name for claim in claims if claim.moderator_id != viewer_id]
    if not others:
        return ""
    if len(others) == 1:
        return _("%(name)s is looking at this") % {"name": others[0]}
    return _("%(names)s and %(last)s are looking at this") % {
        "names": ", ".join(others[:-1]),
        "last": others[-1],
    }
