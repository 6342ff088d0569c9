"""The comment list rendered in Python says what the template filters would."""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from journal.templatetags.comment_list import display_date
from tests.factories import CommentFactory, UserFactory

MONTHS = {n: date_filter(datetime.date(2026, n, 1), "F") for n in range(1, 13)}


@pytest.mark.parametrize("day", [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30, 31])
def test_comment_dates_read_like_the_date_filter(day):
    moment = datetime.datetime(2026, 12, day, 9, 5, tzinfo=datetime.UTC)
    assert display_date(moment, MONTHS) == date_filter(moment, "F jS, Y H:i")


@pytest.mark.django_db
def test_user_text_in_the_comment_list_is_escaped(client, post):
    author = UserFactory(display_name='<b onmouseover="x()">Mallory</b>')
    CommentFactory(
        post=post, author=author, subject="<script>alert(1)</script>", body_source="hi"
    )

    page = client.get(post.get_absolute_url()).content.decode()

    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Mallory&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_comment_times_are_shown_in_the_sites_time_zone(client, post, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    written = datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC)
    CommentFactory(post=post, created_at=written)

    page = client.get(post.get_absolute_url()).content.decode()

    with timezone.override("Europe/Berlin"):
        local = timezone.localtime(written)
    assert f'datetime="{local.isoformat()}"' in page
    assert "July 2nd, 2026 00:30" in page
