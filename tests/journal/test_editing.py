"""Authors edit within the window (re-judged, old text kept) and delete their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import Comment, CommentRevision, CommentState
from moderation.models import WordRule
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_comment(post, reader):
    return CommentFactory(post=post, author=reader, body_source="first <b>draft</b>")


def edit_url(comment):
    return f"/{comment.post.journal.name}/{comment.post.pk}/comments/{comment.pk}/edit/"


def delete_url(comment):
    return (
        f"/{comment.post.journal.name}/{comment.post.pk}/comments/{comment.pk}/delete/"
    )


def test_author_edits_within_the_window_and_the_old_text_is_kept(
    reader_client, own_comment
):
    page = reader_client.get(own_comment.post.get_absolute_url()).content.decode()
    assert f'href="{edit_url(own_comment)}">Edit</a>' in page

    response = reader_client.post(
        edit_url(own_comment), {"subject": "Fixed", "body": "second <i>take</i>\nnow"}
    )

    own_comment.refresh_from_db()
    assert response.status_code == 302
    assert own_comment.body_source == "second <i>take</i>\nnow"
    assert own_comment.body_html == "second <i>take</i><br>now"
    assert own_comment.subject == "Fixed"
    assert own_comment.revision == 2 and own_comment.edited_at is not None
    revision = CommentRevision.objects.get(comment=own_comment)
    assert (revision.number, revision.body_source) == (1, "first <b>draft</b>")
    assert "(edited)" in reader_client.get(response["Location"]).content.decode()


def test_an_edit_runs_the_rules_again(reader_client, own_comment):
    own_comment.post.journal.trust_approved_authors = False
    # The word list alone: the spam model has its own tests.
    own_comment.post.journal.spam_threshold = 0
    own_comment.post.journal.save()
    WordRule.objects.create(
        journal=own_comment.post.journal, phrase="free money", kind="hold"
    )

    reader_client.post(edit_url(own_comment), {"body": "now with free money"})

    own_comment.refresh_from_db()
    assert own_comment.state == CommentState.HELD
    assert [r["code"] for r in own_comment.reasons] == ["words.held"]


def test_an_edit_that_is_held_is_found_in_the_queue_under_its_rule(
    client, reader, own_comment
):
    journal = own_comment.post.journal
    journal.trust_approved_authors = False
    journal.save()
    WordRule.objects.create(journal=journal, phrase="free money", kind="hold")
    client.force_login(reader)
    client.post(edit_url(own_comment), {"body": "now with free money"})
    client.force_login(journal.owner)

    by_rule = client.get("/moderation/?rule=words.held").content.decode()
    by_other_rule = client.get("/moderation/?rule=links.too_many").content.decode()

    assert "now with free money" in by_rule
    assert "now with free money" not in by_other_rule


def test_an_edit_refused_by_a_rule_changes_nothing(reader_client, own_comment):
    WordRule.objects.create(
        journal=own_comment.post.journal, phrase="casino", kind="block"
    )

    response = reader_client.post(edit_url(own_comment), {"body": "casino time"})

    own_comment.refresh_from_db()
    assert response.status_code == 403
    assert "“casino” is not allowed in this journal" in response.content.decode()
    assert own_comment.body_source == "first <b>draft</b>" and own_comment.revision == 1
    assert not CommentRevision.objects.exists()


def test_no_edit_after_the_window(reader_client, own_comment):
    Comment.objects.filter(pk=own_comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    response = reader_client.post(edit_url(own_comment), {"body": "too late"})

    assert response.status_code == 403
    assert (
        "Comments can be edited for 15 minutes after posting"
        in response.content.decode()
    )
    own_comment.refresh_from_db()
    assert own_comment.body_source == "first <b>draft</b>"


def test_no_edit_once_someone_replied(reader_client, own_comment):
    CommentFactory(post=own_comment.post, parent=own_comment)

    page = reader_client.get(own_comment.post.get_absolute_url()).content.decode()
    response = reader_client.post(edit_url(own_comment), {"body": "changed my mind"})

    assert f'href="{edit_url(own_comment)}"' not in page
    assert response.status_code == 403
    assert "Someone has replied" in response.content.decode()


def test_only_the_author_can_edit_or_delete_and_others_get_a_404(client, own_comment):
    for user in (None, UserFactory(), own_comment.post.journal.owner):
        if user:
            client.force_login(user)
        assert client.get(edit_url(own_comment)).status_code == 404
        assert client.post(edit_url(own_comment), {"body": "hijack"}).status_code == 404
        assert client.post(delete_url(own_comment)).status_code == 404
    own_comment.refresh_from_db()
    assert own_comment.body_source == "first <b>draft</b>"
    assert own_comment.state == CommentState.PUBLISHED


def test_author_deletes_own_comment_and_the_row_stays(reader_client, own_comment):
    reply = CommentFactory(
        post=own_comment.post, parent=own_comment, body_source="a reply"
    )
    count = Comment.objects.count()

    confirm = reader_client.get(delete_url(own_comment))
    response = reader_client.post(delete_url(own_comment))

    own_comment.refresh_from_db()
    assert (
        confirm.status_code == 200
        and "Delete your comment?" in confirm.content.decode()
    )
    assert response.status_code == 302
    assert own_comment.state == CommentState.DELETED
    assert Comment.objects.count() == count
    page = reader_client.get(own_comment.post.get_absolute_url()).content.decode()
    assert "Deleted comment" in page and reply.body_source in page
    assert "first <b>draft</b>" not in page


def test_edit_form_keeps_the_text_on_bad_input(reader_client, own_comment):
    response = reader_client.post(
        edit_url(own_comment), {"subject": "s" * 101, "body": "kept"}
    )

    assert response.status_code == 400
    assert "A subject may be at most 100 characters." in response.content.decode()
    assert "kept" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.revision == 1
