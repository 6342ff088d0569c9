"""Letters that look alike across scripts, and the folding that sees through them.

Pure text functions, shared by the word lists (moderation.words) and usernames
(accounts): both must read "саѕіпо" (Cyrillic) and "ＯＷＮＥＲ" (fullwidth) as
the Latin words they imitate.
"""

from __future__ import annotations

import unicodedata

# Zero-width and soft-hyphen characters: invisible, so never part of a word.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))

# Lowercase letters of other scripts that render like a Latin letter in common
# fonts (after case folding, so capitals are covered too).
LOOKALIKE_LETTERS = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "ё": "e",
    "һ": "h",
    "н": "h",
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
    # Latin letters outside a-z that pass for plain ones
    "ı": "i",
    "ɑ": "a",
    "ɡ": "g",
}
LOOKALIKES = str.maketrans(LOOKALIKE_LETTERS)
LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def has_latin(word: str) -> bool:
    return any("a" <= char <= "z" for char in word)


def is_wholly_lookalike(word: str) -> bool:
    """Whether every letter of a (folded) word imitates a Latin one, like "ѕрам".

    Such a word is kept as it is for its own script's entries, and also read as
    Latin: a disguise that needs no Latin letter at all.
    """
    letters = [char for char in word if char.isalpha()]
    return bool(letters) and all(
        char in LOOKALIKE_LETTERS or "a" <= char <= "z" for char in letters
    )


def fold_lookalikes(text: str) -> str:
    return text.translate(LOOKALIKES)


def normalize_char(char: str) -> str:
    """One character as compared: compatibility forms and case folded away."""
    return unicodedata.normalize("NFKC", char).casefold()


def skeleton(text: str) -> str:
    """What ``text`` looks like: width, case, invisible characters and look-alike
    letters of other scripts all folded away. Two names with one skeleton are
    easy to mistake for each other."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(INVISIBLE)
    return unicodedata.normalize("NFKC", fold_lookalikes(folded))


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters in ``text`` among Latin, Cyrillic and Greek."""
    found = set()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for script in ("LATIN", *LOOKALIKE_SCRIPTS):
            if name.startswith(script):
                found.add(script)
    return found
