"""The one writer of the audit log. Entries are only ever added."""

from __future__ import annotations

from collections.abc import Iterable

from journal import pagecache
from journal.models import Journal

from .models import AuditEntry


def entry(
    *,
    journal,
    actor,
    action: str,
    comment=None,
    target: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    note: str = "",
    data: dict | None = None,
    rule_set_version=None,
    undoes: AuditEntry | None = None,
) -> AuditEntry:
    """Build (not save) an entry; ``record`` or ``record_many`` saves them."""
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry(
        journal_id=journal.pk if hasattr(journal, "pk") else journal,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        comment=comment,
        target=target or (f"comment {comment.pk}" if comment is not None else ""),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        note=note,
        data=data or {},
        # An object or just its id: bulk callers pass ids to avoid a fetch each.
        rule_set_version_id=getattr(rule_set_version, "pk", rule_set_version),
        undoes=undoes,
    )


def person(user) -> str:
    """A person as an entry's target: their name and username, kept as they
    were even if the account changes or goes ("Mira Okafor (@mira)")."""
    return f"{user.public_name} (@{user.get_username()})"[:200]


def record(**fields) -> AuditEntry:
    new = entry(**fields)
    new.save()
    _pages_change([new])
    return new


def record_many(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Save entries in one query (a bulk decision writes one row per comment)."""
    saved = AuditEntry.objects.bulk_create(list(entries))
    _pages_change(saved)
    return saved


def _pages_change(entries: list[AuditEntry]) -> None:
    """What a moderator or owner does shows on readers' pages: every such
    change is audited, so the pages it touches get new versions here, once
    it commits (journal.pagecache). A comment's post, or the whole journal
    for what has no comment (settings, bans): one query, and only then."""
    pagecache.touch_posts(
        {entry.comment.post_id for entry in entries if entry.comment is not None}
    )
    journal_ids = {entry.journal_id for entry in entries if entry.comment is None}
    if journal_ids and pagecache.enabled():
        pagecache.touch_journals(
            Journal.objects.filter(pk__in=journal_ids).values_list("name", flat=True)
        )
