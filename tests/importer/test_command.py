"""The import_journal command on the fixture export (tests/importer/fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from importer.models import ImportedItem, ImportJob, ItemKind, JobState
from journal import paths, services
from journal.models import Comment, CommentRevision, CommentState, Post
from tests.factories import JournalFactory

from .conftest import BODIES, ENTRIES, FIXTURES, META, import_files

pytestmark = pytest.mark.django_db


def imported(journal) -> dict[int, Comment]:
    """The journal's imported comments by their id on the old site."""
    return {
        item.source_id: item.comment
        for item in ImportedItem.objects.filter(
            journal=journal, kind=ItemKind.COMMENT
        ).select_related("comment__author", "comment__parent")
    }


def post_of(journal, jitemid: int) -> Post:
    return ImportedItem.objects.get(
        journal=journal, kind=ItemKind.ENTRY, source_id=jitemid
    ).post


def report_of(journal, *extra) -> dict:
    return json.loads(import_files(journal, "--json", *extra))


def test_the_fixture_imports_entries_and_comments_with_counts_per_state(
    journal, people
):
    report = report_of(journal)

    assert report["entries"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
    }
    assert report["comments"] == {
        "created": 20,
        "updated": 0,
        "unchanged": 0,
        "skipped": 6,
    }
    assert report["states"] == {
        "published": {"created": 18, "updated": 0, "unchanged": 0},
        "held": {"created": 1, "updated": 0, "unchanged": 0},
        "deleted": {"created": 1, "updated": 0, "unchanged": 0},
    }
    comments = imported(journal)
    states = {source: comment.state for source, comment in comments.items()}
    assert states[110] == CommentState.HELD
    assert states[120] == CommentState.DELETED
    assert sum(state == CommentState.PUBLISHED for state in states.values()) == 18
    assert Comment.objects.filter(journal=journal).count() == 20
    job = ImportJob.objects.get()
    assert job.state == JobState.DONE and job.done == job.total == 30


def test_the_command_prints_its_report(journal, people):
    output = import_files(journal)

    assert "Entries: 3 created, 0 updated, 0 unchanged, 1 skipped." in output
    assert "Comments: 20 created, 0 updated, 0 unchanged, 6 skipped." in output
    assert "Held for moderation: 1 created" in output
    assert "Comment 125 was deleted on the old site and has no replies." in output
    assert "Entry 3 is not public on the old site (usemask)" in output


def test_threads_keep_their_shape_with_paths_built_from_their_parents(journal, people):
    import_files(journal)
    comments = imported(journal)
    source_of = {comment.pk: source for source, comment in comments.items()}

    for source, comment in comments.items():
        parent_path = comment.parent.path if comment.parent else ""
        assert comment.path == paths.child_path(parent_path, comment.pk), source
        assert comment.post_id == (comment.parent or comment).post_id
    # The deep thread: 100 → 101 → ... → 107, although 107 and 103 come
    # before their parents in the file.
    chain = [comments[source] for source in range(100, 108)]
    for depth, comment in enumerate(chain):
        assert comment.depth == depth
        if depth:
            assert source_of[comment.parent_id] == 100 + depth - 1
    assert chain[-1].depth == 7
    # The tombstone keeps its replies below it.
    assert source_of[comments[121].parent_id] == 120
    assert source_of[comments[122].parent_id] == 121
    # Display order: every reply right under the comment it answers.
    ordered = list(
        Comment.objects.filter(journal=journal)
        .order_by("post", "path")
        .values_list("pk", flat=True)
    )
    position = {pk: place for place, pk in enumerate(ordered)}
    for comment in comments.values():
        if comment.parent_id:
            assert position[comment.parent_id] < position[comment.pk]


def test_a_comment_without_its_parent_is_top_level_and_reported(journal, people):
    report = report_of(journal)
    comments = imported(journal)

    assert comments[140].parent is None and comments[140].depth == 0
    assert comments[161].parent is None  # its parent 160 was refused
    missing = {
        issue["id"]: issue["parent"]
        for issue in report["issues"]
        if issue["code"] == "parent_missing"
    }
    assert missing == {"140": 99, "161": 160}


def test_deleted_comments_stay_only_as_tombstones_for_their_replies(journal, people):
    report = report_of(journal)
    comments = imported(journal)

    tombstone = comments[120]
    assert tombstone.state == CommentState.DELETED
    assert tombstone.body_source == tombstone.body_html == ""
    assert tombstone.author is None and tombstone.author_name == ""
    # It keeps no date on the old site: the earliest of its replies'.
    assert tombstone.created_at == comments[121].created_at
    for gone in (125, 126, 127):
        assert gone not in comments
    skipped = {
        issue["id"]
        for issue in report["issues"]
        if issue["code"] == "deleted_without_replies"
    }
    assert skipped == {"125", "126", "127"}


def test_comments_keep_their_dates_and_states(journal, people):
    import_files(journal)
    comments = imported(journal)

    assert comments[100].created_at == datetime(2009, 3, 14, 19, 0, tzinfo=UTC)
    assert comments[107].created_at == datetime(2009, 3, 15, 8, 7, tzinfo=UTC)
    assert comments[170].frozen and comments[170].state == CommentState.PUBLISHED
    held = comments[110]
    assert held.reasons[0]["code"] == "import.screened"
    assert held.rule_codes == " import.screened "


def test_authors_are_accounts_here_people_of_the_old_site_or_anonymous(journal, people):
    report = report_of(journal)
    comments = imported(journal)

    for source in (100, 103, 106, 121, 150, 170):
        assert comments[source].author == people["frank"]
        assert comments[source].author_name == ""
    for source in (102, 107, 110, 200):
        assert comments[source].author is None
        assert comments[source].author_label == "ghost_writer (livejournal.com)"
    for source in (104, 122, 130, 131, 140, 201):
        assert comments[source].author is None
        assert comments[source].author_label == "Anonymous"
    assert report["authors"] == {
        "account": 6,
        "external": 7,
        "anonymous": 6,
        "none": 1,
    }


def test_a_renamed_poster_is_one_person_under_their_newest_name(journal, people):
    report = report_of(journal)
    comments = imported(journal)

    # Poster 7 was "marta" in one page of the meta file and "marta_k" in the
    # next: the id is the person, the newer name is used, and "marta_k" is no
    # account here, so the account "marta" is not guessed at.
    for source in (101, 105, 161):
        assert comments[source].author is None
        assert comments[source].author_name == "marta_k (livejournal.com)"
    assert {
        "kind": "poster",
        "id": "7",
        "code": "renamed",
        "old": "marta",
        "new": "marta_k",
    } in report["issues"]


def test_the_owner_maps_their_own_renamed_old_name_to_their_account(journal, people):
    import_files(journal, "--map", "marta_k=frank")

    comments = imported(journal)
    for source in (101, 105, 161):
        assert comments[source].author == people["frank"]


def test_a_map_never_links_old_comments_to_someone_elses_account(journal, people):
    """An export is the owner's word alone: naming another account here for an
    old name would put words in that person's mouth."""
    import_files(journal, "--map", "marta_k=marta")

    for source in (101, 105, 161):
        assert imported(journal)[source].author is None
        assert imported(journal)[source].author_name == "marta_k (livejournal.com)"


def test_a_reimport_with_the_map_moves_the_comments_to_the_account(journal, people):
    import_files(journal)

    report = report_of(journal, "--map", "marta_k = frank")

    assert report["comments"]["updated"] == 3
    assert imported(journal)[101].author == people["frank"]


def test_the_owners_old_name_links_only_when_asked(journal, people):
    import_files(journal, match=False)

    assert imported(journal)[100].author is None
    assert imported(journal)[100].author_name == "frank (livejournal.com)"


def test_the_old_site_names_the_people_from_it(journal, people):
    import_files(journal, "--site", "dreamwidth.org")

    assert imported(journal)[102].author_name == "ghost_writer (dreamwidth.org)"


def test_bodies_are_sanitized_on_the_way_in(journal, people):
    import_files(journal)
    comment = imported(journal)[150]
    entry = post_of(journal, 1)

    for html in (comment.body_html, entry.body_html, post_of(journal, 2).body_html):
        lowered = html.lower()
        for bad in (
            "<script",
            "onclick",
            "onmouseover",
            "onerror",
            "javascript:",
            "<iframe",
        ):
            assert bad not in lowered, (bad, html)
    assert '<a href="https://example.org/ok" rel="nofollow ugc noopener">' in (
        comment.body_html
    )
    # The raw text is kept beside the cleaned copy, as the write path keeps it.
    assert "<script>" in comment.body_source


def test_a_comment_with_nothing_left_once_cleaned_is_refused(journal, people):
    report = report_of(journal)

    assert 160 not in imported(journal)
    assert {"kind": "comment", "id": "160", "code": "empty"} in report["issues"]


def test_comments_on_entries_not_imported_are_left_out(journal, people):
    report = report_of(journal)

    assert 300 not in imported(journal) and 400 not in imported(journal)
    missing = {
        issue["id"]: issue["entry"]
        for issue in report["issues"]
        if issue["code"] == "entry_missing"
    }
    assert missing == {"300": 3, "400": 9}
    assert not Post.objects.filter(title="Only for friends").exists()


def test_entries_keep_their_ids_dates_tags_and_line_breaks(journal, people):
    import_files(journal)

    first = post_of(journal, 1)  # itemid 301 = jitemid 1 * 256 + anum 45
    assert first.title == "Night ferry to the islands"
    assert first.published_at == datetime(2009, 3, 14, 18, 30, tzinfo=UTC)
    assert "We took the night ferry.<br>" in first.body_html
    assert "<b>frank</b> came too" in first.body_html  # <lj user="frank">
    assert "♫ Sea shanties · ☺ sleepy" in first.body_html
    untitled = post_of(journal, 2)
    assert untitled.title == "2009-04-02"
    ljdump = post_of(journal, 4)
    assert ljdump.title == "Allotment diary"
    assert sorted(ljdump.tags.values_list("name", flat=True)) == [
        "Summer Days",
        "beans",
        "garden",
    ]


def test_a_subject_or_body_too_long_is_cut_and_reported(journal, people, tmp_path):
    long_body = "word " * 4_100  # 20,500 characters: over the 20,000 limit
    body_file = tmp_path / "comment_body.xml"
    body_file.write_text(
        "<?xml version='1.0' encoding='utf-8'?><livejournal><comments>"
        f"<comment id='100' jitemid='1' posterid='3'><body>{long_body}</body>"
        "<date>2009-03-14T19:00:00Z</date></comment></comments></livejournal>"
    )

    report = json.loads(import_files(journal, "--json", bodies=[body_file]))

    assert len(imported(journal)[100].body_source) == 20_000
    assert {
        "kind": "comment",
        "id": "100",
        "code": "body_cut",
        "length": "20,500",
        "limit": "20,000",
    } in report["issues"]
    fixture = report_of(journal)
    assert len(imported(journal)[140].subject) == 100
    assert {
        "kind": "comment",
        "id": "140",
        "code": "subject_cut",
        "limit": 100,
    } in fixture["issues"]


def test_a_comment_with_more_markup_than_the_write_path_takes_is_refused(
    journal, people, tmp_path
):
    body = "&lt;b&gt;x&lt;/b&gt;" * 600  # 600 tags: more than 500
    body_file = tmp_path / "comment_body.xml"
    body_file.write_text(
        "<?xml version='1.0' encoding='utf-8'?><livejournal><comments>"
        f"<comment id='100' jitemid='1' posterid='3'><body>{body}</body>"
        "<date>2009-03-14T19:00:00Z</date></comment></comments></livejournal>"
    )

    report = json.loads(import_files(journal, "--json", bodies=[body_file]))

    assert 100 not in imported(journal)
    assert report["issue_counts"]["too_much_markup"] == 1


def test_importing_again_creates_nothing_new(journal, people):
    import_files(journal)
    before = (
        Post.objects.count(),
        Comment.objects.count(),
        ImportedItem.objects.count(),
        list(Comment.objects.order_by("pk").values_list("pk", "path", "body_html")),
    )

    report = report_of(journal)

    assert report["entries"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "skipped": 1,
    }
    assert report["comments"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 20,
        "skipped": 6,
    }
    after = (
        Post.objects.count(),
        Comment.objects.count(),
        ImportedItem.objects.count(),
        list(Comment.objects.order_by("pk").values_list("pk", "path", "body_html")),
    )
    assert after == before


def _edited_bodies(tmp_path):
    """The fixture's body page with comment 101 edited and 110 approved
    (its meta page says so too)."""
    body = (FIXTURES / "comment_body.xml").read_text()
    body = body.replace(
        "Yes, the north pier. The &lt;i&gt;only&lt;/i&gt; one at night.",
        "Yes, the north pier (edited).",
    )
    body = body.replace("parentid='100' state='S'>", "parentid='100'>")
    meta = (FIXTURES / "comment_meta.xml").read_text()
    meta = meta.replace(
        "<comment id='110' posterid='5' state='S' />",
        "<comment id='110' posterid='5' />",
    )
    meta = meta.replace(
        "<comment id='105' posterid='7' />",
        "<comment id='105' posterid='7' state='D' />",
    )
    (tmp_path / "comment_body.xml").write_text(body)
    (tmp_path / "comment_meta.xml").write_text(meta)
    return (
        [tmp_path / "comment_meta.xml", META[1]],
        [tmp_path / "comment_body.xml", BODIES[1]],
    )


def test_a_changed_body_or_state_updates_the_row_and_keeps_the_old_text(
    journal, people, tmp_path
):
    import_files(journal)
    before = imported(journal)
    meta, bodies = _edited_bodies(tmp_path)

    report = json.loads(import_files(journal, "--json", meta=meta, bodies=bodies))

    after = imported(journal)
    assert report["comments"]["created"] == 0
    assert report["comments"]["updated"] == 3
    assert Comment.objects.count() == 20
    edited = after[101]
    assert edited.pk == before[101].pk and edited.path == before[101].path
    assert edited.body_source == "Yes, the north pier (edited)."
    assert edited.revision == 2
    old = CommentRevision.objects.get(comment=edited)
    assert old.body_source.startswith("Yes, the north pier. The <i>only</i>")
    assert after[110].state == CommentState.PUBLISHED and after[110].reasons == []
    # Deleted on the old site since: the row stays, its replies stay below it.
    assert after[105].state == CommentState.DELETED
    assert after[106].parent_id == after[105].pk
    assert after[105].body_source == "Sixth level."  # nothing is erased


def test_a_moderators_decision_here_survives_an_import_of_a_change(
    journal, people, tmp_path
):
    import_files(journal)
    held = imported(journal)[110]
    Comment.objects.filter(pk=held.pk).update(state=CommentState.REJECTED)
    meta, bodies = _edited_bodies(tmp_path)

    report = json.loads(import_files(journal, "--json", meta=meta, bodies=bodies))

    assert imported(journal)[110].state == CommentState.REJECTED
    assert {
        "kind": "comment",
        "id": str(held.pk),
        "code": "kept_local_state",
    } in report["issues"]


def test_replies_imported_later_go_below_comments_imported_before(
    journal, people, tmp_path
):
    body = (FIXTURES / "comment_body.xml").read_text()
    start = body.index("<comment id='104'")
    end = body.index("<comment id='110'")
    first, later = tmp_path / "first.xml", tmp_path / "later.xml"
    first.write_text(body[:start] + body[end:])
    later.write_text(
        "<?xml version='1.0' encoding='utf-8'?><livejournal><comments>"
        + body[start:end]
        + "</comments></livejournal>"
    )
    import_files(journal, bodies=[first])
    assert 104 not in imported(journal) and 107 in imported(journal)

    import_files(journal, bodies=[later])

    comments = imported(journal)
    assert comments[104].parent == comments[103]
    assert comments[104].path == paths.child_path(comments[103].path, comments[104].pk)
    assert comments[106].depth == 6
    # 107 came first, when its parent 106 was not there: it stays top-level.
    assert comments[107].parent is None


def test_comments_posted_after_an_import_take_the_ids_after_it(journal, people, post):
    import_files(journal)
    largest = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()

    comment = services.store_comment(post=post, parent=None, body_source="After.")
    # The table's own counter moved on too (SQLite's sqlite_sequence, the
    # sequence on PostgreSQL): a plain insert takes a free id.
    plain = Comment.objects.create(
        post=post, journal=post.journal, body_source="x", body_html="x"
    )

    assert largest < comment.pk < plain.pk


def test_a_dry_run_reports_and_keeps_nothing(journal, people):
    report = report_of(journal, "--dry-run")

    assert report["comments"]["created"] == 20 and report["dry_run"]
    assert not Comment.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "external_dtd.xml"])
def test_hostile_files_are_refused_and_nothing_is_stored(journal, people, name):
    hostile = FIXTURES / name
    as_entries = name != "billion_laughs.xml"

    with pytest.raises(CommandError, match="may be an attack"):
        import_files(
            journal,
            entries=[*ENTRIES, hostile] if as_entries else ENTRIES,
            bodies=BODIES if as_entries else [*BODIES, hostile],
        )

    assert not Post.objects.exists()
    assert not Comment.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_file_given_as_the_wrong_kind_is_refused(journal, people):
    with pytest.raises(CommandError, match="not a file of the kind"):
        import_files(journal, meta=BODIES, bodies=META)

    assert not Comment.objects.exists()


def test_comment_bodies_need_the_meta_file(journal):
    with pytest.raises(CommandError, match="comment_meta"):
        import_files(journal, meta=[])


def test_an_unknown_account_in_the_map_is_refused(journal):
    with pytest.raises(CommandError, match="no account “nobody”"):
        import_files(journal, "--map", "marta_k=nobody")


def test_each_journal_keeps_its_own_imported_ids(journal, people):
    other = JournalFactory(name="other_place")
    import_files(journal)

    report = json.loads(import_files(other, "--json"))

    assert report["comments"]["created"] == 20
    assert Comment.objects.filter(journal=other).count() == 20


def test_the_command_names_a_missing_journal():
    with pytest.raises(CommandError, match="No journal called nowhere"):
        call_command(
            "import_journal", "nowhere", "--entries", str(ENTRIES[0]), stdout=StringIO()
        )


def test_a_changed_entry_updates_its_post_in_place(journal, people, tmp_path):
    import_files(journal)
    before = post_of(journal, 1)
    changed = tmp_path / "entries.xml"
    changed.write_text(
        (FIXTURES / "entries.xml")
        .read_text()
        .replace("Night ferry to the islands", "Night ferry (edited)")
    )

    report = json.loads(
        import_files(
            journal, "--json", entries=[changed, ENTRIES[1]], meta=[], bodies=[]
        )
    )

    after = post_of(journal, 1)
    assert report["entries"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "skipped": 1,
    }
    assert after.pk == before.pk and after.title == "Night ferry (edited)"
    assert Post.objects.filter(journal=journal).count() == 3
    assert after.comments.count() == before.comments.count()
