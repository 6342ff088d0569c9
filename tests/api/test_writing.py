"""Commenting, editing, flagging and tokens through the API."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import create_token
from journal.models import Comment, CommentAccess
from moderation.models import Report, WordRule
from tests.factories import CommentFactory, UserFactory, human_api_fields

pytestmark = pytest.mark.django_db


def comments_url(post):
    return f"/api/posts/{post.pk}/comments/"


def test_posting_returns_201_with_the_comment_and_its_state(as_user, post, reader):
    response = as_user(reader).post(
        comments_url(post),
        {"body": "Hello <b>there</b>\nbye", "subject": "Hi"},
        format="json",
    )

    data = response.json()
    assert response.status_code == 201
    assert data["state"] == "published" and data["reasons"] == []
    assert data["body_html"] == "Hello <b>there</b><br>bye"
    assert data["author"]["display_name"] == "Riley Reader"
    assert Comment.objects.get().body_source == "Hello <b>there</b>\nbye"


def test_a_held_comment_comes_back_held_with_its_reasons(as_user, post, reader):
    post.journal.trust_approved_authors = False
    post.journal.link_limit = 2
    post.journal.save()

    response = as_user(reader).post(
        comments_url(post),
        {"body": "see https://a.example.org https://b.example.org"},
        format="json",
    )

    data = response.json()
    assert response.status_code == 201 and data["state"] == "held"
    assert data["reasons"][0]["code"] == "links.too_many"


def test_an_author_is_told_why_but_not_which_list_entry_held_it(as_user, post, reader):
    """The web page shows the list entry to moderators only; so does the API,
    or a spammer could read a journal's held words off the responses."""
    WordRule.objects.create(
        journal=post.journal, phrase="casin", kind="hold", substring=True
    )
    client = as_user(reader)

    created = client.post(comments_url(post), {"body": "casinos"}, format="json")
    detail = client.get(f"/api/comments/{created.json()['id']}/")

    for data in (created.json(), detail.json()):
        reason = data["reasons"][0]
        assert reason["code"] == "words.held" and "casin" in reason["message"]
        assert "entry" not in reason and "matched" not in reason


def test_replies_and_anonymous_names(api, post, make_comment):
    parent = make_comment(post=post)

    response = api.post(
        comments_url(post),
        {
            "body": "anon reply",
            "parent": parent.pk,
            "name": "Visitor",
            **human_api_fields(post),
        },
        format="json",
    )

    data = response.json()
    assert response.status_code == 201
    assert (data["parent"], data["depth"], data["author"], data["author_name"]) == (
        parent.pk,
        1,
        None,
        "Visitor",
    )


def test_refusals_are_403_with_the_rule_code_and_the_form_sentence(api, post):
    post.journal.comment_access = CommentAccess.REGISTERED
    post.journal.save()

    response = api.post(comments_url(post), {"body": "let me in"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "access.anonymous_disabled",
        "detail": "Anonymous comments are disabled in this journal",
    }
    assert not Comment.objects.exists()


def test_the_rate_limit_is_429_with_retry_after(as_user, post, reader):
    post.journal.rate_limit_per_minute = 1
    post.journal.save()
    client = as_user(reader)

    client.post(comments_url(post), {"body": "one"}, format="json")
    response = client.post(comments_url(post), {"body": "two"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "rate.limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].endswith(
        f"try again in {response['Retry-After']} seconds"
    )


@pytest.mark.parametrize(
    ("payload", "field", "detail"),
    [
        ({"body": ""}, "body", "Write something before posting."),
        (
            {"body": "x" * 20_001},
            "body",
            "A comment may be at most 20,000 characters; this one has 20,001.",
        ),
        (
            {"body": "ok", "subject": "s" * 101},
            "subject",
            "A subject may be at most 100 characters.",
        ),
        ({"body": "ok", "parent": "first"}, "parent", "A valid integer is required."),
        ({"subject": "no body"}, "body", "This field is required."),
        ({"body": 12}, "body", "Not a valid string."),
    ],
)
def test_invalid_input_is_400_with_a_clear_message(api, post, payload, field, detail):
    response = api.post(comments_url(post), payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"] == detail
    assert field in response.json()["errors"]
    assert not Comment.objects.exists()


def test_malformed_json_is_a_400_not_a_500(api, post):
    response = api.generic(
        "POST", comments_url(post), "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_posting_to_a_missing_post_is_404(api):
    assert (
        api.post(
            "/api/posts/999999/comments/", {"body": "x"}, format="json"
        ).status_code
        == 404
    )


def test_the_author_edits_within_the_window_and_a_revision_is_kept(
    as_user, post, reader
):
    comment = CommentFactory(post=post, author=reader, body_source="first")

    response = as_user(reader).patch(
        f"/api/comments/{comment.pk}/", {"body": "second"}, format="json"
    )

    comment.refresh_from_db()
    assert response.status_code == 200 and response.json()["body_html"] == "second"
    assert comment.revision == 2 and comment.revisions.get().body_source == "first"


def test_edits_after_the_window_are_refused_with_a_reason(as_user, post, reader):
    comment = CommentFactory(post=post, author=reader)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )

    response = as_user(reader).patch(
        f"/api/comments/{comment.pk}/", {"body": "late"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "edit.window_closed"


def test_only_the_author_edits_or_deletes_others_get_404(as_user, post, reader):
    comment = CommentFactory(post=post, author=reader)
    stranger = as_user(UserFactory())

    assert (
        stranger.patch(
            f"/api/comments/{comment.pk}/", {"body": "x"}, format="json"
        ).status_code
        == 404
    )
    assert stranger.delete(f"/api/comments/{comment.pk}/").status_code == 404
    assert APIClient().delete(f"/api/comments/{comment.pk}/").status_code == 401


def test_the_author_deletes_their_comment_and_the_row_stays(as_user, post, reader):
    comment = CommentFactory(post=post, author=reader)

    response = as_user(reader).delete(f"/api/comments/{comment.pk}/")

    comment.refresh_from_db()
    assert response.status_code == 204
    assert comment.state == "deleted"


def test_readers_flag_a_comment_once(as_user, post, reader):
    comment = CommentFactory(post=post)
    client = as_user(reader)

    first = client.post(
        f"/api/comments/{comment.pk}/flag/", {"reason": "offensive"}, format="json"
    )
    second = client.post(
        f"/api/comments/{comment.pk}/flag/", {"reason": "spam"}, format="json"
    )
    bad = client.post(
        f"/api/comments/{comment.pk}/flag/", {"reason": "boring"}, format="json"
    )

    assert first.status_code == 201 and first.json()["reason"] == "offensive"
    assert second.status_code == 409 and second.json()["code"] == "report.duplicate"
    assert bad.status_code == 400
    assert Report.objects.count() == 1


def test_session_writes_need_the_csrf_token(post, reader):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reader)

    response = client.post(comments_url(post), {"body": "no token"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_tokens_are_made_and_revoked_on_the_account_page(client, post, reader):
    client.force_login(reader)

    client.post("/accounts/me/tokens/", {"name": "my script"})
    page = client.get("/accounts/me/").content.decode()
    token = ApiToken.objects.get()
    key = page.split('class="token-key">')[1].split("<")[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert (
        token.name == "my script"
        and token.key_hash != key
        and key not in token.prefix * 2
    )
    assert key not in client.get("/accounts/me/").content.decode()  # shown once
    assert (
        api.post(comments_url(post), {"body": "via token"}, format="json").status_code
        == 201
    )
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    revoked = api.post(comments_url(post), {"body": "after revoke"}, format="json")
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "authentication_failed"


def test_tokens_from_the_command_line(post, reader):
    out = StringIO()
    call_command("api_token", "create", "reader", "--name", "cli", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (
        api.post(comments_url(post), {"body": "from cli"}, format="json").status_code
        == 201
    )

    call_command(
        "api_token", "revoke", str(ApiToken.objects.get().pk), stdout=StringIO()
    )

    assert (
        api.post(comments_url(post), {"body": "again"}, format="json").status_code
        == 401
    )


def test_a_token_shows_when_it_was_last_used_to_the_minute(client, post, reader):
    token, key = create_token(user=reader, name="phone")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    api.get("/api/journals/")
    token.refresh_from_db()
    first = token.last_used_at
    api.get("/api/journals/")
    token.refresh_from_db()
    within_the_minute = token.last_used_at
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first - timedelta(minutes=5)
    )
    api.get("/api/journals/")
    token.refresh_from_db()

    assert first is not None and within_the_minute == first
    assert token.last_used_at > first
    client.force_login(reader)
    assert "last used 0" in client.get("/accounts/me/").content.decode()


def test_a_garbage_token_is_401_not_500(api, post):
    for header in ("Token", "Token a b", "Token \xff", "Bearer nope"):
        api.credentials(HTTP_AUTHORIZATION=header)
        assert api.get("/api/journals/").status_code == 401


def test_posting_through_the_api_costs_a_fixed_number_of_queries(
    as_user, post, reader, make_comment, django_assert_num_queries
):
    parent = make_comment(post=post)
    client = as_user(reader)
    client.post(
        comments_url(post), {"body": "records the rule-set version"}, format="json"
    )

    # Token lookup (its last-used stamp was written a moment ago), post, parent,
    # the judging query (rule-set version and word list, author standing, frozen
    # ancestors, duplicates, near-duplicates, the spam model's counts), the
    # insert with its path; on SQLite also the savepoint pair of the
    # transaction the rules are read in (journal.services.submit_comment).
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 7):
        response = client.post(
            comments_url(post), {"body": "reply", "parent": parent.pk}, format="json"
        )

    assert response.status_code == 201


def test_a_null_character_anywhere_in_the_json_is_a_400_and_nothing_stored(api, post):
    response = api.post(
        comments_url(post),
        '{"body": "a\\u0000b"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "Null characters" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_a_reply_to_a_missing_comment_is_a_404_that_says_so(api, post):
    response = api.post(
        comments_url(post),
        {"body": "ok", "parent": 999999, **human_api_fields(post)},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "The comment you are replying to does not exist."
    )
    assert not Comment.objects.exists()
