import re

import pytest
from django.core.management import call_command

from accounts.models import User
from journal.models import Comment, CommentAccess, Journal, Post

pytestmark = pytest.mark.django_db


def seed() -> str:
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_news_repost_journal_and_an_open_one():
    output = seed()

    news = Journal.objects.get(name="dailydigest")
    post = news.posts.get(title__startswith="Harbour lights")
    body = post.body_html
    assert news.comment_access == CommentAccess.REGISTERED
    assert Journal.objects.get(name="allotment").comment_access == CommentAccess.ANYONE
    assert body.count("<p>") >= 4 and "<blockquote>" in body
    assert (
        len(re.findall(r'<a href="/static/demo/[a-z]+-full\.jpg"[^>]*><img ', body))
        == 2
    )
    assert body.count("Click to see full-size image</figcaption>") == 2
    assert '<iframe src="https://www.youtube-nocookie.com/embed/' in body
    assert ">SOURCE</a>" in body
    assert body.rstrip().endswith("</small></p>") and "©" in body.rsplit("<p>", 1)[1]
    tags = set(post.tags.values_list("name", flat=True))
    assert len(tags) == 8 and "editor's choice" in tags
    assert sum(" " in tag for tag in tags) >= 3
    comments = list(post.comments.all())
    assert len(comments) >= 30
    assert max(comment.depth for comment in comments) >= 4
    for username in ("owner", "moderator", "reader"):
        assert re.search(rf"{username}\s+password: \S+", output)


def test_seed_demo_is_idempotent_and_its_passwords_work(client):
    seed()
    counts = (
        User.objects.count(),
        Journal.objects.count(),
        Post.objects.count(),
        Comment.objects.count(),
    )

    output = seed()

    assert counts == (
        User.objects.count(),
        Journal.objects.count(),
        Post.objects.count(),
        Comment.objects.count(),
    )
    password = re.search(r"reader\s+password: (\S+)", output).group(1)
    assert client.login(username="reader", password=password)


def test_demo_post_page_renders_with_its_threaded_discussion(client):
    seed()
    post = Post.objects.get(title__startswith="Harbour lights")

    page = client.get(post.get_absolute_url()).content.decode()

    assert "Mira Okafor</a>\n    (<a" in page and "dailydigest</a>) wrote," in page
    assert "Anonymous comments are disabled in this journal" in page
    assert 'data-depth="4"' in page
