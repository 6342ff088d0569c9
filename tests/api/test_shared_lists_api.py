"""Shared lists through the API: an owner publishes and changes a list,
another journal's owner follows it and its next comment is judged by it; a
follower reads but never changes it; another journal's subscriptions are a
404; ban lists refuse naming the list; bad input is a 400 that changes
nothing."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import create_token
from journal.models import Comment
from moderation import shared_lists
from moderation.models import (
    AuditEntry,
    RuleSetVersion,
    SharedList,
    SharedListVersion,
    Subscription,
)
from tests.factories import JournalFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = "/api/shared-lists/"
WORDS = {
    "journal": "alpha",
    "kind": "words",
    "name": "Spam words",
    "description": "What spam rings post in gardening journals.",
    "words": [
        {"phrase": "casino", "kind": "hold"},
        {"phrase": "pills", "kind": "block", "substring": True},
    ],
}


@pytest.fixture
def as_user(db):
    """A client of its own for each person (the shared one keeps one token)."""

    def login(user):
        client = APIClient()
        _token, key = create_token(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return login


@pytest.fixture
def alpha_api(as_user, journal_a):
    return as_user(journal_a.owner)


@pytest.fixture
def published(journal_a):
    return shared_lists.publish(
        journal=journal_a,
        by=journal_a.owner,
        kind="words",
        name="Spam words",
        entries=WORDS["words"],
    )


def subscriptions(journal) -> str:
    return f"/api/journals/{journal.name}/subscriptions/"


def test_an_owner_publishes_a_word_list(alpha_api, journal_a):
    response = alpha_api.post(LISTS, WORDS, format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["name"], data["kind"], data["state"], data["version"]) == (
        "Spam words",
        "words",
        "published",
        1,
    )
    assert data["journal"] == "alpha" and data["yours"] is True
    assert data["words"] == [
        {"phrase": "casino", "kind": "hold", "substring": False},
        {"phrase": "pills", "kind": "block", "substring": True},
    ]
    assert data["bans"] is None
    assert AuditEntry.objects.filter(
        journal=journal_a, action="shared_list.publish"
    ).exists()


def test_a_follower_subscribes_and_its_next_comment_is_judged_by_the_list(
    api, as_user, journal_b, published
):
    writer = UserFactory(username="writer")
    post = PostFactory(journal=journal_b)

    followed = as_user(journal_b.owner).post(
        subscriptions(journal_b), {"list": published.pk}, format="json"
    )
    held = as_user(writer).post(
        f"/api/posts/{post.pk}/comments/", {"body": "the casino"}, format="json"
    )
    refused = as_user(writer).post(
        f"/api/posts/{post.pk}/comments/", {"body": "painpills"}, format="json"
    )

    assert followed.status_code == 201
    assert followed.json()["list"] == {
        "id": published.pk,
        "name": "Spam words",
        "kind": "words",
        "journal": "alpha",
    }
    assert held.status_code == 201 and held.json()["state"] == "held"
    (reason,) = held.json()["reasons"]
    assert reason["code"] == "words.held"
    assert refused.status_code == 403
    assert refused.json()["code"] == "words.blocked"
    latest = RuleSetVersion.objects.filter(journal=journal_b).latest()
    assert latest.snapshot["subscriptions"] == [
        [published.pk, 1, "Spam words", "words"]
    ]


def test_the_owner_changes_the_list_and_followers_get_the_new_version(
    alpha_api, as_user, journal_b, published
):
    shared_lists.subscribe(journal=journal_b, shared_list=published, by=None)
    writer = UserFactory(username="writer")
    post = PostFactory(journal=journal_b)

    changed = alpha_api.patch(
        f"{LISTS}{published.pk}/",
        {"words": [{"phrase": "lottery", "kind": "hold"}]},
        format="json",
    )
    comment = as_user(writer).post(
        f"/api/posts/{post.pk}/comments/", {"body": "lottery tips"}, format="json"
    )
    versions = alpha_api.get(f"{LISTS}{published.pk}/versions/").json()
    first = alpha_api.get(f"{LISTS}{published.pk}/versions/1/").json()

    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert comment.json()["state"] == "held"
    assert [v["number"] for v in versions["results"]] == [2, 1]
    assert versions["results"][0]["changes"]["added"] == [["lottery", "hold", False]]
    assert versions["results"][0]["entries"] == 1
    assert first["words"][0] == {"phrase": "casino", "kind": "hold", "substring": False}
    latest = RuleSetVersion.objects.filter(journal=journal_b).latest()
    assert latest.snapshot["subscriptions"][0][1] == 2


def test_a_follower_reads_the_list_but_cannot_change_or_unpublish_it(
    as_user, journal_b, published
):
    shared_lists.subscribe(journal=journal_b, shared_list=published, by=None)
    follower = as_user(journal_b.owner)

    read = follower.get(f"{LISTS}{published.pk}/")
    changed = follower.patch(
        f"{LISTS}{published.pk}/",
        {"words": [{"phrase": "casino", "kind": "allow"}]},
        format="json",
    )
    described = follower.patch(
        f"{LISTS}{published.pk}/", {"description": "Mine now"}, format="json"
    )
    unpublished = follower.post(f"{LISTS}{published.pk}/unpublish/")

    assert read.status_code == 200 and read.json()["yours"] is False
    assert changed.status_code == described.status_code == 403
    assert unpublished.status_code == 403
    assert changed.json()["code"] == "shared_list.read_only"
    published.refresh_from_db()
    assert published.state == "published" and published.description == ""
    assert published.versions.count() == 1


def test_the_journals_moderator_cannot_publish_or_change_its_lists(
    as_user, journal_a, mod_a, published
):
    moderator = as_user(mod_a)

    made = moderator.post(LISTS, WORDS, format="json")
    changed = moderator.patch(
        f"{LISTS}{published.pk}/", {"description": "x"}, format="json"
    )

    assert made.status_code == 404
    assert changed.status_code in (403, 404)
    assert SharedList.objects.count() == 1


def test_someone_who_owns_no_journal_sees_no_lists(as_user, published):
    stranger = as_user(UserFactory(username="stranger"))

    listed = stranger.get(LISTS)
    detail = stranger.get(f"{LISTS}{published.pk}/")

    assert listed.status_code == 200 and listed.json()["results"] == []
    assert detail.status_code == 404


def test_an_unpublished_list_cannot_be_newly_followed(
    alpha_api, as_user, journal_b, published
):
    alpha_api.post(f"{LISTS}{published.pk}/unpublish/")
    owner_b = as_user(journal_b.owner)

    seen = owner_b.get(f"{LISTS}{published.pk}/")
    followed = owner_b.post(
        subscriptions(journal_b), {"list": published.pk}, format="json"
    )
    again = alpha_api.post(f"{LISTS}{published.pk}/unpublish/")

    assert seen.status_code == 404  # never followed: as if missing
    assert followed.status_code == 404
    assert again.status_code == 409
    assert not Subscription.objects.filter(journal=journal_b).exists()


def test_a_list_once_followed_stays_readable_after_unpublishing(
    alpha_api, as_user, journal_b, published
):
    shared_lists.subscribe(journal=journal_b, shared_list=published, by=None)
    alpha_api.post(f"{LISTS}{published.pk}/unpublish/")
    owner_b = as_user(journal_b.owner)

    seen = owner_b.get(f"{LISTS}{published.pk}/")
    followed = owner_b.post(
        subscriptions(journal_b), {"list": published.pk}, format="json"
    )
    listed = owner_b.get(subscriptions(journal_b)).json()["results"]

    assert seen.status_code == 200 and seen.json()["state"] == "unpublished"
    assert followed.status_code == 409
    assert followed.json()["code"] == "shared_list.unpublished"
    assert [(s["active"], s["ended"] is not None) for s in listed] == [(False, True)]


def test_another_journals_subscriptions_are_a_404(
    as_user, journal_a, journal_b, published, mod_b
):
    third = JournalFactory(name="gamma")
    subscription = shared_lists.subscribe(
        journal=journal_b, shared_list=published, by=None
    )
    outsider = as_user(third.owner)
    end = f"{subscriptions(journal_b)}{subscription.pk}/end/"

    listed = outsider.get(subscriptions(journal_b))
    added = outsider.post(subscriptions(journal_b), {"list": published.pk})
    ended = outsider.post(end)
    # The journal's moderator is not its owner: its rules are not theirs.
    moderated = as_user(mod_b).get(subscriptions(journal_b))
    # A subscription id of journal_b through gamma's own address.
    crossed = as_user(third.owner).post(f"{subscriptions(third)}{subscription.pk}/end/")

    assert listed.status_code == added.status_code == ended.status_code == 404
    assert moderated.status_code == 404
    assert crossed.status_code == 404
    subscription.refresh_from_db()
    assert subscription.ended_at is None


def test_ending_a_subscription_keeps_it_and_a_second_end_is_a_409(
    as_user, journal_b, published
):
    subscription = shared_lists.subscribe(
        journal=journal_b, shared_list=published, by=None
    )
    owner_b = as_user(journal_b.owner)
    end = f"{subscriptions(journal_b)}{subscription.pk}/end/"

    first = owner_b.post(end)
    second = owner_b.post(end)

    assert first.status_code == 200 and first.json()["active"] is False
    assert second.status_code == 409
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_following_twice_is_a_409(as_user, journal_b, published):
    owner_b = as_user(journal_b.owner)

    first = owner_b.post(
        subscriptions(journal_b), {"list": published.pk}, format="json"
    )
    second = owner_b.post(
        subscriptions(journal_b), {"list": published.pk}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "subscription.exists"


def test_a_ban_list_refuses_through_the_api_naming_the_list(
    as_user, journal_a, journal_b
):
    spammer = UserFactory(username="spammer")
    rings = as_user(journal_a.owner).post(
        LISTS,
        {
            "journal": "alpha",
            "kind": "bans",
            "name": "Spam rings",
            "bans": [{"username": "spammer", "reason": "Casino links"}],
        },
        format="json",
    )
    as_user(journal_b.owner).post(
        subscriptions(journal_b), {"list": rings.json()["id"]}, format="json"
    )
    post = PostFactory(journal=journal_b)

    refused = as_user(spammer).post(
        f"/api/posts/{post.pk}/comments/", {"body": "Hello"}, format="json"
    )

    assert rings.status_code == 201
    assert rings.json()["bans"] == [
        {"username": "spammer", "until": None, "reason": "Casino links"}
    ]
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "ban.shared_list",
        "detail": "You are on the “Spam rings” ban list that this journal follows",
    }
    assert not Comment.objects.filter(post=post).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**WORDS, "colour": "red"}, "colour"),
        ({**WORDS, "kind": "people"}, "kind"),
        ({**WORDS, "name": ""}, "name"),
        ({**WORDS, "name": "Two\nlines"}, "name"),
        ({**WORDS, "name": 12}, "name"),
        ({**WORDS, "name": "Spam\u200blist"}, "name"),
        ({**WORDS, "kind": {}}, "kind"),
        ({**WORDS, "words": [{"phrase": "x", "kind": "allow"}]}, "words.0.kind"),
        ({**WORDS, "words": [{"phrase": "casino"}]}, "words.0.kind"),
        ({**WORDS, "words": [{"phrase": "a", "kind": "hold", "x": 1}]}, "words.0.x"),
        (
            {**WORDS, "words": [{"phrase": "a", "kind": "hold", "substring": "yes"}]},
            "words.0.substring",
        ),
        (
            {
                **WORDS,
                "words": [
                    {"phrase": "casino", "kind": "hold"},
                    {"phrase": "CASINO", "kind": "block"},
                ],
            },
            "words",
        ),
        ({**WORDS, "words": [{"phrase": "...", "kind": "hold"}]}, "words"),
        ({**WORDS, "bans": [{"username": "owner"}]}, "bans"),
        (
            {
                "journal": "alpha",
                "kind": "bans",
                "name": "B",
                "bans": [{"username": "x"}],
            },
            "bans",
        ),
        (
            {
                "journal": "alpha",
                "kind": "bans",
                "name": "B",
                "bans": [{"username": "mod_a", "until": "2001-01-01T00:00:00Z"}],
            },
            "bans",
        ),
        ({**WORDS, "words": "casino"}, "words.non_field_errors"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    alpha_api, body, field
):
    response = alpha_api.post(LISTS, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not SharedList.objects.exists()
    assert not SharedListVersion.objects.exists()


def test_publishing_from_a_journal_not_yours_is_a_404(as_user, journal_b):
    response = as_user(journal_b.owner).post(LISTS, WORDS, format="json")

    assert response.status_code == 404
    assert not SharedList.objects.exists()


def test_a_change_with_bad_entries_changes_nothing(alpha_api, journal_b, published):
    shared_lists.subscribe(journal=journal_b, shared_list=published, by=None)
    versions = RuleSetVersion.objects.filter(journal=journal_b).count()

    response = alpha_api.patch(
        f"{LISTS}{published.pk}/",
        {"words": [{"phrase": "ok", "kind": "hold"}, {"phrase": "", "kind": "hold"}]},
        format="json",
    )
    empty = alpha_api.patch(f"{LISTS}{published.pk}/", {}, format="json")
    wrong = alpha_api.patch(
        f"{LISTS}{published.pk}/", {"bans": [{"username": "mod_a"}]}, format="json"
    )

    assert response.status_code == empty.status_code == wrong.status_code == 400
    assert published.versions.count() == 1
    assert RuleSetVersion.objects.filter(journal=journal_b).count() == versions


def test_listing_lists_and_subscriptions_costs_a_fixed_number_of_queries(
    as_user, journal_a, journal_b, django_assert_max_num_queries
):
    owner_b = as_user(journal_b.owner)
    for n in range(6):
        shared = shared_lists.publish(
            journal=journal_a,
            by=journal_a.owner,
            kind="words",
            name=f"List {n}",
            entries=[{"phrase": f"word{n}", "kind": "hold"}],
        )
        shared_lists.subscribe(journal=journal_b, shared_list=shared, by=None)

    with django_assert_max_num_queries(6):
        lists = owner_b.get(LISTS)
    with django_assert_max_num_queries(6):
        followed = owner_b.get(subscriptions(journal_b))

    assert len(lists.json()["results"]) == 6
    assert len(followed.json()["results"]) == 6


def test_an_allowed_word_in_the_settings_overrides_the_list_followed(
    as_user, journal_b, published
):
    shared_lists.subscribe(journal=journal_b, shared_list=published, by=None)
    owner_b = as_user(journal_b.owner)
    post = PostFactory(journal=journal_b)

    changed = owner_b.patch(
        "/api/journals/beta/settings/",
        {"words": [{"phrase": "Casino", "kind": "allow"}]},
        format="json",
    )
    posted = as_user(UserFactory(username="writer")).post(
        f"/api/posts/{post.pk}/comments/", {"body": "the casino"}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json()["words"] == [
        {"phrase": "Casino", "kind": "allow", "substring": False}
    ]
    assert posted.status_code == 201 and posted.json()["state"] == "published"
