"""Readers flag comments once, with a reason."""

import pytest

from moderation.models import Report
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_reader_reports_a_comment_once_with_a_reason(client, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    reader = UserFactory()
    client.force_login(reader)
    page = client.get(post_a.get_absolute_url()).content.decode()
    assert f'href="/moderation/report/{comment.pk}/">Report<' in page

    first = client.post(
        f"/moderation/report/{comment.pk}/",
        {"reason": "offensive", "note": "rude"},
        follow=True,
    )
    second = client.post(
        f"/moderation/report/{comment.pk}/", {"reason": "spam"}, follow=True
    )

    assert "Thank you. A moderator will look at it." in first.content.decode()
    assert "You already reported this comment" in second.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.note) == (
        reader,
        "offensive",
        "rude",
    )


def test_a_report_needs_a_reason(client, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    client.force_login(UserFactory())

    response = client.post(f"/moderation/report/{comment.pk}/", {"reason": ""})

    assert response.status_code == 400
    assert "Pick a reason." in response.content.decode()
    assert not Report.objects.exists()


def test_authors_cannot_report_themselves_and_visitors_must_log_in(
    client, post_a, author
):
    comment = CommentFactory(post=post_a, author=author)

    anonymous = client.post(f"/moderation/report/{comment.pk}/", {"reason": "spam"})
    client.force_login(author)
    own = client.post(
        f"/moderation/report/{comment.pk}/", {"reason": "spam"}, follow=True
    )

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert "You cannot report your own comment." in own.content.decode()
    assert not Report.objects.exists()


def test_only_published_comments_can_be_reported(client, held_a):
    client.force_login(UserFactory())

    assert client.get(f"/moderation/report/{held_a.pk}/").status_code == 404
    assert client.get("/moderation/report/999999/").status_code == 404
