"""Sentences kept for later readers, in each reader's own language.

A rule's reason is written once, when a comment is judged, in the language of
whoever posted it, and read later by moderators and the author in theirs. So a
reason keeps its sentence untranslated, with its values (``Sentence``), and
each page renders it in the reader's language (``reason_text``); reasons
stored before sentences were kept show their stored words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class Sentence:
    """A message as written in the code (English), its plural and the number
    that chooses between them, and the values it names: translated when it is
    turned into text (``str``), in the language active then."""

    singular: str
    plural: str = ""
    number: int | None = None
    values: tuple[tuple[str, object], ...] = ()
    # What follows it, as ``_("…") + _("…")`` would have joined the two.
    then: Sentence | None = None

    def __mod__(self, values: dict) -> Sentence:
        # As a translated string would be formatted: _("…") % {...}.
        return replace(self, values=tuple(sorted(values.items())))

    def __add__(self, other: Sentence) -> Sentence:
        if self.then is None:
            return replace(self, then=other)
        return replace(self, then=self.then + other)

    def __str__(self) -> str:
        if self.plural:
            text = ngettext(self.singular, self.plural, self.number or 0)
        else:
            text = gettext(self.singular)
        if self.values:
            text = text % {name: _text(value) for name, value in self.values}
        return text + str(self.then) if self.then is not None else text

    def as_data(self) -> list:
        values = {name: _data(value) for name, value in self.values}
        data = [self.singular, self.plural, self.number, values]
        return data + [self.then.as_data()] if self.then is not None else data

    @classmethod
    def from_data(cls, data: list) -> Sentence:
        singular, plural, number, values, *then = data
        return cls(
            singular,
            plural,
            number,
            tuple(sorted((name, _value(kept)) for name, kept in values.items())),
            cls.from_data(then[0]) if then else None,
        )


# A value of a sentence may be a sentence itself, or a list of them (shown
# joined by commas): the spam model's signs, each in the reader's language.
def _text(value):
    if isinstance(value, Sentence):
        return str(value)
    if isinstance(value, tuple | list):
        return ", ".join(_text(item) for item in value)
    return value


def _data(value):
    if isinstance(value, Sentence):
        return {"sentence": value.as_data()}
    if isinstance(value, tuple | list):
        return [_data(item) for item in value]
    return value


def _value(kept):
    if isinstance(kept, dict) and "sentence" in kept:
        return Sentence.from_data(kept["sentence"])
    if isinstance(kept, list):
        return tuple(_value(item) for item in kept)
    return kept


def reason_text(reason: dict) -> str:
    """A stored reason's sentence in the reader's language."""
    kept = reason.get("text")
    if kept:
        try:
            return str(Sentence.from_data(kept))
        except (TypeError, ValueError, KeyError):
            pass  # a sentence written by another version: its stored words
    return reason.get("message", "")
