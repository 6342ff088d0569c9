"""Every HTML page answers HEAD as it answers GET, without the body, so uptime
checkers see the site up."""

import pytest

from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def pages(post, comment, mod):
    name = post.journal.name
    return {
        "anonymous": [
            "/",
            f"/{name}/",
            f"/{name}/tag/harbour/",
            post.get_absolute_url(),
            f"{post.get_absolute_url()}?thread={comment.pk}",
            "/accounts/login/",
            "/accounts/signup/",
            "/api/journals/",
            f"/api/posts/{post.pk}/comments/",
        ],
        "author": [
            "/accounts/me/",
            f"/{name}/{post.pk}/comments/{comment.pk}/edit/",
            f"/{name}/{post.pk}/comments/{comment.pk}/delete/",
        ],
        "moderator": [
            "/moderation/",
            "/moderation/?tab=decided",
            f"/moderation/thread/{comment.pk}/delete/",
        ],
    }


def test_every_page_answers_head_like_get(client, post):
    from journal.models import Tag

    post.tags.add(
        Tag.objects.create(journal=post.journal, name="harbour", slug="harbour")
    )
    author = UserFactory(username="head_author")
    comment = CommentFactory(post=post, author=author)
    mod = post.journal.owner
    users = {"anonymous": None, "author": author, "moderator": mod}

    for who, urls in pages(post, comment, mod).items():
        if users[who]:
            client.force_login(users[who])
        for url in urls:
            get = client.get(url)
            head = client.head(url)
            assert get.status_code == 200, url
            assert head.status_code == 200, url
            assert head.content == b"", url
            assert head["Content-Type"] == get["Content-Type"], url


def test_head_never_performs_a_moderators_action(client, post):
    comment = CommentFactory(post=post)
    client.force_login(post.journal.owner)

    client.head(f"/moderation/thread/{comment.pk}/delete/")

    comment.refresh_from_db()
    assert comment.state == "published"
