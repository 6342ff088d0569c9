"""Word-list matching that sees through the usual disguises.

Text and list entries are normalized the same way (journal.confusables):
compatibility forms (fullwidth letters) made plain, accents and other combining
marks removed, case folded, invisible characters (every default-ignorable code
point) dropped, and in a word that contains Latin letters, look-alike letters of
other scripts ("а", "Ν", "ᴄ", "օ"...) read as the Latin letters they imitate. A
word with no Latin letter keeps its own script, so Cyrillic entries match
Cyrillic text; when every one of its letters imitates a Latin one ("ѕрам",
"ΜΟΝΕΥ") it is also read as that Latin word. Words are runs of letters or of
digits, so "casino2026" and "best_casino" hold "casino". Whole-word entries
match on those word boundaries; substring entries match anywhere. A match reports
the text as the author wrote it, for the moderator to see beside the list entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import NamedTuple

from journal.confusables import fold_char, has_latin, is_latin_word

# Words are runs of letters, or runs of digits: "casino2026" and "best_casino"
# hold the word "casino".
WORD = re.compile(r"[^\W\d_]+|\d+")


class Token(NamedTuple):
    """A word of a text. A named tuple rather than a frozen dataclass: a text
    has hundreds, made on every comment a word list might match."""

    text: str  # normalized
    start: int  # span in the original text
    end: int
    # The same word read as Latin when it is written wholly in look-alikes.
    alt: str = ""

    @property
    def forms(self) -> frozenset[str]:
        return frozenset((self.text, self.alt or self.text))


@dataclass(frozen=True)
class Normalized:
    text: str
    # ``text`` with the wholly look-alike words read as Latin too; the same length,
    # since every fold replaces one character by one.
    alt_text: str
    tokens: list[Token]
    # Index in ``text`` -> index in the original, to report a match as written.
    origin: list[int]


# How each ASCII character folds. Each folds to one character, the same both
# ways (its lower case): an ASCII text, as most comments are, then folds with
# one translation instead of a loop over its characters, keeps its length, and
# has no word to read as Latin in a second way (checked here, not assumed).
_ASCII_FOLDS = [fold_char(chr(code)) for code in range(128)]
_ASCII = {code: plain for code, (plain, _) in enumerate(_ASCII_FOLDS)}
_ASCII_FOLDS_SIMPLY = all(
    len(plain) == 1 and latin == plain for plain, latin in _ASCII_FOLDS
)


# A Token from its four values at once, without the named tuple's own
# constructor: the loop below makes one per word of most comments.
_token = partial(tuple.__new__, Token)


def _analyse_ascii(text: str) -> Normalized:
    plain = text.translate(_ASCII)  # NFC leaves ASCII as it is
    tokens = [
        _token((match.group(), *match.span(), "")) for match in WORD.finditer(plain)
    ]
    return Normalized(plain, plain, tokens, list(range(len(plain))))


def _folded(text: str) -> tuple[str, str, list[int]]:
    """``text`` folded both ways, and where each folded character came from."""
    plain_chars: list[str] = []
    latin_chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(unicodedata.normalize("NFC", text)):
        plain, latin = fold_char(char)
        plain_chars.append(plain)
        latin_chars.append(latin)
        origin.extend([index] * len(plain))
    return "".join(plain_chars), "".join(latin_chars), origin


def analyse(text: str) -> Normalized:
    """Normalize ``text`` and split it into words, remembering where each
    normalized character came from (journal.confusables.fold_char)."""
    if _ASCII_FOLDS_SIMPLY and text.isascii():
        return _analyse_ascii(text)
    plain_text, latin_text, origin = _folded(text)
    tokens = []
    folded_parts, alt_parts = [], []
    last = 0
    for match in WORD.finditer(plain_text):
        start, end = match.span()
        word, as_latin = match.group(), latin_text[start:end]
        # A word with Latin letters reads as Latin throughout ("cаsinо"); one
        # without keeps its own script, and is also read as Latin when every
        # letter imitates a Latin one ("ѕрам").
        if has_latin(word):
            folded, alternative = as_latin, as_latin
        else:
            folded = word
            alternative = as_latin if is_latin_word(as_latin) else word
        between = plain_text[last:start]
        folded_parts += [between, folded]
        alt_parts += [between, alternative]
        last = end
        tokens.append(
            Token(
                folded,
                origin[start],
                origin[end - 1] + 1,
                alt=alternative if alternative != folded else "",
            )
        )
    folded_parts.append(plain_text[last:])
    alt_parts.append(plain_text[last:])
    return Normalized("".join(folded_parts), "".join(alt_parts), tokens, origin)


def tokenize(text: str) -> tuple[str, list[Token], list[int]]:
    """Normalize ``text``; return it, its words, and where each character came from."""
    result = analyse(text)
    return result.text, result.tokens, result.origin


def normalize(text: str) -> str:
    return analyse(text).text


def entry_key(phrase: str) -> str:
    """What an entry matches, as one string: "Casino", "ＣＡＳＩＮＯ" and "cаsino"
    are one entry. Empty when the phrase has no letters or digits to match."""
    return " ".join(token.text for token in analyse(phrase).tokens)


@dataclass(frozen=True)
class WordEntry:
    phrase: str
    substring: bool = False
    # The shared list the entry comes from (moderation.shared_lists); empty
    # for the journal's own entries.
    list_name: str = ""


@dataclass(frozen=True)
class WordMatch:
    entry: WordEntry
    matched: str  # as the author wrote it


def _find_substring(analysed: Normalized, entry: Normalized) -> tuple[int, int] | None:
    for needle in {entry.text.strip(), entry.alt_text.strip()}:
        for haystack in (analysed.text, analysed.alt_text):
            position = haystack.find(needle)
            if needle and position >= 0:
                return position, position + len(needle) - 1
    return None


def _meets(token: Token, forms: frozenset[str]) -> bool:
    """Whether the text's word reads as one of an entry word's forms."""
    return token.text in forms or (bool(token.alt) and token.alt in forms)


def _find_words(analysed: Normalized, wanted: list[Token]) -> tuple[int, int] | None:
    tokens = analysed.tokens
    first, *rest = [entry_word.forms for entry_word in wanted]
    for start in range(len(tokens) - len(rest)):
        token = tokens[start]
        # The first word alone, inline: most of the text's words are not it.
        if (token.text in first or (token.alt and token.alt in first)) and all(
            _meets(tokens[start + offset], entry_forms)
            for offset, entry_forms in enumerate(rest, start=1)
        ):
            return token.start, tokens[start + len(rest)].end
    return None


# A journal's list is matched against every comment: each entry is analysed once.
_entry_form = lru_cache(maxsize=4096)(analyse)
# The rules match one text against the blocked list, then the held one (and a
# backtest against two sets of lists): it is analysed once.
_text_form = lru_cache(maxsize=8)(analyse)


def _may_occur(plain: str, entry: WordEntry, form: Normalized) -> bool:
    """Whether ``entry`` can match an ASCII text folding to ``plain``. Such a
    text has one reading, ``plain`` itself: an entry none of whose forms
    appears in it anywhere cannot match it."""
    if entry.substring:
        needles = {form.text.strip(), form.alt_text.strip()}
        return any(needle and needle in plain for needle in needles)
    return all(
        any(word_form in plain for word_form in word.forms) for word in form.tokens
    )


def find_matches(text: str, entries: Iterable[WordEntry]) -> list[WordMatch]:
    """Every entry found in ``text``, at most one match per entry."""
    entries = list(entries)
    if not entries:  # most journals keep no word list: skip normalizing the text
        return []
    forms = [(entry, _entry_form(entry.phrase)) for entry in entries]
    forms = [(entry, form) for entry, form in forms if form.tokens]
    if _ASCII_FOLDS_SIMPLY and text.isascii():
        # Most comments hold none of the list: tell so without splitting them.
        plain = text.translate(_ASCII)
        forms = [
            (entry, form) for entry, form in forms if _may_occur(plain, entry, form)
        ]
    if not forms:
        return []
    source = unicodedata.normalize("NFC", text)
    analysed = _text_form(text)
    matches = []
    for entry, entry_form in forms:
        if entry.substring:
            found = _find_substring(analysed, entry_form)
            if found is not None:
                first, last = found
                start, end = analysed.origin[first], analysed.origin[last] + 1
                matches.append(WordMatch(entry, source[start:end]))
            continue
        found = _find_words(analysed, entry_form.tokens)
        if found is not None:
            matches.append(WordMatch(entry, source[found[0] : found[1]]))
    return matches


class WordIndex:
    """Entries compiled once for matching many texts: what ``find_matches``
    finds, at a cost that grows with the text rather than with the list.

    A journal's own list is short and matched as it is. With shared lists it
    may hold thousands of entries (``moderation.shared_lists``); then each
    whole-word entry is filed under the forms of its first word, and each
    substring entry under the first characters of its forms, so a text looks
    up only the entries that could start at one of its words or characters,
    and checks those as ``find_matches`` would.
    """

    # Up to this many entries, a plain pass over them costs less than the index.
    SMALL = 32
    _PREFIX = 3

    def __init__(self, entries: Iterable[WordEntry]):
        self.entries = tuple(entries)
        self._small = len(self.entries) <= self.SMALL
        if self._small:
            return
        self._forms: list[tuple[WordEntry, Normalized]] = []
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for entry in self.entries:
            form = analyse(entry.phrase)
            if not form.tokens:
                continue
            position = len(self._forms)
            self._forms.append((entry, form))
            if entry.substring:
                needles = {form.text.strip(), form.alt_text.strip()}
                for prefix in {needle[: self._PREFIX] for needle in needles if needle}:
                    self._by_prefix.setdefault(prefix, []).append(position)
            else:
                for word_form in form.tokens[0].forms:
                    self._by_word.setdefault(word_form, []).append(position)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._by_prefix})

    def __bool__(self) -> bool:
        return bool(self.entries)

    def find(self, text: str) -> list[WordMatch]:
        """Every entry found in ``text``, in the entries' order, at most one
        match per entry (as ``find_matches``)."""
        if self._small:
            return find_matches(text, self.entries)
        analysed = _text_form(text)
        candidates: set[int] = set()
        by_word = self._by_word
        for token in analysed.tokens:
            candidates.update(by_word.get(token.text, ()))
            if token.alt:
                candidates.update(by_word.get(token.alt, ()))
        if self._by_prefix:
            candidates.update(self._prefixed(analysed))
        if not candidates:
            return []
        source = unicodedata.normalize("NFC", text)
        matches = []
        for position in sorted(candidates):
            entry, entry_form = self._forms[position]
            if entry.substring:
                found = _find_substring(analysed, entry_form)
                if found is not None:
                    first, last = found
                    start = analysed.origin[first]
                    end = analysed.origin[last] + 1
                    matches.append(WordMatch(entry, source[start:end]))
                continue
            found = _find_words(analysed, entry_form.tokens)
            if found is not None:
                matches.append(WordMatch(entry, source[found[0] : found[1]]))
        return matches

    def _prefixed(self, analysed: Normalized) -> set[int]:
        """The substring entries whose forms begin with characters the text
        holds somewhere."""
        found: set[int] = set()
        by_prefix = self._by_prefix
        for haystack in {analysed.text, analysed.alt_text}:
            for length in self._prefix_lengths:
                pieces = {
                    haystack[start : start + length]
                    for start in range(len(haystack) - length + 1)
                }
                for piece in pieces.intersection(by_prefix):
                    found.update(by_prefix[piece])
        return found
