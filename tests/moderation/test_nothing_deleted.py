"""Settings are history too: lifting a ban ends it, removing a word retires it,
and the rows stay to explain every old verdict."""

from __future__ import annotations

import pytest
from django.utils import timezone

from journal import services as journal_services
from moderation import services
from moderation.models import AuditEntry, AuthorRestriction, WordRule
from tests.factories import UserFactory
from tests.journal.test_admin import journal_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def existing_rows(prefix: str, rows) -> dict:
    """The inline formset fields of rows already in the database."""
    data = {f"{prefix}-INITIAL_FORMS": len(rows), f"{prefix}-TOTAL_FORMS": len(rows)}
    for index, (pk, fields) in enumerate(rows):
        data[f"{prefix}-{index}-id"] = pk
        data[f"{prefix}-{index}-journal"] = ""
        for name, value in fields.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def test_deleting_a_ban_in_the_admin_ends_it_and_keeps_the_row(
    owner_client, owner, journal
):
    banned = UserFactory(username="banned")
    ban = services.restrict_author(journal=journal, user=banned, kind="ban", by=owner)
    data = journal_form_data(journal)
    data.update(
        existing_rows(
            "restrictions",
            [
                (
                    ban.pk,
                    {"user": "banned", "kind": "ban", "reason": "", "DELETE": "on"},
                )
            ],
        )
    )

    response = owner_client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    assert response.status_code == 302
    ban.refresh_from_db()
    assert ban.until is not None and ban.until <= timezone.now()
    assert not ban.is_active
    assert AuditEntry.objects.filter(action="author.ban_lifted").count() == 1


def test_removing_a_word_retires_it_and_the_history_still_has_it(
    owner_client, owner, journal, post
):
    word = WordRule.objects.create(journal=journal, phrase="casino", kind="block")
    services.record_rule_set(journal, by=owner)
    data = journal_form_data(journal)
    data.update(
        existing_rows(
            "word_rules",
            [(word.pk, {"phrase": "casino", "kind": "block", "DELETE": "on"})],
        )
    )

    owner_client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    word.refresh_from_db()
    assert word.retired_at is not None
    versions = list(journal.rule_set_versions.order_by("number"))
    assert versions[0].snapshot["words"] == [["casino", "block", False]]
    assert versions[-1].snapshot["words"] == []
    comment = journal_services.submit_comment(
        post=post, author=UserFactory(username="gambler"), body="casino"
    )
    assert comment.state == "published"
    # The entry can be added again: a new row beside the retired one.
    WordRule.objects.create(journal=journal, phrase="casino", kind="hold")
    assert WordRule.objects.filter(phrase="casino").count() == 2


def test_the_settings_api_changes_only_the_words_that_changed(as_user, owner, journal):
    kept = WordRule.objects.create(journal=journal, phrase="kept", kind="block")
    changed = WordRule.objects.create(journal=journal, phrase="changed", kind="hold")
    dropped = WordRule.objects.create(journal=journal, phrase="dropped", kind="hold")

    response = as_user(owner).patch(
        f"/api/journals/{journal.name}/settings/",
        {
            "words": [
                {"phrase": "kept", "kind": "block", "substring": False},
                {"phrase": "changed", "kind": "block", "substring": False},
                {"phrase": "new", "kind": "hold", "substring": True},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    assert sorted(w["phrase"] for w in response.json()["words"]) == [
        "changed",
        "kept",
        "new",
    ]
    for row in (kept, changed, dropped):
        row.refresh_from_db()
    assert kept.retired_at is None  # the same row, untouched
    assert changed.retired_at is not None and dropped.retired_at is not None
    assert WordRule.objects.active().get(phrase="changed").kind == "block"
    assert WordRule.objects.count() == 5


def test_undoing_a_ban_that_was_lifted_since_says_so_and_writes_nothing(
    mod_a, held_a, author
):
    services.decide(
        moderator=mod_a,
        items=[services.Seen(held_a.pk, "held", 1)],
        decision="spam",
        ban=True,
    )
    ban = AuthorRestriction.objects.get()
    services.lift_restriction(restriction=ban, by=mod_a)
    entry = AuditEntry.objects.get(action="author.ban")

    with pytest.raises(services.NotAllowed, match="already ended"):
        services.undo(moderator=mod_a, entry_id=entry.pk)

    assert not AuditEntry.objects.filter(action="undo").exists()


def test_an_empty_settings_patch_is_refused_with_a_reason(as_user, owner, journal):
    response = as_user(owner).patch(
        f"/api/journals/{journal.name}/settings/", {}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Send at least one setting to change."
