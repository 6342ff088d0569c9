"""Every rule on plain values: no database, no request, no cache."""

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from moderation import rules
from moderation.rules import (
    Action,
    AntiBotCheck,
    CommentAccess,
    CommentFacts,
    RuleSettings,
    Screening,
    access_verdict,
    decide,
)
from moderation.words import WordEntry

READER = CommentFacts(
    settings=RuleSettings(comment_access=CommentAccess.ANYONE),
    author_is_authenticated=True,
    author_account_age_days=400,
)
ANONYMOUS = dataclasses.replace(
    READER,
    author_is_authenticated=False,
    author_account_age_days=None,
    antibot=AntiBotCheck(age_seconds=60),
)


def facts(base: CommentFacts = READER, **changes) -> CommentFacts:
    settings_changes = {
        k: changes.pop(k) for k in list(changes) if hasattr(RuleSettings, k)
    }
    settings = dataclasses.replace(base.settings, **settings_changes)
    return dataclasses.replace(base, settings=settings, **changes)


def codes(verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def test_a_plain_comment_from_a_reader_is_published_with_no_reasons():
    verdict = decide(READER)

    assert verdict.action is Action.PUBLISH
    assert verdict.reasons == ()


# Who may comment -------------------------------------------------------------


def test_anonymous_visitor_of_registered_only_journal_is_refused_in_plain_words():
    verdict = decide(facts(ANONYMOUS, comment_access=CommentAccess.REGISTERED))

    assert verdict.action is Action.REFUSE
    assert verdict.refusal.code == "access.anonymous_disabled"
    assert verdict.refusal.message == "Anonymous comments are disabled in this journal"


@pytest.mark.parametrize(
    ("authenticated", "member", "moderator", "expected"),
    [
        (False, False, False, Action.REFUSE),
        (True, False, False, Action.REFUSE),
        (True, True, False, Action.PUBLISH),
        (True, False, True, Action.PUBLISH),
    ],
)
def test_members_only_journal_admits_members_and_moderators(
    authenticated, member, moderator, expected
):
    verdict = decide(
        facts(
            comment_access=CommentAccess.MEMBERS,
            author_is_authenticated=authenticated,
            author_is_member=member,
            author_is_moderator=moderator,
        )
    )

    assert verdict.action is expected
    if expected is Action.REFUSE:
        assert verdict.refusal.message == "Only members of this journal may comment"


def test_nobody_may_comment_when_comments_are_turned_off_not_even_a_moderator():
    verdict = decide(
        facts(comment_access=CommentAccess.NOBODY, author_is_moderator=True)
    )

    assert verdict.refusal.code == "access.nobody"


def test_post_with_comments_off_refuses_everyone():
    verdict = decide(facts(post_comments_enabled=False, author_is_moderator=True))

    assert verdict.refusal.message == "Comments are disabled for this post"


# Refusing rules ----------------------------------------------------------------


def test_banned_author_is_refused_with_the_sentence_from_the_design():
    verdict = decide(facts(banned=True))

    assert verdict.refusal.code == "ban.active"
    assert verdict.refusal.message == "You are banned from commenting in this journal"


def test_old_posts_close_after_the_configured_days_and_edits_are_not_refused():
    assert (
        decide(facts(close_after_days=30, post_age_days=29.5)).action is Action.PUBLISH
    )
    closed = decide(facts(close_after_days=30, post_age_days=31))
    assert closed.refusal.code == "post.closed_old"
    assert closed.refusal.message == "Comments are closed on posts older than 30 days"
    assert (
        decide(facts(close_after_days=0, post_age_days=5000)).action is Action.PUBLISH
    )


def test_replies_below_a_frozen_comment_are_refused():
    verdict = decide(facts(thread_frozen=True))

    assert verdict.refusal.code == "thread.frozen"


def test_thread_depth_limit_counts_levels_from_one():
    assert decide(facts(max_thread_depth=3, depth=2)).action is Action.PUBLISH
    too_deep = decide(facts(max_thread_depth=3, depth=3))
    assert too_deep.refusal.code == "thread.too_deep"
    assert "go 3 levels deep at most" in too_deep.refusal.message


def test_rate_limit_refuses_with_the_seconds_to_wait():
    assert decide(facts(rate_limit_per_minute=5, recent_comment_count=4)).action is (
        Action.PUBLISH
    )
    verdict = decide(
        facts(rate_limit_per_minute=5, recent_comment_count=5, rate_retry_after=17)
    )
    assert verdict.refusal.code == "rate.limited"
    assert verdict.refusal.message.endswith("try again in 17 seconds")


def test_rate_limit_zero_is_off_and_edits_count_like_new_comments():
    assert decide(facts(rate_limit_per_minute=0, recent_comment_count=99)).action is (
        Action.PUBLISH
    )
    edit = decide(facts(rate_limit_per_minute=1, recent_comment_count=3, is_edit=True))
    assert edit.refusal.code == "rate.limited"


def test_the_same_text_twice_within_ten_minutes_is_refused():
    verdict = decide(facts(duplicate=True))

    assert verdict.refusal.code == "comment.duplicate"
    assert "10 minutes" in verdict.refusal.message


@pytest.mark.parametrize(
    ("check", "code"),
    [
        (AntiBotCheck(honeypot_filled=True, age_seconds=60), "antibot.honeypot"),
        (AntiBotCheck(age_seconds=1.0), "antibot.too_fast"),
        (AntiBotCheck(age_seconds=5 * 3600), "antibot.expired"),
        (AntiBotCheck(age_seconds=None), "antibot.invalid_form"),
        (None, "antibot.invalid_form"),
        (AntiBotCheck(age_seconds=60, reused=True), "antibot.reused"),
    ],
)
def test_anonymous_form_filled_by_a_bot_is_refused_with_advice(check, code):
    verdict = decide(facts(ANONYMOUS, antibot=check))

    assert verdict.refusal.code == code
    assert verdict.refusal.message  # a sentence a person can act on


def test_anti_bot_checks_every_anonymous_comment_and_nobody_logged_in():
    bot_like = AntiBotCheck(honeypot_filled=True, age_seconds=0.1)

    assert decide(facts(READER, antibot=bot_like)).action is Action.PUBLISH
    assert decide(facts(READER, antibot=None)).action is Action.PUBLISH
    # Whatever the door, an anonymous comment without its proof is refused.
    assert decide(facts(ANONYMOUS, antibot=None)).refusal.code == (
        "antibot.invalid_form"
    )
    assert decide(facts(ANONYMOUS, antibot=AntiBotCheck(age_seconds=10))).action is (
        Action.PUBLISH
    )


def test_blocked_words_refuse_and_keep_matched_text_beside_the_entry():
    verdict = decide(
        facts(
            blocked_words=(WordEntry("casino", substring=True),),
            text="Visit MyCASINO now",
        )
    )

    reason = verdict.refusal
    assert reason.code == "words.blocked"
    assert (reason.matched, reason.entry) == ("CASINO", "casino")
    assert "“CASINO” is not allowed in this journal" in reason.message


# Holding rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "base", "member", "held_code"),
    [
        (Screening.NONE, ANONYMOUS, False, None),
        (Screening.ANONYMOUS, ANONYMOUS, False, "screening.anonymous"),
        (Screening.ANONYMOUS, READER, False, None),
        (Screening.NON_MEMBERS, READER, False, "screening.non_members"),
        (Screening.NON_MEMBERS, READER, True, None),
        (Screening.NON_MEMBERS, ANONYMOUS, False, "screening.non_members"),
        (Screening.ALL, READER, True, "screening.all"),
    ],
)
def test_screening_levels(level, base, member, held_code):
    verdict = decide(
        facts(
            base, screening=level, author_is_member=member, trust_approved_authors=False
        )
    )

    assert codes(verdict) == ([held_code] if held_code else [])
    assert verdict.action is (Action.HOLD if held_code else Action.PUBLISH)


def test_a_post_can_screen_all_of_its_comments():
    verdict = decide(facts(post_screen_all=True, trust_approved_authors=False))

    assert codes(verdict) == ["screening.post"]
    assert verdict.held


def test_links_at_or_over_the_limit_are_held_and_zero_turns_it_off():
    assert decide(
        facts(link_limit=2, link_count=1, trust_approved_authors=False)
    ).action is (Action.PUBLISH)
    held = decide(facts(link_limit=2, link_count=3, trust_approved_authors=False))
    assert held.hold_reasons[0].code == "links.too_many"
    assert held.hold_reasons[0].message.startswith("The comment has 3 links;")
    assert decide(facts(link_limit=0, link_count=50)).action is Action.PUBLISH


def test_held_words_hold_with_matched_text_and_entry():
    verdict = decide(
        facts(
            held_words=(WordEntry("free money"),),
            text="get FREE   money",
            trust_approved_authors=False,
        )
    )

    reason = verdict.hold_reasons[0]
    assert (reason.code, reason.matched, reason.entry) == (
        "words.held",
        "FREE   money",
        "free money",
    )


def test_new_accounts_are_held_until_old_enough():
    assert decide(facts(new_account_days=7, author_account_age_days=8)).action is (
        Action.PUBLISH
    )
    verdict = decide(facts(new_account_days=7, author_account_age_days=2))
    assert codes(verdict) == ["account.new"]
    assert decide(facts(new_account_days=0, author_account_age_days=0)).action is (
        Action.PUBLISH
    )


def test_a_screened_author_is_held_until_the_date():
    until = datetime(2026, 12, 24, tzinfo=UTC)

    verdict = decide(facts(author_screened=True, screened_until=until))

    assert codes(verdict) == ["screening.author"]
    assert (
        "until" in verdict.reasons[0].message and "2026" in verdict.reasons[0].message
    )


# Trusted authors ---------------------------------------------------------------


def test_trusted_author_skips_screening_links_and_held_words_and_says_so():
    verdict = decide(
        facts(
            screening=Screening.ALL,
            link_count=5,
            held_words=(WordEntry("free money"),),
            text="free money",
            author_approved_count=3,
        )
    )

    assert verdict.action is Action.PUBLISH
    assert codes(verdict) == ["trusted.author"]
    assert "moderators approved 3 comments" in verdict.reasons[0].message
    assert verdict.reasons[0].entry == "links.too_many, screening.all, words.held"


def test_comments_that_stood_count_towards_trust_only_where_the_owner_allows():
    stood = {"screening": Screening.ALL, "author_standing_count": 3}

    assert decide(facts(**stood)).held
    verdict = decide(facts(**stood, trust_after_days=30))
    assert verdict.action is Action.PUBLISH
    assert "3 more stood 30 days unchallenged" in verdict.reasons[0].message


def test_a_moderators_screening_holds_an_edit_whoever_wrote_it():
    for author in ({"author_approved_count": 50}, {"author_is_moderator": True}):
        verdict = decide(facts(**author, is_edit=True, moderator_screened=True))

        assert verdict.held
        assert "screening.moderator" in codes(verdict)


def test_settings_come_back_from_a_rule_set_snapshot():
    snapshot = {
        "screening": Screening.ALL,
        "link_limit": 4,
        "trust_after_days": 7,
        "ip_logging": "all",
        "words": [["casino", "block", True], ["free money", "hold", False]],
    }

    settings = RuleSettings.from_snapshot(snapshot)

    assert (settings.screening, settings.link_limit, settings.trust_after_days) == (
        Screening.ALL,
        4,
        7,
    )
    assert settings.blocked_words == (WordEntry("casino", substring=True),)
    assert settings.held_words == (WordEntry("free money"),)


def test_trust_needs_enough_approved_comments_and_can_be_turned_off():
    needs_two = facts(screening=Screening.ALL, trusted_after=2, author_approved_count=1)
    assert decide(needs_two).held
    turned_off = facts(
        screening=Screening.ALL, trust_approved_authors=False, author_approved_count=50
    )
    assert decide(turned_off).held


def test_trust_never_lifts_blocked_words_bans_or_a_personal_screening():
    trusted = facts(
        author_approved_count=99,
        blocked_words=(WordEntry("casino"),),
        text="casino",
        banned=True,
    )
    assert codes(decide(trusted)) == ["ban.active", "words.blocked"]
    screened = decide(facts(author_approved_count=99, author_screened=True))
    assert screened.held


def test_moderators_count_as_trusted_while_trust_is_on():
    moderator = facts(author_is_moderator=True, screening=Screening.ALL, link_count=9)

    assert decide(moderator).action is Action.PUBLISH
    assert "moderates this journal" in decide(moderator).reasons[0].message
    assert decide(facts(moderator, trust_approved_authors=False)).held


# The pipeline as a whole ----------------------------------------------------------


def test_the_strictest_action_wins_and_every_reason_is_kept():
    verdict = decide(
        facts(
            ANONYMOUS,
            screening=Screening.ANONYMOUS,
            link_count=4,
            duplicate=True,
        )
    )

    assert verdict.action is Action.REFUSE
    assert codes(verdict) == [
        "comment.duplicate",
        "screening.anonymous",
        "links.too_many",
    ]
    assert verdict.refusal.code == "comment.duplicate"


def test_several_holds_give_one_hold_with_every_reason():
    verdict = decide(
        facts(ANONYMOUS, screening=Screening.ALL, link_count=3, new_account_days=3)
    )

    assert verdict.held
    assert codes(verdict) == ["screening.all", "links.too_many"]


def test_verdict_is_frozen_and_reasons_round_trip_as_plain_data():
    verdict = decide(
        facts(
            blocked_words=(WordEntry("spam"),),
            text="ѕраm",
            trust_approved_authors=False,
        )
    )

    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.action = Action.PUBLISH  # type: ignore[misc]
    data = verdict.refusal.as_dict()
    assert data == {
        "code": "words.blocked",
        "action": "refuse",
        "message": (
            "“ѕраm” is not allowed in this journal; edit your comment and post it again"
        ),
        # The sentence untranslated, with its values: each reader of the
        # stored reason gets it in their own language (journal.sentences).
        "text": [
            "“%(matched)s” is not allowed in this journal; edit your comment and "
            "post it again",
            "",
            None,
            {"matched": "ѕраm"},
        ],
        "matched": "ѕраm",
        "entry": "spam",
    }
    assert rules.Reason.from_dict(data) == verdict.refusal
    assert json.loads(json.dumps(data)) == data


def test_access_verdict_runs_only_the_who_and_where_rules():
    verdict = access_verdict(facts(ANONYMOUS, duplicate=True, banned=True))

    assert codes(verdict) == ["ban.active"]


def test_every_rule_code_is_listed():
    assert {
        "access.anonymous_disabled",
        "words.blocked",
        "rate.limited",
        "trusted.author",
        "spam.likely",
        "history.rejected",
        "reports.weighted",
        "schedule.screening",
        "schedule.rate",
        "heat.screened",
        "ban.shared_list",
    } <= rules.RULE_CODES
    assert len(rules.RULE_CODES) == 33
