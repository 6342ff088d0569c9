"""Dates as the pages write them, in the reader's language.

English keeps the site's own layouts ("May 3rd, 2026 09:05", "May 3, 2026");
every other language writes dates as Django's formats for it say, with its own
month names and order (Russian: "3 мая 2026 г. 9:05", "3 мая 2026 г.").

In Django templates: ``{% load journal_dates %}``, then ``{{ moment|datetime_text
}}`` or ``{{ moment|date_text }}``. The comment list and the moderation queue,
which write a date for each of thousands of comments, take ``month_names()``
once per page and call ``display_date`` for each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.utils import dateformat
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP
from django.utils.formats import get_format
from django.utils.translation import get_language

register = template.Library()

# The site's English layouts, by the Django format setting each stands for.
ENGLISH_LAYOUTS = {"DATETIME_FORMAT": "F jS, Y H:i", "DATE_FORMAT": "M j, Y"}
ORDINALS = {1: "st", 2: "nd", 3: "rd"}
# The letters Django's date formats give a meaning (django.utils.dateformat);
# any other character is written as it is.
FORMAT_CHARS = frozenset("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ")


def layout(name: str = "DATETIME_FORMAT") -> str:
    """The date format ``name`` ("DATETIME_FORMAT" or "DATE_FORMAT") in the
    active language."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == "en":
        return ENGLISH_LAYOUTS[name]
    return get_format(name)


def ordinal_suffix(day: int) -> str:
    """English "st", "nd", "rd" or "th" after a day, as Django's "S" writes it."""
    return "th" if 10 < day % 100 < 14 else ORDINALS.get(day % 10, "th")


def _names(names: Mapping, *, title: bool = False) -> Callable:
    looked_up = {number: str(name) for number, name in names.items()}
    if title:
        looked_up = {number: name.title() for number, name in looked_up.items()}
    return lambda moment: looked_up[moment.month]


class DateLayout:
    """A date format compiled once per page: each date then costs a few string
    operations instead of a run of Django's general formatter (``dateformat``,
    which the format still falls back to if it holds anything else)."""

    def __init__(self, date_format: str):
        fields = {
            "d": lambda moment: f"{moment.day:02}",
            "j": lambda moment: str(moment.day),
            "S": lambda moment: ordinal_suffix(moment.day),
            "m": lambda moment: f"{moment.month:02}",
            "n": lambda moment: str(moment.month),
            "F": _names(MONTHS),
            "E": _names(MONTHS_ALT),
            "N": _names(MONTHS_AP),
            "b": _names(MONTHS_3),
            "M": _names(MONTHS_3, title=True),
            "Y": lambda moment: f"{moment.year:04}",
            "H": lambda moment: f"{moment.hour:02}",
            "G": lambda moment: str(moment.hour),
            "i": lambda moment: f"{moment.minute:02}",
        }
        self.date_format = date_format
        self._pieces: list[str | Callable] | None = []
        escaped = False
        for char in date_format:
            if escaped:
                self._pieces.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in fields:
                self._pieces.append(fields[char])
            elif char in FORMAT_CHARS:
                self._pieces = None  # a field this class does not write
                break
            else:
                self._pieces.append(char)

    def __call__(self, moment) -> str:
        if self._pieces is None:
            return dateformat.format(moment, self.date_format)
        return "".join(
            [
                piece if piece.__class__ is str else piece(moment)
                for piece in self._pieces
            ]
        )


def month_names() -> DateLayout:
    """The active language's layout of a date and time, with its month names,
    for ``display_date``: made once per page. (Named for what it once held;
    the moderation queue imports it by this name.)"""
    return DateLayout(layout("DATETIME_FORMAT"))


def display_date(moment, months) -> str:
    """``moment`` as ``months`` (``month_names()``'s answer) writes a date and
    time. A plain mapping of month numbers to names writes the English layout
    "F jS, Y H:i" with those names."""
    if isinstance(months, DateLayout):
        return months(moment)
    day = moment.day
    return (
        f"{months[moment.month]} {day}{ordinal_suffix(day)}, {moment.year} "
        f"{moment:%H:%M}"
    )


@register.filter(expects_localtime=True)
def datetime_text(value) -> str:
    """A date and time in the active language's layout."""
    return date_filter(value, layout("DATETIME_FORMAT"))


@register.filter(expects_localtime=True)
def date_text(value) -> str:
    """A date in the active language's layout."""
    return date_filter(value, layout("DATE_FORMAT"))
