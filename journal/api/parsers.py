"""The API's JSON parser: DRF's, refusing what no field can hold.

A body nested so deep that Python's parser gives up (RecursionError, which DRF
does not catch), deeper than any request of ours needs, or holding a NUL
character or a lone surrogate in any string or key, is a 400 in the error
format; nothing reaches a view. PostgreSQL can store neither character, and a
serializer never has to think about them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

# The deepest request of ours is a decision: {"items": [{...}]}, depth 3.
MAX_DEPTH = 16


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON nested too deeply.")) from error
        _check(data, depth=0)
        return data


def _check(value, *, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(
            ngettext(
                "JSON nested more than %(depth)s level deep.",
                "JSON nested more than %(depth)s levels deep.",
                MAX_DEPTH,
            )
            % {"depth": MAX_DEPTH}
        )
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check(item, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth=depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("Null characters (\\u0000) are not allowed."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ParseError(
            _("Lone surrogate characters are not allowed: send valid Unicode.")
        ) from error


def no_body(request) -> None:
    """For actions that take no body: a body that does not parse is the parser's
    400, and one that holds anything is refused too, rather than ignored."""
    raw = request._request
    if raw.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        holds = bool(raw.POST or raw.FILES)  # read by the middleware already
    else:
        length = str(raw.META.get("CONTENT_LENGTH") or "0")
        holds = bool(
            length.isascii() and length.isdigit() and int(length) and request.data
        )
    if holds:
        raise ValidationError({"non_field_errors": [_("This action takes no body.")]})
