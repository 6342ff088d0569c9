"""Letters that look alike across scripts, and the folding that sees through them.

Pure text functions, shared by the word lists (moderation.words) and names
(accounts): both must read "саѕіпо" (Cyrillic), "CASIΝO" (a Greek capital Nu),
"ᴄᴀꜱɪɴᴏ" (small capitals), "cas\u200eino" (an invisible mark) and "ＯＷＮＥＲ"
(fullwidth) as the Latin words they imitate.

Each character is folded on its own, in two ways that keep the same length, so
a match can always be mapped back to the text as written:

- ``plain``: compatibility forms (NFKC), accents and other combining marks
  removed, case folded; invisible characters dropped.
- ``latin``: ``plain``, with every letter that imitates a Latin one replaced by
  it. Capitals are looked up before case folding, because a capital can imitate
  a different letter than its small form does (Greek "Ν" looks like N, "ν" like v).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt): characters
# that render as nothing, so inside a word they only ever hide it.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
INVISIBLE = dict.fromkeys(
    code for low, high in _IGNORABLE_RANGES for code in range(low, high + 1)
)

# Capitals of other scripts that look like a Latin capital (looked up before
# case folding).
CAPITAL_LOOKALIKES = {
    # Greek
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "i",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
    # Cyrillic
    "А": "a",
    "В": "b",
    "Е": "e",
    "Ѕ": "s",
    "І": "i",
    "Ј": "j",
    "К": "k",
    "М": "m",
    "Н": "h",
    "О": "o",
    "Р": "p",
    "С": "c",
    "Т": "t",
    "Х": "x",
    "Ү": "y",
}
# Small letters (and letters with no case) that look like a Latin small letter.
LOOKALIKE_LETTERS = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "ё": "e",
    "һ": "h",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "к": "k",
    "ӏ": "l",
    "м": "m",
    "п": "n",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "ѕ": "s",
    "т": "t",
    "у": "y",
    "ү": "y",
    "ѵ": "v",
    "ԝ": "w",
    "х": "x",
    # Greek
    "α": "a",
    "β": "b",
    "ϲ": "c",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "ϳ": "j",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    # Armenian
    "հ": "h",
    "ո": "n",
    "ս": "u",
    "օ": "o",
    # Latin small capitals and other letters outside a-z
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
    "ı": "i",
    "ɑ": "a",
    "ɡ": "g",
    "ĸ": "k",
}
LOOKALIKES = str.maketrans(LOOKALIKE_LETTERS)


@cache
def fold_char(char: str) -> tuple[str, str]:
    """One character as compared: (plain, latin), both of the same length."""
    if ord(char) in INVISIBLE:
        return "", ""
    plain = "".join(
        c
        for c in unicodedata.normalize("NFKD", char)
        if not unicodedata.combining(c) and ord(c) not in INVISIBLE
    )
    plain = unicodedata.normalize("NFC", plain).casefold()
    capital = CAPITAL_LOOKALIKES.get(char)
    if capital is not None and len(plain) == 1:
        return plain, capital
    return plain, plain.translate(LOOKALIKES)


def has_latin(word: str) -> bool:
    return any("a" <= char <= "z" for char in word)


def is_latin_word(word: str) -> bool:
    return bool(word) and all("a" <= char <= "z" or "0" <= char <= "9" for char in word)


def fold(text: str) -> tuple[str, str]:
    """The whole of ``text`` folded both ways (see the module's docstring)."""
    pairs = [fold_char(char) for char in unicodedata.normalize("NFC", text)]
    return "".join(p for p, _ in pairs), "".join(latin for _, latin in pairs)


# Beyond single letters, what names are told apart by: "rn" reads as "m", and
# capital I, small l, 1 and | as one stroke; 0 as o.
_NAME_STROKES = str.maketrans({"i": "l", "1": "l", "|": "l", "0": "o"})
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def skeleton(text: str) -> str:
    """What a name looks like: width, case, accents, invisible characters and
    look-alike letters folded away, and only letters and digits kept. Two names
    with one skeleton are easy to mistake for each other."""
    latin = fold(text)[1]
    return _NOT_ALPHANUMERIC.sub("", latin).translate(_NAME_STROKES).replace("rn", "m")


# Groups of scripts a name may mix (Japanese writes Han, Hiragana and Katakana
# together); any other mixture of scripts in one name is refused.
_SCRIPT_FAMILIES = {"CJK": "HAN", "HIRAGANA": "HAN", "KATAKANA": "HAN"}


def scripts_of(text: str) -> set[str]:
    """The scripts (by the first word of each letter's Unicode name) in ``text``."""
    found = set()
    for char in text:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
        found.add(_SCRIPT_FAMILIES.get(script, script))
    return found
