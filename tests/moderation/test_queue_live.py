"""The queue that stays live and keeps your place: the counts endpoint, claims,
acting in place (JSON), returning to your place without JavaScript, and the
decluttered items (reasons only for rejections, people named, rule labels)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import Comment, CommentState
from moderation import claims, services
from moderation.models import AuditEntry, AuthorRestriction
from moderation.rules import RULE_CODES, RULE_LABELS
from moderation.services import Seen
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def second_mod(journal_a):
    moderator = UserFactory(username="mod_a2", display_name="Dan Second")
    journal_a.moderators.add(moderator)
    return moderator


# --- The counts endpoint -----------------------------------------------------------


def test_counts_say_the_tabs_and_how_many_arrived_since_the_page_was_drawn(
    client, mod_a, post_a, author, django_assert_max_num_queries
):
    first = hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)
    since = client.get("/moderation/").content.decode()
    assert f'data-since="{first.pk}"' in since
    hold(CommentFactory(post=post_a, author=author))
    hold(CommentFactory(post=post_a, author=author))

    # The user, then one query for every journal's counts: the session comes
    # from the cache.
    with django_assert_max_num_queries(2):
        answer = client.get(f"/moderation/counts/?since={first.pk}")

    assert answer.status_code == 200
    data = answer.json()
    assert data["tabs"] == {
        "held": "3",
        "reported": "0",
        "decided": "0",
        "appeals": "0",
    }
    assert data["new"] == 2


def test_an_unchanged_answer_is_a_bodiless_304_and_a_change_is_not(
    client, mod_a, post_a, author
):
    hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)
    first = client.get("/moderation/counts/?since=0")
    etag = first["ETag"]

    again = client.get("/moderation/counts/?since=0", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    hold(CommentFactory(post=post_a, author=author))
    changed = client.get("/moderation/counts/?since=0", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["tabs"]["held"] == "2"


def test_new_arrivals_count_only_the_journal_the_page_is_filtered_to(
    client, mod_a, post_a, author, journal_b, post_b
):
    journal_b.moderators.add(mod_a)
    hold(CommentFactory(post=post_b, author=author))
    client.force_login(mod_a)

    assert client.get("/moderation/counts/?since=0&journal=alpha").json()["new"] == 0
    assert client.get("/moderation/counts/?since=0").json()["new"] == 1


def test_counts_are_for_moderators_only(client, reader, mod_b, held_a):
    assert client.get("/moderation/counts/").status_code == 302  # to the login

    client.force_login(reader)
    assert client.get("/moderation/counts/").status_code == 404

    # Another journal's moderator learns nothing of alpha.
    client.force_login(mod_b)
    assert client.get("/moderation/counts/?since=0").json()["tabs"]["held"] == "0"


# --- Claims ---------------------------------------------------------------------


def test_a_claim_shows_the_others_who_is_looking_and_not_the_claimer(
    client, mod_a, second_mod, held_a
):
    client.force_login(second_mod)
    assert client.post(f"/moderation/claim/{held_a.pk}/").status_code == 200
    pair = f"{held_a.journal_id}:{held_a.pk}"
    own_view = client.get(f"/moderation/counts/?items={pair}").json()
    assert own_view["claims"] == {}

    client.force_login(mod_a)
    seen = client.get(f"/moderation/counts/?items={pair}").json()
    assert seen["claims"] == {str(held_a.pk): "Dan Second is looking at this"}
    page = client.get("/moderation/").content.decode()
    assert "Dan Second is looking at this" in page


def test_a_claim_lapses_on_its_own(client, mod_a, second_mod, held_a, monkeypatch):
    services.claim_item(moderator=second_mod, comment_id=held_a.pk)
    later = timezone.now() + timedelta(seconds=claims.CLAIM_SECONDS + 1)
    monkeypatch.setattr(claims.timezone, "now", lambda: later)

    assert claims.current([(held_a.journal_id, held_a.pk)]) == {}


def test_a_decision_clears_the_claims_and_a_claim_never_blocks_one(
    mod_a, second_mod, held_a
):
    services.claim_item(moderator=second_mod, comment_id=held_a.pk)

    outcomes = services.decide(
        moderator=mod_a, items=[Seen.parse(token(held_a))], decision="approve"
    )

    assert outcomes[0].done
    assert claims.current([(held_a.journal_id, held_a.pk)]) == {}


def test_claims_stay_inside_the_journal(client, mod_b, mod_a, held_a, second_mod):
    client.force_login(mod_b)
    # Claiming another journal's comment is the same 404 as a missing one.
    assert client.post(f"/moderation/claim/{held_a.pk}/").status_code == 404
    assert client.post("/moderation/claim/999999/").status_code == 404

    # Nor can another journal's moderator read alpha's claims by naming them.
    services.claim_item(moderator=second_mod, comment_id=held_a.pk)
    pair = f"{held_a.journal_id}:{held_a.pk}"
    assert client.get(f"/moderation/counts/?items={pair}").json()["claims"] == {}


def test_an_owner_can_turn_claims_off(client, journal_a, mod_a, second_mod, held_a):
    services.claim_item(moderator=second_mod, comment_id=held_a.pk)
    journal_a.queue_claims = False
    journal_a.save()
    client.force_login(second_mod)

    refused = client.post(f"/moderation/claim/{held_a.pk}/")

    assert refused.status_code == 403
    assert refused.json()["code"] == "claims.off"
    client.force_login(mod_a)
    pair = f"{held_a.journal_id}:{held_a.pk}"
    assert client.get(f"/moderation/counts/?items={pair}").json()["claims"] == {}
    assert "is looking at this" not in client.get("/moderation/").content.decode()


def test_claims_in_the_api(as_user, mod_a, second_mod, held_a):
    api = as_user(second_mod)
    made = api.post("/api/moderation/claims/", {"comment": held_a.pk}, format="json")
    assert made.status_code == 201
    assert made.json()["name"] == "Dan Second"

    queue = as_user(mod_a).get("/api/moderation/queue/").json()
    assert [claim["name"] for claim in queue["results"][0]["claims"]] == ["Dan Second"]

    assert (
        as_user(second_mod).delete(f"/api/moderation/claims/{held_a.pk}/").status_code
        == 204
    )
    queue = as_user(mod_a).get("/api/moderation/queue/").json()
    assert queue["results"][0]["claims"] == []


def test_the_api_refuses_a_claim_on_another_journal(as_user, mod_b, held_a):
    answer = as_user(mod_b).post(
        "/api/moderation/claims/", {"comment": held_a.pk}, format="json"
    )
    assert answer.status_code == 404
    assert set(answer.json()) >= {"code", "detail"}


# --- Acting in place --------------------------------------------------------------


def test_a_decision_asked_for_as_json_answers_each_item_with_its_undo(
    client, mod_a, held_a
):
    client.force_login(mod_a)

    answer = client.post(
        "/moderation/act/", {"act": f"approve:{token(held_a)}"}, **JSON
    )

    assert answer.status_code == 200
    data = answer.json()
    assert data["detail"] == "1 comment approved."
    [result] = data["outcomes"]
    assert result["status"] == "done"
    assert result["message"] == f"#{held_a.pk} approved."

    undone = client.post(result["undo"], **JSON)
    assert undone.status_code == 200
    assert undone.json()["comment"] == held_a.pk
    assert Comment.objects.get(pk=held_a.pk).state == CommentState.HELD


def test_a_refused_json_decision_is_a_4xx_with_code_and_detail(client, mod_a, held_a):
    client.force_login(mod_a)

    answer = client.post(
        "/moderation/act/", {"act": f"reject:{token(held_a)}", "reason-0": ""}, **JSON
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "decision.reason_required"
    assert Comment.objects.get(pk=held_a.pk).state == CommentState.HELD


def test_without_javascript_the_page_comes_back_to_the_next_item_with_undo(
    client, mod_a, post_a, author
):
    items = [hold(CommentFactory(post=post_a, author=author)) for _ in range(3)]
    client.force_login(mod_a)
    order = ",".join(str(item.pk) for item in items)

    answer = client.post(
        "/moderation/act/",
        {"act": f"approve:{token(items[1])}", "order": order, "next": "/moderation/"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"/moderation/#q{items[2].pk}"
    page = client.get("/moderation/").content.decode()
    assert f"#{items[1].pk} approved." in page
    entry = AuditEntry.objects.get(comment=items[1])
    assert f'action="/moderation/log/{entry.pk}/undo/"' in page
    # Shown once: the next page does not repeat it.
    assert (
        f"#{items[1].pk} approved." not in client.get("/moderation/").content.decode()
    )


# --- Less clutter -----------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "spam"])
def test_approvals_and_spam_are_recorded_without_a_reason(
    client, mod_a, held_a, decision
):
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {
            "act": f"{decision}:{token(held_a)}",
            f"reason-{held_a.pk}": "other",
            "bulk-reason": "other",
        },
    )

    entry = AuditEntry.objects.get(comment=held_a)
    assert entry.action == f"comment.{decision}"
    assert entry.reason == ""
    assert Comment.objects.get(pk=held_a.pk).moderator_reason == ""


def test_a_rejection_keeps_its_reason(client, mod_a, held_a):
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {"act": f"reject:{token(held_a)}", f"reason-{held_a.pk}": "off_topic"},
    )

    assert AuditEntry.objects.get(comment=held_a).reason == "off_topic"


def test_spam_and_ban_bans_the_author_with_the_note_and_names_them_in_decided(
    client, mod_a, held_a, author
):
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {
            "act": f"spamban:{token(held_a)}",
            f"ban-note-{held_a.pk}": "crypto pitches",
            f"until-{held_a.pk}": "2099-01-01",
        },
    )

    ban = AuthorRestriction.objects.get(user=author)
    assert ban.kind == AuthorRestriction.Kind.BAN
    assert ban.reason == "crypto pitches"
    decided = client.get("/moderation/?tab=decided").content.decode()
    assert "author.ban" in decided
    assert "Wendy Writer" in decided
    assert f"user {author.pk}" not in decided
    assert "Note: “crypto pitches”" in decided
    # The log keeps the person's name too, for the admin and the API.
    assert AuditEntry.objects.get(action="author.ban").target == (
        "Wendy Writer (@writer)"
    )


def test_decided_tab_shows_a_rejections_reason_by_its_label(client, mod_a, held_a):
    services.decide(
        moderator=mod_a,
        items=[Seen.parse(token(held_a))],
        decision="reject",
        reason="off_topic",
        note="stay on topic",
    )
    client.force_login(mod_a)

    decided = client.get("/moderation/?tab=decided").content.decode()

    assert "Reason: Off-topic" in decided
    assert "Note: “stay on topic”" in decided


def test_reasons_show_as_labels_with_the_code_as_a_tooltip(client, mod_a, held_a):
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert (
        '<span class="rule-label" title="links.too_many">Too many links</span>' in page
    )
    assert (
        '<option value="links.too_many" title="links.too_many">Too many links' in page
    )


def test_every_rule_code_has_a_label():
    assert set(RULE_LABELS) >= RULE_CODES


def test_only_rejection_asks_for_a_reason_and_spam_has_its_own_ban(
    client, mod_a, held_a
):
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()
    item = page[page.index(f'id="q{held_a.pk}"') :]
    item = item[: item.index("</ol>")]

    reject = item[item.index('class="reject-panel"') : item.index("</details>")]
    assert f'name="reason-{held_a.pk}"' in reject
    assert f'name="note-{held_a.pk}"' in reject
    assert item.count(f'name="reason-{held_a.pk}"') == 1
    ban = item[item.index('class="ban-panel"') :]
    assert f'value="spamban:{token(held_a)}"' in ban
    # The reason list has no preselected "other" to fall into an approval.
    assert "selected" not in reject


def test_select_all_without_javascript_ticks_every_item(client, mod_a, post_a, author):
    for _ in range(3):
        hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    page = client.get("/moderation/?select=all").content.decode()

    boxes = re.findall(r'name="selected" value="[^"]+"( checked)?>', page)
    assert boxes == [" checked"] * 3


def test_the_top_bar_shows_named_moderators_the_queue_with_its_count(
    client, mod_a, held_a, reader
):
    client.force_login(mod_a)
    page = client.get("/").content.decode()
    assert (
        'class="nav-queue">Queue <span class="badge" id="queue-badge">1</span>' in page
    )

    client.force_login(reader)
    assert "nav-queue" not in client.get("/").content.decode()


def test_decided_tab_shows_the_note_the_owner_typed_on_a_ban(
    client, journal_a, mod_a, author
):
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind=AuthorRestriction.Kind.BAN,
        by=journal_a.owner,
        reason="Posts the same link everywhere",
    )
    client.force_login(mod_a)

    decided = client.get("/moderation/?tab=decided").content.decode()

    assert "Wendy Writer" in decided
    assert "Note: “Posts the same link everywhere”" in decided
