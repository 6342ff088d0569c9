"""Scheduled modes and heat on plain values: which window is open when, in
which zone, across midnight, weekends and summer time; and the rules
``schedule.screening``, ``schedule.rate`` and ``heat.screened``. No database."""

import dataclasses
from datetime import UTC, datetime, time, timedelta

from moderation import rules
from moderation.rules import (
    Action,
    CommentAccess,
    CommentFacts,
    RuleSettings,
    ScheduleMode,
    ScheduleWindow,
    decide,
    next_schedule_change,
    open_windows,
    schedule_notices,
)

NIGHT = ScheduleWindow(
    name="Night",
    mode=ScheduleMode.SCREEN,
    days="0123456",
    starts_at=time(23, 0),
    ends_at=time(7, 0),
)
# "Fri 22:00 – Mon 07:00: screen all".
WEEKEND = ScheduleWindow(
    name="Weekend",
    mode=ScheduleMode.SCREEN,
    days="4",
    starts_at=time(22, 0),
    ends_at=time(7, 0),
    ends_after_days=3,
)
# "every night 23:00–07:00: at most 2 comments a minute per author".
SLOW_NIGHT = dataclasses.replace(
    NIGHT, name="Quiet hours", mode=ScheduleMode.RATE, rate_per_minute=2
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def is_open(window, moment, zone="UTC") -> bool:
    return bool(open_windows([window], moment, zone))


# Which window is open --------------------------------------------------------


def test_a_nightly_window_runs_across_midnight_and_closes_at_its_end():
    # 2026-12-02 is a Wednesday.
    assert not is_open(NIGHT, utc(2026, 12, 2, 22, 59))
    assert is_open(NIGHT, utc(2026, 12, 2, 23, 0))
    assert is_open(NIGHT, utc(2026, 12, 3, 2, 0))
    assert is_open(NIGHT, utc(2026, 12, 3, 6, 59, 59))
    assert not is_open(NIGHT, utc(2026, 12, 3, 7, 0))
    assert not is_open(NIGHT, utc(2026, 12, 3, 12, 0))

    (found,) = open_windows([NIGHT], utc(2026, 12, 3, 2, 0), "UTC")
    assert found.ends == utc(2026, 12, 3, 7, 0)


def test_a_weekend_window_runs_from_friday_night_to_monday_morning():
    # 2026-12-04 is a Friday.
    assert not is_open(WEEKEND, utc(2026, 12, 4, 21, 59))
    assert is_open(WEEKEND, utc(2026, 12, 4, 22, 0))
    assert is_open(WEEKEND, utc(2026, 12, 5, 12, 0))  # Saturday noon
    assert is_open(WEEKEND, utc(2026, 12, 6, 23, 30))  # Sunday night
    assert is_open(WEEKEND, utc(2026, 12, 7, 6, 59))  # Monday early
    assert not is_open(WEEKEND, utc(2026, 12, 7, 7, 0))
    assert not is_open(WEEKEND, utc(2026, 12, 3, 23, 0))  # Thursday night

    (found,) = open_windows([WEEKEND], utc(2026, 12, 5, 12, 0), "UTC")
    assert found.ends == utc(2026, 12, 7, 7, 0)


def test_a_window_on_some_weekdays_only_opens_on_those():
    tuesdays = dataclasses.replace(NIGHT, days="1")

    assert is_open(tuesdays, utc(2026, 12, 1, 23, 30))  # Tuesday night
    assert is_open(tuesdays, utc(2026, 12, 2, 3, 0))  # ...into Wednesday
    assert not is_open(tuesdays, utc(2026, 12, 2, 23, 30))  # Wednesday night


def test_a_window_with_the_same_start_and_end_lasts_a_whole_day():
    all_day = dataclasses.replace(NIGHT, days="2", starts_at=time(9), ends_at=time(9))

    assert is_open(all_day, utc(2026, 12, 2, 9, 0))
    assert is_open(all_day, utc(2026, 12, 3, 8, 59))
    assert not is_open(all_day, utc(2026, 12, 3, 9, 0))


def test_a_window_that_opens_again_before_it_closes_runs_on_until_the_last_end():
    # Monday and Tuesday 20:00, each until 21:00 the next day.
    long_evenings = dataclasses.replace(
        NIGHT, days="01", starts_at=time(20), ends_at=time(21), ends_after_days=1
    )

    (found,) = open_windows([long_evenings], utc(2026, 11, 30, 22, 0), "UTC")

    assert found.ends == utc(2026, 12, 2, 21, 0)  # Wednesday, not Tuesday


def test_windows_follow_the_journals_own_clock():
    # 23:30 in Moscow (UTC+3) is 20:30 UTC.
    assert is_open(NIGHT, utc(2026, 12, 2, 20, 30), "Europe/Moscow")
    assert not is_open(NIGHT, utc(2026, 12, 2, 20, 30), "UTC")
    # 06:30 in New York (UTC-5 in December) is 11:30 UTC.
    assert is_open(NIGHT, utc(2026, 12, 3, 11, 30), "America/New_York")
    (found,) = open_windows([NIGHT], utc(2026, 12, 2, 20, 30), "Europe/Moscow")
    assert (found.ends.hour, found.ends.utcoffset()) == (7, timedelta(hours=3))


def test_the_night_summer_time_begins_is_an_hour_shorter():
    """Berlin, 29 March 2026: the clocks go from 02:00 to 03:00. The window
    still opens at 23:00 and closes at 07:00 on the wall clock."""
    zone = "Europe/Berlin"
    assert is_open(NIGHT, utc(2026, 3, 28, 22, 0), zone)  # 23:00 CET
    assert not is_open(NIGHT, utc(2026, 3, 28, 21, 59), zone)
    assert is_open(NIGHT, utc(2026, 3, 29, 4, 59), zone)  # 06:59 CEST
    assert not is_open(NIGHT, utc(2026, 3, 29, 5, 0), zone)  # 07:00 CEST


def test_the_night_summer_time_ends_is_an_hour_longer():
    """Berlin, 25 October 2026: the clocks go from 03:00 back to 02:00."""
    zone = "Europe/Berlin"
    assert is_open(NIGHT, utc(2026, 10, 24, 21, 0), zone)  # 23:00 CEST
    assert is_open(NIGHT, utc(2026, 10, 25, 5, 30), zone)  # 06:30 CET
    assert not is_open(NIGHT, utc(2026, 10, 25, 6, 0), zone)  # 07:00 CET


def test_a_start_the_clocks_skip_counts_by_the_offset_before_the_change():
    # 02:30 does not happen in Berlin on 29 March 2026: it opens at 03:30 CEST.
    early = dataclasses.replace(NIGHT, days="6", starts_at=time(2, 30))
    zone = "Europe/Berlin"

    assert not is_open(early, utc(2026, 3, 29, 1, 29), zone)
    assert is_open(early, utc(2026, 3, 29, 1, 30), zone)


def test_an_unknown_zone_name_reads_as_utc():
    assert is_open(NIGHT, utc(2026, 12, 2, 23, 30), "Mars/Olympus_Mons")


def test_the_next_change_is_the_next_opening_or_closing():
    assert next_schedule_change([NIGHT], utc(2026, 12, 2, 12, 0), "UTC") == utc(
        2026, 12, 2, 23, 0
    )
    assert next_schedule_change([NIGHT], utc(2026, 12, 2, 23, 30), "UTC") == utc(
        2026, 12, 3, 7, 0
    )
    # Friday noon, Berlin in winter: the weekend opens at 22:00 CET.
    assert next_schedule_change(
        [WEEKEND], utc(2026, 12, 4, 11, 0), "Europe/Berlin"
    ) == utc(2026, 12, 4, 21, 0)
    assert next_schedule_change([], utc(2026, 12, 2, 12, 0), "UTC") is None


def test_a_window_round_trips_through_a_rule_set_snapshot():
    snapshot = {
        "time_zone": "Europe/Berlin",
        "schedule": [WEEKEND.as_data(), SLOW_NIGHT.as_data()],
    }

    settings = RuleSettings.from_snapshot(snapshot)

    assert settings.time_zone == "Europe/Berlin"
    assert settings.schedule == (WEEKEND, SLOW_NIGHT)
    assert WEEKEND.as_data()["starts_at"] == "22:00"


# The rules ---------------------------------------------------------------------

READER = CommentFacts(
    settings=RuleSettings(comment_access=CommentAccess.ANYONE),
    author_is_authenticated=True,
    author_account_age_days=400,
)


def judged(at: datetime, *windows, zone="UTC", **changes) -> rules.Verdict:
    settings_changes = {
        k: changes.pop(k) for k in list(changes) if hasattr(RuleSettings, k)
    }
    settings = dataclasses.replace(
        READER.settings, schedule=windows, time_zone=zone, **settings_changes
    )
    return decide(dataclasses.replace(READER, settings=settings, now=at, **changes))


def codes(verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def test_a_screening_window_holds_a_comment_and_names_itself_and_its_end():
    verdict = judged(utc(2026, 12, 2, 23, 30), NIGHT)

    assert verdict.action is Action.HOLD
    (reason,) = verdict.reasons
    assert reason.code == "schedule.screening"
    assert reason.message == "Comments are screened until 07:00 (Night)"


def test_outside_the_window_nothing_is_held():
    assert judged(utc(2026, 12, 2, 12, 0), NIGHT).action is Action.PUBLISH


def test_a_window_ending_days_later_names_the_day():
    verdict = judged(utc(2026, 12, 5, 12, 0), WEEKEND)

    assert verdict.reasons[0].message == (
        "Comments are screened until Monday at 07:00 (Weekend)"
    )


def test_a_screening_window_holds_trusted_authors_too_but_not_moderators():
    trusted = judged(utc(2026, 12, 2, 23, 30), NIGHT, author_approved_count=40)
    moderator = judged(utc(2026, 12, 2, 23, 30), NIGHT, author_is_moderator=True)

    assert trusted.action is Action.HOLD
    assert "schedule.screening" in codes(trusted)
    assert moderator.action is Action.PUBLISH


def test_a_screening_window_holds_an_edit_too():
    verdict = judged(utc(2026, 12, 2, 23, 30), NIGHT, is_edit=True)

    assert codes(verdict) == ["schedule.screening"]


def test_a_rate_window_refuses_the_comment_over_its_stricter_limit():
    at = utc(2026, 12, 2, 23, 30)

    under = judged(at, SLOW_NIGHT, recent_comment_count=1)
    over = judged(at, SLOW_NIGHT, recent_comment_count=2, rate_retry_after=40)

    assert under.action is Action.PUBLISH
    assert over.action is Action.REFUSE
    assert over.refusal.code == "schedule.rate"
    assert over.refusal.message == (
        "Until 07:00 (Quiet hours), each author may post 2 comments a minute: "
        "try again in 40 seconds"
    )


def test_a_rate_window_no_stricter_than_the_journal_changes_nothing():
    generous = dataclasses.replace(SLOW_NIGHT, rate_per_minute=10)
    settings = RuleSettings(schedule=(generous,), rate_limit_per_minute=5)
    at = utc(2026, 12, 2, 23, 30)

    verdict = judged(at, generous, recent_comment_count=5, rate_retry_after=3)

    assert settings.rate_limit_at(at) == 5
    assert codes(verdict) == ["rate.limited"]


def test_a_rate_window_limits_a_journal_that_has_no_limit_of_its_own():
    at = utc(2026, 12, 2, 23, 30)
    settings = RuleSettings(schedule=(SLOW_NIGHT,), rate_limit_per_minute=0)

    verdict = judged(at, SLOW_NIGHT, rate_limit_per_minute=0, recent_comment_count=2)

    assert settings.rate_limit_at(at) == 2
    assert settings.rate_limit_at(utc(2026, 12, 2, 12, 0)) == 0
    assert verdict.refusal.code == "schedule.rate"


def test_without_a_moment_no_window_is_open():
    verdict = decide(
        dataclasses.replace(
            READER, settings=dataclasses.replace(READER.settings, schedule=(NIGHT,))
        )
    )

    assert verdict.action is Action.PUBLISH


def test_readers_are_told_what_the_open_windows_ask():
    at = utc(2026, 12, 2, 23, 30)
    settings = RuleSettings(schedule=(NIGHT, SLOW_NIGHT), rate_limit_per_minute=5)

    notices = [str(notice) for notice in schedule_notices(settings, at)]

    assert notices == [
        "Comments are screened until 07:00",
        "At most 2 comments a minute per author until 07:00",
    ]
    assert schedule_notices(settings, utc(2026, 12, 2, 12, 0)) == ()


def test_a_heated_sub_thread_holds_replies_until_the_screening_ends():
    at = utc(2026, 12, 2, 14, 0)

    verdict = judged(at, heated_until=at + timedelta(hours=2), zone="Europe/Berlin")

    assert verdict.action is Action.HOLD
    (reason,) = verdict.reasons
    assert reason.code == "heat.screened"
    # 16:00 UTC is 17:00 in Berlin, the journal's clock.
    assert reason.message.endswith("wait for a moderator until 17:00")


def test_an_ended_heat_screening_and_a_moderator_are_not_held():
    at = utc(2026, 12, 2, 14, 0)

    ended = judged(at, heated_until=at - timedelta(seconds=1))
    moderator = judged(
        at, heated_until=at + timedelta(hours=2), author_is_moderator=True
    )

    assert ended.action is Action.PUBLISH
    assert moderator.action is Action.PUBLISH


def test_the_new_codes_are_listed_labelled_and_rate_codes_wait():
    for code in ("schedule.screening", "schedule.rate", "heat.screened"):
        assert code in rules.RULE_CODES
        assert rules.rule_label(code) != code
    assert {"rate.limited", "schedule.rate"} == rules.RATE_CODES
