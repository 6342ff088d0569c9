"""Shared lists in the admin: an owner publishes and changes a list (each
change a version), reads others' published lists without changing them, and
follows or stops following lists on the journal's page, through the same
services as the API."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from journal import services as journal_services
from moderation import shared_lists
from moderation.models import (
    AuditEntry,
    RuleSetVersion,
    SharedList,
    Subscription,
)
from tests.factories import JournalFactory, PostFactory, UserFactory
from tests.journal.test_admin import journal_form_data

pytestmark = pytest.mark.django_db

ADD = "/admin/moderation/sharedlist/add/"


def change_url(shared) -> str:
    return f"/admin/moderation/sharedlist/{shared.pk}/change/"


def journal_url(journal) -> str:
    return f"/admin/journal/journal/{journal.pk}/change/"


@pytest.fixture
def publisher(db):
    owner = UserFactory(username="publisher", is_staff=True)
    return JournalFactory(name="gardens", owner=owner)


@pytest.fixture
def follower(db):
    owner = UserFactory(username="follower", is_staff=True)
    journal = JournalFactory(name="allotments", owner=owner)
    journal.rate_limit_per_minute = 0
    journal.save()
    return journal


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def spam_words(publisher):
    return shared_lists.publish(
        journal=publisher,
        by=publisher.owner,
        kind="words",
        name="Garden spam",
        entries=[{"phrase": "casino", "kind": "hold"}],
    )


def list_form(shared=None, **fields) -> dict:
    data = {
        "description": "",
        "blocked": "",
        "held": "",
        "bans": "",
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }
    data.update(fields)
    return data


def test_an_owner_publishes_a_word_list_in_the_admin(publisher):
    client = logged_in(publisher.owner)

    response = client.post(
        ADD,
        list_form(
            journal=publisher.pk,
            kind="words",
            name="Garden spam",
            blocked="pills\nspam*",
            held="casino\n\n",
        ),
    )

    assert response.status_code == 302
    shared = SharedList.objects.get()
    assert (shared.journal, shared.kind, shared.created_by) == (
        publisher,
        "words",
        publisher.owner,
    )
    assert shared.versions.get().entries == [
        ["casino", "hold", False],
        ["pills", "block", False],
        ["spam", "block", True],
    ]
    assert AuditEntry.objects.filter(action="shared_list.publish").exists()


def test_a_ban_list_in_the_admin_names_accounts_with_an_end_and_a_reason(publisher):
    UserFactory(username="spammer")
    UserFactory(username="troll")
    client = logged_in(publisher.owner)

    response = client.post(
        ADD,
        list_form(
            journal=publisher.pk,
            kind="bans",
            name="Spam rings",
            bans="spammer | 2099-03-01 | casino links\ntroll",
        ),
    )

    assert response.status_code == 302
    entries = SharedList.objects.get().versions.get().entries
    assert [entry[1:] for entry in entries] == [
        ["spammer", "2099-03-01T00:00:00+00:00", "casino links"],
        ["troll", None, ""],
    ]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "bans", "bans": "nobody_here"}, "No account has the username"),
        ({"kind": "bans", "bans": "publisher | soon"}, "is not a date"),
        ({"kind": "words", "held": "casino\nCASINO"}, "twice"),
        ({"kind": "words", "held": "***"}, "needs letters or digits"),
        ({"kind": "words", "bans": "publisher"}, "A word list holds no accounts"),
    ],
)
def test_bad_entries_in_the_admin_are_form_errors_and_nothing_is_saved(
    publisher, fields, error
):
    client = logged_in(publisher.owner)

    response = client.post(ADD, list_form(journal=publisher.pk, name="Bad", **fields))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not SharedList.objects.exists()


def test_a_name_with_hidden_characters_is_a_form_error(publisher):
    client = logged_in(publisher.owner)

    response = client.post(
        ADD,
        list_form(journal=publisher.pk, kind="words", name="Spam\u202elist", held="x"),
    )

    assert response.status_code == 200
    assert "A name is one line of text" in response.content.decode()
    assert not SharedList.objects.exists()


def test_an_owner_cannot_publish_from_another_owners_journal(publisher, follower):
    client = logged_in(follower.owner)

    response = client.post(
        ADD, list_form(journal=publisher.pk, kind="words", name="X", held="x")
    )

    assert response.status_code == 200  # the form says the choice is not valid
    assert not SharedList.objects.exists()


def test_changing_the_entries_adds_a_version_and_shows_the_history(
    publisher, spam_words
):
    client = logged_in(publisher.owner)

    response = client.post(
        change_url(spam_words),
        list_form(held="casino\nlottery", description="Seen in spring"),
    )
    page = client.get(change_url(spam_words)).content.decode()

    assert response.status_code == 302
    assert list(spam_words.versions.values_list("number", flat=True)) == [2, 1]
    spam_words.refresh_from_db()
    assert (spam_words.name, spam_words.description) == (
        "Garden spam",
        "Seen in spring",
    )
    assert "added: lottery (held)" in page


def test_the_name_and_kind_cannot_be_changed_by_a_forged_post(publisher, spam_words):
    client = logged_in(publisher.owner)

    client.post(
        change_url(spam_words),
        list_form(name="Renamed", kind="bans", journal=0, held="casino"),
    )

    spam_words.refresh_from_db()
    assert (spam_words.name, spam_words.kind, spam_words.journal) == (
        "Garden spam",
        "words",
        publisher,
    )


def test_another_owner_reads_a_published_list_but_cannot_change_it(
    follower, spam_words
):
    client = logged_in(follower.owner)

    page = client.get(change_url(spam_words))
    changed = client.post(change_url(spam_words), list_form(held="mine now"))

    assert page.status_code == 200
    assert "casino" in page.content.decode()
    assert 'name="held"' not in page.content.decode()
    assert changed.status_code == 403
    assert spam_words.versions.count() == 1


def test_an_unpublished_list_of_another_owner_is_not_found(follower, spam_words):
    shared_lists.unpublish(shared_list=spam_words, by=spam_words.journal.owner)
    client = logged_in(follower.owner)

    response = client.get(change_url(spam_words))
    listed = client.get("/admin/moderation/sharedlist/").content.decode()

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "Garden spam" not in listed


def test_unpublishing_from_the_admin_keeps_the_list(publisher, follower, spam_words):
    shared_lists.subscribe(journal=follower, shared_list=spam_words, by=None)
    client = logged_in(publisher.owner)

    client.post(
        "/admin/moderation/sharedlist/",
        {"action": "unpublish_selected", "_selected_action": [spam_words.pk]},
    )

    spam_words.refresh_from_db()
    assert spam_words.state == SharedList.State.UNPUBLISHED
    assert Subscription.objects.get().ended_at is not None


def test_another_owner_cannot_unpublish_through_the_action(follower, spam_words):
    client = logged_in(follower.owner)

    client.post(
        "/admin/moderation/sharedlist/",
        {"action": "unpublish_selected", "_selected_action": [spam_words.pk]},
    )

    spam_words.refresh_from_db()
    assert spam_words.state == SharedList.State.PUBLISHED


def test_the_list_of_lists_costs_the_same_queries_however_many_lists(
    publisher, follower, django_assert_num_queries
):
    def publish(count):
        for n in range(count):
            shared = shared_lists.publish(
                journal=publisher,
                by=publisher.owner,
                kind="words",
                name=f"List {SharedList.objects.count()}",
                entries=[{"phrase": f"word{n}", "kind": "hold"}],
            )
            shared_lists.subscribe(journal=follower, shared_list=shared, by=None)

    publish(2)
    client = logged_in(follower.owner)
    client.get("/admin/moderation/sharedlist/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/moderation/sharedlist/")
    publish(8)

    with django_assert_num_queries(len(few)):
        response = client.get("/admin/moderation/sharedlist/")

    assert response.content.decode().count("List ") >= 10


# Following lists on the journal's page -------------------------------------------


def test_an_owner_follows_a_list_on_the_journal_page_and_its_word_is_held(
    follower, spam_words
):
    client = logged_in(follower.owner)
    writer = UserFactory(username="writer")

    response = client.post(
        journal_url(follower), journal_form_data(follower, follows=[spam_words.pk])
    )
    held = journal_services.submit_comment(
        post=PostFactory(journal=follower), author=writer, body="casino"
    )

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.journal, subscription.created_by) == (
        follower,
        follower.owner,
    )
    assert held.state == "held"
    latest = RuleSetVersion.objects.filter(journal=follower).latest()
    assert latest.snapshot["subscriptions"][0][:2] == [spam_words.pk, 1]
    page = client.get(journal_url(follower)).content.decode()
    assert "following: Garden spam (v1)" in page


def test_the_journal_page_offers_published_lists_of_other_journals_only(
    publisher, follower, spam_words
):
    own = shared_lists.publish(
        journal=follower, by=follower.owner, kind="words", name="Own list"
    )
    gone = shared_lists.publish(
        journal=publisher, by=publisher.owner, kind="words", name="Gone list"
    )
    shared_lists.unpublish(shared_list=gone, by=publisher.owner)
    client = logged_in(follower.owner)

    page = client.get(journal_url(follower)).content.decode()
    forged = client.post(
        journal_url(follower),
        journal_form_data(follower, follows=[own.pk, gone.pk]),
    )

    assert "Garden spam (word list from gardens)" in page
    assert "Own list" not in page and "Gone list" not in page
    assert forged.status_code == 200
    assert not Subscription.objects.exists()


def test_deleting_the_row_stops_following_and_keeps_it(follower, spam_words):
    subscription = shared_lists.subscribe(
        journal=follower, shared_list=spam_words, by=follower.owner
    )
    client = logged_in(follower.owner)
    data = journal_form_data(follower)
    data.update(
        {
            "subscriptions-TOTAL_FORMS": 1,
            "subscriptions-INITIAL_FORMS": 1,
            "subscriptions-0-id": subscription.pk,
            "subscriptions-0-journal": follower.pk,
            "subscriptions-0-DELETE": "on",
        }
    )

    response = client.post(journal_url(follower), data)

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.ended_at is not None
    latest = RuleSetVersion.objects.filter(journal=follower).latest()
    assert "subscriptions" not in latest.snapshot
    assert (
        "stopped: Garden spam (v1)"
        in client.get(journal_url(follower)).content.decode()
    )


def test_another_owner_cannot_follow_lists_for_a_journal(follower, spam_words):
    stranger = UserFactory(username="stranger", is_staff=True)
    JournalFactory(owner=stranger)
    client = logged_in(stranger)

    response = client.post(
        journal_url(follower), journal_form_data(follower, follows=[spam_words.pk])
    )

    assert response.status_code in (302, 403, 404)
    assert not Subscription.objects.exists()
