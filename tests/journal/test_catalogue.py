"""The Russian catalogue: every message translated, and the compiled copy the
site reads (.mo, committed) made from the current text (.po)."""

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES"


def test_every_message_is_translated_into_russian():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    left = [entry.msgid for entry in catalogue.untranslated_entries()]
    unsure = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert (left, unsure) == ([], [])
    assert len(catalogue.translated_entries()) > 800


def test_the_compiled_catalogue_matches_the_translations():
    """Run `manage.py compilemessages -l ru` after editing django.po."""
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            for number, form in ((1, 0), (3, 1), (5, 2)):
                got = (
                    compiled.npgettext(
                        entry.msgctxt, entry.msgid, entry.msgid_plural, number
                    )
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, number)
                )
                assert got == entry.msgstr_plural[form], entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid
