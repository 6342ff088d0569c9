"""The post page costs the same number of queries whatever the thread size."""

import pytest
from django.db import connection

from accounts.models import User
from journal import services
from journal.conf import option
from journal.models import Comment
from moderation import spam
from moderation.models import CommentFingerprint
from tests.journal.test_bounded_pages import CHAIN, shape_parents, store_shape

pytestmark = pytest.mark.django_db

PAGE = option("COMMENTS_PER_PAGE")

# Anonymous visitor: the post (with journal, owner, comment count and viewer
# roles), its tags, the page of comments, and the count of what the page leaves
# out (none when it holds them all). No query reads every top-level path.
ANONYMOUS_QUERIES = 4
# A logged-in reader adds the session and the user.
LOGGED_IN_QUERIES = ANONYMOUS_QUERIES + 2
# A thread view reads its focus first.
THREAD_QUERIES = ANONYMOUS_QUERIES + 1


def add_thread(post, count: int) -> None:
    """``count`` comments by distinct registered users, a fifth of them top level."""
    users = User.objects.bulk_create(
        User(username=f"commenter{post.pk}_{i}", display_name=f"Commenter {i}")
        for i in range(count)
    )
    parents: list[Comment] = []
    for index, user in enumerate(users):
        parent = None if index % 5 == 0 or not parents else parents[-1]
        comment = services.store_comment(
            post=post, parent=parent, author=user, body_source=f"comment {index}"
        )
        parents = [comment] if parent is None else [*parents[-4:], comment]


def test_a_page_that_holds_every_comment_counts_nothing(
    client, post, django_assert_num_queries
):
    add_thread(post, 10)

    with django_assert_num_queries(ANONYMOUS_QUERIES - 1):
        response = client.get(post.get_absolute_url())

    assert response.content.decode().count('class="comment ') == 10


@pytest.mark.parametrize("count", [10, 500])
def test_post_page_query_count_is_constant_for_anonymous_visitors(
    client, post, django_assert_max_num_queries, count
):
    add_thread(post, count)

    with django_assert_max_num_queries(ANONYMOUS_QUERIES):
        response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="comment ') == min(count, PAGE)


@pytest.mark.parametrize("count", [10, 500])
def test_post_page_query_count_is_constant_for_logged_in_readers(
    reader_client, post, django_assert_max_num_queries, count
):
    add_thread(post, count)

    with django_assert_max_num_queries(LOGGED_IN_QUERIES):
        response = reader_client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert 'name="body"' in response.content.decode()


@pytest.mark.parametrize("count", [10, 500])
def test_thread_view_query_count_is_constant(
    client, post, django_assert_max_num_queries, count
):
    add_thread(post, count)
    root = post.comments.filter(parent=None).order_by("path").first()

    with django_assert_max_num_queries(THREAD_QUERIES):
        response = client.get(f"{post.get_absolute_url()}?thread={root.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("shape", "size"), [("giant", 2_000), ("flat", 2_000), ("chains", 33 * CHAIN)]
)
def test_every_shape_costs_the_same_queries_on_every_page(
    client, post, django_assert_num_queries, django_assert_max_num_queries, shape, size
):
    comments = store_shape(post, shape_parents(shape, size))
    root, second, deep = comments[0], comments[1], comments[size // 2]
    # Pages that each leave comments out, so each counts them.
    urls = {"": ANONYMOUS_QUERIES}
    if shape == "giant":
        urls[f"?thread={root.pk}"] = THREAD_QUERIES
        urls[f"?thread={root.pk}&after={second.pk}"] = THREAD_QUERIES
    elif shape == "chains":
        urls[f"?thread={root.pk}"] = THREAD_QUERIES
        urls[f"?thread={second.pk}"] = THREAD_QUERIES
        urls[f"?after={root.pk}"] = ANONYMOUS_QUERIES
    else:
        urls[f"?after={root.pk}"] = ANONYMOUS_QUERIES
    for query, expected in urls.items():
        with django_assert_num_queries(expected):
            response = client.get(f"{post.get_absolute_url()}{query}")
        assert response.content.decode().count("comment-more") >= 1, query
        assert response.content.decode().count('class="comment ') <= PAGE, query
    with django_assert_max_num_queries(THREAD_QUERIES):
        response = client.get(f"{post.get_absolute_url()}?replyto={deep.pk}")
    assert response.status_code == 200


def test_listing_pages_have_constant_query_counts(
    client, journal, django_assert_num_queries
):
    from tests.factories import PostFactory

    for _ in range(15):
        services.save_post(
            post=PostFactory.build(journal=journal), tag_names=["a", "b"]
        )

    # Posts (with owner and comment counts), their count for pagination, tags.
    with django_assert_num_queries(3):
        client.get("/")
    # The journal, then the same three.
    with django_assert_num_queries(4):
        client.get(f"/{journal.name}/")


def test_posting_a_comment_through_the_form_costs_a_fixed_number_of_queries(
    reader_client, post, django_assert_num_queries
):
    from tests.factories import CommentFactory

    parent = CommentFactory(post=post)
    url = f"/{post.journal.name}/{post.pk}/comment/"
    reader_client.post(url, {"body": "first, which records the rule-set version"})

    # User (the session comes from the cache), post, parent, the judging query
    # (the latest rule-set version and word list, which confirm the rules this
    # process compiled, the author's standing, frozen ancestors, duplicates,
    # near-duplicates and the spam model's counts), the insert (which takes
    # its own path), plus, on SQLite, the savepoint and release of the
    # transaction the rules are read in, inside the test's own transaction.
    # (The first comment after a change of rules adds one read of them.)
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 7):
        response = reader_client.post(url, {"body": "a reply", "parent": parent.pk})

    assert response.status_code == 302


def test_a_comment_long_enough_to_fingerprint_is_stored_with_it_in_one_write(
    reader_client, post, django_assert_num_queries
):
    url = f"/{post.journal.name}/{post.pk}/comment/"
    reader_client.post(url, {"body": "first, which records the rule-set version"})
    text = "The harbour lights were repaired on Tuesday after the long storm."

    # User, post, the judging query and the insert, which on PostgreSQL writes
    # the fingerprint rows too, with no transaction around it; elsewhere they
    # are one insert more, and a savepoint pair holds it all.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 7):
        response = reader_client.post(url, {"body": text})

    assert response.status_code == 302
    comment = post.comments.get(body_source=text)
    stored = CommentFingerprint.objects.filter(comment=comment)
    assert sorted(stored.values_list("band", flat=True)) == sorted(
        set(spam.shingle_bands(text))
    )
    assert {row.author_key for row in stored} == {f"u{comment.author_id}"}
