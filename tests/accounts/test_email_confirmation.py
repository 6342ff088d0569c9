"""An address gets mail from the site only once its owner confirmed it."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts import confirmation
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, username="newbie", email="newbie@example.org"):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def link_in(message) -> str:
    return re.search(r"http://\S+/accounts/confirm/\S+/", message.body).group(0)


def test_sign_up_asks_for_an_address_and_mails_a_link_that_confirms_on_a_button(
    client,
):
    refused = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status_code == 200 and not User.objects.exists()

    sign_up(client)
    user = User.objects.get(username="newbie")
    [message] = mail.outbox
    assert message.to == ["newbie@example.org"]
    assert user.mail_address == ""
    path = link_in(message).split("127.0.0.1:8000", 1)[1]

    # Opening the link (as a mail scanner would) confirms nothing by itself.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm this address" in page.content.decode()
    user.refresh_from_db()
    assert user.mail_address == ""

    client.post(path)
    user.refresh_from_db()
    assert user.mail_address == "newbie@example.org"


def test_a_link_for_an_old_address_or_a_forged_one_confirms_nothing(client):
    user = UserFactory(username="mover", email="old@example.org", confirmed_email="")
    old_link = confirmation.token_for(user)
    user.email = "new@example.org"
    user.save()

    for token in (old_link, "forged-token"):
        response = client.post(f"/accounts/confirm/{token}/")
        assert response.status_code == 400
    user.refresh_from_db()
    assert user.confirmed_email == ""


def test_changing_the_address_unconfirms_it_and_mails_the_new_one(client):
    user = UserFactory(username="mover", email="old@example.org")
    assert user.mail_address == "old@example.org"
    client.force_login(user)

    client.post("/accounts/me/", {"display_name": "Mover", "email": "new@example.org"})

    user.refresh_from_db()
    assert user.mail_address == ""
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    page = client.get("/accounts/me/").content.decode()
    assert "new@example.org is not confirmed yet" in page


def test_one_address_gets_at_most_one_link_per_ten_minutes(client):
    for n in range(5):
        sign_up(client, username=f"flood{n}", email="victim@example.org")
        client.logout()

    assert len(mail.outbox) == 1
    user = User.objects.get(username="flood0")
    client.force_login(user)
    client.post("/accounts/me/confirm-email/")
    assert len(mail.outbox) == 1

    cache.clear()  # ten minutes later
    client.post("/accounts/me/confirm-email/")
    assert len(mail.outbox) == 2
