"""Ids read from the query string. Anything odd is a 404, like a missing object."""

from __future__ import annotations

from django.http import Http404

MAX_DIGITS = 18  # fits a 64-bit id


def optional_id(value: str | None) -> int | None:
    """None for an absent or empty value, the id for digits, else Http404."""
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > MAX_DIGITS:
        raise Http404("Bad number in the address.")
    return int(value)
