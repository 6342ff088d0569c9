"""Word-list matching that sees through the usual disguises.

Text and list entries are normalized the same way: NFKC (fullwidth letters and
other compatibility forms become plain ones), case folding, zero-width and soft
hyphen characters removed, and in a word that contains Latin letters, Cyrillic
and Greek look-alikes ("а", "о", "р", "ο"...) read as the Latin letters they
imitate. A word written wholly in Cyrillic stays Cyrillic, so Cyrillic entries
match Cyrillic text. Whole-word entries match on Unicode word boundaries;
substring entries match anywhere. A match reports the text as the author wrote
it, for the moderator to see beside the list entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))

# Letters that render like Latin ones. Applied only inside words that also hold
# Latin letters: that is where a look-alike is a disguise, not a language.
LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
    }
)
WORD = re.compile(r"\w+")


def _has_latin(word: str) -> bool:
    return any("a" <= ch <= "z" for ch in word)


def _fold_word(word: str) -> str:
    return word.translate(LOOKALIKES) if _has_latin(word) else word


@dataclass(frozen=True)
class Token:
    text: str  # normalized
    start: int  # span in the original text
    end: int


def tokenize(text: str) -> tuple[str, list[Token], list[int]]:
    """Normalize ``text``; return it, its words, and where each character came from.

    The third value maps each index of the normalized text to an index of the
    original, so a match can be reported in the author's own characters.
    """
    normalized_chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(unicodedata.normalize("NFC", text)):
        if ord(char) in INVISIBLE:
            continue
        for out in unicodedata.normalize("NFKC", char).casefold():
            normalized_chars.append(out)
            origin.append(index)
    normalized = "".join(normalized_chars)
    tokens = []
    folded_parts = []
    last = 0
    for match in WORD.finditer(normalized):
        folded = _fold_word(match.group())
        folded_parts.append(normalized[last : match.start()])
        folded_parts.append(folded)
        last = match.end()
        tokens.append(Token(folded, origin[match.start()], origin[match.end() - 1] + 1))
    folded_parts.append(normalized[last:])
    return "".join(folded_parts), tokens, origin


def normalize(text: str) -> str:
    return tokenize(text)[0]


@dataclass(frozen=True)
class WordEntry:
    phrase: str
    substring: bool = False


@dataclass(frozen=True)
class WordMatch:
    entry: WordEntry
    matched: str  # as the author wrote it


def find_matches(text: str, entries: Iterable[WordEntry]) -> list[WordMatch]:
    """Every entry found in ``text``, at most one match per entry."""
    entries = list(entries)
    if not entries:  # most journals keep no word list: skip normalizing the text
        return []
    source = unicodedata.normalize("NFC", text)
    normalized, tokens, origin = tokenize(text)
    words = [token.text for token in tokens]
    matches = []
    for entry in entries:
        entry_text, entry_tokens, _ = tokenize(entry.phrase)
        if not entry_tokens:
            continue
        if entry.substring:
            position = normalized.find(entry_text.strip())
            if position >= 0:
                end = position + len(entry_text.strip()) - 1
                matches.append(
                    WordMatch(entry, source[origin[position] : origin[end] + 1])
                )
            continue
        wanted = [token.text for token in entry_tokens]
        for start in range(len(words) - len(wanted) + 1):
            if words[start : start + len(wanted)] == wanted:
                first, last = tokens[start], tokens[start + len(wanted) - 1]
                matches.append(WordMatch(entry, source[first.start : last.end]))
                break
    return matches
