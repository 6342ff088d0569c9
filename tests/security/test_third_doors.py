"""Ways around the issue-12 defences found by attacking the running site again,
each tried through its door. Every test here failed before its fix."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import AuditEntry, AuthorRestriction, WordRule
from tests.factories import CommentFactory, UserFactory
from tests.journal.test_admin import journal_form_data
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db


# Digits that are not ASCII digits, and numbers too long for int() ---------------


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "9" * 5000])
def test_odd_digits_in_ids_and_pages_are_a_4xx_not_a_500(client, api, post, value):
    urls = [
        f"{post.get_absolute_url()}?thread={value}",
        f"{post.get_absolute_url()}?replyto={value}",
        f"/api/posts/{post.pk}/comments/?page={value}",
        f"/api/posts/{post.pk}/comments/?thread={value}",
        f"/api/journals/?page={value}",
        f"/api/journals/{post.journal.name}/posts/?page={value}",
    ]
    for url in urls:
        assert client.get(url).status_code in (400, 404), url
        assert client.head(url).status_code in (400, 404), url


def test_odd_digits_in_the_queue_and_the_admin_are_not_a_500(client, owner, post):
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    comment_type = ContentType.objects.get_for_model(Comment)
    urls = [
        "/moderation/?post=%C2%B2",
        "/moderation/?after=%C2%B2",
        "/api/moderation/queue/?before=%C2%B2",
        f"/admin/r/{comment_type.pk}/%C2%B2/",
        "/admin/journal/comment/add/?parent=%C2%B2",
        "/admin/journal/comment/?created_at__year=999999999999999999999999",
        "/admin/journal/post/?published_at__year=99999&published_at__month=13",
    ]
    for url in urls:
        assert client.get(url).status_code < 500, url


def test_a_queue_token_with_a_huge_id_says_the_form_was_damaged(client, mod_a):
    client.force_login(mod_a)

    response = client.post(
        "/moderation/act/",
        {"act": "approve:9999999999999999999999999:held:1"},
        follow=True,
    )

    assert response.status_code == 200
    assert "The form was damaged" in response.content.decode()


# The admin never rewrites a ban's person or a word in place ---------------------


def test_the_admin_cannot_move_a_ban_to_another_person(client, owner, journal):
    banned, other = UserFactory(username="banned"), UserFactory(username="other")
    ban = services.restrict_author(journal=journal, user=banned, kind="ban", by=owner)
    client.force_login(owner)
    data = journal_form_data(journal)
    data.update(
        {
            "restrictions-TOTAL_FORMS": 1,
            "restrictions-INITIAL_FORMS": 1,
            "restrictions-0-id": ban.pk,
            "restrictions-0-user": "other",
            "restrictions-0-kind": "screen",
            "restrictions-0-reason": "moved",
        }
    )

    client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    ban.refresh_from_db()
    assert (ban.user, ban.kind, ban.reason) == (banned, "ban", "moved")
    assert not AuthorRestriction.objects.filter(user=other).exists()


def test_the_admin_cannot_rewrite_a_word_in_place(client, owner, journal):
    word = WordRule.objects.create(
        journal=journal, phrase="crypto giveaway", kind="block"
    )
    client.force_login(owner)
    data = journal_form_data(journal)
    data.update(
        {
            "word_rules-TOTAL_FORMS": 1,
            "word_rules-INITIAL_FORMS": 1,
            "word_rules-0-id": word.pk,
            "word_rules-0-phrase": "crypto airdrop",
            "word_rules-0-kind": "hold",
        }
    )

    client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    word.refresh_from_db()
    assert (word.phrase, word.kind) == ("crypto giveaway", "block")


@pytest.mark.parametrize("phrase", ["casino", "Casino", "ＣＡＳＩＮＯ", "cаsino"])
def test_a_word_that_looks_like_one_on_the_list_is_a_form_error(
    client, owner, journal, phrase
):
    WordRule.objects.create(journal=journal, phrase="casino", kind="block")
    client.force_login(owner)
    data = journal_form_data(journal, words=[{"phrase": phrase, "kind": "hold"}])

    response = client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    assert response.status_code == 200
    assert "is already on the lists" in response.content.decode()
    assert WordRule.objects.active().count() == 1


def test_the_settings_api_refuses_look_alike_and_empty_entries_and_takes_its_own_output(
    as_user, owner, journal
):
    api = as_user(owner)
    url = f"/api/journals/{journal.name}/settings/"

    twins = api.patch(
        url,
        {
            "words": [
                {"phrase": "casino", "kind": "block"},
                {"phrase": "cаsino", "kind": "hold"},
            ]
        },
        format="json",
    )
    invisible = api.patch(
        url, {"words": [{"phrase": "\u200b", "kind": "block"}]}, format="json"
    )
    two_lines = api.patch(
        url, {"words": [{"phrase": "a\nb", "kind": "block"}]}, format="json"
    )
    incomplete = api.patch(url, {"words": [{"kind": "block"}]}, format="json")
    assert [r.status_code for r in (twins, invisible, two_lines, incomplete)] == [
        400
    ] * 4

    api.patch(url, {"words": [{"phrase": "casino", "kind": "block"}]}, format="json")
    words = api.get(url).json()["words"]
    assert api.patch(url, {"words": words}, format="json").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"trust_approved_authors": "yes"},
        {"link_limit": "3"},
        {"link_limit": 3.0},
        {"words": [{"phrase": "x", "kind": "block", "substring": "yes"}]},
    ],
)
def test_the_settings_api_takes_the_types_its_schema_names(
    as_user, owner, journal, changes
):
    response = as_user(owner).patch(
        f"/api/journals/{journal.name}/settings/", changes, format="json"
    )

    assert response.status_code == 400


# Moderators, screening, dismissals ----------------------------------------------


def test_a_moderator_cannot_ban_the_owner_or_another_moderator(
    as_user, mod_a, journal_a
):
    other_mod = UserFactory(username="other_mod")
    journal_a.moderators.add(other_mod)

    for username in (journal_a.owner.username, "other_mod"):
        response = as_user(mod_a).post(
            "/api/moderation/restrictions/",
            {"journal": "alpha", "username": username, "kind": "ban"},
            format="json",
        )
        assert response.status_code == 409
    assert not AuthorRestriction.objects.exists()


def test_unscreening_lifts_only_a_moderators_screening(as_user, mod_a, post_a, author):
    held = hold(CommentFactory(post=post_a, author=author))

    response = as_user(mod_a).post(f"/api/comments/{held.pk}/unscreen/")

    assert response.status_code == 409
    held.refresh_from_db()
    assert held.state == CommentState.HELD


def test_dismissing_where_nothing_is_open_logs_nothing(as_user, mod_a, post_a):
    comment = CommentFactory(post=post_a)

    response = as_user(mod_a).post(
        "/api/moderation/dismissals/", {"comments": [comment.pk]}, format="json"
    )

    assert response.json() == {"dismissed": 0}
    assert not AuditEntry.objects.filter(action="report.dismiss").exists()


# Doors of the API and the pages -----------------------------------------------------


def test_the_schema_and_docs_refuse_odd_requests_with_a_4xx(client):
    assert client.get("/api/schema/?version=1%0A").status_code == 400
    assert client.options("/api/docs/").status_code == 405


@override_settings(DEBUG=True)  # where Django's error page read the form again
def test_a_form_in_an_unknown_charset_is_a_400(client):
    response = client.post(
        "/accounts/login/",
        b"a=b",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )

    assert response.status_code == 400


def test_head_keeps_the_one_time_api_key_and_the_messages(client, reader):
    client.force_login(reader)
    client.post("/accounts/me/tokens/", {"name": "script"})

    client.head("/accounts/me/")
    page = client.get("/accounts/me/").content.decode()

    assert "shown only this once" in page


def test_a_flag_given_twice_and_a_body_where_none_is_taken_are_refused(
    as_user, mod_a, post_a
):
    comment = CommentFactory(post=post_a)
    api = as_user(mod_a)

    twice = api.post(f"/api/comments/{comment.pk}/freeze/?preview=true&preview=0")
    broken = api.post(
        f"/api/comments/{comment.pk}/freeze/",
        '{"a": "x"',
        content_type="application/json",
    )
    with_body = api.post(
        f"/api/comments/{comment.pk}/freeze/", {"note": "x"}, format="json"
    )

    assert [twice.status_code, broken.status_code, with_body.status_code] == [400] * 3
    comment.refresh_from_db()
    assert not comment.frozen


@pytest.mark.parametrize("name", ["\u200b", "Ol\u00adga", "\ufeffowner"])
def test_names_with_invisible_characters_are_refused(api, post, name):
    from tests.factories import human_api_fields

    response = api.post(
        f"/api/posts/{post.pk}/comments/",
        {"body": "hi", "name": name, **human_api_fields(post)},
        format="json",
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_token_name_is_one_line(client, reader):
    client.force_login(reader)

    client.post("/accounts/me/tokens/", {"name": "line\nbreak"})

    assert not reader.api_tokens.exists()


def test_queue_bulk_with_a_damaged_token_changes_nothing(client, mod_a, held_a):
    client.force_login(mod_a)

    client.post(
        "/moderation/act/",
        {"bulk": "approve", "selected": [token(held_a), "x:held:1"]},
    )

    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
