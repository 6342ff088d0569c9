import pytest
from rest_framework.test import APIClient

from accounts.tokens import create_token


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
