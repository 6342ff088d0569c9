"""Hostile and broken input: a clear 4xx every time, and nothing stored or changed."""

import pytest
from rest_framework.test import APIClient

from journal.models import Comment, Post
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(post):
    CommentFactory(post=post, body_source="already here")

    def take():
        return (
            list(
                Comment.objects.order_by("pk").values_list("pk", "body_source", "state")
            ),
            list(Post.objects.order_by("pk").values_list("pk", "body_source")),
        )

    return take


def form_url(post):
    return f"/{post.journal.name}/{post.pk}/comment/"


@pytest.mark.parametrize(
    ("label", "data", "status", "message"),
    [
        ("oversized body", {"body": "x" * 3_000_000}, 400, "too large or malformed"),
        ("NUL bytes", {"body": "a\x00b"}, 400, "null character"),
        # What reaches the form is shown again on the post page (303), with the
        # message and the text kept.
        ("over the limit", {"body": "x" * 20_001}, 303, "at most 20,000 characters"),
        (
            "10,000 nested elements",
            {"body": "<blockquote>" * 10_000},
            303,
            "at most 20,000",
        ),
        (
            "100,000 links",
            {"body": "http://a.example.org " * 100_000},
            303,
            "at most 20,000",
        ),
        (
            "huge subject",
            {"body": "ok", "subject": "s" * 100_000},
            303,
            "A subject may be at most 100 characters.",
        ),
        (
            "parent of another type",
            {"body": "ok", "parent": "[]"},
            303,
            "Enter a whole number.",
        ),
    ],
)
def test_the_web_form_answers_bad_input_with_a_clear_message(
    reader_client, post, snapshot, label, data, status, message
):
    before = snapshot()

    response = reader_client.post(form_url(post), data)

    assert response.status_code == status, label
    if status == 303:
        response = reader_client.get(response["Location"])
        assert response.status_code == 200, label
    assert message in response.content.decode(), label
    assert snapshot() == before


def test_invalid_utf8_form_data_is_refused_not_patched_over(
    reader_client, post, snapshot
):
    before = snapshot()

    response = reader_client.post(
        form_url(post),
        b"body=%FF%FEbroken",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "not sent as valid UTF-8" in response.content.decode()
    assert snapshot() == before


def test_deeply_nested_html_within_the_limit_is_cleaned_quickly(reader_client, post):
    response = reader_client.post(form_url(post), {"body": "<b>" * 400 + "deep"})

    assert response.status_code == 302
    assert "deep</b>" in Comment.objects.get(body_source__endswith="deep").body_html


def test_thousands_of_tags_are_refused_clearly_and_nothing_is_stored(
    reader_client, post
):
    response = reader_client.post(form_url(post), {"body": "<b>" * 5000 + "deep"})

    assert response.status_code == 303
    page = reader_client.get(response["Location"]).content.decode()
    assert "more formatting than a comment may: at most 500 tags" in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("label", "body", "content_type", "code"),
    [
        ("invalid UTF-8", b'{"body": "\xff\xfe"}', "application/json", "parse_error"),
        ("not JSON", b"{body: nope", "application/json", "parse_error"),
        ("a list, not an object", b'["body"]', "application/json", "invalid"),
        (
            "unknown field",
            b'{"body": "ok", "bodyy": "typo"}',
            "application/json",
            "invalid",
        ),
        ("wrong type", b'{"body": ["a"]}', "application/json", "invalid"),
        (
            "wrong type for parent",
            b'{"body": "ok", "parent": {"id": 1}}',
            "application/json",
            "invalid",
        ),
        ("NUL byte", b'{"body": "a\\u0000b"}', "application/json", "parse_error"),
        (
            "huge subject",
            b'{"body": "ok", "subject": "' + b"s" * 100_000 + b'"}',
            "application/json",
            "invalid",
        ),
        (
            "oversized body",
            b'{"body": "' + b"x" * 3_000_000 + b'"}',
            "application/json",
            "bad_request",
        ),
        (
            "form encoding",
            b"body=hello",
            "application/x-www-form-urlencoded",
            "unsupported_media_type",
        ),
    ],
)
def test_the_api_answers_bad_input_with_a_clear_json_4xx(
    post, reader, snapshot, label, body, content_type, code
):
    client = APIClient()
    client.force_login(reader)
    before = snapshot()

    response = client.generic(
        "POST", f"/api/posts/{post.pk}/comments/", body, content_type=content_type
    )

    assert 400 <= response.status_code < 500, label
    assert response.json()["code"] == code, (label, response.json())
    assert response.json()["detail"], label
    assert snapshot() == before


def test_the_admin_refuses_a_post_body_over_its_limit(client, owner, journal, snapshot):
    client.force_login(owner)
    before = snapshot()

    response = client.post(
        "/admin/journal/post/add/",
        {
            "journal": journal.pk,
            "title": "Huge",
            "body_source": "x" * 200_001,
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert "A post may be at most 200,000 characters" in response.content.decode()
    assert snapshot() == before
