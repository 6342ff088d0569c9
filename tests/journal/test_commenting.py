"""Posting comments through the reader's web form."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from journal import paths
from journal.models import Comment, CommentAccess
from tests.factories import (
    CommentFactory,
    PostFactory,
    UserFactory,
    human_form_fields,
)
from tests.journal.html_tree import parse

pytestmark = pytest.mark.django_db

ANON_SENTENCE = "Anonymous comments are disabled in this journal"


def comment_url(post):
    return f"/{post.journal.name}/{post.pk}/comment/"


def test_registered_reader_posts_a_comment_and_lands_on_it(reader_client, post):
    response = reader_client.post(
        comment_url(post), {"subject": "Hi", "body": "Nice <b>post</b>\nsecond line"}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{post.get_absolute_url()}?thread={comment.pk}#t{comment.pk}"
    )
    assert comment.author.username == "reader"
    assert comment.body_source == "Nice <b>post</b>\nsecond line"
    assert comment.body_html == "Nice <b>post</b><br>second line"
    page = reader_client.get(response["Location"]).content.decode()
    assert "Your comment was posted." in page
    assert "Nice <b>post</b><br>second line" in page


def test_reply_goes_under_its_parent_one_level_deeper(
    reader_client, post, make_comment
):
    parent = make_comment(post=post)
    grandparent_sibling = make_comment(post=post)

    reader_client.post(comment_url(post), {"body": "a reply", "parent": parent.pk})

    reply = Comment.objects.get(body_source="a reply")
    assert reply.parent == parent
    assert reply.depth == 1
    assert reply.path.startswith(parent.path)
    ordered = list(post.comments.order_by("path").values_list("pk", flat=True))
    assert ordered == [parent.pk, reply.pk, grandparent_sibling.pk]


def test_posting_a_reply_writes_only_the_new_row(reader_client, post, make_comment):
    parent = make_comment(post=post)
    for _ in range(3):
        make_comment(post=post, parent=parent)
    before = list(Comment.objects.values_list("pk", "path", "parent_id"))

    with CaptureQueriesContext(connection) as queries:
        reader_client.post(comment_url(post), {"body": "reply", "parent": parent.pk})

    new = Comment.objects.get(body_source="reply")
    # The insert takes its own id for its path in the same statement (WITH ...).
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))
        or (q["sql"].startswith("WITH") and " INSERT INTO " in q["sql"])
    ]
    comment_writes = [sql for sql in writes if "journal_comment" in sql]
    assert len(comment_writes) == 1  # the insert, its path included
    assert new.path == parent.path + paths.segment(new.pk)
    assert (
        list(Comment.objects.exclude(pk=new.pk).values_list("pk", "path", "parent_id"))
        == before
    )


def test_reply_link_opens_the_form_for_that_comment(
    client, reader_client, post, make_comment
):
    parent = make_comment(post=post, author=UserFactory(display_name="Zed Parent"))

    page = reader_client.get(
        f"{post.get_absolute_url()}?replyto={parent.pk}"
    ).content.decode()

    assert "Reply to Zed Parent" in page
    assert f'name="parent" value="{parent.pk}"' in page


def test_anonymous_visitor_of_registered_only_journal_sees_why_and_no_form(
    client, post
):
    post.journal.comment_access = CommentAccess.REGISTERED
    post.journal.save()

    page = client.get(post.get_absolute_url()).content.decode()

    assert ANON_SENTENCE in page
    assert "/accounts/login/?next=" in page
    assert 'name="body"' not in page


def test_crafted_anonymous_post_is_refused_with_the_same_sentence_and_stores_nothing(
    post,
):
    post.journal.comment_access = CommentAccess.REGISTERED
    post.journal.save()
    client = Client(enforce_csrf_checks=False)

    response = client.post(comment_url(post), {"body": "sneaky"})

    assert response.status_code == 303
    assert ANON_SENTENCE in client.get(response["Location"]).content.decode()
    assert not Comment.objects.exists()


def test_anonymous_visitor_comments_where_everyone_may(client, post):
    response = client.post(
        comment_url(post),
        {
            "body": "hello from nobody",
            "author_name": "Visitor",
            **human_form_fields(post),
        },
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.author is None and comment.author_name == "Visitor"
    assert "Visitor" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("access", "comments_enabled", "sentence"),
    [
        (CommentAccess.MEMBERS, True, "Only members of this journal may comment"),
        (CommentAccess.NOBODY, True, "Comments are turned off in this journal"),
        (CommentAccess.ANYONE, False, "Comments are disabled for this post"),
    ],
)
def test_readers_who_may_not_comment_see_why_and_their_post_is_refused(
    reader_client, post, access, comments_enabled, sentence
):
    post.journal.comment_access = access
    post.journal.save()
    post.comments_enabled = comments_enabled
    post.save()

    page = reader_client.get(post.get_absolute_url()).content.decode()
    response = reader_client.post(comment_url(post), {"body": "let me in"})

    assert sentence in page and 'name="body"' not in page
    assert response.status_code == 303
    assert sentence in reader_client.get(response["Location"]).content.decode()
    assert not Comment.objects.exists()


def test_members_and_moderators_may_comment_in_members_only_journal(
    client, post, reader
):
    post.journal.comment_access = CommentAccess.MEMBERS
    post.journal.save()
    post.journal.members.add(reader)
    moderator = UserFactory()
    post.journal.moderators.add(moderator)

    for user in (reader, moderator, post.journal.owner):
        client.force_login(user)
        assert client.post(comment_url(post), {"body": f"by {user}"}).status_code == 302

    assert Comment.objects.count() == 3


def test_form_requires_a_csrf_token(post, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)

    response = client.post(comment_url(post), {"body": "no token"})

    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Write something before posting."),
        ({"body": "   \n  "}, "Write something before posting."),
        (
            {"body": "x" * 20_001},
            "A comment may be at most 20,000 characters; this one has 20,001.",
        ),
        (
            {"body": "ok", "subject": "s" * 101},
            "A subject may be at most 100 characters.",
        ),
        ({"body": "ok", "parent": "abc"}, "Enter a whole number."),
        (
            {"body": "ok", "parent": "999999"},
            "The comment you are replying to does not exist.",
        ),
        (
            {"body": "ok", "parent": "99999999999999999999999"},
            "The comment you are replying to does not exist.",
        ),
        (
            {"body": "ok", "parent": "-3"},
            "Ensure this value is greater than or equal to 1.",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_the_text_and_stores_nothing(
    reader_client, post, make_comment, data, message
):
    existing = make_comment(post=post)
    before = list(Comment.objects.values_list("pk", "path", "body_source", "state"))

    response = reader_client.post(comment_url(post), data)
    page = reader_client.get(response["Location"]).content.decode()
    tree = parse(page)

    assert response.status_code == 303
    assert response["Location"].endswith("#error-summary")
    assert message in tree.by_id("error-summary").text()
    assert tree.find("title").text().startswith("Error: ")
    assert (
        list(Comment.objects.values_list("pk", "path", "body_source", "state"))
        == before
    )
    if data["body"].strip():  # the text is still in the form
        assert tree.find("textarea", name="body").text() == data["body"].strip()
    assert existing.body_source in page


def test_parent_from_another_post_is_refused(reader_client, post, make_comment):
    foreign_parent = make_comment(post=PostFactory(journal=post.journal))

    response = reader_client.post(
        comment_url(post), {"body": "crossed", "parent": foreign_parent.pk}
    )
    page = reader_client.get(response["Location"]).content.decode()

    assert response.status_code == 303
    assert "The comment you are replying to does not exist." in page
    assert "crossed" in page
    assert not Comment.objects.filter(body_source="crossed").exists()


def test_comment_form_shows_the_length_limit(reader_client, post):
    page = reader_client.get(post.get_absolute_url()).content.decode()

    assert "Up to 20,000 characters." in page
    assert 'maxlength="20000"' in page


def test_posting_to_a_missing_post_or_journal_is_a_404(reader_client, post):
    assert (
        reader_client.post(
            f"/{post.journal.name}/999999/comment/", {"body": "x"}
        ).status_code
        == 404
    )
    assert (
        reader_client.post(f"/nojournal/{post.pk}/comment/", {"body": "x"}).status_code
        == 404
    )
    assert reader_client.get(comment_url(post)).status_code == 405


def test_subjects_and_names_are_plain_text_escaped_on_the_page(client, post):
    client.post(
        comment_url(post),
        {
            "subject": "<b>bold?</b><script>x()</script>",
            "author_name": '<img src=x onerror="alert(1)">',
            "body": "body",
            **human_form_fields(post),
        },
    )

    page = client.get(post.get_absolute_url()).content.decode()

    assert "&lt;b&gt;bold?&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<script>x()" not in page and '<img src=x onerror="alert(1)">' not in page


def test_a_page_shown_again_after_bad_input_still_counts_the_comments(
    reader_client, post
):
    CommentFactory.create_batch(3, post=post)

    response = reader_client.post(comment_url(post), {"body": "   "})

    assert response.status_code == 303
    assert "3 comments" in reader_client.get(response["Location"]).content.decode()


def test_a_null_character_is_refused_in_one_place_and_nothing_stored(
    reader_client, post
):
    response = reader_client.post(comment_url(post), {"body": "nul \x00 inside"})

    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert not Comment.objects.exists()
