"""Word matching across scripts and disguises."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import words
from moderation.words import WordEntry, find_matches, normalize


def matched(text: str, *entries: WordEntry) -> list[tuple[str, str]]:
    return [(m.entry.phrase, m.matched) for m in find_matches(text, entries)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Great art!", [("art", "art")]),
        ("ART.", [("art", "ART")]),
        ("I love artists", []),
        ("party", []),
        ("art-deco", [("art", "art")]),
        ("l'art", [("art", "art")]),
    ],
)
def test_whole_words_match_on_word_boundaries_case_insensitively(text, expected):
    assert matched(text, WordEntry("art")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ты дурак!", [("дурак", "дурак")]),
        ("Ты ДУРАК", [("дурак", "ДУРАК")]),
        ("дураки", []),
        ("придурак", []),
        ("Дурак,а не умник", [("дурак", "Дурак")]),
    ],
)
def test_cyrillic_entries_match_whole_words_inside_cyrillic_text(text, expected):
    assert matched(text, WordEntry("дурак")) == expected


@pytest.mark.parametrize(
    "disguised",
    [
        "sp\u0430m",  # Cyrillic а
        "sp\u0430\u043c".replace("\u043c", "m"),
        "\u0455\u0440\u0430m",  # Cyrillic ѕ р а
        "spаm".upper(),
        "ｓｐａｍ",  # fullwidth
        "ＳＰＡＭ",
        "s\u200bp\u200ba\u200bm",  # zero-width spaces
        "s\u00adpam",  # soft hyphen
        "sp\u03b1m",  # Greek alpha
        "sp\u2060am",  # word joiner
    ],
)
def test_look_alike_letters_fullwidth_and_zero_width_characters_are_seen_through(
    disguised,
):
    found = matched(f"Buy {disguised} today", WordEntry("spam"))

    assert found == [("spam", disguised)]


def test_a_word_written_wholly_in_look_alikes_matches_both_scripts_entries():
    # "рор" in Cyrillic reads as "pop": it matches the Latin entry (a disguise
    # needs no Latin letter at all) and still its own script's entry.
    assert matched("рор", WordEntry("pop")) == [("pop", "рор")]
    assert matched("рор", WordEntry("рор")) == [("рор", "рор")]
    assert matched("Visit our саѕіпо", WordEntry("casino")) == [("casino", "саѕіпо")]
    assert matched("ѕрамѕрам", WordEntry("spam", substring=True)) == [("spam", "ѕрам")]


def test_a_cyrillic_word_with_letters_that_imitate_nothing_stays_cyrillic():
    assert matched("дурак", WordEntry("dypak")) == []


def test_substring_entries_match_inside_longer_words():
    entry = WordEntry("casino", substring=True)

    assert matched("bestCASINOdeals.example", entry) == [("casino", "CASINO")]
    assert matched("ｃａｓｉｎｏ", entry) == [("casino", "ｃａｓｉｎｏ")]
    assert matched("c\u0430sino", entry) == [("casino", "c\u0430sino")]
    assert matched("cas ino", entry) == []


def test_phrases_match_across_any_whitespace_and_punctuation_between_words():
    entry = WordEntry("free money")

    assert matched("FREE\n  money!", entry) == [("free money", "FREE\n  money")]
    assert matched("free moneybags", entry) == []


def test_entries_written_in_disguise_are_normalized_too():
    assert matched("spam", WordEntry("ｓｐ\u0430m")) == [("ｓｐ\u0430m", "spam")]


def test_each_entry_reports_one_match_and_blank_entries_never_match():
    found = matched("art and art", WordEntry("art"), WordEntry("  "), WordEntry("!!"))

    assert found == [("art", "art")]


def test_normalize_folds_case_width_and_invisible_characters():
    assert normalize("ＡＢＣ\u200b déf") == "abc def"


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_an_ascii_text_reads_as_the_long_way_reads_it(text):
    """ASCII takes a shortcut (one translation, no second reading as Latin);
    it must end where the character-by-character way ends."""
    shortcut = words.analyse(text)
    try:
        words._ASCII_FOLDS_SIMPLY = False
        assert words.analyse(text) == shortcut
    finally:
        words._ASCII_FOLDS_SIMPLY = True


def test_ascii_folds_to_its_lower_case_one_character_each():
    assert words._ASCII_FOLDS_SIMPLY
    analysed = words.analyse("CASINO 2026, Best_Casino!")
    assert analysed.text == "casino 2026, best_casino!"
    assert [token.text for token in analysed.tokens] == [
        "casino", "2026", "best", "casino"
    ]  # fmt: skip
