"""Shadow rule sets through the API: the owner starts, promotes and retires one,
moderators read it, and the queue's items say where it parts from live."""

import pytest

from journal.models import CommentState, Screening
from moderation import shadows
from moderation.models import AuditEntry, ShadowRuleSet, ShadowVerdict, WordRule
from tests.factories import UserFactory, human_api_fields

pytestmark = pytest.mark.django_db

SHADOW = "/api/journals/alpha/shadow/"


def start(client, body=None):
    body = (
        body if body is not None else {"words": [{"phrase": "casino", "kind": "hold"}]}
    )
    return client.post(SHADOW, body, format="json")


def test_the_owner_starts_a_shadow_with_the_settings_body_and_nothing_live_changes(
    as_user, journal_a
):
    journal_a.link_limit = 4
    journal_a.save()
    client = as_user(journal_a.owner)

    response = start(
        client,
        {
            "name": "Stricter",
            "link_limit": 1,
            "words": [{"phrase": "casino", "kind": "hold", "substring": True}],
        },
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    shadow = ShadowRuleSet.objects.get()
    assert data["id"] == shadow.pk and data["state"] == "shadow"
    assert data["name"] == "Stricter" and data["created_by"] == journal_a.owner.username
    assert data["changes"] == {
        "link_limit": [4, 1],
        "words": [[], [["casino", "hold", True]]],
    }
    assert data["rules"]["link_limit"] == 1 and data["promoted_to"] is None
    assert len(data["days"]) == shadows.DAYS_SHOWN
    assert data["totals"]["judged"] == 0 and data["disagreements"] == []
    journal_a.refresh_from_db()
    assert journal_a.link_limit == 4 and not WordRule.objects.exists()
    assert AuditEntry.objects.filter(action="shadow.start").count() == 1


def test_bad_settings_are_a_400_and_start_nothing(as_user, journal_a):
    client = as_user(journal_a.owner)

    for body in (
        {"link_limit": -1},
        {"screening": "everyone"},
        {"words": [{"phrase": "\n", "kind": "hold"}]},
        {"surprise": 1},
        {"name": "x" * 81},
        [],
    ):
        response = client.post(SHADOW, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"
    assert not ShadowRuleSet.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_shadow_runs_beside_live_on_api_comments_and_the_queue_shows_it(
    as_user, journal_a, mod_a, post_a, author
):
    start(as_user(journal_a.owner), {"screening": Screening.NONE, "link_limit": 0})
    journal_a.screening = Screening.ALL
    journal_a.save()

    posted = as_user(author).post(
        f"/api/posts/{post_a.pk}/comments/", {"body": "hello"}, format="json"
    )

    assert posted.status_code == 201
    assert posted.json()["state"] == CommentState.HELD  # live decided
    item = as_user(mod_a).get("/api/moderation/queue/").json()["results"][0]
    assert item["id"] == posted.json()["id"]
    assert item["shadow"]["live_action"] == "hold"
    assert item["shadow"]["shadow_action"] == "publish"
    assert item["shadow"]["shadow"] == ShadowRuleSet.objects.get().pk


def test_an_agreeing_shadow_shows_nothing_on_the_queue_item(
    as_user, journal_a, mod_a, post_a, author
):
    journal_a.screening = Screening.ALL
    journal_a.save()
    start(as_user(journal_a.owner), {"link_limit": 5})

    as_user(author).post(
        f"/api/posts/{post_a.pk}/comments/", {"body": "hello"}, format="json"
    )

    assert ShadowVerdict.objects.get().disagrees is False
    item = as_user(mod_a).get("/api/moderation/queue/").json()["results"][0]
    assert item["shadow"] is None


def test_anonymous_api_comments_are_judged_in_the_shadow_too(
    api, as_user, journal_a, post_a
):
    start(as_user(journal_a.owner))
    api.credentials()

    response = api.post(
        f"/api/posts/{post_a.pk}/comments/",
        {"body": "casino tonight", "name": "Visitor", **human_api_fields(post_a)},
        format="json",
    )

    assert response.status_code == 201
    seen = ShadowVerdict.objects.get()
    assert (seen.live_action, seen.shadow_action) == ("publish", "hold")


def test_moderators_read_the_shadow_and_its_counts_but_cannot_change_it(
    as_user, journal_a, mod_a, post_a, author
):
    shadow_id = start(as_user(journal_a.owner)).json()["id"]
    as_user(author).post(
        f"/api/posts/{post_a.pk}/comments/", {"body": "casino"}, format="json"
    )
    client = as_user(mod_a)

    data = client.get(SHADOW).json()

    assert data["id"] == shadow_id
    # Not the journal's settings, which only its owner reads.
    assert data["rules"] is None and data["changes"] is None
    assert data["days"][0]["judged"] == 1
    assert data["days"][0]["publish_hold"] == 1 and data["totals"]["disagreed"] == 1
    [sample] = data["disagreements"]
    assert (sample["live_action"], sample["shadow_action"]) == ("publish", "hold")
    assert sample["reasons"][0]["code"] == "words.held"
    for path, body in (
        (SHADOW, {"link_limit": 1}),
        (f"{SHADOW}promote/", {"shadow": shadow_id}),
        (f"{SHADOW}retire/", {"shadow": shadow_id}),
    ):
        response = client.post(path, body, format="json")
        assert response.status_code == 403, path
        assert response.json()["code"] == "shadow.owner_only"
    assert ShadowRuleSet.objects.get().state == ShadowRuleSet.State.SHADOW


def test_another_journal_is_a_404_for_every_door(as_user, journal_a, journal_b):
    shadow_id = start(as_user(journal_a.owner)).json()["id"]
    stranger = as_user(journal_b.owner)

    assert stranger.get(SHADOW).status_code == 404
    assert stranger.post(SHADOW, {"link_limit": 1}, format="json").status_code == 404
    for action in ("promote", "retire"):
        response = stranger.post(
            f"{SHADOW}{action}/", {"shadow": shadow_id}, format="json"
        )
        assert response.status_code == 404
        # Nor through their own journal, naming the other's shadow.
        response = stranger.post(
            f"/api/journals/beta/shadow/{action}/", {"shadow": shadow_id}, format="json"
        )
        assert response.status_code == 404
    assert as_user(UserFactory()).get(SHADOW).status_code == 404
    assert ShadowRuleSet.objects.get().state == ShadowRuleSet.State.SHADOW


def test_no_running_shadow_is_a_404(as_user, journal_a):
    response = as_user(journal_a.owner).get(SHADOW)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_promote_makes_it_live_once_and_a_second_promote_is_409(
    as_user, journal_a, post_a, author
):
    client = as_user(journal_a.owner)
    shadow_id = start(client).json()["id"]

    promoted = client.post(f"{SHADOW}promote/", {"shadow": shadow_id}, format="json")
    again = client.post(f"{SHADOW}promote/", {"shadow": shadow_id}, format="json")
    retire = client.post(f"{SHADOW}retire/", {"shadow": shadow_id}, format="json")

    assert promoted.status_code == 200
    data = promoted.json()
    assert data["state"] == "promoted" and data["promoted_to"] is not None
    settings = client.get("/api/journals/alpha/settings/").json()
    assert settings["rule_set_version"] == data["promoted_to"]
    assert settings["words"] == [
        {"phrase": "casino", "kind": "hold", "substring": False}
    ]
    assert again.status_code == retire.status_code == 409
    assert again.json()["code"] == "shadow.ended"
    assert AuditEntry.objects.filter(action="shadow.promote").count() == 1
    # The next comment is judged by the promoted rules.
    posted = as_user(author).post(
        f"/api/posts/{post_a.pk}/comments/", {"body": "casino"}, format="json"
    )
    assert posted.json()["state"] == CommentState.HELD


def test_promoting_a_shadow_other_than_the_one_running_changes_nothing(
    as_user, journal_a
):
    client = as_user(journal_a.owner)
    first = start(client, {"link_limit": 1}).json()["id"]
    second = start(client, {"link_limit": 2}).json()["id"]

    response = client.post(f"{SHADOW}promote/", {"shadow": first}, format="json")

    assert response.status_code == 409
    journal_a.refresh_from_db()
    assert journal_a.link_limit != 1
    assert ShadowRuleSet.objects.get(pk=second).state == ShadowRuleSet.State.SHADOW


def test_retire_stops_it_and_get_then_finds_none(as_user, journal_a, post_a, author):
    client = as_user(journal_a.owner)
    shadow_id = start(client).json()["id"]

    response = client.post(f"{SHADOW}retire/", {"shadow": shadow_id}, format="json")
    as_user(author).post(
        f"/api/posts/{post_a.pk}/comments/", {"body": "casino"}, format="json"
    )

    assert response.status_code == 200 and response.json()["state"] == "retired"
    assert client.get(SHADOW).status_code == 404
    assert not ShadowVerdict.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"shadow": "one"}, {"shadow": 0}, {"shadow": 1, "extra": 2}, []]
)
def test_a_bad_action_body_is_a_400(as_user, journal_a, body):
    client = as_user(journal_a.owner)
    start(client)

    response = client.post(f"{SHADOW}promote/", body, format="json")

    assert response.status_code == 400
    assert ShadowRuleSet.objects.get().state == ShadowRuleSet.State.SHADOW


def test_reading_the_shadow_takes_a_fixed_number_of_queries(
    as_user, journal_a, post_a, author, django_assert_num_queries
):
    client = as_user(journal_a.owner)
    start(client)
    for n in range(3):
        as_user(author).post(
            f"/api/posts/{post_a.pk}/comments/", {"body": f"casino {n}"}, format="json"
        )
    client = as_user(journal_a.owner)
    client.get(SHADOW)  # the token's first use is noted once

    # Token and user, journal, shadow, the days, the live words, schedule and
    # followed lists' versions, the sample.
    with django_assert_num_queries(8):
        response = client.get(SHADOW)
    assert response.json()["totals"]["judged"] == 3
