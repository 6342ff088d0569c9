import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def image_upload(size=(64, 64), fmt="PNG", name="pic.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type=f"image/{fmt.lower()}"
    )


def test_visitor_signs_up_with_username_and_password_and_is_logged_in(client):
    response = client.post(
        "/accounts/signup/?next=/somewhere/",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "next": "/harbour/1.html",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/harbour/1.html"
    assert User.objects.filter(username="newbie").exists()
    assert client.get("/").context["user"].username == "newbie"


def test_sign_up_never_redirects_off_site(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/"


def test_sign_up_errors_are_shown(client):
    UserFactory(username="taken")

    response = client.post(
        "/accounts/signup/", {"username": "taken", "password1": "x", "password2": "y"}
    )

    page = response.content.decode()
    assert "This username looks the same as an existing one" in page
    assert "The two password fields didn’t match." in page


def test_login_and_logout_with_djangos_views(client):
    UserFactory(username="riley")

    response = client.post(
        "/accounts/login/", {"username": "riley", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated

    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_userpic_upload_is_shown_instead_of_the_default(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/accounts/me/",
        {"display_name": "Pic Person", "email": "", "userpic": image_upload()},
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert user.userpic.name.startswith("userpics/")
    assert user.userpic_url.startswith("/media/userpics/")
    assert user.userpic_url in client.get("/accounts/me/").content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "x.png", b"not an image at all", content_type="image/png"
            ),
            "Upload a valid image.",
        ),
        (image_upload(size=(900, 400)), "at most 600×600 pixels"),
        (
            image_upload(fmt="BMP", name="x.bmp"),
            "Upload a PNG, JPEG, GIF or WebP image.",
        ),
    ],
)
def test_bad_userpics_are_refused_with_a_reason(client, upload, message):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/accounts/me/", {"display_name": "", "email": "", "userpic": upload}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.userpic


def test_oversized_userpic_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    buffer = io.BytesIO()
    Image.effect_noise((500, 500), 100).convert("RGB").save(buffer, "PNG")
    assert len(buffer.getvalue()) > 200 * 1024

    response = client.post(
        "/accounts/me/",
        {
            "display_name": "",
            "email": "",
            "userpic": SimpleUploadedFile(
                "big.png", buffer.getvalue(), content_type="image/png"
            ),
        },
    )

    assert "A userpic may be at most 200" in response.content.decode()


def test_an_image_uploaded_under_a_web_page_name_is_refused(client):
    """A valid PNG named .html would be served as a page from our own origin."""
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/accounts/me/",
        {"display_name": "", "email": "", "userpic": image_upload(name="pic.html")},
    )

    assert response.status_code == 200
    assert "File extension “html” is not allowed" in response.content.decode()
    user.refresh_from_db()
    assert not user.userpic
