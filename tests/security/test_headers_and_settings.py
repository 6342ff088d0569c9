"""Security headers, the content security policy and production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/api/journals/", "/admin/login/"]
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_an_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"\sstyle=|<style", text
        ):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="journal.example.org",
        REDIS_URL="redis://127.0.0.1:6379/15",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_use_secure_cookies_hsts_and_https():
    code = (
        "import config.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["True", "True", "31536000", "True", "False"]


def _fail_logins(client, url, times):
    for _ in range(times):
        client.post(
            url,
            {"username": "victim", "password": "wrong-guess"},
            REMOTE_ADDR="198.51.100.20",
        )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_repeated_failed_logins_lock_out_further_attempts(client, url):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="victim", is_staff=True)

    _fail_logins(client, url, 3)
    locked = client.post(
        url, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="198.51.100.20"
    )

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_lockout_does_not_stop_the_same_user_elsewhere_or_others_here(client):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="victim")
    UserFactory(username="bystander")
    _fail_logins(client, "/accounts/login/", 2)

    ok = client.post(
        "/accounts/login/",
        {"username": "bystander", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )

    assert ok.status_code == 302
