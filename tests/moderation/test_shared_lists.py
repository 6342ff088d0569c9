"""Shared word lists and ban lists through the services and the write path:
a list's change reaches every following journal's next comment, a journal's
own entries override the list's, ending a subscription stops it (history
kept), and an old verdict is still explained by the version it was judged
under after the list changed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import followed_lists, judging, rules, services, shared_lists
from moderation.models import (
    AuditEntry,
    RuleSetVersion,
    SharedList,
    SharedListVersion,
    Subscription,
)
from tests.factories import JournalFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(db):
    return JournalFactory(name="gardens", title="Gardens")


@pytest.fixture
def follower(db):
    journal = JournalFactory(name="allotments", title="Allotments")
    journal.rate_limit_per_minute = 0
    journal.save()
    return journal


@pytest.fixture
def spam_words(publisher):
    return shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind=SharedList.Kind.WORDS,
        name="Garden spam",
        entries=[
            {"phrase": "casino", "kind": "hold"},
            {"phrase": "pills", "kind": "block"},
        ],
    )


@pytest.fixture
def writer(db):
    return UserFactory(username="writer")


def comment(journal, author, body):
    post = journal.posts.first() or PostFactory(journal=journal)
    return journal_services.submit_comment(post=post, author=author, body=body)


def refusal(journal, author, body):
    with pytest.raises(journal_services.CommentRefused) as refused:
        comment(journal, author, body)
    return refused.value.reason


def follow(journal, shared_list):
    return shared_lists.subscribe(
        journal=journal, shared_list=shared_list, by=journal.owner
    )


# Publishing ------------------------------------------------------------------------


def test_publishing_adds_the_first_version_and_audits_it(publisher, spam_words):
    (version,) = spam_words.versions.all()

    assert (version.number, version.entries) == (
        1,
        [["casino", "hold", False], ["pills", "block", False]],
    )
    assert version.changes["added"] == version.entries
    entry = AuditEntry.objects.get(journal=publisher, action="shared_list.publish")
    assert entry.actor == publisher.owner
    assert "Garden spam" in entry.target


def test_each_change_of_entries_adds_a_version_saying_what_changed(spam_words):
    owner = spam_words.journal.owner

    second = shared_lists.change_list(
        shared_list=spam_words,
        by=owner,
        entries=[
            {"phrase": "casino", "kind": "block"},
            {"phrase": "pills", "kind": "block"},
        ],
    )
    same = shared_lists.change_list(
        shared_list=spam_words,
        by=owner,
        entries=[
            {"phrase": "pills", "kind": "block"},
            {"phrase": "casino", "kind": "block"},
        ],
    )

    assert second.number == 2
    assert second.changes == {
        "added": [["casino", "block", False]],
        "removed": [["casino", "hold", False]],
    }
    assert same is None
    assert list(spam_words.versions.values_list("number", flat=True)) == [2, 1]


def test_a_new_description_is_no_new_version_but_is_audited(spam_words):
    owner = spam_words.journal.owner

    shared_lists.change_list(shared_list=spam_words, by=owner, description="Spring")

    spam_words.refresh_from_db()
    assert spam_words.description == "Spring"
    assert spam_words.versions.count() == 1
    assert AuditEntry.objects.filter(
        action="shared_list.describe", actor=owner
    ).exists()


@pytest.mark.parametrize(
    "entries",
    [
        [{"phrase": "casino", "kind": "allow"}],
        [{"phrase": "casino", "kind": "hold"}, {"phrase": "CASINO", "kind": "block"}],
        [{"phrase": "!!!", "kind": "hold"}],
        [{"phrase": "two\nlines", "kind": "hold"}],
        [{"phrase": "x" * 101, "kind": "hold"}],
        ["casino"],
    ],
)
def test_bad_entries_are_refused_and_change_nothing(spam_words, entries):
    with pytest.raises(ValidationError) as refused:
        shared_lists.change_list(
            shared_list=spam_words, by=spam_words.journal.owner, entries=entries
        )

    assert "words" in refused.value.message_dict
    assert spam_words.versions.count() == 1


def test_a_list_holds_at_most_its_limit_of_entries(publisher, monkeypatch):
    monkeypatch.setattr(shared_lists, "MAX_ENTRIES", 2)
    words = [{"phrase": f"word{n}", "kind": "hold"} for n in range(3)]

    with pytest.raises(ValidationError):
        shared_lists.publish(
            journal=publisher,
            by=publisher.owner,
            kind="words",
            name="Too long",
            entries=words,
        )

    assert not SharedList.objects.exists()


# Following a list ------------------------------------------------------------------


def test_a_followed_word_list_holds_and_refuses_like_the_journals_own(
    follower, spam_words, writer
):
    follow(follower, spam_words)

    held = comment(follower, writer, "Try the casino tonight")
    refused = refusal(follower, writer, "Cheap pills here")

    assert held.state == CommentState.HELD
    (reason,) = [r for r in held.reasons if r["code"] == "words.held"]
    assert (reason["entry"], reason["matched"], reason["list"]) == (
        "casino",
        "casino",
        "Garden spam",
    )
    assert refused.code == "words.blocked"


def test_subscribing_records_a_rule_set_version_naming_the_list_version(
    follower, spam_words
):
    follow(follower, spam_words)

    latest = RuleSetVersion.objects.filter(journal=follower).latest()
    assert latest.snapshot["subscriptions"] == [
        [spam_words.pk, 1, "Garden spam", "words"]
    ]
    assert latest.snapshot["shared_words"] == [
        ["casino", "hold", False, spam_words.pk],
        ["pills", "block", False, spam_words.pk],
    ]
    assert "subscriptions" in latest.changes
    assert "shared_words" not in latest.changes  # derived, and possibly huge
    assert AuditEntry.objects.filter(
        journal=follower, action="subscription.start", actor=follower.owner
    ).exists()
    assert AuditEntry.objects.filter(
        journal=follower, action="settings.change", rule_set_version=latest
    ).exists()


def test_a_new_list_version_reaches_the_next_comment_of_every_follower(
    follower, spam_words, writer
):
    other = JournalFactory(name="orchard")
    follow(follower, spam_words)
    follow(other, spam_words)
    assert comment(follower, writer, "Fresh lottery tips").state == "published"

    shared_lists.change_list(
        shared_list=spam_words,
        by=spam_words.journal.owner,
        entries=[{"phrase": "lottery", "kind": "hold"}],
    )

    assert comment(follower, writer, "More lottery tips").state == "held"
    assert comment(follower, writer, "The casino again").state == "published"
    for journal in (follower, other):
        latest = RuleSetVersion.objects.filter(journal=journal).latest()
        assert latest.snapshot["subscriptions"][0][1] == 2
        # The system's change: the log names the list, not its keeper.
        assert latest.created_by is None
        entry = AuditEntry.objects.filter(journal=journal).latest("id")
        assert (entry.action, entry.actor) == ("settings.change", None)


def test_a_change_made_in_another_process_applies_to_the_next_comment(
    follower, spam_words, writer
):
    """The process that judges has compiled the list; another process changes
    it. The judging query sees the new version: nothing stale is used."""
    follow(follower, spam_words)
    assert comment(follower, writer, "casino").state == "held"
    SharedListVersion.objects.create(
        shared_list=spam_words, number=2, entries=[["lottery", "hold", False]]
    )

    assert comment(follower, writer, "a lottery").state == "held"
    assert comment(follower, writer, "a casino").state == "published"


# Overrides -------------------------------------------------------------------------


def test_an_own_allow_entry_lets_a_listed_word_through(follower, spam_words, writer):
    follow(follower, spam_words)
    services.update_rule_settings(
        journal=follower,
        by=follower.owner,
        changes={},
        words=[{"phrase": "Casino", "kind": "allow"}],
    )

    assert comment(follower, writer, "The casino reopened").state == "published"
    assert comment(follower, writer, "The cаsino (look-alike)").state == "published"
    assert refusal(follower, writer, "pills").code == "words.blocked"
    latest = RuleSetVersion.objects.filter(journal=follower).latest()
    assert ["casino", "hold", False, spam_words.pk] not in latest.snapshot[
        "shared_words"
    ]


def test_an_own_block_beats_the_lists_hold(follower, spam_words, writer):
    follow(follower, spam_words)
    services.update_rule_settings(
        journal=follower,
        by=follower.owner,
        changes={},
        words=[{"phrase": "casino", "kind": "block"}],
    )

    refused = refusal(follower, writer, "casino night")

    assert refused.code == "words.blocked"


def test_an_own_hold_beats_the_lists_block_and_names_no_list(
    follower, spam_words, writer
):
    follow(follower, spam_words)
    services.update_rule_settings(
        journal=follower,
        by=follower.owner,
        changes={},
        words=[{"phrase": "pills", "kind": "hold"}],
    )

    held = comment(follower, writer, "garden pills")

    assert held.state == CommentState.HELD
    (reason,) = held.reasons
    assert reason["code"] == "words.held" and "list" not in reason


def test_of_two_lists_holding_a_word_the_stricter_entry_stands(
    follower, spam_words, writer
):
    stricter = shared_lists.publish(
        journal=JournalFactory(name="meadow"),
        by=None,
        kind="words",
        name="Strict",
        entries=[{"phrase": "casino", "kind": "block"}],
    )
    follow(follower, spam_words)
    follow(follower, stricter)

    refused = refusal(follower, writer, "casino")

    assert refused.code == "words.blocked"


def test_allow_entries_alone_change_nothing(follower, writer):
    services.update_rule_settings(
        journal=follower,
        by=follower.owner,
        changes={},
        words=[{"phrase": "casino", "kind": "allow"}],
    )

    assert comment(follower, writer, "casino").state == "published"


# Ending ---------------------------------------------------------------------------


def test_ending_a_subscription_stops_the_list_and_keeps_the_history(
    follower, spam_words, writer
):
    subscription = follow(follower, spam_words)
    held = comment(follower, writer, "casino")

    shared_lists.unsubscribe(subscription=subscription, by=follower.owner)

    assert comment(follower, writer, "casino again").state == "published"
    subscription.refresh_from_db()
    assert subscription.ended_at is not None
    assert Subscription.objects.filter(journal=follower).count() == 1
    latest = RuleSetVersion.objects.filter(journal=follower).latest()
    assert "subscriptions" not in latest.snapshot
    assert held.rule_set_version.snapshot["subscriptions"][0][0] == spam_words.pk
    assert AuditEntry.objects.filter(
        journal=follower, action="subscription.end", actor=follower.owner
    ).exists()
    with pytest.raises(services.NotAllowed):
        shared_lists.unsubscribe(subscription=subscription, by=follower.owner)


def test_a_journal_may_follow_a_list_again_after_ending(follower, spam_words):
    first = follow(follower, spam_words)
    with pytest.raises(services.NotAllowed):
        follow(follower, spam_words)
    shared_lists.unsubscribe(subscription=first, by=follower.owner)

    again = follow(follower, spam_words)

    assert again.pk != first.pk
    assert Subscription.objects.filter(journal=follower).count() == 2


def test_unpublishing_ends_every_subscription_and_keeps_every_version(
    follower, spam_words, writer
):
    subscription = follow(follower, spam_words)

    shared_lists.unpublish(shared_list=spam_words, by=spam_words.journal.owner)

    spam_words.refresh_from_db()
    subscription.refresh_from_db()
    assert spam_words.state == SharedList.State.UNPUBLISHED
    assert spam_words.unpublished_at is not None
    assert subscription.ended_at is not None
    assert spam_words.versions.count() == 1
    assert comment(follower, writer, "casino").state == "published"
    entry = AuditEntry.objects.get(journal=follower, action="subscription.end")
    assert (entry.actor, entry.data["because"]) == (None, "unpublished")
    with pytest.raises(services.NotAllowed):
        follow(follower, spam_words)
    with pytest.raises(services.NotAllowed):
        shared_lists.change_list(
            shared_list=spam_words,
            by=spam_words.journal.owner,
            entries=[{"phrase": "dice", "kind": "hold"}],
        )
    with pytest.raises(services.NotAllowed):
        shared_lists.unpublish(shared_list=spam_words, by=spam_words.journal.owner)


def test_a_journal_cannot_follow_its_own_list(publisher, spam_words):
    with pytest.raises(services.NotAllowed):
        follow(publisher, spam_words)


# Old verdicts ----------------------------------------------------------------------


def test_an_old_verdict_is_explained_by_the_list_version_it_was_judged_under(
    follower, spam_words, writer
):
    follow(follower, spam_words)
    held = comment(follower, writer, "casino tonight")
    shared_lists.change_list(
        shared_list=spam_words,
        by=spam_words.journal.owner,
        entries=[{"phrase": "lottery", "kind": "hold"}],
    )
    shared_lists.unpublish(shared_list=spam_words, by=spam_words.journal.owner)

    held = Comment.objects.get(pk=held.pk)
    snapshot = held.rule_set_version.snapshot
    list_id, number, name, _kind = snapshot["subscriptions"][0]
    old = SharedListVersion.objects.get(shared_list_id=list_id, number=number)
    assert (number, name) == (1, "Garden spam")
    assert ["casino", "hold", False] in old.entries
    # Replayed from what it was judged on, the verdict is the same.
    settings = rules.RuleSettings.from_snapshot(snapshot)
    text = "\n".join(("", held.judged_facts["name"], "casino tonight"))
    facts = rules.facts_from_record(held.judged_facts, settings=settings, text=text)
    verdict = rules.decide(facts)
    assert verdict.held
    assert [r.as_dict() for r in verdict.reasons] == held.reasons


# Ban lists -------------------------------------------------------------------------


@pytest.fixture
def spammer(db):
    return UserFactory(username="spammer")


@pytest.fixture
def rings(publisher, spammer):
    return shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind=SharedList.Kind.BANS,
        name="Spam rings",
        entries=[{"username": "spammer", "reason": "Posts casino links everywhere"}],
    )


def test_an_account_on_a_followed_ban_list_is_refused_naming_the_list(
    follower, rings, spammer
):
    follow(follower, rings)

    refused = refusal(follower, spammer, "Hello")

    assert refused.code == "ban.shared_list"
    assert refused.message == (
        "You are on the “Spam rings” ban list that this journal follows"
    )
    assert "gardens" not in refused.message
    assert rings.journal.owner.username not in refused.message


def test_a_ban_list_entry_ends_on_its_date(follower, publisher, spammer, writer):
    rings = shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind="bans",
        name="Week off",
        entries=[{"username": "spammer", "until": timezone.now() + timedelta(days=7)}],
    )
    follow(follower, rings)

    refused = refusal(follower, spammer, "Hello")

    assert refused.code == "ban.shared_list" and "until" in refused.message
    assert comment(follower, writer, "Hello").state == "published"


def test_a_ban_list_never_refuses_the_following_journals_moderators(
    follower, publisher
):
    """The list's keeper puts the follower's owner and moderator on it: they
    still comment in their own journal."""
    helper = UserFactory(username="helper")
    follower.moderators.add(helper)
    hostile = shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind="bans",
        name="Hostile",
        entries=[
            {"username": follower.owner.username},
            {"username": "helper"},
        ],
    )
    follow(follower, hostile)

    assert comment(follower, follower.owner, "Still here").state == "published"
    assert comment(follower, helper, "Me too").state == "published"


def test_a_ban_list_shows_its_reason_on_the_post_page_without_a_query(
    follower, rings, spammer, django_assert_num_queries
):
    post = PostFactory(journal=follower)
    client = Client()
    client.force_login(spammer)
    client.get(post.get_absolute_url())  # the session and this process warmed
    before = _queries(client, post)
    page = client.get(post.get_absolute_url())
    follow(follower, rings)
    client.get(post.get_absolute_url())  # the new list version read once

    with django_assert_num_queries(before):
        after = client.get(post.get_absolute_url())

    assert "You are on the “Spam rings” ban list that this journal follows" in (
        after.content.decode()
    )
    assert 'name="body"' not in after.content.decode()
    assert 'name="body"' in page.content.decode()


def _queries(client, post) -> int:
    """The queries the post page takes now."""
    with CaptureQueriesContext(connection) as taken:
        client.get(post.get_absolute_url())
    return len(taken)


def test_ban_lists_through_the_form_refuse_with_the_lists_sentence(
    follower, rings, spammer
):
    follow(follower, rings)
    post = PostFactory(journal=follower)
    client = Client()
    client.force_login(spammer)
    url = reverse(
        "journal:post_comment",
        kwargs={"journal_name": follower.name, "post_id": post.pk},
    )

    response = client.post(url, {"body": "Hello"}, follow=True)

    assert "“Spam rings” ban list" in response.content.decode()
    assert not Comment.objects.filter(post=post).exists()


def test_an_ended_ban_list_subscription_lets_the_account_comment(
    follower, rings, spammer
):
    subscription = follow(follower, rings)
    shared_lists.unsubscribe(subscription=subscription, by=follower.owner)

    assert comment(follower, spammer, "Hello").state == "published"


# The compiled lists ----------------------------------------------------------------


def test_each_list_version_is_read_once_per_process(follower, spam_words):
    follow(follower, spam_words)
    version = spam_words.versions.get()

    first = followed_lists.compiled([version.pk])
    second = followed_lists.compiled([version.pk])

    assert first[0] is second[0]


def test_known_rules_are_reused_while_the_lists_stand(follower, spam_words, writer):
    follow(follower, spam_words)
    comment(follower, writer, "one")
    known = judging._known_rules[follower.pk]

    comment(follower, writer, "two")

    assert judging._known_rules[follower.pk] is known
    assert known.settings.held_words[-1].list_name == "Garden spam"


def test_posting_costs_no_extra_query_with_five_lists_of_two_thousand(
    follower, publisher, writer, django_assert_num_queries
):
    post = PostFactory(journal=follower)

    def post_one(body):
        return journal_services.submit_comment(post=post, author=writer, body=body)

    post_one("Warming up the rules of this journal")
    with CaptureQueriesContext(connection) as without_lists:
        post_one("A comment before any list was followed here")
    for number in range(5):
        words = [
            {"phrase": f"list{number}word{n}", "kind": "hold" if n % 2 else "block"}
            for n in range(2_000)
        ]
        follow(
            follower,
            shared_lists.publish(
                journal=publisher,
                by=publisher.owner,
                kind="words",
                name=f"List {number}",
                entries=words,
            ),
        )
    post_one("The lists are read once in this process")

    with django_assert_num_queries(len(without_lists)):
        published = post_one("A comment with five lists followed by now")
    with django_assert_num_queries(len(without_lists)):
        held = post_one("This one holds list3word1999 in its words")

    assert published.state == CommentState.PUBLISHED
    assert held.state == CommentState.HELD
    assert held.reasons[0]["list"] == "List 3"


def test_the_queue_names_the_list_a_held_word_came_from_escaped(
    follower, publisher, writer
):
    hostile = shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind="words",
        name="<b>Spam</b> & co",
        entries=[{"phrase": "casino", "kind": "hold"}],
    )
    follow(follower, hostile)
    comment(follower, writer, "casino night")
    client = Client()
    client.force_login(follower.owner)

    page = client.get(reverse("moderation:queue"), {"journal": follower.name})

    text = page.content.decode()
    assert "of the shared list “&lt;b&gt;Spam&lt;/b&gt; &amp; co”" in text
    assert "<b>Spam</b>" not in text


def test_a_ban_lists_name_is_escaped_on_the_post_page(follower, publisher, spammer):
    hostile = shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind="bans",
        name="<script>alert(1)</script>",
        entries=[{"username": "spammer"}],
    )
    follow(follower, hostile)
    client = Client()
    client.force_login(spammer)

    page = client.get(PostFactory(journal=follower).get_absolute_url())

    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_an_edit_cannot_step_around_a_ban_list_added_after_the_comment(
    follower, rings, spammer
):
    earlier = comment(follower, spammer, "Hello before the list")
    follow(follower, rings)

    with pytest.raises(journal_services.CommentRefused) as refused:
        journal_services.edit_comment(
            comment=earlier, editor=spammer, body="Now with casino links"
        )

    assert refused.value.code == "ban.shared_list"
    earlier.refresh_from_db()
    assert earlier.body_source == "Hello before the list"


def test_an_edit_is_judged_by_the_words_of_the_lists_followed(
    follower, spam_words, writer
):
    earlier = comment(follower, writer, "A harmless comment")
    follow(follower, spam_words)

    edited = journal_services.edit_comment(
        comment=earlier, editor=writer, body="A harmless casino"
    )

    assert edited.state == CommentState.HELD
