"""Settings for the test suite: the real settings with fast, isolated pieces."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE", "0")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="journal-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks (mail, training) run right away, after commit, into mail.outbox; the
# tests of the queue itself switch to the database backend or a dummy one.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT = tempfile.mkdtemp(prefix="journal-test-static-")
WHITENOISE_USE_FINDERS = True
# Tests share nothing through the cache unless a test asks for Redis itself.
# Local memory's default size (300 keys), so that a test can show that sessions
# never push the rule's keys out of it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sessions",
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
    },
}
# Login lockout is switched on by the tests that check it (Django's test client
# logs in without a request, which django-axes refuses).
AXES_ENABLED = False
# Pages are read fresh in tests, which change data behind the services' backs;
# tests/journal/test_page_cache.py turns the anonymous page cache on.
JOURNAL = {**JOURNAL, "PAGE_CACHE": False}  # noqa: F405
