"""Requests refused before any view: the database unreachable (a clear 503),
and input no field could take (a clear 400)."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into "try again shortly".

    Only connection-level failures (OperationalError, InterfaceError) qualify;
    other database errors are bugs and still reach the normal 500 handling.
    Nothing half-done is kept: each write is one transaction that rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if isinstance(exception, DatabaseError) and _looks_like_a_bug(exception):
            return None
        logger.warning("Database unavailable: %s", exception)
        message = _(
            "The journal is briefly unavailable; nothing you sent was saved. "
            "Please try again in a moment."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "unavailable", "detail": message}, status=503
            )
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _looks_like_a_bug(exception) -> bool:
    # SQLite reports a missing table or column as OperationalError too.
    text = str(exception).lower()
    return "no such table" in text or "no such column" in text or "syntax error" in text


class RefuseUnreadableInputMiddleware:
    """Refuse, in one place and with one clear 400 for every page and endpoint,
    a request no field could take: a NUL character anywhere in the address,
    the query string or a form field, text that is not valid UTF-8 (Django
    would quietly patch it over with U+FFFD), or a form body that cannot be
    read at all (an unknown charset, a broken multipart body).

    No text a person writes holds a NUL, PostgreSQL cannot store one, and code
    that never expected one (a filter, a note, a name) would otherwise answer
    500. JSON bodies are checked by the API's parser (journal.api.parsers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _unreadable(request)
        if problem:
            return refuse(request, problem)
        return self.get_response(request)


def _unreadable(request) -> str:
    null = _(
        "The request held a null character (\\0), which no field accepts; nothing "
        "was saved."
    )
    not_utf8 = _(
        "The request was not sent as valid UTF-8 text; nothing was saved. Please "
        "type it again."
    )
    if "\x00" in request.path:
        return null
    if not _is_utf8_query(request.META.get("QUERY_STRING", "")):
        return not_utf8
    if any("\x00" in key or "\x00" in value for key, value in _items(request.GET)):
        return null
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return ""
    if request.content_type == FORM_TYPES[0]:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return not_utf8
        if not _is_utf8_query(body):
            return not_utf8
    try:
        fields = list(_items(request.POST))
    except (BadRequest, LookupError, UnicodeError, ValueError):
        return _("The form could not be read; nothing was saved.")
    if any("\x00" in key or "\x00" in value for key, value in fields):
        return null
    return ""


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_utf8_query(raw: str) -> bool:
    """Whether a percent-encoded string decodes as UTF-8 (it arrives as ASCII)."""
    try:
        parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _items(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


def refuse(request, message: str, *, status: int = 400):
    """A plain refusal: JSON in the API's error shape, or the 400 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


class HeadChangesNothingMiddleware:
    """Answer HEAD exactly as GET but keep nothing it would have changed: the
    session (a one-time API key shown on the account page) and the messages a
    page shows once. Placed after the session and message middleware, so that
    it runs before they save."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            session = getattr(request, "session", None)
            if session is not None:
                session.modified = False
            storage = getattr(request, "_messages", None)
            if storage is not None:
                storage.used = False
        return response
