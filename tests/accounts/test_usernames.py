"""No account can pass for another: usernames are compared as they look."""

import pytest

from accounts.models import User
from journal.confusables import skeleton
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, username):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": "someone@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("ＯＷＮＥＲ", "owner"),
        ("Owner", "owner"),
        ("оwner", "owner"),  # Cyrillic о
        ("οwnеr", "owner"),  # Greek ο, Cyrillic е
        ("саѕіпо", "casino"),
        ("o\u200bwner", "owner"),
    ],
)
def test_a_name_and_its_disguises_share_one_skeleton(name, looks_like):
    assert skeleton(name) == skeleton(looks_like)


def test_a_name_mixing_alphabets_is_refused_even_when_nobody_has_it(client):
    page = sign_up(client, "pаypal").content.decode()  # Cyrillic а

    assert "Use the letters of one alphabet" in page
    assert not User.objects.exists()


def test_names_in_one_other_alphabet_are_welcome(client):
    assert sign_up(client, "сергей").status_code == 302
    assert User.objects.get().username == "сергей"


def test_the_admin_refuses_a_look_alike_with_a_form_error_not_a_crash(client):
    UserFactory(username="owner")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "оwner",  # Cyrillic о
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert "looks the same as an existing one" in response.content.decode()
    assert User.objects.count() == 2


def test_accounts_made_in_bulk_get_their_keys_too():
    User.objects.bulk_create([User(username="Bulk One"), User(username="bulk_two")])

    assert sorted(User.objects.values_list("username_key", flat=True)) == [
        "bulkone",
        "bulktwo",
    ]
