"""Reading journals, posts and comments through the API."""

import pytest

from journal.models import Comment, CommentState
from journal.services import save_post
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory
from tests.journal.test_query_counts import add_thread

pytestmark = pytest.mark.django_db


def test_journals_list_and_detail(api, journal):
    JournalFactory(name="zeta")

    listing = api.get("/api/journals/").json()
    detail = api.get(f"/api/journals/{journal.name}/").json()

    assert [j["name"] for j in listing["results"]] == ["harbour", "zeta"]
    assert detail["owner"]["display_name"] == "Olga Owner"
    assert detail["comment_access"] == "anyone"
    assert api.get("/api/journals/nope/").json() == {
        "code": "not_found",
        "detail": "Not found.",
    }


def test_tags_and_posts_filtered_by_tag(api, journal):
    tagged = save_post(
        post=PostFactory.build(
            journal=journal, title="Tagged", body_source="<p>x</p><script>y</script>"
        ),
        tag_names=["editor's choice"],
    )
    save_post(
        post=PostFactory.build(journal=journal, title="Plain"), tag_names=["other"]
    )

    tags = api.get(f"/api/journals/{journal.name}/tags/").json()["results"]
    posts = api.get(f"/api/journals/{journal.name}/posts/?tag=editors-choice").json()
    detail = api.get(f"/api/posts/{tagged.pk}/").json()

    assert {"name": "editor's choice", "slug": "editors-choice"} in tags
    assert [p["title"] for p in posts["results"]] == ["Tagged"]
    assert detail["body_html"] == "<p>x</p>"
    assert detail["tags"] == [{"name": "editor's choice", "slug": "editors-choice"}]
    assert detail["comment_count"] == 0


def test_comments_come_flat_in_display_order_with_depth(api, post, make_comment):
    first = make_comment(post=post, body_source="first")
    second = make_comment(post=post, body_source="second")
    reply = make_comment(post=post, parent=first, body_source="reply")

    data = api.get(f"/api/posts/{post.pk}/comments/").json()

    assert [(c["id"], c["parent"], c["depth"]) for c in data["results"]] == [
        (first.pk, None, 0),
        (reply.pk, first.pk, 1),
        (second.pk, None, 0),
    ]
    item = data["results"][0]
    assert set(item) == {
        "id",
        "parent",
        "depth",
        "author",
        "author_name",
        "subject",
        "body_html",
        "created",
        "edited",
        "frozen",
        "placeholder",
        "state",
        "revision",
        "reasons",
        "url",
    }
    assert item["author"]["userpic_url"] == "/static/img/default-userpic.svg"
    # A stranger's view.
    assert item["state"] is None and item["reasons"] is None
    assert item["revision"] is None


def test_comments_are_paginated_by_thread_and_a_thread_can_be_asked_for(
    api, post, make_comment
):
    roots = [make_comment(post=post, body_source=f"root {i}") for i in range(27)]
    make_comment(post=post, parent=roots[26], body_source="late reply")

    first = api.get(f"/api/posts/{post.pk}/comments/").json()
    second = api.get(first["next"]).json()
    thread = api.get(f"/api/posts/{post.pk}/comments/?thread={roots[26].pk}").json()

    assert (first["count"], first["pages"], len(first["results"])) == (27, 2, 25)
    assert [c["body_html"] for c in second["results"]] == [
        "root 25",
        "root 26",
        "late reply",
    ]
    assert [c["body_html"] for c in thread["results"]] == ["root 26", "late reply"]
    assert api.get(f"/api/posts/{post.pk}/comments/?thread=abc").status_code == 404


def test_placeholders_and_state_only_where_the_caller_may_see(api, as_user, post):
    author = UserFactory()
    held = CommentFactory(post=post, author=author, body_source="waiting")
    Comment.objects.filter(pk=held.pk).update(
        state=CommentState.HELD,
        reasons=[
            {"code": "links.too_many", "action": "hold", "message": "too many links"}
        ],
    )
    removed = CommentFactory(post=post, body_source="gone")
    CommentFactory(post=post, parent=removed, body_source="still here")
    Comment.objects.filter(pk=removed.pk).update(state=CommentState.SPAM)

    public = api.get(f"/api/posts/{post.pk}/comments/").json()["results"]
    mine = as_user(author).get(f"/api/posts/{post.pk}/comments/").json()["results"]
    owner = as_user(post.journal.owner).get(f"/api/posts/{post.pk}/comments/").json()

    assert [c["body_html"] for c in public] == [None, "still here"]
    assert public[0]["placeholder"] == "Removed by a moderator"
    assert public[0]["author"] is None and public[0]["state"] is None
    held_for_author = next(c for c in mine if c["id"] == held.pk)
    assert held_for_author["state"] == "held"
    assert held_for_author["reasons"][0]["code"] == "links.too_many"
    spam_for_owner = next(c for c in owner["results"] if c["id"] == removed.pk)
    assert spam_for_owner["state"] == "spam"


@pytest.mark.parametrize("count", [10, 500])
def test_comment_list_costs_the_same_queries_however_long(
    api, as_user, post, django_assert_num_queries, count
):
    add_thread(post, count)
    client = as_user(UserFactory())

    # Token, post (with journal and owner), roots, comments, moderator check.
    with django_assert_num_queries(6):
        response = client.get(f"/api/posts/{post.pk}/comments/")

    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 500])
def test_listing_endpoints_cost_the_same_queries_however_many_comments(
    api, post, django_assert_num_queries, count
):
    add_thread(post, count)

    with django_assert_num_queries(4):  # journal, count, page, tags
        api.get(f"/api/journals/{post.journal.name}/posts/?tag=")
    with django_assert_num_queries(2):  # post, tags
        api.get(f"/api/posts/{post.pk}/")


def test_a_held_comment_of_another_journal_is_404_to_its_moderators(
    as_user, mod_a, held_b, mod_b
):
    assert as_user(mod_a).get(f"/api/comments/{held_b.pk}/").status_code == 404
    assert as_user(mod_b).get(f"/api/comments/{held_b.pk}/").json()["state"] == "held"


@pytest.mark.parametrize("count", [10, 500])
def test_anonymous_comment_list_is_three_queries(
    api, post, django_assert_num_queries, count
):
    add_thread(post, count)

    with django_assert_num_queries(3):  # post, top-level paths, the page of comments
        api.get(f"/api/posts/{post.pk}/comments/")
