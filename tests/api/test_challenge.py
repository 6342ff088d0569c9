"""Anonymous API comments carry the same signed, timed, single-use proof as the
web form; without it nothing is stored."""

import time

import pytest

from journal.models import Comment
from moderation import antibot
from tests.factories import PostFactory, human_api_fields

pytestmark = pytest.mark.django_db


def comments_url(post):
    return f"/api/posts/{post.pk}/comments/"


def test_a_client_fetches_a_challenge_waits_and_posts_once(api, post):
    fetched = api.get(f"/api/posts/{post.pk}/challenge/")
    data = fetched.json()
    assert fetched.status_code == 200 and fetched["Cache-Control"] == "no-store"
    assert (data["post"], data["wait_seconds"], data["expires_in"]) == (
        post.pk,
        3,
        4 * 3600,
    )
    too_fast = api.post(
        comments_url(post),
        {"body": "hello", "challenge": data["challenge"]},
        format="json",
    )
    assert too_fast.status_code == 403
    assert too_fast.json()["code"] == "antibot.too_fast"

    # The same challenge, a little later (a refusal does not spend it).
    token = antibot.issue(post.pk, time.time() - 10)
    ok = api.post(
        comments_url(post), {"body": "hello", "challenge": token}, format="json"
    )
    again = api.post(
        comments_url(post), {"body": "hello again", "challenge": token}, format="json"
    )

    assert ok.status_code == 201
    assert again.status_code == 403 and again.json()["code"] == "antibot.reused"
    assert list(Comment.objects.values_list("body_source", flat=True)) == ["hello"]


@pytest.mark.parametrize(
    ("challenge", "code"),
    [
        ("", "antibot.invalid_form"),
        ("forged:token", "antibot.invalid_form"),
        ("other post", "antibot.invalid_form"),
        ("expired", "antibot.expired"),
    ],
)
def test_a_missing_forged_foreign_or_stale_challenge_is_refused(
    api, post, challenge, code
):
    if challenge == "other post":
        challenge = human_api_fields(PostFactory())["challenge"]
    elif challenge == "expired":
        challenge = antibot.issue(post.pk, time.time() - 5 * 3600)

    response = api.post(
        comments_url(post), {"body": "hello", "challenge": challenge}, format="json"
    )

    assert response.status_code == 403 and response.json()["code"] == code
    assert not Comment.objects.exists()


def test_a_logged_in_client_needs_no_challenge(as_user, post, reader):
    response = as_user(reader).post(comments_url(post), {"body": "hi"}, format="json")

    assert response.status_code == 201


def test_the_challenge_of_a_missing_post_is_404(api):
    assert api.get("/api/posts/999999/challenge/").status_code == 404
