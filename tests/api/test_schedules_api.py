"""Scheduled modes, heat settings and heat screenings through the API: the
owner's windows (added and retired as rule-set versions), the moderators' heat
screenings (listed and lifted), 404 for everyone else, 4xx for bad input."""

import pytest

from moderation import heat
from moderation.models import AuditEntry, HeatScreening, RuleSetVersion, ScheduledMode
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/journals/alpha/schedule/"
WEEKEND = {
    "name": "Weekend",
    "mode": "screen",
    "days": "4",
    "starts_at": "22:00",
    "ends_at": "07:00",
    "ends_after_days": 3,
}


@pytest.fixture
def owner_api(as_user, journal_a):
    return as_user(journal_a.owner)


# Scheduled modes -------------------------------------------------------------------


def test_the_owner_adds_a_window_as_a_new_rule_set_version(owner_api, journal_a):
    response = owner_api.post(SCHEDULE, WEEKEND, format="json")

    assert response.status_code == 201
    data = response.json()
    assert {key: data[key] for key in WEEKEND} == {
        **WEEKEND,
        "starts_at": "22:00:00",
        "ends_at": "07:00:00",
    }
    assert (data["rate_per_minute"], data["retired"]) == (0, None)
    latest = RuleSetVersion.objects.filter(journal=journal_a).latest()
    assert latest.snapshot["schedule"][0]["name"] == "Weekend"
    assert latest.created_by == journal_a.owner
    assert AuditEntry.objects.filter(
        journal=journal_a, action="settings.change", rule_set_version=latest
    ).exists()
    listed = owner_api.get(SCHEDULE).json()
    assert [window["name"] for window in listed] == ["Weekend"]


def test_a_rate_window_needs_its_rate(owner_api):
    slow = {**WEEKEND, "mode": "rate", "name": "Slow"}

    missing = owner_api.post(SCHEDULE, slow, format="json")
    given = owner_api.post(SCHEDULE, {**slow, "rate_per_minute": 2}, format="json")

    assert missing.status_code == 400
    assert "rate_per_minute" in missing.json()["errors"]
    assert given.status_code == 201 and given.json()["rate_per_minute"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days": "7"}, "days"),
        ({"days": 4}, "days"),
        ({"starts_at": "25:00"}, "starts_at"),
        ({"starts_at": "22:00+03:00"}, "starts_at"),
        ({"ends_after_days": 9}, "ends_after_days"),
        ({"ends_after_days": "3"}, "ends_after_days"),
        ({"name": ""}, "name"),
        ({"name": "Night\nshift"}, "name"),
        ({"mode": "silence"}, "mode"),
        ({"rate_per_minute": 2}, "rate_per_minute"),  # unknown to a screen window
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    owner_api, change, field
):
    versions = RuleSetVersion.objects.count()

    response = owner_api.post(SCHEDULE, {**WEEKEND, **change}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]
    assert not ScheduledMode.objects.exists()
    assert RuleSetVersion.objects.count() == versions


def test_a_body_that_is_not_an_object_is_a_400(owner_api):
    response = owner_api.post(SCHEDULE, ["screen"], format="json")

    assert response.status_code == 400


def test_the_owner_retires_a_window_and_the_row_stays(owner_api, journal_a):
    window_id = owner_api.post(SCHEDULE, WEEKEND, format="json").json()["id"]

    retired = owner_api.post(f"{SCHEDULE}{window_id}/retire/")
    again = owner_api.post(f"{SCHEDULE}{window_id}/retire/")

    assert retired.status_code == 200 and retired.json()["retired"]
    assert again.status_code == 409 and again.json()["code"] == "schedule.retired"
    assert ScheduledMode.objects.filter(pk=window_id).exists()
    assert owner_api.get(SCHEDULE).json() == []
    latest = RuleSetVersion.objects.filter(journal=journal_a).latest()
    assert latest.snapshot["schedule"] == []


def test_moderators_readers_and_other_owners_get_404_and_change_nothing(
    as_user, journal_a, journal_b, mod_a
):
    window = ScheduledMode.objects.create(
        journal=journal_a,
        name="Night",
        mode="screen",
        starts_at="23:00",
        ends_at="07:00",
    )
    for user in (mod_a, UserFactory(username="nobody"), journal_b.owner):
        api = as_user(user)

        assert api.get(SCHEDULE).status_code == 404
        assert api.post(SCHEDULE, WEEKEND, format="json").status_code == 404
        assert api.post(f"{SCHEDULE}{window.pk}/retire/").status_code == 404
    window.refresh_from_db()
    assert window.retired_at is None
    assert ScheduledMode.objects.count() == 1


def test_a_window_of_another_journal_is_a_404_under_ones_own(
    as_user, journal_a, journal_b
):
    theirs = ScheduledMode.objects.create(
        journal=journal_b,
        name="Night",
        mode="screen",
        starts_at="23:00",
        ends_at="07:00",
    )

    response = as_user(journal_a.owner).post(f"{SCHEDULE}{theirs.pk}/retire/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.retired_at is None


def test_anonymous_clients_get_401(api):
    assert api.get(SCHEDULE).status_code == 401
    assert api.post(SCHEDULE, WEEKEND, format="json").status_code == 401


# Heat and time zone settings -------------------------------------------------------


def test_the_settings_carry_the_time_zone_and_the_heat_figures(owner_api, journal_a):
    response = owner_api.patch(
        "/api/journals/alpha/settings/",
        {
            "time_zone": "Europe/Moscow",
            "heat_replies": 12,
            "heat_minutes": 10,
            "heat_hours": 6,
        },
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["time_zone"], data["heat_replies"], data["heat_hours"]) == (
        "Europe/Moscow",
        12,
        6,
    )
    latest = RuleSetVersion.objects.filter(journal=journal_a).latest()
    assert latest.snapshot["time_zone"] == "Europe/Moscow"


@pytest.mark.parametrize(
    "change",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"heat_minutes": 0},
        {"heat_hours": 10_000},
        {"heat_replies": -1},
    ],
)
def test_bad_settings_are_a_400(owner_api, journal_a, change):
    response = owner_api.patch("/api/journals/alpha/settings/", change, format="json")

    assert response.status_code == 400
    assert set(change) <= set(response.json()["errors"])
    journal_a.refresh_from_db()
    assert (journal_a.time_zone, journal_a.heat_replies) == ("UTC", 0)


# Heat screenings ---------------------------------------------------------------------


@pytest.fixture
def screening(journal_a, post_a):
    journal_a.heat_replies = 5
    journal_a.save()
    thread = CommentFactory(post=post_a, body_source="Hot topic")
    return heat.screen_thread(journal=journal_a, thread_id=thread.pk)


def test_moderators_list_the_heat_screenings_of_their_journals(
    as_user, screening, mod_a
):
    response = as_user(mod_a).get("/api/moderation/heat/")

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == screening.pk
    assert (item["journal"], item["thread"], item["post"]) == (
        "alpha",
        screening.thread_id,
        screening.thread.post_id,
    )
    assert (item["replies"], item["minutes"], item["active"]) == (5, 10, True)
    assert item["lifted"] is None and item["lifted_by"] is None


def test_the_list_filters_by_journal_and_by_running_or_ended(as_user, screening, mod_a):
    api = as_user(mod_a)

    assert len(api.get("/api/moderation/heat/?active=true").json()["results"]) == 1
    assert api.get("/api/moderation/heat/?active=false").json()["results"] == []
    assert api.get("/api/moderation/heat/?journal=beta").json()["results"] == []
    assert api.get("/api/moderation/heat/?active=perhaps").status_code == 400


def test_someone_who_moderates_nothing_gets_a_404(as_user, screening):
    assert as_user(UserFactory(username="nobody")).get(
        "/api/moderation/heat/"
    ).status_code == (404)


def test_another_journals_moderator_neither_sees_nor_lifts_it(
    as_user, screening, mod_b
):
    api = as_user(mod_b)

    assert api.get("/api/moderation/heat/").json()["results"] == []
    assert api.post(f"/api/moderation/heat/{screening.pk}/lift/").status_code == 404
    screening.refresh_from_db()
    assert screening.lifted_at is None


def test_a_moderator_lifts_it_once(as_user, screening, mod_a):
    api = as_user(mod_a)

    lifted = api.post(f"/api/moderation/heat/{screening.pk}/lift/")
    again = api.post(f"/api/moderation/heat/{screening.pk}/lift/")

    assert lifted.status_code == 200
    assert lifted.json()["active"] is False
    assert lifted.json()["lifted_by"] == "mod_a"
    assert again.status_code == 409 and again.json()["code"] == "heat.ended"
    entry = AuditEntry.objects.get(action="heat.lifted")
    assert entry.actor == mod_a
    log = api.get("/api/moderation/log/?action=heat.lifted").json()["results"]
    assert [item["id"] for item in log] == [entry.pk]


def test_lifting_with_a_body_is_a_400(as_user, screening, mod_a):
    response = as_user(mod_a).post(
        f"/api/moderation/heat/{screening.pk}/lift/", {"x": 1}, format="json"
    )

    assert response.status_code == 400
    screening.refresh_from_db()
    assert screening.lifted_at is None


def test_the_list_costs_the_same_queries_however_many_screenings(
    as_user, journal_a, post_a, mod_a, django_assert_num_queries
):
    api = as_user(mod_a)
    journal_a.heat_replies = 5
    journal_a.save()

    def add(count):
        for _ in range(count):
            thread = CommentFactory(post=post_a)
            heat.screen_thread(journal=journal_a, thread_id=thread.pk)

    add(1)
    api.get("/api/moderation/heat/")  # the token notes its first use
    # The token, whether they moderate, the page's count and the page itself.
    with django_assert_num_queries(4):
        api.get("/api/moderation/heat/")
    add(10)
    with django_assert_num_queries(4):
        response = api.get("/api/moderation/heat/")

    assert len(response.json()["results"]) == 11
    assert HeatScreening.objects.count() == 11


def test_the_schedule_costs_the_same_queries_however_many_windows(
    owner_api, journal_a, django_assert_num_queries
):
    def add(count):
        for n in range(count):
            owner_api.post(SCHEDULE, {**WEEKEND, "name": f"W{n}"}, format="json")

    add(1)
    owner_api.get(SCHEDULE)
    # The token, the journal, its windows.
    with django_assert_num_queries(3):
        owner_api.get(SCHEDULE)
    add(5)
    with django_assert_num_queries(3):
        response = owner_api.get(SCHEDULE)

    assert len(response.json()) == 6
