"""Lookups compiled once (journal.compiled): the post a comment is written to,
the session's user and an API token's owner. Each must find what the ORM finds,
and nothing the ORM would not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tokens import revoke_token
from journal import services, threads
from journal.compiled import Compiled
from journal.conf import option
from journal.models import CommentState, Post
from tests.factories import JournalFactory, PostFactory


def test_the_post_comes_with_its_journal_and_owner_as_the_orm_builds_them(post):
    found = services.post_to_comment_on(post.pk, "harbour")
    expected = Post.objects.select_related("journal__owner").get(pk=post.pk)

    with CaptureQueriesContext(connection) as later:
        read = (found.title, found.journal.name, found.journal.owner.username)
    assert read == ("Lights on the quay", "harbour", "owner")
    assert not later.captured_queries  # all read by the one query
    assert found == expected and found.journal == expected.journal
    assert found.published_at == expected.published_at  # converted alike
    assert not found._state.adding


def test_a_post_is_found_only_in_its_own_journal(post):
    other = JournalFactory(name="quarry")
    theirs = PostFactory(journal=other)

    assert services.post_to_comment_on(theirs.pk, "harbour") is None
    assert services.post_to_comment_on(post.pk, "quarry") is None
    assert services.post_to_comment_on(post.pk + 10_000, "harbour") is None
    assert services.post_to_comment_on(theirs.pk).journal == other


@pytest.mark.parametrize("post_id", [2**63, 10**30, -(2**63) - 1])
def test_an_id_beyond_64_bits_finds_nothing_without_asking(post, post_id):
    with CaptureQueriesContext(connection) as asked:
        assert services.post_to_comment_on(post_id, "harbour") is None
        assert services.post_to_comment_on(post_id) is None
    assert not asked.captured_queries


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_the_address_is_a_404(client, api, post):
    huge = 10**30
    url = f"/harbour/{huge}/comment/"
    assert client.post(url, {"body": "hello"}).status_code == 404
    response = api.post(f"/api/posts/{huge}/comments/", {"body": "hello"})
    assert response.status_code == 404


def test_a_value_that_cannot_be_traced_is_an_error_when_compiling(db):
    # The journal's name is compiled in, not traced: it would be replayed.
    untraced = Compiled(
        lambda values: Post.objects.filter(pk=values["post_id"], journal__name="x"),
        {"post_id": -1, "name": "\x1fone"},
        {"post_id": -2, "name": "\x1ftwo"},
        slots=[lambda values: values["name"]],
    )
    with pytest.raises(RuntimeError, match="comes from no known value"):
        untraced.query()


def test_a_deactivated_account_is_signed_out_on_its_next_request(client, reader, post):
    client.force_login(reader)
    assert client.get("/").wsgi_request.user == reader
    reader.is_active = False
    reader.save(update_fields=["is_active"])

    assert isinstance(client.get("/").wsgi_request.user, AnonymousUser)


def test_a_changed_password_signs_out_the_other_sessions(client, reader):
    client.force_login(reader)
    reader.set_password("a new one, long enough")
    reader.save()

    assert isinstance(client.get("/").wsgi_request.user, AnonymousUser)


def test_a_revoked_token_is_refused_at_once(api, as_user, reader, post):
    as_user(reader)
    url = f"/api/posts/{post.pk}/comments/"
    assert api.post(url, {"body": "first"}, format="json").status_code == 201

    revoke_token(token=reader.api_tokens.get())

    response = api.post(url, {"body": "second"}, format="json")
    assert response.status_code == 401
    assert post.comments.count() == 1


# A visitor's post page, compiled once -------------------------------------------


def _as_the_orm_lists(post):
    visitor = AnonymousUser()
    listed = threads._listed(
        threads._visible(post, visitor, (), moderates=False), visitor
    )
    return list(listed[: option("COMMENTS_PER_PAGE") + 1])


def _drawn(comment):
    return (
        comment.pk,
        comment.readable,
        comment.depth,
        comment.state,
        comment.body_html,
        comment.author.display_name if comment.author else comment.author_name,
        comment.created_at,
    )


def test_a_visitors_first_page_lists_what_the_orm_lists(post, make_comment):
    root = make_comment(post=post, body_source="root")
    held = make_comment(post=post, parent=root, state=CommentState.HELD)
    make_comment(post=post, parent=held, body_source="below the held one")
    make_comment(post=post, state=CommentState.REJECTED)  # nothing below: hidden
    make_comment(post=post, author=None, author_name="Guest", body_source="guest")
    deleted = make_comment(post=post, state=CommentState.DELETED)
    make_comment(post=post, parent=deleted, body_source="under a deleted one")
    make_comment(post=JournalFactory(name="quarry").posts.create(title="x"))

    page = threads.comment_page(post, AnonymousUser(), moderates=False)

    expected = _as_the_orm_lists(post)
    assert [_drawn(c) for c in page.comments] == [_drawn(c) for c in expected]
    assert [c.readable for c in page.comments] == [
        True, False, True, True, False, True
    ]  # fmt: skip


def test_a_visitors_first_page_says_more_threads_as_the_orm_would(
    post, make_comment, settings
):
    settings.JOURNAL = {**settings.JOURNAL, "COMMENTS_PER_PAGE": 3}
    for number in range(5):
        make_comment(post=post, body_source=f"thread {number}")

    page = threads.comment_page(post, AnonymousUser(), moderates=False)

    assert len(page.comments) == 3  # the page's size, not a size compiled before
    assert page.more_threads is not None and page.more_threads.count == 2


def test_a_visitors_post_page_finds_the_post_only_in_its_journal(client, post):
    theirs = PostFactory(journal=JournalFactory(name="quarry"))

    assert client.get(f"/harbour/{post.pk}.html").status_code == 200
    assert client.get(f"/quarry/{post.pk}.html").status_code == 404
    assert client.get(f"/harbour/{theirs.pk}.html").status_code == 404
    assert client.get(f"/harbour/{10**30}.html").status_code == 404
