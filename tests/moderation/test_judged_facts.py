"""Each comment keeps the facts its verdict was computed from, so that a replay
judges it as it stood then, not by its author's standing today."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from journal import services
from journal.models import Comment, CommentAccess, Screening
from journal.plugins import Origin
from journal.sanitize import summarize
from moderation import rules
from moderation import services as moderation
from moderation.models import AuthorRestriction, WordRule
from tests.factories import CommentFactory, human_api_fields

pytestmark = pytest.mark.django_db


def replayed(comment: Comment, settings: rules.RuleSettings | None = None):
    """The verdict the stored facts give under ``settings`` (by default the
    rule-set version the comment was judged under)."""
    comment.refresh_from_db()
    if settings is None:
        settings = rules.RuleSettings.from_snapshot(comment.rule_set_version.snapshot)
    record = comment.judged_facts
    text = "\n".join(
        (comment.subject, record.get("name", ""), summarize(comment.body_html).text)
    )
    facts = rules.facts_from_record(record, settings=settings, text=text)
    return rules.decide(facts)


def codes(verdict) -> list[str]:
    return [reason.code for reason in verdict.reasons]


def test_a_posted_comment_keeps_a_versioned_record_of_its_facts(
    reader_client, post, reader
):
    reader_client.post(
        f"/{post.journal.name}/{post.pk}/comment/",
        {"body": 'see <a href="https://a.example">a</a> and https://b.example'},
    )

    record = Comment.objects.get().judged_facts
    assert record["v"] == rules.FACTS_VERSION
    assert record["author_is_authenticated"] is True
    assert record["link_count"] == 2
    assert record["name"] == "Riley Reader"
    assert abs(datetime.fromisoformat(record["now"]) - timezone.now()) < timedelta(
        minutes=1
    )
    # Defaults are left out: the record stays small.
    assert "banned" not in record and "thread_frozen" not in record


def test_an_anonymous_comment_keeps_its_proof_through_the_api(api, post):
    post.journal.comment_access = CommentAccess.ANYONE
    post.journal.save()

    response = api.post(
        f"/api/posts/{post.pk}/comments/",
        {"body": "hello from nowhere", "name": "Visitor", **human_api_fields(post)},
        format="json",
    )

    assert response.status_code == 201
    record = Comment.objects.get().judged_facts
    honeypot, age, reused = record["antibot"]
    assert (honeypot, reused) == (False, False) and age >= rules.FORM_MIN_SECONDS
    assert record["name"] == "Visitor"


@pytest.mark.parametrize(
    "setup, body, expected",
    [
        ("links", "one https://a.example two https://b.example", ["links.too_many"]),
        ("word", "buy cheap pills here", ["words.held"]),
        ("screen_all", "hello", ["screening.all"]),
        ("trusted", "hello https://a.example https://b.example", ["trusted.author"]),
        ("nothing", "hello", []),
    ],
)
def test_replaying_the_record_gives_the_verdict_the_comment_got(
    post, reader, make_comment, setup, body, expected
):
    journal = post.journal
    journal.link_limit = 2
    journal.spam_threshold = 0  # the spam model has its own tests
    if setup == "screen_all":
        journal.screening = Screening.ALL
    if setup == "trusted":
        approved = make_comment(post=post, author=reader)
        Comment.objects.filter(pk=approved.pk).update(approved_revision=1)
    journal.save()
    if setup == "word":
        WordRule.objects.create(journal=journal, phrase="pills", kind="hold")

    comment = services.submit_comment(post=post, author=reader, body=body)

    assert codes(replayed(comment)) == [r["code"] for r in comment.reasons] == expected


def test_a_replay_judges_by_the_standing_then_not_now(post, reader, owner):
    journal = post.journal
    journal.screening = Screening.ALL
    journal.save()
    first = services.submit_comment(post=post, author=reader, body="first")
    moderation.decide(
        moderator=owner,
        items=[moderation.Seen(first.pk, "held", 1)],
        decision="approve",
    )
    second = services.submit_comment(post=post, author=reader, body="second")
    # Later the author is banned and the journal changes its mind.
    moderation.restrict_author(
        journal=journal, user=reader, kind=AuthorRestriction.Kind.BAN, by=owner
    )

    # Held as a stranger, then published as trusted: as it was, not as it is.
    assert codes(replayed(first)) == ["screening.all"]
    assert codes(replayed(second)) == ["trusted.author"]
    assert replayed(second).action is rules.Action.PUBLISH


def test_an_edit_records_the_facts_of_the_edit(post, reader):
    comment = services.submit_comment(post=post, author=reader, body="first")
    assert "is_edit" not in comment.judged_facts

    services.edit_comment(
        comment=comment,
        editor=reader,
        body="second https://a.example",
        origin=Origin(),
    )

    comment.refresh_from_db()
    assert comment.judged_facts["is_edit"] is True
    assert comment.judged_facts["link_count"] == 1


def test_a_record_round_trips_every_fact():
    moment = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    facts = rules.CommentFacts(
        post_comments_enabled=False,
        post_screen_all=True,
        post_age_days=3.25,
        author_is_authenticated=True,
        author_is_member=True,
        author_is_moderator=True,
        author_account_age_days=12.5,
        author_approved_count=4,
        author_standing_count=2,
        banned=True,
        banned_until=moment,
        screened_until=moment + timedelta(days=1),
        author_screened=True,
        text="words",
        link_count=3,
        depth=2,
        thread_frozen=True,
        duplicate=True,
        recent_comment_count=5,
        rate_retry_after=30,
        antibot=rules.AntiBotCheck(age_seconds=12.5, reused=True, nonce="n"),
        is_edit=True,
        moderator_screened=True,
        spam_percent=97,
        spam_signs=("a sign",),
        author_recent_count=10,
        author_recent_rejected=6,
        now=moment,
        heated_until=moment + timedelta(hours=2),
    )

    again = rules.facts_from_record(
        rules.facts_record(facts), settings=facts.settings, text="words"
    )

    # The challenge's nonce is spent with the comment; nothing reads it later.
    assert again == facts.__class__(
        **{
            **facts.__dict__,
            "antibot": rules.AntiBotCheck(age_seconds=12.5, reused=True),
        }
    )


def test_a_record_of_an_unknown_version_is_refused_not_guessed():
    with pytest.raises(ValueError, match="version"):
        rules.facts_from_record({"v": 99}, settings=rules.RuleSettings(), text="")


def test_comments_stored_without_a_verdict_keep_no_record(post):
    comment = CommentFactory(post=post)
    # Demo data and the factories store straight, past the rules.
    assert Comment.objects.get(pk=comment.pk).judged_facts == {}
