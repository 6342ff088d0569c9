"""The post page costs the same number of queries whatever the thread size."""

import pytest

from accounts.models import User
from journal import services
from journal.models import Comment

pytestmark = pytest.mark.django_db

# Anonymous visitor: the post (with journal, owner, comment count and viewer
# roles), its tags, the top-level comment paths, and the page of comments.
ANONYMOUS_QUERIES = 4
# A logged-in reader adds the session and the user.
LOGGED_IN_QUERIES = ANONYMOUS_QUERIES + 2


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


@pytest.mark.parametrize("count", [10, 500])
def test_post_page_query_count_is_constant_for_anonymous_visitors(
    client, post, django_assert_num_queries, count
):
    add_thread(post, count)

    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="comment ') == min(count, 25 * 5)


@pytest.mark.parametrize("count", [10, 500])
def test_post_page_query_count_is_constant_for_logged_in_readers(
    reader_client, post, django_assert_num_queries, count
):
    add_thread(post, count)

    with django_assert_num_queries(LOGGED_IN_QUERIES):
        response = reader_client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert 'name="body"' in response.content.decode()


@pytest.mark.parametrize("count", [10, 500])
def test_thread_view_query_count_is_constant(
    client, post, django_assert_num_queries, count
):
    add_thread(post, count)
    root = post.comments.filter(parent=None).order_by("path").first()

    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(f"{post.get_absolute_url()}?thread={root.pk}")

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

    # User (the session comes from the cache), post (with roles), parent, word
    # lists, rule-set version,
    # author standing (which also asks about frozen ancestors, duplicates and
    # near-duplicates), the spam model's counts, insert, path update, plus the
    # transaction's savepoint and release inside the test's own transaction.
    # (A text long enough to fingerprint adds one insert.)
    with django_assert_num_queries(11):
        response = reader_client.post(url, {"body": "a reply", "parent": parent.pk})

    assert response.status_code == 302
