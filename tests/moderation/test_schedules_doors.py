"""Scheduled modes through every door: the services (a rule-set version, audited;
retired, never deleted), the write path (form and API alike, no extra query),
the post page's notice and its cached copy, and the owner's admin."""

import time
from datetime import UTC, datetime
from datetime import time as clock_time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import schedules
from moderation.models import AuditEntry, RuleSetVersion, ScheduledMode
from moderation.services import NotAllowed, record_rule_set
from tests.factories import CommentFactory, UserFactory
from tests.journal.test_admin import journal_form_data

pytestmark = pytest.mark.django_db

# 2026-12-02 is a Wednesday; the journal's clock is UTC unless a test says.
EVENING = datetime(2026, 12, 2, 22, 59, 50, tzinfo=UTC)
NIGHT_TIME = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The time as the site sees it (timezone.now) and as the caches and the
    rate limit see it (time.time), moved only by the test."""
    now = [NOON]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    monkeypatch.setattr(time, "time", lambda: now[0].timestamp())
    return now


def night(journal, by, **changes) -> ScheduledMode:
    fields = {
        "name": "Night",
        "mode": "screen",
        "days": "0123456",
        "starts_at": clock_time(23, 0),
        "ends_at": clock_time(7, 0),
    }
    return schedules.add_window(journal=journal, by=by, **{**fields, **changes})


def comment_url(post) -> str:
    return f"/{post.journal.name}/{post.pk}/comment/"


# The services --------------------------------------------------------------------


def test_adding_a_window_adds_a_rule_set_version_that_records_the_schedule(
    journal, owner
):
    before = record_rule_set(journal, by=owner)

    night(journal, owner)

    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert latest.number == before.number + 1
    assert latest.created_by == owner
    window = {
        "name": "Night",
        "mode": "screen",
        "days": "0123456",
        "starts_at": "23:00",
        "ends_at": "07:00",
        "ends_after_days": 0,
        "rate_per_minute": 0,
    }
    assert latest.snapshot["schedule"] == [window]
    assert latest.changes == {"schedule": [[], [window]]}
    entry = AuditEntry.objects.filter(journal=journal).latest("id")
    assert (entry.action, entry.actor, entry.rule_set_version) == (
        "settings.change",
        owner,
        latest,
    )


def test_retiring_a_window_keeps_its_row_and_adds_a_version(journal, owner):
    window = night(journal, owner)
    versions = RuleSetVersion.objects.filter(journal=journal).count()

    schedules.retire_window(window=window, by=owner)

    window.refresh_from_db()
    assert window.retired_at is not None
    assert ScheduledMode.objects.filter(pk=window.pk).exists()
    assert list(schedules.windows_of(journal)) == []
    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert RuleSetVersion.objects.filter(journal=journal).count() == versions + 1
    assert latest.snapshot["schedule"] == []
    with pytest.raises(NotAllowed):
        schedules.retire_window(window=window, by=owner)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": "79"}, "days"),
        ({"days": ""}, "days"),
        ({"mode": "rate"}, "rate_per_minute"),  # a rate window needs its rate
        ({"rate_per_minute": 3}, "rate_per_minute"),  # a screen window takes none
        ({"ends_after_days": 7}, "ends_after_days"),
        ({"name": "   "}, "name"),
        ({"name": "Night\u202eshift"}, "name"),
        ({"mode": "silence"}, "mode"),
    ],
)
def test_a_window_the_rules_could_not_read_is_refused_and_nothing_changes(
    journal, owner, changes, field
):
    versions = RuleSetVersion.objects.count()

    with pytest.raises(ValidationError) as refused:
        night(journal, owner, **changes)

    assert field in refused.value.message_dict
    assert not ScheduledMode.objects.exists()
    assert RuleSetVersion.objects.count() == versions


def test_weekdays_are_kept_sorted_and_once_each(journal, owner):
    window = night(journal, owner, days="6446")

    assert window.days == "46"


def test_a_journal_has_at_most_twenty_windows(journal, owner):
    for _ in range(ScheduledMode.MAX_ACTIVE):
        night(journal, owner)

    with pytest.raises(ValidationError):
        night(journal, owner)
    assert schedules.windows_of(journal).count() == ScheduledMode.MAX_ACTIVE


# The write path ------------------------------------------------------------------


def test_a_comment_in_a_screening_window_is_held_with_the_window_named(
    clock, reader_client, post, owner
):
    night(post.journal, owner)
    clock[0] = NIGHT_TIME

    response = reader_client.post(comment_url(post), {"body": "Late thoughts."})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.state == CommentState.HELD
    assert comment.rule_codes.strip() == "schedule.screening"
    assert comment.reasons[0]["message"] == "Comments are screened until 07:00 (Night)"
    # The version it was judged under records the schedule; its facts the time.
    assert comment.rule_set_version.snapshot["schedule"][0]["name"] == "Night"
    assert comment.judged_facts["now"] == NIGHT_TIME.isoformat()
    page = reader_client.get(comment.get_absolute_url()).content.decode()
    assert "Comments are screened until 07:00 (Night)" in page


def test_the_same_comment_by_day_is_published(clock, reader_client, post, owner):
    night(post.journal, owner)

    reader_client.post(comment_url(post), {"body": "Daytime thoughts."})

    assert Comment.objects.get().state == CommentState.PUBLISHED


def test_the_owner_is_not_held_by_a_screening_window(clock, post, owner):
    night(post.journal, owner)
    clock[0] = NIGHT_TIME

    comment = journal_services.submit_comment(post=post, author=owner, body="Mod.")

    assert comment.state == CommentState.PUBLISHED


def test_a_window_applies_to_the_very_next_comment_after_it_is_added(
    clock, post, owner, reader
):
    clock[0] = NIGHT_TIME
    first = journal_services.submit_comment(post=post, author=reader, body="One.")

    night(post.journal, owner)
    second = journal_services.submit_comment(post=post, author=reader, body="Two.")

    assert first.state == CommentState.PUBLISHED
    assert second.state == CommentState.HELD
    assert second.rule_set_version_id != first.rule_set_version_id


def test_an_edit_in_a_screening_window_is_held_too(clock, post, owner, reader):
    night(post.journal, owner)
    clock[0] = datetime(2026, 12, 2, 22, 55, tzinfo=UTC)
    comment = journal_services.submit_comment(post=post, author=reader, body="Eve.")
    # Model defaults hold the real clock: the comment was posted at 22:55.
    Comment.objects.filter(pk=comment.pk).update(created_at=clock[0])
    clock[0] = datetime(2026, 12, 2, 23, 1, tzinfo=UTC)

    edited = journal_services.edit_comment(
        comment=comment, editor=reader, body="Night edit."
    )

    assert edited.state == CommentState.HELD
    assert "schedule.screening" in edited.rule_codes


def test_the_api_refuses_a_comment_over_a_rate_windows_limit_with_429(
    clock, as_user, post, owner, reader
):
    post.journal.rate_limit_per_minute = 5
    post.journal.save()
    night(post.journal, owner, name="Quiet hours", mode="rate", rate_per_minute=2)
    clock[0] = NIGHT_TIME
    api = as_user(reader)
    url = f"/api/posts/{post.pk}/comments/"

    sent = [api.post(url, {"body": f"Reply {n}."}, format="json") for n in range(3)]

    assert [response.status_code for response in sent] == [201, 201, 429]
    refused = sent[2].json()
    assert refused["code"] == "schedule.rate"
    assert refused["detail"].startswith(
        "Until 07:00 (Quiet hours), each author may post 2 comments a minute: "
        "try again in"
    )
    assert 1 <= int(sent[2]["Retry-After"]) <= 60
    assert Comment.objects.count() == 2


def test_the_web_form_refuses_over_a_rate_window_and_says_why(
    clock, reader_client, post, owner
):
    night(post.journal, owner, name="Quiet hours", mode="rate", rate_per_minute=1)
    clock[0] = NIGHT_TIME

    responses = [
        reader_client.post(comment_url(post), {"body": f"Reply {n}."}) for n in (1, 2)
    ]

    assert [response.status_code for response in responses] == [302, 303]
    shown = reader_client.get(responses[1]["Location"]).content.decode()
    assert "each author may post 1 comment a minute" in shown
    assert Comment.objects.count() == 1


def test_a_rate_window_limits_a_journal_with_no_limit_of_its_own(
    clock, as_user, post, owner, reader
):
    post.journal.rate_limit_per_minute = 0
    post.journal.save()
    night(post.journal, owner, mode="rate", rate_per_minute=1)
    clock[0] = NIGHT_TIME
    api = as_user(reader)
    url = f"/api/posts/{post.pk}/comments/"

    codes = [
        api.post(url, {"body": f"Reply {n}."}, format="json").status_code
        for n in range(2)
    ]

    assert codes == [201, 429]


def test_a_refusal_that_waiting_does_not_lift_is_a_403_without_retry_after(
    as_user, post, reader
):
    post.comments_enabled = False
    post.save()

    response = as_user(reader).post(
        f"/api/posts/{post.pk}/comments/", {"body": "Hi."}, format="json"
    )

    assert response.status_code == 403
    assert "Retry-After" not in response


def test_windows_cost_the_write_path_no_query(clock, post, owner, reader):
    other = UserFactory(username="other_reader")
    journal_services.submit_comment(post=post, author=reader, body="Warm up.")
    journal_services.submit_comment(post=post, author=other, body="Warm up.")

    with CaptureQueriesContext(connection) as without:
        journal_services.submit_comment(post=post, author=reader, body="Plain.")
    for hour in (1, 9, 15):
        night(post.journal, owner, starts_at=clock_time(hour), ends_at=clock_time(hour))
    journal_services.submit_comment(post=post, author=other, body="Rules changed.")
    with CaptureQueriesContext(connection) as with_windows:
        comment = journal_services.submit_comment(
            post=post, author=reader, body="Windowed."
        )

    assert comment.state == CommentState.HELD  # a window is open all day
    assert len(with_windows.captured_queries) == len(without.captured_queries)


# The post page -----------------------------------------------------------------


def test_readers_see_the_open_window_above_the_form(clock, client, post, owner):
    night(post.journal, owner)
    night(post.journal, owner, name="Slow", mode="rate", rate_per_minute=2)
    url = post.get_absolute_url()

    by_day = client.get(url).content.decode()
    clock[0] = NIGHT_TIME
    at_night = client.get(url).content.decode()

    assert "Comments are screened until" not in by_day
    assert '<p class="comment-notice">Comments are screened until 07:00</p>' in at_night
    assert "At most 2 comments a minute per author until 07:00" in at_night


def test_the_notice_reads_the_journals_own_clock(clock, client, post, owner):
    post.journal.time_zone = "Europe/Moscow"
    post.journal.save()
    night(post.journal, owner)
    clock[0] = datetime(2026, 12, 2, 20, 30, tzinfo=UTC)  # 23:30 in Moscow

    page = client.get(post.get_absolute_url()).content.decode()

    assert "Comments are screened until 07:00" in page


def test_a_cached_page_is_not_shown_past_the_window_opening(
    clock, settings, post, owner
):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}
    night(post.journal, owner)
    url = post.get_absolute_url()
    clock[0] = EVENING  # ten seconds before the window opens

    Client().get(url)
    cached = Client().get(url)
    clock[0] = datetime(2026, 12, 2, 23, 0, 1, tzinfo=UTC)
    opened = Client().get(url)

    assert cached["X-Page-Cache"] == "hit"
    assert "Comments are screened" not in cached.content.decode()
    assert opened.get("X-Page-Cache") != "hit"
    assert "Comments are screened until 07:00" in opened.content.decode()


def test_a_cached_page_is_not_shown_past_the_window_closing(
    clock, settings, post, owner
):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}
    night(post.journal, owner)
    url = post.get_absolute_url()
    clock[0] = datetime(2026, 12, 3, 6, 59, 58, tzinfo=UTC)

    Client().get(url)
    cached = Client().get(url)
    clock[0] = datetime(2026, 12, 3, 7, 0, 0, tzinfo=UTC)
    closed = Client().get(url)

    assert "Comments are screened until 07:00" in cached.content.decode()
    assert "Comments are screened" not in closed.content.decode()


def test_a_page_without_windows_is_cached_as_long_as_ever(clock, settings, post):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}
    url = post.get_absolute_url()

    Client().get(url)
    clock[0] = datetime(2026, 12, 2, 12, 9, tzinfo=UTC)  # nine minutes on

    assert Client().get(url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_adding_a_window_shows_at_once_on_cached_pages(clock, settings, post, owner):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}
    url = post.get_absolute_url()
    clock[0] = NIGHT_TIME
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"

    night(post.journal, owner)

    assert "Comments are screened until 07:00" in Client().get(url).content.decode()


def test_the_post_page_asks_no_extra_query_for_windows(
    post, owner, client, django_assert_num_queries
):
    from tests.journal.test_query_counts import ANONYMOUS_QUERIES

    night(post.journal, owner)
    CommentFactory(post=post)

    with django_assert_num_queries(ANONYMOUS_QUERIES - 1):
        client.get(post.get_absolute_url())


# The admin ----------------------------------------------------------------------


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def admin_url(journal) -> str:
    return f"/admin/journal/journal/{journal.pk}/change/"


def test_the_owner_adds_a_window_in_the_admin_as_one_rule_set_version(
    owner_client, journal, owner
):
    record_rule_set(journal, by=owner)
    versions = RuleSetVersion.objects.filter(journal=journal).count()
    weekend = {
        "name": "Weekend",
        "mode": "screen",
        "days": "4",
        "starts_at": "22:00",
        "ends_at": "07:00",
        "ends_after_days": 3,
        "rate_per_minute": 0,
    }

    response = owner_client.post(
        admin_url(journal),
        journal_form_data(journal, windows=[weekend], time_zone="Europe/Berlin"),
    )

    assert response.status_code == 302
    (window,) = schedules.windows_of(journal)
    assert (window.days, window.ends_after_days, window.created_by) == ("4", 3, owner)
    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert RuleSetVersion.objects.filter(journal=journal).count() == versions + 1
    assert set(latest.changes) == {"schedule", "time_zone"}
    history = owner_client.get(admin_url(journal)).content.decode()
    assert "Weekend (Fri 22:00–07:00 (3 days later): screen all)" in history


def test_a_bad_window_in_the_admin_is_a_form_error_and_nothing_changes(
    owner_client, journal
):
    rate_without_rate = {
        "name": "Slow",
        "mode": "rate",
        "days": "0123456",
        "starts_at": "23:00",
        "ends_at": "07:00",
        "ends_after_days": 0,
        "rate_per_minute": 0,
    }

    response = owner_client.post(
        admin_url(journal), journal_form_data(journal, windows=[rate_without_rate])
    )

    assert response.status_code == 200
    assert "Say how many comments a minute each author may post" in (
        response.content.decode()
    )
    assert not ScheduledMode.objects.exists()


def test_deleting_a_window_in_the_admin_retires_it(owner_client, journal, owner):
    window = night(journal, owner)
    data = journal_form_data(journal)
    data.update(
        {
            "scheduled_modes-TOTAL_FORMS": 1,
            "scheduled_modes-INITIAL_FORMS": 1,
            "scheduled_modes-0-id": window.pk,
            "scheduled_modes-0-journal": journal.pk,
            "scheduled_modes-0-DELETE": "on",
        }
    )

    response = owner_client.post(admin_url(journal), data)

    assert response.status_code == 302
    window.refresh_from_db()
    assert window.retired_at is not None
    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert latest.snapshot["schedule"] == []


def test_a_window_cannot_be_rewritten_in_the_admin(owner_client, journal, owner):
    """A window on the schedule is shown, not edited: each version names the
    windows it had. A forged POST changes nothing."""
    window = night(journal, owner)
    data = journal_form_data(journal)
    data.update(
        {
            "scheduled_modes-TOTAL_FORMS": 1,
            "scheduled_modes-INITIAL_FORMS": 1,
            "scheduled_modes-0-id": window.pk,
            "scheduled_modes-0-journal": journal.pk,
            "scheduled_modes-0-name": "Never",
            "scheduled_modes-0-mode": "screen",
            "scheduled_modes-0-days": ["0"],
            "scheduled_modes-0-starts_at": "00:00",
            "scheduled_modes-0-ends_at": "00:00",
            "scheduled_modes-0-ends_after_days": 0,
            "scheduled_modes-0-rate_per_minute": 0,
        }
    )

    owner_client.post(admin_url(journal), data)

    window.refresh_from_db()
    assert (window.name, window.days, window.retired_at) == ("Night", "0123456", None)


def test_another_owner_cannot_add_windows_to_a_journal_through_the_admin(
    client, journal
):
    stranger = UserFactory(username="stranger", is_staff=True)
    from tests.factories import JournalFactory

    JournalFactory(owner=stranger)
    client.force_login(stranger)

    response = client.post(
        admin_url(journal),
        journal_form_data(
            journal,
            windows=[
                {
                    "name": "Mine now",
                    "mode": "screen",
                    "starts_at": "00:00",
                    "ends_at": "00:00",
                    "ends_after_days": 0,
                    "rate_per_minute": 0,
                }
            ],
        ),
    )

    assert response.status_code in (302, 403, 404)
    assert not ScheduledMode.objects.exists()


def test_an_unknown_time_zone_is_refused_in_the_admin(owner_client, journal):
    response = owner_client.post(
        admin_url(journal), journal_form_data(journal, time_zone="Mars/Olympus_Mons")
    )

    assert response.status_code == 200
    journal.refresh_from_db()
    assert journal.time_zone == "UTC"
