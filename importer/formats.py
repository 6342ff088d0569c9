"""Reading LiveJournal and Dreamwidth exports: XML in, plain records out.

Pure: bytes and names in, records and issues out; no ORM, request, cache or
settings. Three kinds of file:

- **entries**: the site's own export (``export_do.bml``, format XML): a
  ``<livejournal>`` root holding ``<entry>`` elements with ``itemid``,
  ``eventtime``, ``logtime``, ``subject``, ``event`` (the HTML body),
  ``security``, ``allowmask``, ``current_music`` and ``current_mood``. Its
  ``itemid`` is the public item id, ``jitemid * 256 + anum``; the comments
  name their entry by ``jitemid``, so the entry's is ``itemid >> 8`` (an
  explicit ``<jitemid>`` wins). Also ljdump's files (``L-<n>``), one
  ``<event>`` root each, as the XML-RPC ``getevents`` call returns it: there
  ``itemid`` *is* the jitemid, and ``<props>`` holds ``taglist``,
  ``current_music``, ``opt_nocomments``, ``opt_preformatted``...
- **comment_meta** (``export_comments.bml?get=comment_meta``): ``<comment id
  posterid state/>`` for every comment, and ``<usermap id user/>`` for every
  poster. ``posterid`` left out means anonymous, ``state`` left out means
  ``A`` (active). These are the mutable fields, so where a comment is in both
  files, the meta file's poster and state win.
- **comment_body** (``get=comment_body``): ``<comment id jitemid posterid
  parentid state>`` with ``<subject>``, ``<body>``, ``<date>`` (W3C, UTC) and
  ``<property name=...>``; a deleted comment is an empty element.

The sites serve both comment files in pages (10,000 ids of meta, 1,000 of
bodies), so an import takes several of each. A poster's ``usermap`` name is
their name *now*: someone renamed between two pages shows under both names
with the same id. The id is the person; the last name read wins, and the
rename is reported.

Every file goes through defusedxml with document types forbidden: an export
never declares one, and a file that does (entity expansion, "billion laughs",
or an external entity reading a file of this server) is refused whole, before
anything is stored.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

ENTRIES = "entries"
COMMENT_META = "comment_meta"
COMMENT_BODY = "comment_body"
KINDS = (ENTRIES, COMMENT_META, COMMENT_BODY)

# Comment states of the old site. F (frozen) is an active comment nobody may
# answer any more.
ACTIVE, SCREENED, DELETED, FROZEN = "A", "S", "D", "F"
STATES = frozenset({ACTIVE, SCREENED, DELETED, FROZEN})

# Ids are whole numbers; anything longer than this is not one the sites made.
_ID = re.compile(r"[0-9]{1,18}")
_DECLARATION = re.compile(
    r"""\A(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])"""
)
# Dates the sites write: "2004-05-06 12:34:56" (entries) and
# "2004-05-06T12:34:56Z" (comments). Older ones are not real.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class ExportRefused(Exception):
    """A file cannot be imported at all; nothing from the upload is stored.
    ``code`` says why (``hostile``, ``not_xml``, ``wrong_kind``...), ``params``
    fill in the sentence (``importer.report``)."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True)
class Source:
    """One file of an upload: what it is meant to be, its name, its bytes."""

    kind: str
    name: str
    data: bytes


@dataclass(frozen=True)
class Issue:
    """Something the import left out, cut, or did differently, and why."""

    kind: str  # "entry", "comment", "poster" or "file"
    id: str
    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "code": self.code, **self.params}


@dataclass(frozen=True)
class Entry:
    jitemid: int
    subject: str
    body: str
    eventtime: datetime | None
    logtime: datetime | None
    security: str  # "public", "private", "usemask"...; "" is public
    tags: tuple[str, ...] = ()
    music: str = ""
    mood: str = ""
    comments_disabled: bool = False
    preformatted: bool = False

    @property
    def is_public(self) -> bool:
        return self.security in ("", "public")


@dataclass(frozen=True)
class CommentBody:
    id: int
    jitemid: int | None
    parent_id: int | None
    poster_id: int | None
    state: str
    subject: str = ""
    body: str | None = None  # None: the element has no <body>
    date: datetime | None = None
    edited: datetime | None = None


@dataclass(frozen=True)
class CommentMeta:
    id: int
    poster_id: int | None
    state: str


@dataclass
class Export:
    """Everything read from one upload's files."""

    entries: dict[int, Entry] = field(default_factory=dict)
    bodies: dict[int, CommentBody] = field(default_factory=dict)
    meta: dict[int, CommentMeta] = field(default_factory=dict)
    usernames: dict[int, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def comment_ids(self) -> list[int]:
        return sorted(self.bodies.keys() | self.meta.keys())

    def poster_and_state(self, comment_id: int) -> tuple[int | None, str]:
        """The comment's poster and state: the meta file's where it lists the
        comment (those fields change; its page may be the newer), else the
        body file's."""
        meta = self.meta.get(comment_id)
        if meta is not None:
            return meta.poster_id, meta.state
        body = self.bodies[comment_id]
        return body.poster_id, body.state

    @property
    def size(self) -> int:
        """How many items (entries and comments) the import goes through."""
        return len(self.entries) + len(self.bodies.keys() | self.meta.keys())


def read(sources: Iterable[Source]) -> Export:
    """Read every file of an upload into one ``Export``. Raises
    ``ExportRefused`` for a file that is hostile, not XML, or not the kind it
    was given as."""
    export = Export()
    readers = {
        ENTRIES: _read_entries,
        COMMENT_META: _read_meta,
        COMMENT_BODY: _read_bodies,
    }
    for source in sources:
        if source.kind not in readers:
            raise ExportRefused("wrong_kind", file=source.name, kind=source.kind)
        readers[source.kind](source, export)
    return export


def check(sources: Iterable[Source]) -> None:
    """Only whether every file is safe, well-formed XML in a known encoding,
    without keeping what it holds: the upload form's check, so that a hostile
    file is refused before anything (even the job) is stored. Raises
    ``ExportRefused``."""
    for source in sources:
        for _around, element in _elements(source):
            element.clear()


# -- XML -------------------------------------------------------------------


def _utf8(source: Source) -> bytes:
    """The file as UTF-8: expat reads only a few encodings, and LiveJournal
    exported in the one a user chose (windows-1251 for many Russian journals).
    """
    head = source.data[:300].decode("latin-1")
    declared = _DECLARATION.match(head)
    if not declared:
        return source.data
    try:
        info = codecs.lookup(declared.group(2))
    except LookupError as error:
        raise ExportRefused(
            "unknown_encoding", file=source.name, encoding=declared.group(2)
        ) from error
    # Python's codecs include transforms that are no text encoding ("rot13",
    # "base64", "zlib"): bytes.decode refuses them with a LookupError.
    if not getattr(info, "_is_text_encoding", True):
        raise ExportRefused(
            "unknown_encoding", file=source.name, encoding=declared.group(2)
        )
    codec = info.name
    if codec == "utf-8":
        return source.data
    try:
        text = source.data.decode(codec)
    except (UnicodeError, LookupError) as error:
        # UnicodeError too: "undefined" and "punycode" raise it plain.
        raise ExportRefused(
            "undecodable", file=source.name, encoding=declared.group(2)
        ) from error
    return _DECLARATION.sub(r"\g<1>utf-8\g<3>", text, count=1).encode("utf-8")


# Exports nest four levels (livejournal, entry, props, taglist); their HTML
# is escaped text. A file nested deeper is refused as it is read: the open
# elements stay in memory (a million levels, 7 MB, took 280 MB), and each
# element's list of those around it made the reading quadratic (100,000
# levels, 1 MB, took 8 s of the upload's request).
MAX_DEPTH = 64


def _elements(source: Source) -> Iterator[tuple[tuple[str, ...], Element]]:
    """Each element as it ends, with the tags of the elements around it
    (the root's is ``()``). Raises ``ExportRefused`` past ``MAX_DEPTH``
    levels. The caller clears what it has read."""
    open_tags: list[str] = []
    try:
        for event, element in iterparse(
            io.BytesIO(_utf8(source)),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if event == "start":
                open_tags.append(element.tag)
                if len(open_tags) > MAX_DEPTH:
                    raise ExportRefused("too_deep", file=source.name, depth=MAX_DEPTH)
                continue
            open_tags.pop()
            yield tuple(open_tags), element
    except DefusedXmlException as error:
        raise ExportRefused("hostile", file=source.name) from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ExportRefused(
            "not_xml", file=source.name, line=line, column=column
        ) from error


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext())


def _child_text(element: Element, name: str) -> str:
    return _text(element.find(name))


def _whole_number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if _ID.fullmatch(value) else None


def _moment(value: str) -> datetime | None:
    """A date as the sites write it, in UTC. Entries' ``eventtime`` carries no
    zone (it is the author's clock): it is read as UTC, so that pages here
    show the time the old site showed."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        moment = (
            moment.replace(tzinfo=UTC)
            if moment.tzinfo is None
            else moment.astimezone(UTC)
        )
    except (ValueError, OverflowError):
        # Overflow: a zone that moves the first or last day off the calendar.
        return None
    return moment if EARLIEST <= moment < LATEST else None


def _unix_time(value: str) -> datetime | None:
    number = _whole_number(value)
    if number is None or number >= LATEST.timestamp():
        # Past LATEST, and past any year Python's dates hold.
        return None
    moment = datetime.fromtimestamp(number, tz=UTC)
    return moment if EARLIEST <= moment < LATEST else None


def _state(value: str | None, source: Source, comment_id: int, export: Export):
    state = (value or ACTIVE).strip().upper() or ACTIVE
    if state not in STATES:
        export.issues.append(
            Issue("comment", str(comment_id), "unknown_state", {"state": state[:10]})
        )
    return state


# What, right under the <livejournal> root, shows a file of another kind.
_OTHER_KINDS = {
    ENTRIES: frozenset({"comments", "usermaps", "maxid"}),
    COMMENT_META: frozenset({"entry", "event"}),
    COMMENT_BODY: frozenset({"usermaps", "maxid", "entry", "event"}),
}


def _foreign(around: tuple[str, ...], element: Element, kind: str) -> bool:
    """Whether this element shows that the file is not of ``kind``."""
    if around == ():
        return element.tag != "livejournal"
    return around == ("livejournal",) and element.tag in _OTHER_KINDS[kind]


def _bad_record(export: Export, source: Source, what: str) -> None:
    export.issues.append(
        Issue("file", source.name, "bad_record", {"file": source.name, "what": what})
    )


# -- entries ---------------------------------------------------------------


def _read_entries(source: Source, export: Export) -> None:
    found = False
    for around, element in _elements(source):
        if around == () and element.tag == "event":
            # ljdump: the whole file is one entry.
            found = _add_entry(element, export, source, public_id=False) or found
        elif around == ("livejournal",) and element.tag in ("entry", "event"):
            found = (
                _add_entry(element, export, source, public_id=element.tag == "entry")
                or found
            )
            element.clear()
        elif _foreign(around, element, ENTRIES):
            raise ExportRefused("wrong_kind", file=source.name, kind=ENTRIES)
    if not found:
        export.issues.append(Issue("file", source.name, "no_entries", {}))


def _add_entry(element: Element, export: Export, source: Source, *, public_id: bool):
    """Read one entry; ``public_id``: its ``itemid`` is jitemid * 256 + anum."""
    jitemid = _whole_number(_child_text(element, "jitemid"))
    if jitemid is None:
        itemid = _whole_number(_child_text(element, "itemid"))
        if itemid is not None:
            jitemid = itemid >> 8 if public_id else itemid
    if not jitemid:
        _bad_record(export, source, "entry without an itemid")
        return False
    props = element.find("props")

    def prop(name: str) -> str:
        value = _child_text(element, name)
        if not value and props is not None:
            value = _child_text(props, name)
        return value

    tags = tuple(
        name
        for name in (" ".join(raw.split()) for raw in prop("taglist").split(","))
        if name
    )
    if jitemid in export.entries:
        export.issues.append(Issue("entry", str(jitemid), "duplicate", {}))
    export.entries[jitemid] = Entry(
        jitemid=jitemid,
        subject=_child_text(element, "subject"),
        body=_child_text(element, "event"),
        eventtime=_moment(_child_text(element, "eventtime")),
        logtime=_moment(_child_text(element, "logtime")),
        security=_child_text(element, "security").strip().lower(),
        tags=tags,
        music=prop("current_music").strip(),
        mood=prop("current_mood").strip(),
        comments_disabled=prop("opt_nocomments").strip() not in ("", "0"),
        preformatted=prop("opt_preformatted").strip() not in ("", "0"),
    )
    return True


# -- comments --------------------------------------------------------------


def _read_meta(source: Source, export: Export) -> None:
    found = False
    for around, element in _elements(source):
        if around == ("livejournal", "comments") and element.tag == "comment":
            if "jitemid" in element.attrib or len(element):
                raise ExportRefused("wrong_kind", file=source.name, kind=COMMENT_META)
            found = True
            comment_id = _whole_number(element.get("id"))
            if comment_id is None:
                _bad_record(export, source, "comment without an id")
                continue
            export.meta[comment_id] = CommentMeta(
                id=comment_id,
                poster_id=_whole_number(element.get("posterid")) or None,
                state=_state(element.get("state"), source, comment_id, export),
            )
            element.clear()
        elif around == ("livejournal", "usermaps") and element.tag == "usermap":
            found = True
            _add_poster(element, export, source)
            element.clear()
        elif _foreign(around, element, COMMENT_META):
            raise ExportRefused("wrong_kind", file=source.name, kind=COMMENT_META)
    if not found:
        export.issues.append(Issue("file", source.name, "no_comments", {}))


def _add_poster(element: Element, export: Export, source: Source) -> None:
    poster_id = _whole_number(element.get("id"))
    name = (element.get("user") or "").strip()
    if poster_id is None or not name:
        _bad_record(export, source, "usermap without an id or a name")
        return
    known = export.usernames.get(poster_id)
    if known is not None and known != name:
        export.issues.append(
            Issue(
                "poster",
                str(poster_id),
                "renamed",
                {"old": known[:50], "new": name[:50]},
            )
        )
    export.usernames[poster_id] = name


def _read_bodies(source: Source, export: Export) -> None:
    found = False
    for around, element in _elements(source):
        if around == ("livejournal", "comments") and element.tag == "comment":
            found = True
            _add_body(element, export, source)
            element.clear()
        elif _foreign(around, element, COMMENT_BODY):
            raise ExportRefused("wrong_kind", file=source.name, kind=COMMENT_BODY)
    if not found:
        export.issues.append(Issue("file", source.name, "no_comments", {}))


def _add_body(element: Element, export: Export, source: Source) -> None:
    comment_id = _whole_number(element.get("id"))
    if comment_id is None:
        _bad_record(export, source, "comment without an id")
        return
    properties = {
        (prop.get("name") or ""): _text(prop) for prop in element.findall("property")
    }
    body = element.find("body")
    if comment_id in export.bodies:
        export.issues.append(Issue("comment", str(comment_id), "duplicate", {}))
    export.bodies[comment_id] = CommentBody(
        id=comment_id,
        jitemid=_whole_number(element.get("jitemid")),
        parent_id=_whole_number(element.get("parentid")) or None,
        poster_id=_whole_number(element.get("posterid")) or None,
        state=_state(element.get("state"), source, comment_id, export),
        subject=_child_text(element, "subject"),
        body=None if body is None else _text(body),
        date=_moment(_child_text(element, "date")),
        edited=_unix_time(properties.get("edit_time", "")),
    )
