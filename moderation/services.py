"""Writes of the moderation app."""

from __future__ import annotations

from django.db import transaction

from journal.models import RULE_SETTING_FIELDS, Journal

from .models import RuleSetVersion


def rule_set_snapshot(journal: Journal, word_rules=None) -> dict:
    """The journal's comment rules as plain JSON data, word lists included."""
    if word_rules is None:
        word_rules = journal.word_rules.all()
    snapshot = {name: getattr(journal, name) for name in RULE_SETTING_FIELDS}
    snapshot["words"] = sorted(
        [word.phrase, word.kind, word.substring] for word in word_rules
    )
    return snapshot


def _changes(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record_rule_set(journal: Journal, *, by=None, word_rules=None) -> RuleSetVersion:
    """Return the journal's current rule-set version, adding one if rules changed.

    Every door that changes a journal's rules calls this afterwards, and so does
    posting a comment, so a verdict always names the rules it was made under. An
    unchanged rule set costs one read; adding a version locks the journal row so
    two writers cannot both take the same number.
    """
    snapshot = rule_set_snapshot(journal, word_rules)
    latest = journal.rule_set_versions.order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    with transaction.atomic():
        Journal.objects.select_for_update().filter(pk=journal.pk).first()
        latest = journal.rule_set_versions.order_by("-number").first()
        if latest is not None and latest.snapshot == snapshot:
            return latest
        author = by if by is not None and by.is_authenticated else None
        return RuleSetVersion.objects.create(
            journal=journal,
            number=(latest.number + 1) if latest else 1,
            snapshot=snapshot,
            changes=_changes(latest.snapshot if latest else {}, snapshot),
            created_by=author,
            created_by_name=author.get_username() if author else "",
        )
