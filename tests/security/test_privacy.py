"""Logged IP addresses and e-mail addresses: moderators of that journal only."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import create_token
from journal.models import Comment, IpLogging
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

IP, EMAIL = "203.0.113.77", "secret.person@example.org"


@pytest.fixture
def private_data(journal_a, post_a):
    journal_a.ip_logging = IpLogging.ALL
    journal_a.save()
    person = UserFactory(username="private", email=EMAIL)
    published = CommentFactory(post=post_a, author=person, body_source="public words")
    held = hold(CommentFactory(post=post_a, author=person, body_source="held words"))
    Comment.objects.filter(pk__in=[published.pk, held.pk]).update(ip_address=IP)
    return post_a, published, held


def public_urls(post, comment):
    return [
        "/",
        f"/{post.journal.name}/",
        post.get_absolute_url(),
        f"{post.get_absolute_url()}?thread={comment.pk}",
        "/api/journals/",
        f"/api/journals/{post.journal.name}/",
        f"/api/journals/{post.journal.name}/posts/",
        f"/api/posts/{post.pk}/",
        f"/api/posts/{post.pk}/comments/",
        f"/api/comments/{comment.pk}/",
    ]


def fetch(user, url) -> str:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client.get(url).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "reader", "other_moderator", "author"])
def test_ip_and_email_never_show_to_people_who_do_not_moderate_the_journal(
    private_data, mod_b, who
):
    post, published, _held = private_data
    user = {
        "anonymous": None,
        "reader": UserFactory(),
        "other_moderator": mod_b,
        "author": published.author,
    }[who]

    for url in public_urls(post, published):
        body = fetch(user, url)
        assert IP not in body, url
        assert EMAIL not in body, url


def test_moderators_of_the_journal_see_the_logged_ip(private_data, mod_a):
    post, _published, held = private_data

    page = fetch(mod_a, post.get_absolute_url())
    client = APIClient()
    _token, key = create_token(user=mod_a, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    queue = client.get("/api/moderation/queue/").json()["results"]

    assert f"IP {IP}" in page
    assert [item["ip_address"] for item in queue if item["id"] == held.pk] == [IP]
    assert EMAIL not in page


def test_the_api_never_serializes_email_addresses(private_data, mod_a):
    post, published, _ = private_data
    client = APIClient()
    client.force_login(mod_a)

    for url in [
        *public_urls(post, published),
        "/api/moderation/queue/",
        "/api/moderation/log/",
    ]:
        assert EMAIL not in client.get(url).content.decode(), url
