"""The shared lists a journal follows, as its rules read them.

A shared list's entries live in its versions (``SharedListVersion``), which are
only ever added: a version, once read, never changes. Each one is read once per
process and kept by id (``compiled``); the judging query and the post page's
query name the versions a journal follows as text (``moderation.judging``), so
following lists costs a comment no query of its own.

What the journal's own entries do to a followed list's (``effective_words``):
an own entry for the same word (the same ``moderation.words.entry_key``) takes
its place: "allow" lets the word through, "block" or "hold" is the journal's
own verdict. Where two followed lists hold the same word, the stricter entry
stands (block over hold), then the list with the smaller id.

Writing the lists (publishing, subscribing) is ``moderation.shared_lists``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import OuterRef, Subquery

from .models import SharedList, SharedListVersion, Subscription
from .words import entry_key


@dataclass(frozen=True)
class FollowedList:
    """One version of a shared list, as the rules read it."""

    list_id: int
    name: str
    kind: str
    number: int
    version_id: int
    # (phrase, kind, substring), for a word list.
    words: tuple[tuple[str, str, bool], ...] = ()
    # (user id, until as ISO text or None), for a ban list.
    bans: tuple[tuple[int, str | None], ...] = ()
    # What each of ``words`` matches (moderation.words.entry_key), worked out
    # once with the version.
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def _bans_by_user(self) -> dict[int, list]:
        found: dict[int, list] = {}
        for ban in self.bans:
            found.setdefault(ban[0], []).append(ban)
        return found

    def bans_of(self, user_id: int) -> tuple[tuple[int, str | None], ...]:
        return tuple(self._bans_by_user.get(user_id, ()))


def _followed(version: SharedListVersion) -> FollowedList:
    shared = version.shared_list
    words: tuple = ()
    bans: tuple = ()
    if shared.kind == SharedList.Kind.WORDS:
        words = tuple(
            (phrase, kind, bool(substring))
            for phrase, kind, substring in version.entries
        )
    else:
        bans = tuple((user_id, until) for user_id, _name, until, *_ in version.entries)
    return FollowedList(
        list_id=shared.pk,
        name=shared.name,
        kind=shared.kind,
        number=version.number,
        version_id=version.pk,
        words=words,
        bans=bans,
        keys=tuple(entry_key(phrase) for phrase, _kind, _substring in words),
    )


# By version id; a bounded number, the least recently stored dropped first.
_compiled: dict[int, FollowedList] = {}
_storing = threading.Lock()
KEPT = 2_000


def forget() -> None:
    """Read every version afresh. Only tests need this: a rolled-back test
    transaction hands out the same version ids again."""
    with _storing:
        _compiled.clear()


def compiled(version_ids: Iterable[int]) -> list[FollowedList]:
    """These versions, read once per process: one query for those not yet
    read, none when all were."""
    wanted = list(dict.fromkeys(version_ids))
    missing = [pk for pk in wanted if pk not in _compiled]
    if missing:
        read = SharedListVersion.objects.filter(pk__in=missing).select_related(
            "shared_list"
        )
        fresh = {version.pk: _followed(version) for version in read}
        with _storing:
            for pk, followed in fresh.items():
                while len(_compiled) >= KEPT:
                    _compiled.pop(next(iter(_compiled)))
                _compiled[pk] = followed
        found = {**_compiled, **fresh}
    else:
        found = _compiled
    return sorted(
        (found[pk] for pk in wanted if pk in found), key=lambda one: one.list_id
    )


def latest_version_id() -> Subquery:
    """The id of the latest version of the list a subscription row names."""
    return Subquery(
        SharedListVersion.objects.filter(shared_list=OuterRef("shared_list"))
        .order_by("-number")
        .values("pk")[:1]
    )


def running(journal_id: int):
    """The subscriptions of a journal in force."""
    return Subscription.objects.filter(journal_id=journal_id, ended_at__isnull=True)


def followed_by(journal) -> list[FollowedList]:
    """The latest version of each list ``journal`` follows (one query, and one
    more the first time a version is read in this process)."""
    if journal.pk is None:
        return []
    ids = (
        running(journal.pk)
        .order_by()
        .annotate(version=latest_version_id())
        .values_list("version", flat=True)
    )
    return compiled(pk for pk in ids if pk is not None)


def from_rows(text: str | None) -> list[FollowedList]:
    """The lists named by the judging query's ``[[list id, version id], ...]``
    text (``moderation.judging.followed_rows``)."""
    rows = json.loads(text or "[]")
    return compiled(version for _list, version in rows if version is not None)


# What the rules read -------------------------------------------------------------


def effective_words(own_words: Iterable, followed: Iterable[FollowedList]) -> list:
    """The followed word lists' entries the journal's own entries leave standing,
    as ``[phrase, kind, substring, list id]``, sorted. ``own_words`` are
    ``(phrase, kind, substring)`` of the journal's entries, "allow" ones too."""
    own_keys = {entry_key(phrase) for phrase, *_ in own_words}
    strictness = {"block": 0, "hold": 1}
    chosen: dict[str, tuple] = {}
    for one in sorted(followed, key=lambda one: one.list_id):
        for (phrase, kind, substring), key in zip(one.words, one.keys, strict=True):
            if kind not in strictness:
                continue
            if not key or key in own_keys:
                continue
            entry = (phrase, kind, substring, one.list_id)
            known = chosen.get(key)
            if known is None or strictness[kind] < strictness[known[1]]:
                chosen[key] = entry
    return sorted(list(entry) for entry in chosen.values())


def effective_bans(followed: Iterable[FollowedList]) -> list:
    """The followed ban lists' entries as ``[user id, until, list id]``, sorted."""
    return sorted(
        [user_id, until, one.list_id] for one in followed for user_id, until in one.bans
    )


def snapshot_part(own_words: Iterable, followed: Iterable[FollowedList]) -> dict:
    """What a rule-set version records of the lists followed: which version of
    each (``subscriptions``: ``[list id, version number, name, kind]``) and
    the entries that apply (``shared_words``, ``shared_bans``). Nothing for a
    journal that follows none, so its snapshot stays as it was before lists."""
    followed = sorted(followed, key=lambda one: one.list_id)
    if not followed:
        return {}
    return {
        "subscriptions": [
            [one.list_id, one.number, one.name, one.kind] for one in followed
        ],
        "shared_words": effective_words(own_words, followed),
        "shared_bans": effective_bans(followed),
    }
