"""Checks for short texts people choose, such as names."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .confusables import INVISIBLE

# Marks that reorder text around them: a name holding one can display as
# another ("mallory\u202erenwo" shows as "mallorywoner"...).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


# Joiners stay allowed: Persian names need the non-joiner, emoji the joiner.
JOINERS = frozenset("\u200c\u200d")


def validate_name(value: str) -> None:
    """A name is one line of visible text: no control characters (line breaks
    included), no line or paragraph separators, no direction overrides, and no
    invisible characters that make one name look like another."""
    for char in value or "":
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ValidationError(
                _("A name is one line of text without control characters."),
                code="control_characters",
            )
        if ord(char) in INVISIBLE and char not in JOINERS:
            raise ValidationError(
                _("A name cannot hold invisible characters."), code="invisible"
            )
