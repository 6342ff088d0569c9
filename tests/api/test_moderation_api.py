"""The moderation and settings endpoints."""

import pytest

from journal.models import Comment, CommentState
from moderation.models import AuditEntry, RuleSetVersion, WordRule
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db


def seen(comment):
    return {
        "comment": comment.pk,
        "state_seen": comment.state,
        "revision_seen": comment.revision,
    }


def test_the_queue_lists_held_comments_with_reasons_and_counts(
    as_user, mod_a, held_a, held_b
):
    data = as_user(mod_a).get("/api/moderation/queue/").json()

    assert [item["id"] for item in data["results"]] == [held_a.pk]
    item = data["results"][0]
    assert item["reasons"][0]["code"] == "links.too_many"
    assert item["author_record"]["published"] == 0 and item["revision"] == 1
    assert data["counts"]["held"] == 1


def test_the_queue_of_another_journal_is_404(as_user, mod_a, journal_b):
    client = as_user(mod_a)

    assert client.get("/api/moderation/queue/?journal=beta").status_code == 404
    assert as_user(UserFactory()).get("/api/moderation/queue/").status_code == 404


def test_decisions_report_done_and_409_outcomes(as_user, mod_a, post_a, author):
    first, second = (hold(CommentFactory(post=post_a, author=author)) for _ in range(2))
    client = as_user(mod_a)
    client.post(
        "/api/moderation/decisions/",
        {"items": [seen(second)], "action": "reject", "reason": "spam"},
        format="json",
    )

    response = client.post(
        "/api/moderation/decisions/",
        {"items": [seen(first), seen(second)], "action": "approve"},
        format="json",
    )

    outcomes = response.json()["outcomes"]
    assert response.status_code == 200
    assert outcomes[0] == {
        "comment": first.pk,
        "status": 200,
        "code": "done",
        "detail": "Done.",
    }
    assert outcomes[1]["status"] == 409 and outcomes[1]["code"] == "already_decided"
    assert outcomes[1]["detail"].startswith("Already rejected by mod_a")


def test_decisions_on_another_journal_are_404_and_change_nothing(
    as_user, mod_a, held_a, held_b
):
    response = as_user(mod_a).post(
        "/api/moderation/decisions/",
        {"items": [seen(held_a), seen(held_b)], "action": "approve"},
        format="json",
    )

    assert response.status_code == 404
    assert set(Comment.objects.values_list("state", flat=True)) == {"held"}


def test_reject_without_a_reason_says_other_and_spam_can_ban(
    as_user, mod_a, held_a, author
):
    client = as_user(mod_a)
    other = hold(CommentFactory(post=held_a.post, author=author))

    no_reason = client.post(
        "/api/moderation/decisions/",
        {"items": [seen(other)], "action": "reject"},
        format="json",
    )
    spam = client.post(
        "/api/moderation/decisions/",
        {
            "items": [seen(held_a)],
            "action": "spam",
            "ban": {"until": "2030-01-01T00:00:00Z"},
        },
        format="json",
    )

    assert no_reason.json()["outcomes"][0]["code"] == "done"
    other.refresh_from_db()
    assert other.moderator_reason == "other"
    assert spam.json()["outcomes"][0]["code"] == "done"
    held_a.refresh_from_db()
    assert held_a.moderator_reason == ""  # spam is recorded with no reason
    assert author.journal_restrictions.get().until.year == 2030


def test_the_log_and_undo(as_user, mod_a, mod_b, held_a, held_b):
    client = as_user(mod_a)
    client.post(
        "/api/moderation/decisions/",
        {"items": [seen(held_a)], "action": "approve"},
        format="json",
    )
    as_user(mod_b).post(
        "/api/moderation/decisions/",
        {"items": [seen(held_b)], "action": "approve"},
        format="json",
    )
    client = as_user(mod_a)

    log = client.get("/api/moderation/log/").json()["results"]
    mine = next(e for e in log if e["action"] == "comment.approve")
    undo = client.post(f"/api/moderation/log/{mine['id']}/undo/")
    again = client.post(f"/api/moderation/log/{mine['id']}/undo/")
    foreign = AuditEntry.objects.get(journal__name="beta", action="comment.approve")

    assert {e["journal"] for e in log} == {"alpha"}
    assert undo.status_code == 201 and undo.json()["undoes"] == mine["id"]
    assert again.status_code == 409 and again.json()["code"] == "undo.already"
    assert client.post(f"/api/moderation/log/{foreign.pk}/undo/").status_code == 404
    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD


def test_thread_actions_with_preview(as_user, mod_a, post_a, post_b):
    root = CommentFactory(post=post_a)
    CommentFactory(post=post_a, parent=root)
    foreign = CommentFactory(post=post_b)
    client = as_user(mod_a)

    preview = client.post(f"/api/comments/{root.pk}/delete-thread/?preview=1")
    assert preview.json() == {
        "comment": root.pk,
        "comments": 2,
        "authors": 2,
        "removable": 2,
    }
    assert not AuditEntry.objects.filter(action="thread.delete").exists()

    assert client.post(f"/api/comments/{root.pk}/freeze/").status_code == 200
    assert client.post(f"/api/comments/{root.pk}/freeze/").status_code == 409
    assert client.post(f"/api/comments/{root.pk}/unfreeze/").status_code == 200
    assert client.post(f"/api/comments/{root.pk}/delete-thread/").status_code == 200
    assert set(post_a.comments.values_list("state", flat=True)) == {"removed"}
    assert client.post(f"/api/comments/{foreign.pk}/freeze/").status_code == 404


def test_the_owner_reads_and_changes_settings_as_a_new_audited_version(
    as_user, journal_a, mod_a
):
    owner = as_user(journal_a.owner)

    before = owner.get("/api/journals/alpha/settings/").json()
    response = owner.patch(
        "/api/journals/alpha/settings/",
        {
            "link_limit": 5,
            "screening": "anonymous",
            "words": [{"phrase": "casino", "kind": "block", "substring": True}],
        },
        format="json",
    )

    data = response.json()
    assert response.status_code == 200
    assert data["link_limit"] == 5 and data["words"] == [
        {"phrase": "casino", "kind": "block", "substring": True}
    ]
    assert data["rule_set_version"] == (before["rule_set_version"] or 0) + 1
    version = RuleSetVersion.objects.get(
        journal=journal_a, number=data["rule_set_version"]
    )
    assert version.created_by == journal_a.owner
    assert version.changes["link_limit"][1] == 5
    assert AuditEntry.objects.filter(
        action="settings.change", rule_set_version=version
    ).exists()
    assert WordRule.objects.filter(journal=journal_a).count() == 1


def test_settings_are_validated_and_hidden_from_everyone_but_the_owner(
    as_user, journal_a, mod_a
):
    owner = as_user(journal_a.owner)

    bad = owner.patch(
        "/api/journals/alpha/settings/",
        {"screening": "sometimes", "max_thread_depth": 500},
        format="json",
    )
    dup = owner.patch(
        "/api/journals/alpha/settings/",
        {"words": [{"phrase": "x", "kind": "block"}, {"phrase": "X", "kind": "hold"}]},
        format="json",
    )

    assert bad.status_code == 400 and set(bad.json()["errors"]) == {
        "screening",
        "max_thread_depth",
    }
    assert dup.status_code == 400
    assert as_user(mod_a).get("/api/journals/alpha/settings/").status_code == 404
    assert (
        as_user(UserFactory())
        .patch("/api/journals/alpha/settings/", {"link_limit": 0}, format="json")
        .status_code
        == 404
    )
