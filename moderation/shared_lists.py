"""Shared word lists and ban lists: published by one journal's owner, followed
by other journals' owners, read-only to them.

- **Publishing.** A list's entries live in its versions (``SharedListVersion``,
  append-only, each with what it changed); every change of entries adds one.
  Its name and kind are fixed once published: verdicts and the sentences
  authors read quote the name. Only the publishing journal's owner changes it.
- **Unpublishing** keeps the list and every version, and ends every
  subscription to it (the rows stay, ended): the publisher withdrew it, so no
  journal goes on applying entries nobody keeps any more. An unpublished list
  can be neither changed nor followed again.
- **Subscribing.** A journal's owner follows another journal's published list;
  ending it keeps the row. Each start or end, and each new version of a list
  followed, records a rule-set version of the following journal (actor
  "system" for a list's change: the following journal's log never names the
  other journal's people), and the version records which version of each list
  it was judged under (``moderation.followed_lists``).

Every write here runs in one transaction, locks the list's row first and the
journals' rows after it (``record_rule_set``), in that order everywhere, and is
audited.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Journal
from journal.validators import validate_name

from . import audit
from .models import SharedList, SharedListVersion, Subscription
from .services import NotAllowed, record_rule_set
from .words import entry_key

# Entries a list may hold: room for a community's list, not for a dump.
MAX_ENTRIES = 5_000
WORD_KINDS = ("block", "hold")


# Who sees what --------------------------------------------------------------------


def owns(user, shared_list: SharedList) -> bool:
    """Whether ``user`` may change ``shared_list``: its journal's owner (or a
    superuser)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or shared_list.journal.owner_id == user.pk


def visible_to(user) -> QuerySet[SharedList]:
    """The lists ``user`` may read: those of journals they own, in any state;
    and, for anyone who owns a journal (and so could follow one), every
    published list and every list one of their journals followed. Another
    list is missing to them, as a missing one is."""
    lists = SharedList.objects.select_related("journal")
    if not (user and user.is_authenticated and user.is_active):
        return lists.none()
    if user.is_superuser:
        return lists
    if not Journal.objects.owned_by(user).exists():
        return lists.none()
    followed = Subscription.objects.filter(journal__owner=user).values("shared_list_id")
    return lists.filter(
        Q(journal__owner=user)
        | Q(state=SharedList.State.PUBLISHED)
        | Q(pk__in=followed)
    )


def latest_version(shared_list: SharedList) -> SharedListVersion | None:
    return shared_list.versions.order_by("-number").first()


def subscriptions_of(journal: Journal) -> QuerySet[Subscription]:
    """A journal's subscriptions, running and ended, newest first."""
    return (
        Subscription.objects.filter(journal=journal)
        .select_related("shared_list", "shared_list__journal")
        .order_by("-created_at", "-pk")
    )


# Entries ---------------------------------------------------------------------------


def _refuse(field: str, message: str):
    """A refusal of one field's value, as every door shows it."""
    return ValidationError({field: [message]})


def _one_line(text: str, field: str, most: int) -> str:
    text = (text or "").strip()
    if not text:
        raise _refuse(field, _("This field is required."))
    if len(text) > most:
        raise _refuse(field, _("At most %(count)d characters.") % {"count": most})
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text):
        raise _refuse(field, _("One line without control characters."))
    return text


def _not_too_many(entries: list, field: str) -> None:
    if len(entries) > MAX_ENTRIES:
        raise _refuse(
            field,
            _("A shared list holds at most %(count)s entries.")
            % {"count": f"{MAX_ENTRIES:,}"},
        )


def clean_words(words: Iterable[Mapping]) -> list[list]:
    """A word list's entries (``{phrase, kind, substring}``: kind "block" or
    "hold") as a version stores them: ``[phrase, kind, substring]``, sorted.
    Raises ``ValidationError`` (under "words") for an entry the rules could
    not read, or a word twice."""
    words = list(words)
    _not_too_many(words, "words")
    cleaned, keys = [], set()
    for word in words:
        if not isinstance(word, Mapping):
            raise _refuse("words", _("Each entry is an object."))
        phrase = str(word.get("phrase", "")).strip()
        if word.get("kind") not in WORD_KINDS:
            raise _refuse(
                "words", _("“%(phrase)s”: block or hold.") % {"phrase": phrase}
            )
        if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in phrase):
            raise _refuse(
                "words", _("A word or phrase is one line without control characters.")
            )
        if len(phrase) > 100:
            raise _refuse(
                "words",
                _("“%(phrase)s…”: at most 100 characters.") % {"phrase": phrase[:40]},
            )
        key = entry_key(phrase)
        if not key:
            raise _refuse(
                "words", _("A word or phrase needs letters or digits to match.")
            )
        if key in keys:
            raise _refuse(
                "words",
                _(
                    "“%(phrase)s” is on the list twice (as written, or looking "
                    "the same)."
                )
                % {"phrase": phrase},
            )
        keys.add(key)
        cleaned.append([phrase, word["kind"], bool(word.get("substring", False))])
    return sorted(cleaned)


def clean_bans(bans: Iterable[Mapping], *, now: datetime | None = None) -> list[list]:
    """A ban list's entries (``{username, until, reason}``; ``until`` an aware
    moment or None) as a version stores them: ``[user id, username, until as
    ISO text or None, reason]``, sorted. Raises ``ValidationError`` (under
    "bans") for an unknown account, an end already past, or an account twice."""
    now = now or timezone.now()
    bans = list(bans)
    _not_too_many(bans, "bans")
    names = [str(ban.get("username", "")) for ban in bans if isinstance(ban, Mapping)]
    if len(names) != len(bans):
        raise ValidationError({"bans": [_("Each entry is an object.")]})
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=names)
    }
    cleaned, seen = [], set()
    for ban, name in zip(bans, names, strict=True):
        user = users.get(name)
        if user is None:
            raise ValidationError(
                {
                    "bans": [
                        _("No account has the username “%(name)s”.")
                        % {"name": name[:150]}
                    ]
                }
            )
        if user.pk in seen:
            raise ValidationError(
                {"bans": [_("“%(name)s” is on the list twice.") % {"name": name}]}
            )
        seen.add(user.pk)
        until = ban.get("until")
        if until is not None and (
            not isinstance(until, datetime) or timezone.is_naive(until)
        ):
            raise ValidationError({"bans": [_("An end is a moment with its zone.")]})
        if until is not None and until <= now:
            raise ValidationError(
                {"bans": [_("“%(name)s”: the end is already past.") % {"name": name}]}
            )
        reason = str(ban.get("reason", "") or "").strip()
        if len(reason) > 200:
            raise ValidationError({"bans": [_("A reason is at most 200 characters.")]})
        cleaned.append(
            [
                user.pk,
                user.username,
                until.astimezone(UTC).isoformat() if until else None,
                reason,
            ]
        )
    return sorted(cleaned)


def _clean_entries(kind: str, entries: Iterable[Mapping]) -> list[list]:
    if kind == SharedList.Kind.WORDS:
        return clean_words(entries)
    return clean_bans(entries)


def _changes(kind: str, before: list, after: list) -> dict:
    """What a version changed: the entries added and removed (a changed entry
    is both), as shown in its history."""

    def keyed(entries):
        return {tuple(entry) for entry in entries}

    added = sorted(keyed(after) - keyed(before))
    removed = sorted(keyed(before) - keyed(after))
    return {
        "added": [list(entry) for entry in added],
        "removed": [list(e) for e in removed],
    }


# Publishing ------------------------------------------------------------------------


@transaction.atomic
def publish(
    *,
    journal: Journal,
    by,
    kind: str,
    name: str,
    description: str = "",
    entries: Iterable[Mapping] = (),
) -> SharedList:
    """Publish a word list or ban list of ``journal``'s, with its first version.

    The caller checked that ``by`` owns ``journal``. Raises ``ValidationError``
    (by field) for a bad name, kind or entry; then nothing is saved.
    """
    if kind not in SharedList.Kind.values:
        raise ValidationError({"kind": [_("A word list or a ban list.")]})
    name = _one_line(name, "name", 80)
    try:
        # Authors on a ban list read it: one line, nothing hidden in it.
        validate_name(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    description = (description or "").strip()
    if len(description) > 2000:
        raise ValidationError({"description": [_("At most 2000 characters.")]})
    cleaned = _clean_entries(kind, entries)
    author = by if by is not None and by.is_authenticated else None
    shared = SharedList.objects.create(
        journal=journal,
        kind=kind,
        name=name,
        description=description,
        created_by=author,
    )
    version = SharedListVersion.objects.create(
        shared_list=shared,
        number=1,
        entries=cleaned,
        changes=_changes(kind, [], cleaned),
        created_by=author,
    )
    audit.record(
        journal=journal,
        actor=by,
        action="shared_list.publish",
        target=_target(shared, version),
        data={"list": shared.pk, "kind": kind, "entries": len(cleaned)},
    )
    return shared


def _target(shared: SharedList, version: SharedListVersion | None = None) -> str:
    text = f"{shared.get_kind_display()} “{shared.name}”"
    if version is not None:
        text += f" v{version.number}"
    return text[:200]


def _locked(shared_list: SharedList) -> SharedList:
    return SharedList.objects.select_for_update().get(pk=shared_list.pk)


@transaction.atomic
def change_list(
    *,
    shared_list: SharedList,
    by,
    entries: Iterable[Mapping] | None = None,
    description: str | None = None,
) -> SharedListVersion | None:
    """Replace a published list's entries (a new version, if they changed) and
    its description. Every journal that follows it gets a new rule-set version
    in the same transaction, so its very next comment is judged by the new
    entries and names the version. Returns the new version, or None when the
    entries stayed as they were.

    The caller checked that ``by`` owns the list. ``NotAllowed`` for an
    unpublished list; ``ValidationError`` for bad entries (nothing changes).
    """
    shared = _locked(shared_list)
    if shared.state != SharedList.State.PUBLISHED:
        raise NotAllowed(
            _("This list is unpublished: it can no longer change."),
            "shared_list.unpublished",
        )
    if description is not None:
        description = description.strip()
        if len(description) > 2000:
            raise ValidationError({"description": [_("At most 2000 characters.")]})
    cleaned = None if entries is None else _clean_entries(shared.kind, entries)
    if description is not None and description != shared.description:
        shared.description = description
        shared.save(update_fields=["description"])
        audit.record(
            journal=shared.journal,
            actor=by,
            action="shared_list.describe",
            target=_target(shared),
            data={"list": shared.pk},
        )
    latest = latest_version(shared)
    if cleaned is None or (latest is not None and latest.entries == cleaned):
        return None
    before = latest.entries if latest is not None else []
    author = by if by is not None and by.is_authenticated else None
    changes = _changes(shared.kind, before, cleaned)
    version = SharedListVersion.objects.create(
        shared_list=shared,
        number=(latest.number + 1) if latest is not None else 1,
        entries=cleaned,
        changes=changes,
        created_by=author,
    )
    audit.record(
        journal=shared.journal,
        actor=by,
        action="shared_list.change",
        target=_target(shared, version),
        data={
            "list": shared.pk,
            "version": version.number,
            "added": len(changes["added"]),
            "removed": len(changes["removed"]),
        },
    )
    for subscription in _running(shared):
        # The system's doing in the following journal: its log names the list
        # and version, never the people who keep it.
        record_rule_set(subscription.journal, by=None)
    return version


def _running(shared: SharedList) -> list[Subscription]:
    """The list's running subscriptions, their journals in id order (the order
    their rows are locked in)."""
    return list(
        Subscription.objects.filter(shared_list=shared, ended_at__isnull=True)
        .select_related("journal")
        .order_by("journal_id")
    )


@transaction.atomic
def unpublish(*, shared_list: SharedList, by) -> SharedList:
    """Withdraw a list: its rows and versions stay, every subscription to it
    ends (each following journal gets a new rule-set version without it), and
    nobody can follow it again. The caller checked that ``by`` owns it.
    ``NotAllowed`` once it is unpublished."""
    shared = _locked(shared_list)
    if shared.state != SharedList.State.PUBLISHED:
        raise NotAllowed(
            _("This list is already unpublished."), "shared_list.unpublished"
        )
    now = timezone.now()
    shared.state = SharedList.State.UNPUBLISHED
    shared.unpublished_at = now
    shared.save(update_fields=["state", "unpublished_at"])
    audit.record(
        journal=shared.journal,
        actor=by,
        action="shared_list.unpublish",
        target=_target(shared),
        data={"list": shared.pk},
    )
    for subscription in _running(shared):
        _end(subscription, by=None, because="unpublished", now=now)
        record_rule_set(subscription.journal, by=None)
    return shared


# Subscribing -----------------------------------------------------------------------


@transaction.atomic
def subscribe(
    *, journal: Journal, shared_list: SharedList, by, record: bool = True
) -> Subscription:
    """Make ``journal`` follow ``shared_list`` from its next comment on.

    The caller checked that ``by`` owns ``journal`` (the list may be anyone's
    published list). ``NotAllowed`` for an unpublished list, the journal's own
    list, or one it already follows. ``record=False`` leaves the rule-set
    version to the caller (the admin records one for the whole page).
    """
    shared = _locked(shared_list)
    if shared.state != SharedList.State.PUBLISHED:
        raise NotAllowed(
            _("This list is unpublished: it cannot be followed."),
            "shared_list.unpublished",
        )
    if shared.journal_id == journal.pk:
        raise NotAllowed(
            _("This is the journal's own list: its entries belong on its word list."),
            "shared_list.own",
        )
    author = by if by is not None and by.is_authenticated else None
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                journal=journal, shared_list=shared, created_by=author
            )
    except IntegrityError as clash:
        raise NotAllowed(
            _("The journal already follows this list."), "subscription.exists"
        ) from clash
    latest = latest_version(shared)
    audit.record(
        journal=journal,
        actor=by,
        action="subscription.start",
        target=_target(shared, latest),
        data={"list": shared.pk, "version": latest.number if latest else None},
    )
    if record:
        record_rule_set(journal, by=by)
    return subscription


def _end(subscription: Subscription, *, by, because: str, now) -> bool:
    ended = Subscription.objects.filter(
        pk=subscription.pk, ended_at__isnull=True
    ).update(ended_at=now)
    if not ended:
        return False
    subscription.ended_at = now
    audit.record(
        journal=subscription.journal,
        actor=by,
        action="subscription.end",
        target=_target(subscription.shared_list),
        data={"list": subscription.shared_list_id, "because": because},
    )
    return True


@transaction.atomic
def unsubscribe(*, subscription: Subscription, by, record: bool = True) -> Subscription:
    """Stop following a list from the journal's next comment on; the row
    stays, ended, and so does every rule-set version that named the list. The
    caller checked that ``by`` owns the journal. ``NotAllowed`` once ended."""
    # The list's row first, as everywhere: a change of the list waits.
    _locked(subscription.shared_list)
    if not _end(subscription, by=by, because="ended", now=timezone.now()):
        raise NotAllowed(
            _("This subscription has already ended."), "subscription.ended"
        )
    if record:
        record_rule_set(subscription.journal, by=by)
    return subscription
