"""Backtests through the API: the owner previews a change of the comment rules
on the journal's last comments; nothing is saved."""

import pytest

from moderation import proposals
from moderation.models import Backtest, RuleSetVersion, ShadowRuleSet, WordRule
from moderation.services import record_rule_set
from tests.factories import JournalFactory, PostFactory, UserFactory
from tests.moderation.test_backtest import judged, registered

pytestmark = pytest.mark.django_db

URL = "/api/journals/harbour/backtests/"


@pytest.fixture
def judged_journal(journal):
    """Comments judged under the journal's rules (links hold from 3): two
    links, "the ferry is late", three links (held, approved), and "ferry
    spam" (rejected)."""
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    judged(post, version, registered(link_count=2))
    judged(post, version, registered(), body="the ferry is late")
    judged(post, version, registered(link_count=3), approved_revision=1)
    judged(post, version, registered(), body="ferry spam", state="rejected")
    return journal


@pytest.fixture
def owner_api(as_user, owner):
    return as_user(owner)


def test_a_short_replay_answers_at_once_and_saves_nothing(owner_api, judged_journal):
    response = owner_api.post(
        URL,
        {"link_limit": 2, "words": [{"phrase": "ferry", "kind": "hold"}], "limit": 10},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["id"] is None and data["url"] is None and data["state"] == "done"
    result = data["result"]
    assert result["limit"] == 10 and result["replayed"] == 4
    assert result["changes"] == {
        "publish_to_hold": 3,
        "hold_to_publish": 0,
        "to_refuse": 0,
        "from_refuse": 0,
    }
    assert result["agreement"]["rejected"] == 1
    assert result["agreement"]["rejected_held"] == 1
    assert result["agreement"]["rejected_held_before"] == 0
    assert result["agreement"]["approved_held"] == 1
    sample = result["samples"]["publish_to_hold"][0]
    assert sample["codes"] == ["words.held"] and sample["excerpt"] == "ferry spam"
    judged_journal.refresh_from_db()
    assert judged_journal.link_limit == 3
    assert not WordRule.objects.exists()
    assert RuleSetVersion.objects.count() == 1
    assert not Backtest.objects.exists() and not ShadowRuleSet.objects.exists()


def test_an_empty_body_replays_the_rules_in_force(owner_api, judged_journal):
    response = owner_api.post(URL, {}, format="json")

    assert response.status_code == 200
    result = response.json()["result"]
    assert result["limit"] == 1000 and result["unchanged"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 50_001}, "limit"),
        ({"limit": "10"}, "limit"),
        ({"link_limit": -1}, "link_limit"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"words": [{"phrase": "x\ny", "kind": "hold"}]}, "words"),
        ({"title": "not a rule"}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(owner_api, judged_journal, body, field):
    response = owner_api.post(URL, body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and field in data["errors"]
    assert not Backtest.objects.exists()
    judged_journal.refresh_from_db()
    assert judged_journal.link_limit == 3


def test_a_long_replay_is_queued_and_followed(
    owner_api, judged_journal, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(proposals, "DIRECT_MOST", 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(URL, {"screening": "all"}, format="json")

    assert response.status_code == 202
    data = response.json()
    job = Backtest.objects.get()
    assert data["id"] == job.pk and data["state"] == "queued"
    assert data["url"].endswith(f"{URL}{job.pk}/")
    assert response["Location"] == data["url"]
    followed = owner_api.get(data["url"])
    assert followed.status_code == 200
    assert followed.json()["state"] == "done"
    assert followed.json()["result"]["changes"]["publish_to_hold"] == 3
    assert followed.json()["done"] == followed.json()["total"] == 4


def test_a_queued_backtest_shows_no_result_yet(owner_api, judged_journal):
    job = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={}),
        total=4,
        done=2,
        state=Backtest.State.RUNNING,
    )

    data = owner_api.get(f"{URL}{job.pk}/").json()

    assert data["state"] == "running" and data["result"] is None
    assert (data["done"], data["total"]) == (2, 4)


def test_a_second_long_replay_waits_for_the_first(
    owner_api, judged_journal, monkeypatch
):
    monkeypatch.setattr(proposals, "DIRECT_MOST", 2)
    assert owner_api.post(URL, {}, format="json").status_code == 202

    response = owner_api.post(URL, {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "backtest.busy"
    assert Backtest.objects.count() == 1


def test_only_the_owner_may_backtest(as_user, api, judged_journal):
    moderator = UserFactory(username="helper")
    judged_journal.moderators.add(moderator)
    stranger = JournalFactory(name="elsewhere").owner

    assert api.post(URL, {}, format="json").status_code == 401
    for user in (moderator, stranger):
        response = as_user(user).post(URL, {}, format="json")
        assert response.status_code == 404, user
        assert response.json()["code"] == "not_found"


def test_another_journals_backtest_is_a_404_like_a_missing_one(
    owner_api, judged_journal
):
    other = JournalFactory(name="elsewhere")
    theirs = Backtest.objects.create(
        journal=other, proposal=proposals.snapshot_with(other, changes={})
    )
    mine = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={}),
    )

    # Through my journal's address, and through theirs.
    mine_address = owner_api.get(f"{URL}{theirs.pk}/")
    their_address = owner_api.get(f"/api/journals/elsewhere/backtests/{theirs.pk}/")
    missing = owner_api.get(f"{URL}999999/")
    assert mine_address.status_code == their_address.status_code == 404
    assert mine_address.json() == their_address.json() == missing.json()
    assert owner_api.get(f"{URL}{mine.pk}/").status_code == 200


def test_following_a_backtest_takes_a_bounded_number_of_queries(
    owner_api, judged_journal, django_assert_num_queries
):
    job = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={}),
    )

    # The token (and its last use, once a while), the journal, the backtest.
    with django_assert_num_queries(4):
        owner_api.get(f"{URL}{job.pk}/")


def test_the_schema_describes_both_answers(client):
    schema = client.get("/api/schema/?format=json").json()

    post = schema["paths"]["/api/journals/{name}/backtests/"]["post"]
    assert {"200", "202", "400", "401", "404", "409"} <= set(post["responses"])
    request = schema["components"]["schemas"]["PatchedBacktestRequestRequest"]
    assert request["properties"]["limit"]["maximum"] == 50_000
    result = schema["components"]["schemas"]["BacktestResult"]
    assert {"changes", "samples", "agreement"} <= set(result["properties"])
