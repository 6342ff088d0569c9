"""Values read from the query string. An odd id is a 404, like a missing object;
an odd flag is a 400, since guessing would pick an action the caller may not
have meant."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

MAX_DIGITS = 18  # fits a 64-bit id
# ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
_WHOLE_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
MAX_PAGE = 2**31 - 1


def whole_number(value: str | None, *, most: int = 2**62) -> int | None:
    """``value`` as a whole number from 1 to ``most``, or None if it is not one."""
    if value is None or not _WHOLE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= most else None


def optional_id(value: str | None) -> int | None:
    """None for an absent or empty value, the id for digits, else Http404."""
    if value in (None, ""):
        return None
    number = whole_number(value)
    if number is None:
        raise Http404("Bad number in the address.")
    return number


TRUE, FALSE = frozenset({"1", "true"}), frozenset({"0", "false"})


def flag(params, name: str) -> bool:
    """A yes/no parameter: absent is no; 1, true, 0 or false (any case); anything
    else ("null", "yes", "") is a ValidationError naming the parameter."""
    if name not in params:
        return False
    if len(params.getlist(name)) > 1:
        raise ValidationError({name: _("Give it once.")}, code="invalid")
    value = params.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationError({name: _("Use true or false.")}, code="invalid")


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
