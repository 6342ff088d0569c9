"""Reading journals, posts and comments through the API."""

import pytest

from journal.conf import option
from journal.models import Comment, CommentState
from journal.services import save_post
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory
from tests.journal.test_bounded_pages import CHAIN, shape_parents, store_shape
from tests.journal.test_query_counts import add_thread

pytestmark = pytest.mark.django_db

PAGE = option("COMMENTS_PER_PAGE")


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


def test_comments_come_a_bounded_page_at_a_time_and_a_thread_can_be_asked_for(
    api, post, make_comment, settings
):
    settings.JOURNAL = {"COMMENTS_PER_PAGE": 3}
    roots = [make_comment(post=post, body_source=f"root {i}") for i in range(4)]
    make_comment(post=post, parent=roots[0], body_source="early reply")
    make_comment(post=post, parent=roots[3], body_source="late reply")

    first = api.get(f"/api/posts/{post.pk}/comments/").json()
    second = api.get(first["next"]).json()
    thread = api.get(f"/api/posts/{post.pk}/comments/?thread={roots[3].pk}").json()

    assert set(first) == {"next", "results"}
    assert [c["body_html"] for c in first["results"]] == [
        "root 0",
        "early reply",
        "root 1",
    ]
    assert first["next"] == (
        f"http://testserver/api/posts/{post.pk}/comments/?after={roots[1].pk}"
    )
    assert [c["body_html"] for c in second["results"]] == [
        "root 2",
        "root 3",
        "late reply",
    ]
    assert second["next"] is None
    assert [c["body_html"] for c in thread["results"]] == ["root 3", "late reply"]
    assert thread["next"] is None
    assert api.get(f"/api/posts/{post.pk}/comments/?thread=abc").status_code == 404


@pytest.mark.parametrize(
    ("shape", "size"), [("giant", 400), ("flat", 400), ("chains", 4 * CHAIN)]
)
def test_following_next_lists_every_comment_once_a_bounded_page_at_a_time(
    api, post, shape, size
):
    parents = shape_parents(shape, size)
    comments = store_shape(post, parents)
    # A comment nobody answered: held, it is left out (not a placeholder).
    held = next(c for i, c in enumerate(comments) if i > size // 3 and i not in parents)
    Comment.objects.filter(pk=held.pk).update(state=CommentState.HELD)
    expected = [c.pk for c in sorted(comments, key=lambda c: c.path) if c.pk != held.pk]

    def walk(url):
        listed = []
        while url:
            page = api.get(url).json()
            assert 0 < len(page["results"]) <= PAGE
            listed += [c["id"] for c in page["results"]]
            url = page["next"]
            assert len(listed) <= size, "next goes round in circles"
        return listed

    root = comments[0]
    assert walk(f"/api/posts/{post.pk}/comments/") == expected
    assert walk(f"/api/posts/{post.pk}/comments/?thread={root.pk}") == [
        pk
        for pk in expected
        if pk in {c.pk for c in comments if c.path.startswith(root.path)}
    ]


def test_a_cursor_the_caller_may_not_see_lists_nothing(api, post, make_comment):
    root = make_comment(post=post)
    hidden = make_comment(post=post)
    make_comment(post=post)
    Comment.objects.filter(pk=hidden.pk).update(state=CommentState.HELD)

    response = api.get(f"/api/posts/{post.pk}/comments/?after={hidden.pk}")
    missing = api.get(f"/api/posts/{post.pk}/comments/?after={hidden.pk + 100}")

    assert response.status_code == missing.status_code == 200
    assert response.json() == missing.json() == {"next": None, "results": []}
    assert api.get(f"/api/posts/{post.pk}/comments/?after={root.pk}").json()["results"]


@pytest.mark.parametrize(("page", "status"), [("1", 200), ("2", 404), ("x", 400)])
def test_the_old_page_numbers_keep_the_first_page_only(api, post, page, status):
    assert api.get(f"/api/posts/{post.pk}/comments/?page={page}").status_code == status


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

    # Token, its user, post (with journal and owner), comments, moderator check.
    with django_assert_num_queries(5):
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


@pytest.mark.parametrize(
    ("shape", "size"), [("giant", 1_000), ("flat", 1_000), ("chains", 17 * CHAIN)]
)
def test_anonymous_comment_list_is_two_queries_whatever_the_shape(
    api, post, django_assert_num_queries, shape, size
):
    comments = store_shape(post, shape_parents(shape, size))
    middle = sorted(comments, key=lambda c: c.path)[size // 2]
    root = comments[0]

    for query in ("", f"?after={middle.pk}", f"?thread={root.pk}&after={root.pk}"):
        # The post, and the page of comments (its cursor looked up inside it).
        with django_assert_num_queries(2):
            response = api.get(f"/api/posts/{post.pk}/comments/{query}")
        assert len(response.json()["results"]) <= PAGE
