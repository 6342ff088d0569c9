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

from journal.confusables import fold_char, has_latin, is_latin_word

# Words are runs of letters, or runs of digits: "casino2026" and "best_casino"
# hold the word "casino".
WORD = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class Token:
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


def _analyse_ascii(text: str) -> Normalized:
    plain = text.translate(_ASCII)  # NFC leaves ASCII as it is
    tokens = [
        Token(match.group(), match.start(), match.end())
        for match in WORD.finditer(plain)
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


def _find_words(analysed: Normalized, wanted: list[Token]) -> tuple[int, int] | None:
    tokens = analysed.tokens
    for start in range(len(tokens) - len(wanted) + 1):
        if all(
            entry_word.forms & tokens[start + offset].forms
            for offset, entry_word in enumerate(wanted)
        ):
            return tokens[start].start, tokens[start + len(wanted) - 1].end
    return None


def find_matches(text: str, entries: Iterable[WordEntry]) -> list[WordMatch]:
    """Every entry found in ``text``, at most one match per entry."""
    entries = list(entries)
    if not entries:  # most journals keep no word list: skip normalizing the text
        return []
    source = unicodedata.normalize("NFC", text)
    analysed = analyse(text)
    matches = []
    for entry in entries:
        entry_form = analyse(entry.phrase)
        if not entry_form.tokens:
            continue
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
