"""Guessing passwords across many accounts from one address is slowed down,
never turned into a lockout of other people at that address."""

import pytest
from django.test import override_settings

from accounts import throttles
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GUESSER = "198.51.100.66"


def attempt(client, url, username, password, address=GUESSER):
    client.logout()
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address
    )


@override_settings(AXES_ENABLED=True)
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_guessing_many_accounts_from_one_address_is_spaced_out_not_locked(client, url):
    for n in range(throttles.FAILURES_BEFORE_SLOWING):
        UserFactory(username=f"target{n}", is_staff=True)
        attempt(client, url, f"target{n}", "wrong-guess")
    UserFactory(username="neighbour", is_staff=True)

    # Past the threshold an address gets one attempt every few seconds: the
    # first goes ahead (and a person with the right password gets in)...
    first = attempt(client, url, "neighbour", PASSWORD)
    assert first.status_code == 302
    # ...the next one straight after is asked to wait, with the reason.
    second = attempt(client, url, "neighbour", PASSWORD)
    assert second.status_code == 200
    assert "Too many wrong passwords came from your network" in (
        second.content.decode()
    )
    # Another address is not slowed at all.
    elsewhere = attempt(client, url, "neighbour", PASSWORD, address="192.0.2.10")
    assert elsewhere.status_code == 302


def test_the_count_is_per_address_and_a_right_password_does_not_reset_it(client):
    UserFactory(username="someone")
    for _ in range(3):
        attempt(client, "/accounts/login/", "someone", "wrong")

    assert throttles.failures(GUESSER) == 3
    assert throttles.failures("192.0.2.10") == 0
