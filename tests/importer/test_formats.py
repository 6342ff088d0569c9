"""Reading the export files: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from importer import formats
from importer.formats import ExportRefused, Source

from .conftest import FIXTURES


def read(kind: str, text: str | bytes, name: str = "file.xml") -> formats.Export:
    data = text.encode() if isinstance(text, str) else text
    return formats.read([Source(kind, name, data)])


def test_an_entrys_public_itemid_gives_the_jitemid_comments_use():
    export = read(
        formats.ENTRIES,
        "<livejournal><entry><itemid>301</itemid><subject>s</subject>"
        "<event>b</event><eventtime>2009-03-14 18:30:00</eventtime></entry>"
        "</livejournal>",
    )

    assert list(export.entries) == [1]  # 301 = 1 * 256 + 45
    assert export.entries[1].eventtime == datetime(2009, 3, 14, 18, 30, tzinfo=UTC)


def test_ljdump_writes_the_jitemid_itself_and_tags_in_props():
    export = formats.read(
        [Source(formats.ENTRIES, "L-4", (FIXTURES / "L-4.xml").read_bytes())]
    )

    entry = export.entries[4]
    assert entry.body == "Beans are up."
    assert entry.tags == ("garden", "beans", "Summer Days")
    assert entry.music == "Birdsong"
    assert entry.is_public


def test_the_meta_files_poster_and_state_win_over_the_body_files():
    export = formats.read(
        [
            Source(
                formats.COMMENT_META,
                "meta",
                b"<livejournal><comments><comment id='5' posterid='2' state='S'/>"
                b"</comments><usermaps><usermap id='2' user='frank'/></usermaps>"
                b"</livejournal>",
            ),
            Source(
                formats.COMMENT_BODY,
                "body",
                b"<livejournal><comments><comment id='5' jitemid='1'><body>x</body>"
                b"<date>2009-03-14T19:00:00Z</date></comment></comments></livejournal>",
            ),
        ]
    )

    assert export.poster_and_state(5) == (2, formats.SCREENED)
    assert export.bodies[5].date == datetime(2009, 3, 14, 19, 0, tzinfo=UTC)


def test_a_poster_renamed_between_two_pages_is_one_id_under_the_newer_name():
    export = formats.read(
        [
            Source(
                formats.COMMENT_META, "1", (FIXTURES / "comment_meta.xml").read_bytes()
            ),
            Source(
                formats.COMMENT_META,
                "2",
                (FIXTURES / "comment_meta_2.xml").read_bytes(),
            ),
        ]
    )

    assert export.usernames[7] == "marta_k"
    assert [issue.code for issue in export.issues] == ["renamed"]


def test_an_export_in_windows_1251_is_read():
    text = (
        "<?xml version='1.0' encoding='windows-1251'?><livejournal><entry>"
        "<itemid>256</itemid><subject>Привет</subject><event>Текст</event>"
        "</entry></livejournal>"
    )

    export = read(formats.ENTRIES, text.encode("cp1251"))

    assert export.entries[1].subject == "Привет"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("<livejournal><entry>", "not_xml"),
        (
            "<?xml version='1.0' encoding='x-nothing'?><livejournal/>",
            "unknown_encoding",
        ),
        (
            "<!DOCTYPE livejournal [<!ENTITY a 'b'>]><livejournal>&a;</livejournal>",
            "hostile",
        ),
        (
            "<livejournal><comments><comment id='1'/></comments></livejournal>",
            "wrong_kind",
        ),
        ("<html><body>Not an export</body></html>", "wrong_kind"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_whole(text, code):
    with pytest.raises(ExportRefused) as refused:
        read(formats.ENTRIES, text)

    assert refused.value.code == code
    assert refused.value.params["file"] == "file.xml"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "external_dtd.xml"])
def test_the_upload_check_refuses_hostile_files_without_reading_them(name):
    with pytest.raises(ExportRefused) as refused:
        formats.check([Source(formats.ENTRIES, name, (FIXTURES / name).read_bytes())])

    assert refused.value.code == "hostile"


def test_records_without_ids_are_reported_and_the_rest_is_read():
    export = read(
        formats.COMMENT_BODY,
        "<livejournal><comments><comment jitemid='1'><body>x</body></comment>"
        "<comment id='2' jitemid='1' state='Q'><body>y</body></comment>"
        "</comments></livejournal>",
    )

    assert list(export.bodies) == [2]
    assert [issue.code for issue in export.issues] == ["bad_record", "unknown_state"]


def test_dates_out_of_any_real_range_are_not_dates():
    export = read(
        formats.COMMENT_BODY,
        "<livejournal><comments><comment id='2' jitemid='1'><body>y</body>"
        "<date>0001-01-01T00:00:00Z</date></comment></comments></livejournal>",
    )

    assert export.bodies[2].date is None
