import os

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.tokens import create_token
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory

pytest_plugins = ["tests.two_journals", "tests.live_app"]

# Locally, hypothesis explores new examples each run; in CI it replays a fixed
# set, so that a landing never hinges on a lucky draw.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counts live in the cache; no test sees another's. Nor the
    rules a process compiled: a rolled-back test reuses rule-set version ids.
    Nor the language a page was drawn in (LocaleMiddleware leaves it active)."""
    from django.core.cache import caches
    from django.utils import translation

    from moderation import judging, ratelimit

    for alias in ("default", "sessions", "pages"):
        caches[alias].clear()
    ratelimit.reset()
    judging.forget_known_rules()
    yield
    for alias in ("default", "sessions", "pages"):
        caches[alias].clear()
    ratelimit.reset()
    translation.deactivate()


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", display_name="Olga Owner", is_staff=True)


@pytest.fixture
def reader(db):
    return UserFactory(username="reader", display_name="Riley Reader")


@pytest.fixture
def journal(owner):
    return JournalFactory(name="harbour", title="Harbour News", owner=owner)


@pytest.fixture
def post(journal):
    return PostFactory(journal=journal, title="Lights on the quay")


@pytest.fixture
def make_comment():
    return CommentFactory


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    """Authenticate ``api`` with a fresh personal token of ``user``."""

    def login(user):
        _token, key = create_token(user=user, name="tests")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return login
