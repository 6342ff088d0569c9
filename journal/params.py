"""Values read from the query string. An odd id is a 404, like a missing object;
an odd flag is a 400, since guessing would pick an action the caller may not
have meant."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

MAX_DIGITS = 18  # fits a 64-bit id


def optional_id(value: str | None) -> int | None:
    """None for an absent or empty value, the id for digits, else Http404."""
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > MAX_DIGITS or int(value) < 1:
        raise Http404("Bad number in the address.")
    return int(value)


TRUE, FALSE = frozenset({"1", "true"}), frozenset({"0", "false"})


def flag(params, name: str) -> bool:
    """A yes/no parameter: absent is no; 1, true, 0 or false (any case); anything
    else ("null", "yes", "") is a ValidationError naming the parameter."""
    if name not in params:
        return False
    value = params.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationError({name: "Use true or false."}, code="invalid")


def local_path(request, value: str | None) -> str | None:
    """``value`` if it is a path on this site ("/moderation/?tab=held"), else
    None: never another host, and never a bare word that a redirect would take
    for the name of a view."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value
