"""A clear 503 while the database is unreachable, instead of a traceback."""

from __future__ import annotations

import logging

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


class RefuseNullCharactersMiddleware:
    """Refuse a NUL character anywhere in the address, the query string or a form
    field, with one clear 400 for every page and endpoint.

    No text a person writes holds one, PostgreSQL cannot store one, and code
    that never expected one (a filter, a note, a name) would otherwise answer
    500. JSON bodies are checked by the API's parser (journal.api.parsers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_null(request):
            return refuse(
                request,
                _(
                    "The request held a null character (\\0), which no field "
                    "accepts; nothing was saved."
                ),
            )
        return self.get_response(request)


def _holds_null(request) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in key or "\x00" in value for key, value in _items(request.GET)):
        return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return any(
            "\x00" in key or "\x00" in value for key, value in _items(request.POST)
        )
    return False


def _items(query):
    for key, values in query.lists():
        for value in values:
            yield key, value


def refuse(request, message: str, *, status: int = 400):
    """A plain refusal: JSON in the API's error shape, or the 400 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)
