"""When the database cannot be reached, readers get a clear 503, not a traceback."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    from journal import views
    from journal.api import views as api_views

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(views, "_get_post", refuse)
    monkeypatch.setattr(api_views.JournalList, "get_queryset", refuse)


def test_a_page_says_try_again_with_503(client, post, database_down):
    response = client.get(post.get_absolute_url())

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert (
        "briefly unavailable; nothing you sent was saved" in response.content.decode()
    )
    assert "Traceback" not in response.content.decode()


def test_the_api_says_try_again_with_a_json_503(client, post, database_down):
    response = client.get("/api/journals/")

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_other_database_errors_are_still_bugs(client, post, monkeypatch):
    from journal import views

    def broken(*args, **kwargs):
        raise OperationalError("no such table: journal_post")

    monkeypatch.setattr(views, "_get_post", broken)
    client.raise_request_exception = False

    assert client.get(post.get_absolute_url()).status_code == 500
