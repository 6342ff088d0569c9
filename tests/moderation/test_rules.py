"""The rule pipeline on plain values: no database, no request."""

import dataclasses

import pytest

from moderation.rules import (
    Action,
    CommentAccess,
    CommentFacts,
    access_verdict,
    decide,
)

ANONYMOUS = CommentFacts(
    comment_access=CommentAccess.REGISTERED,
    post_comments_enabled=True,
    author_is_authenticated=False,
)


def facts(**changes) -> CommentFacts:
    return dataclasses.replace(ANONYMOUS, **changes)


def test_anonymous_visitor_of_registered_only_journal_is_refused_in_plain_words():
    verdict = decide(facts())

    assert verdict.action is Action.REFUSE
    assert verdict.refusal.code == "access.anonymous_disabled"
    assert verdict.refusal.message == "Anonymous comments are disabled in this journal"


def test_registered_user_may_comment_in_registered_only_journal():
    verdict = decide(facts(author_is_authenticated=True))

    assert verdict.action is Action.PUBLISH
    assert verdict.reasons == ()


def test_anonymous_visitor_may_comment_where_everyone_may():
    assert decide(facts(comment_access=CommentAccess.ANYONE)).action is Action.PUBLISH


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
        assert verdict.refusal.code == "access.members_only"
        assert verdict.refusal.message == "Only members of this journal may comment"


def test_nobody_may_comment_when_comments_are_turned_off_not_even_a_moderator():
    verdict = decide(
        facts(
            comment_access=CommentAccess.NOBODY,
            author_is_authenticated=True,
            author_is_moderator=True,
        )
    )

    assert verdict.refusal.code == "access.nobody"
    assert verdict.refusal.message == "Comments are turned off in this journal"


def test_post_with_comments_off_refuses_everyone():
    verdict = decide(
        facts(
            comment_access=CommentAccess.ANYONE,
            post_comments_enabled=False,
            author_is_authenticated=True,
            author_is_moderator=True,
        )
    )

    assert verdict.refusal.code == "access.post_closed"
    assert verdict.refusal.message == "Comments are disabled for this post"


def test_every_reason_is_kept_and_the_strictest_action_wins():
    verdict = decide(facts(post_comments_enabled=False))

    assert verdict.action is Action.REFUSE
    assert [reason.code for reason in verdict.reasons] == [
        "access.post_closed",
        "access.anonymous_disabled",
    ]


def test_verdict_is_frozen_and_reasons_serialize_as_plain_data():
    verdict = decide(facts())

    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.action = Action.PUBLISH  # type: ignore[misc]
    assert verdict.refusal.as_dict() == {
        "code": "access.anonymous_disabled",
        "action": "refuse",
        "message": "Anonymous comments are disabled in this journal",
    }


def test_access_verdict_matches_the_full_pipeline_for_who_may_comment():
    for access in (
        CommentAccess.ANYONE,
        CommentAccess.REGISTERED,
        CommentAccess.MEMBERS,
    ):
        assert access_verdict(facts(comment_access=access)) == decide(
            facts(comment_access=access)
        )
