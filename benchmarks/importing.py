"""``python -m benchmarks.importing``: how long importing 10,000 comments takes.

    .venv/bin/python -m benchmarks.importing                   # SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.importing --databases sqlite --comments 2000

Writes an export in the sites' own formats (.bench/import_export/): 10 entries
(``entries.xml``, as ``export_do.bml`` writes it), one ``comment_meta`` page
with the usermap of 400 commenters, and the ``comment_body`` pages of 1,000
comments each that ``export_comments.bml`` serves. The threads have the
benchmark's usual shape (``benchmarks.shape``: a fifth top level, replies five
deep), half by registered commenters (100 of whom have an account here), 4 %
screened and 4 % deleted, some bodies with markup to clean. Then, on each
database (a scratch one, migrated as in production), it runs the command three
times: the first import, the same files again (nothing changes), and again
with 500 bodies edited. It prints a table, also written to
.bench/importing.json; the times are the command's own (reading the files and
the import, without starting Python and Django).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from . import shape
from .common import ROOT, WORK, database_url, drop_database, log, site_environment

ENTRIES = 10
POSTERS = 400
LOCAL_ACCOUNTS = 100
BODY_PAGE = 1_000  # comments per comment_body page, as the sites serve them
EDITED = 500

SETUP = f"""
from accounts.models import User
from journal.models import Journal
owner = User.objects.create_user(
    "bench_owner", password="x-long-password-1", is_staff=True
)
Journal.objects.create(name="bench", title="Imported", owner=owner)
User.objects.bulk_create(
    [User(username=f"reader{{n}}", password="!") for n in range({LOCAL_ACCOUNTS})]
)
"""


def _body(rng: random.Random, text: str) -> str:
    """A comment as people wrote them on the old site: mostly plain text with
    line breaks, sometimes bold words, a link, or markup the sanitizer drops."""
    roll = rng.random()
    if roll < 0.1:
        return f"<b>{text[:40]}</b> {text[40:]}"
    if roll < 0.15:
        return f'{text} <a href="https://example.org/{rng.randint(1, 99)}">link</a>'
    if roll < 0.17:
        return f'<span onclick="alert(1)">{text}</span><script>alert(2)</script>'
    return text


def write_export(directory: Path, comments: int, *, edited: int = 0) -> dict:
    """The export files of ``comments`` comments; with ``edited``, that many
    bodies changed. Returns the files by kind and what the import should do."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    per_entry = comments // ENTRIES
    entries = ["<?xml version=\"1.0\" encoding='utf-8'?>\n<livejournal>"]
    meta_comments, body_rows = [], []
    jtalkid = 0
    expected = {"comments": 0, "deleted_leaves": 0}
    for entry in range(1, ENTRIES + 1):
        entries.append(
            f"<entry>\n<itemid>{entry * 256 + entry}</itemid>\n"
            f"<eventtime>2012-{entry:02d}-01 12:00:00</eventtime>\n"
            f"<logtime>2012-{entry:02d}-01 10:00:00</logtime>\n"
            f"<subject>Entry {entry}</subject>\n"
            f"<event>{escape(shape.comment_text(rng))}</event>\n"
            "<security>public</security>\n<allowmask>0</allowmask>\n</entry>"
        )
        nodes = shape.thread(per_entry, seed=entry)
        first = jtalkid + 1
        has_reply = {node.parent for node in nodes if node.parent is not None}
        for node in nodes:
            jtalkid += 1
            roll = rng.random()
            state = "S" if roll < 0.04 else "D" if roll < 0.08 else "A"
            if state == "D" and node.index not in has_reply:
                expected["deleted_leaves"] += 1
            poster = None if node.user is None else 1 + node.user % POSTERS
            attributes = f"id='{jtalkid}'"
            if poster:
                attributes += f" posterid='{poster}'"
            if state != "A":
                attributes += f" state='{state}'"
            meta_comments.append(f"<comment {attributes} />")
            parent = "" if node.parent is None else f" parentid='{first + node.parent}'"
            body_attributes = f"id='{jtalkid}' jitemid='{entry}'{parent}" + (
                f" posterid='{poster}'" if poster else ""
            )
            if state == "D":
                body_rows.append(f"<comment {body_attributes} state='D' />")
                continue
            text = _body(rng, node.text)
            if edited and jtalkid % (comments // edited) == 0:
                text += " (edited)"
            hour, minute = (node.index // 60) % 24, node.index % 60
            date = f"2012-{entry:02d}-02T{hour:02d}:{minute:02d}:00Z"
            state_attribute = f" state='{state}'" if state != "A" else ""
            body_rows.append(
                f"<comment {body_attributes}{state_attribute}>\n"
                f"<subject>{escape(text[:30])}</subject>\n"
                f"<body>{escape(text)}</body>\n<date>{date}</date>\n</comment>"
            )
            expected["comments"] += 1
    entries.append("</livejournal>\n")
    files = {"entries": [directory / "entries.xml"], "meta": [], "bodies": []}
    files["entries"][0].write_text("\n".join(entries))
    usermap = "\n".join(
        f"<usermap id='{n}' user={quoteattr(f'reader{n - 1}')} />"
        for n in range(1, POSTERS + 1)
    )
    meta = directory / "comment_meta.xml"
    meta.write_text(
        "<?xml version=\"1.0\" encoding='utf-8'?>\n<livejournal>\n"
        f"<maxid>{jtalkid}</maxid>\n<comments>\n"
        + "\n".join(meta_comments)
        + f"\n</comments>\n<usermaps>\n{usermap}\n</usermaps>\n</livejournal>\n"
    )
    files["meta"].append(meta)
    for page, start in enumerate(range(0, len(body_rows), BODY_PAGE)):
        path = directory / f"comment_body_{page}.xml"
        path.write_text(
            "<?xml version=\"1.0\" encoding='utf-8'?>\n<livejournal>\n<comments>\n"
            + "\n".join(body_rows[start : start + BODY_PAGE])
            + "\n</comments>\n</livejournal>\n"
        )
        files["bodies"].append(path)
    return {"files": files, "expected": expected, "total": jtalkid}


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def _import(env: dict, files: dict) -> dict:
    started = time.perf_counter()
    output = _manage(
        env,
        "import_journal",
        "bench",
        "--json",
        "--entries",
        *map(str, files["entries"]),
        "--comment-meta",
        *map(str, files["meta"]),
        "--comment-body",
        *map(str, files["bodies"]),
    )
    report = json.loads(output.strip().splitlines()[-1])
    report["wall_seconds"] = round(time.perf_counter() - started, 2)
    return report


def measure(database: str, export: dict, edited: dict) -> dict:
    name = f"bench_import_{database}"
    env = site_environment(database_url(database, name))
    try:
        log(f"{database}: migrating a scratch database")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "shell", "-v", "0", "-c", SETUP)
        log(f"{database}: first import")
        first = _import(env, export["files"])
        assert first["comments"]["created"] > 0, first["comments"]
        log(f"{database}: the same files again")
        again = _import(env, export["files"])
        assert again["comments"]["created"] == 0, again["comments"]
        log(f"{database}: {EDITED} bodies edited")
        changed = _import(env, edited["files"])
    finally:
        drop_database(database, name)
    return {"first": first, "again": again, "changed": changed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--databases",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
    )
    parser.add_argument("--comments", type=int, default=10_000)
    arguments = parser.parse_args()
    directory = WORK / "import_export"
    export = write_export(directory / "original", arguments.comments)
    edited = write_export(directory / "edited", arguments.comments, edited=EDITED)
    log(
        f"wrote {export['total']:,} comments ({export['expected']['comments']:,} "
        f"with text) in {len(export['files']['bodies'])} comment_body pages"
    )
    results = {
        database: measure(database, export, edited) for database in arguments.databases
    }
    (WORK / "importing.json").write_text(json.dumps(results, indent=2))
    print(
        f"\nImporting {export['total']:,} comments (LiveJournal / Dreamwidth export), "
        "seconds of the command's own time (wall time with start-up)\n"
    )
    header = (
        f"{'database':<11}{'first import':>18}{'comments/s':>12}"
        f"{'again (no change)':>20}{f'{EDITED} edited':>16}"
        f"{'created':>9}{'updated':>9}{'skipped':>9}"
    )
    print(header)
    print("-" * len(header))
    for database, result in results.items():
        first, again, changed = result["first"], result["again"], result["changed"]
        rate = export["total"] / first["seconds"]
        print(
            f"{database:<11}"
            f"{first['seconds']:>9.2f} ({first['wall_seconds']:>5.2f})"
            f"{rate:>12,.0f}"
            f"{again['seconds']:>11.2f} ({again['wall_seconds']:>5.2f})"
            f"{changed['seconds']:>7.2f} ({changed['wall_seconds']:>5.2f})"
            f"{first['comments']['created']:>9,}"
            f"{changed['comments']['updated']:>9,}"
            f"{first['comments']['skipped']:>9,}"
        )


if __name__ == "__main__":
    main()
