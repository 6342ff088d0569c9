"""Import one export into one journal: all of it in one transaction, or none.

Entries become posts through the platform's own ``journal.services.save_post``
(sanitized with ``clean_post_body``, tags set, pages touched). Comments are
many, so they are written in bulk, but under the write path's rules that
protect data: every body cleaned by ``clean_comment_body`` within the
comment limits (cut when too long, refused with too much markup or nothing
left to read), and every path the parent's path and the comment's own
zero-padded id (``journal.paths``). They are not judged by the moderation
rules: they were moderated on the old site, and a screened comment stays
held here.

Ids are reserved before the rows are written, so each row is inserted once,
path and all, parents before replies: on PostgreSQL from the table's
sequence; on SQLite, whose write lock the import holds from its first
statement, as the rows after the largest id the table ever had (the rule
``journal.services`` relies on for one comment).

Running it again finds what it imported (``ImportedItem``): an item whose
export says what it said last time is left alone, a changed one is updated
in place (its old text kept as an earlier version), and nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from journal import pagecache, paths, sanitize
from journal.conf import option as journal_option
from journal.models import Comment, CommentRevision, CommentState, Journal, Post
from journal.services import parse_tag_names, save_post

from . import formats, ordering
from .conf import option
from .formats import Issue
from .models import ImportedItem, ImportJob, ItemKind

# The old sites' usernames: letters, digits, "_" (shown as "-" in addresses).
USERNAME = re.compile(r"[A-Za-z0-9_-]{1,50}")
HELD_REASON = "import.screened"

STATE_OF = {
    formats.ACTIVE: CommentState.PUBLISHED,
    formats.FROZEN: CommentState.PUBLISHED,
    formats.SCREENED: CommentState.HELD,
    formats.DELETED: CommentState.DELETED,
}
# The states an import sets. Any other (rejected, spam, removed) is a
# moderator's decision here, which importing again leaves alone.
IMPORT_STATES = frozenset(
    {CommentState.PUBLISHED, CommentState.HELD, CommentState.DELETED}
)

_LJ_USER = re.compile(
    r"""<\s*(?:lj\s+(?:user|comm)|user\s+name)\s*=\s*["']?([A-Za-z0-9_-]{1,50})["']?[^>]*>""",
    re.IGNORECASE,
)
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Options:
    site: str = "livejournal.com"
    match_usernames: bool = False
    # Old username (lower case) -> username here.
    name_map: Mapping[str, str] = field(default_factory=dict)
    # Import, report, then roll everything back.
    dry_run: bool = False


@dataclass(frozen=True)
class Author:
    user_id: int | None
    name: str
    kind: str  # "account", "external" or "anonymous"


ANONYMOUS = Author(None, "", "anonymous")
# A deleted comment kept for its replies shows no author, as on the old site.
NOBODY = Author(None, "", "none")


@dataclass(frozen=True)
class _Text:
    subject: str
    body_source: str
    body_html: str


@dataclass(frozen=True)
class _Wanted:
    """What a comment of the export should look like here."""

    state: str
    # Its subject and body as the export has them; None for a deleted one.
    source: tuple[str, str] | None
    author: Author
    frozen: bool
    date: datetime | None
    edited: datetime | None
    # Cleaned, once it is known to be written; None: keep the text (deleted,
    # or refused this time).
    text: _Text | None = None

    @property
    def digest(self) -> str:
        """What the export says of the comment: when it says the same again,
        there is nothing to clean or write."""
        return _digest(
            [
                self.state,
                self.source and list(self.source),
                self.author.user_id,
                self.author.name,
                self.frozen,
                self.date and self.date.isoformat(),
            ]
        )


def _digest(values) -> str:
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


class _Report:
    def __init__(self):
        self.entries = Counter(created=0, updated=0, unchanged=0, skipped=0)
        self.comments = Counter(created=0, updated=0, unchanged=0, skipped=0)
        self.states: dict[str, Counter] = {}
        self.authors = Counter(account=0, external=0, anonymous=0)
        self.issues: list[dict] = []
        self.issue_counts: Counter = Counter()
        self.keep = option("ISSUES_KEPT")

    def issue(self, issue: Issue) -> None:
        self.issue_counts[issue.code] += 1
        if len(self.issues) < self.keep:
            self.issues.append(issue.as_json())

    def comment(self, outcome: str, state: str, author_kind: str) -> None:
        self.comments[outcome] += 1
        counts = self.states.setdefault(
            state, Counter(created=0, updated=0, unchanged=0)
        )
        counts[outcome] += 1
        self.authors[author_kind] += 1

    def as_json(self, options: Options) -> dict:
        return {
            "site": options.site,
            "entries": dict(self.entries),
            "comments": dict(self.comments),
            "states": {state: dict(counts) for state, counts in self.states.items()},
            "authors": dict(self.authors),
            "issues": self.issues,
            "issue_counts": dict(self.issue_counts),
            "dry_run": options.dry_run,
        }


def import_export(
    *,
    journal: Journal,
    export: formats.Export,
    options: Options,
    job: ImportJob | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Import ``export`` into ``journal`` in one transaction and return the
    report (as JSON data). Locks the journal's row for the transaction: one
    import at a time per journal (and on SQLite the database's write lock,
    which keeps the reserved comment ids ours). ``progress(done, total)`` is
    called every few hundred items."""
    run = _Run(journal, export, options, job, progress)
    with transaction.atomic():
        Journal.objects.filter(pk=journal.pk).update(name=F("name"))
        for issue in export.issues:
            run.report.issue(issue)
        run.entries()
        run.comments()
        if options.dry_run:
            transaction.set_rollback(True)
        else:
            # Readers' cached pages show the new content once this commits.
            pagecache.touch_posts(run.touched_posts)
            if run.entries_changed:
                pagecache.touch_journals([journal.name])
    if progress:
        progress(run.total, run.total)
    return run.report.as_json(options)


class _Run:
    def __init__(self, journal, export, options, job, progress):
        self.journal = journal
        self.export = export
        self.options = options
        self.job = job
        self.progress = progress
        self.report = _Report()
        self.total = export.size
        self.done = 0
        self.every = option("PROGRESS_EVERY")
        self.posts: dict[int, int] = {}  # jitemid -> post id
        self.touched_posts: set[int] = set()
        self.entries_changed = False
        self.now = timezone.now()

    def step(self) -> None:
        self.done += 1
        if self.progress and self.done % self.every == 0:
            self.progress(self.done, self.total)

    # -- entries -----------------------------------------------------------

    def entries(self) -> None:
        known = {
            item.source_id: item
            for item in ImportedItem.objects.filter(
                journal=self.journal, kind=ItemKind.ENTRY
            ).select_related("post")
        }
        # A post moved to another journal since is that journal's now: the
        # import neither rewrites it nor adds comments to it.
        moved = {
            source_id
            for source_id, item in known.items()
            if item.post.journal_id != self.journal.pk
        }
        for item in known.values():
            if item.source_id not in moved:
                self.posts[item.source_id] = item.post_id
        for jitemid in sorted(self.export.entries):
            self.step()
            entry = self.export.entries[jitemid]
            if jitemid in moved:
                self.report.issue(Issue("entry", str(jitemid), "entry_moved"))
                self.report.entries["skipped"] += 1
                continue
            if not entry.is_public:
                self.report.issue(
                    Issue(
                        "entry",
                        str(jitemid),
                        "private_entry",
                        {"security": entry.security[:20]},
                    )
                )
                self.report.entries["skipped"] += 1
                continue
            self._entry(entry, known.get(jitemid))

    def _entry(self, entry: formats.Entry, item: ImportedItem | None) -> None:
        # What the export says of the entry: the same again, nothing to do.
        digest = _digest(asdict(entry))
        if item is not None and item.digest == digest:
            self.report.entries["unchanged"] += 1
            return
        values = self._post_values(entry)
        post = item.post if item is not None else Post(journal=self.journal)
        post.title = values["title"]
        post.body_source = values["body_source"]
        post.published_at = values["published_at"]
        post.comments_enabled = values["comments_enabled"]
        save_post(post=post, tag_names=values["tags"])
        self.posts[entry.jitemid] = post.pk
        self.touched_posts.add(post.pk)
        self.entries_changed = True
        if item is None:
            ImportedItem.objects.create(
                journal=self.journal,
                kind=ItemKind.ENTRY,
                source_id=entry.jitemid,
                post=post,
                digest=digest,
                job=self.job,
            )
            self.report.entries["created"] += 1
        else:
            item.digest = digest
            item.job = self.job
            item.updated_at = self.now
            item.save(update_fields=["digest", "job", "updated_at"])
            self.report.entries["updated"] += 1

    def _cut(
        self, text: str, limit: int, kind: str, source_id: str, *, body=False
    ) -> str:
        """``text`` within the write path's ``limit``; what was cut, reported."""
        if len(text) <= limit:
            return text
        if body:
            details = {"length": f"{len(text):,}", "limit": f"{limit:,}"}
            self.report.issue(Issue(kind, source_id, "body_cut", details))
        else:
            self.report.issue(Issue(kind, source_id, "subject_cut", {"limit": limit}))
        return text[:limit]

    def _post_values(self, entry: formats.Entry) -> dict:
        jitemid = str(entry.jitemid)
        published_at = entry.eventtime or entry.logtime
        if published_at is None:
            self.report.issue(Issue("entry", jitemid, "entry_no_date"))
            published_at = self.now
        title = " ".join(entry.subject.split())
        title = self._cut(
            title, Post._meta.get_field("title").max_length, "entry", jitemid
        )
        # LiveJournal has no title-less posts' equivalent here; its date will do.
        title = title or published_at.strftime("%Y-%m-%d")
        body = _lj_markup(entry.body)
        if not entry.preformatted:
            body = _line_breaks(body)
        extras = [
            f"♫ {escape(entry.music)}" if entry.music else "",
            f"☺ {escape(entry.mood)}" if entry.mood else "",
        ]
        if any(extras):
            body += (
                f"\n<p><small>{' · '.join(item for item in extras if item)}</small></p>"
            )
        body = self._cut(
            body, journal_option("POST_MAX_LENGTH"), "entry", jitemid, body=True
        )
        return {
            "title": title,
            "body_source": body,
            "published_at": published_at,
            "tags": parse_tag_names(", ".join(entry.tags)),
            "comments_enabled": not entry.comments_disabled,
        }

    # -- comments ----------------------------------------------------------

    def comments(self) -> None:
        export = self.export
        ids = export.comment_ids()
        if not ids:
            return
        authors = self._authors()
        known = {
            row["source_id"]: row
            for row in ImportedItem.objects.filter(
                journal=self.journal, kind=ItemKind.COMMENT
            ).values(
                "id",
                "source_id",
                "digest",
                "comment_id",
                "comment__post_id",
                "comment__path",
                "comment__parent_id",
                "comment__state",
                "comment__journal_id",
            )
        }
        # Comments whose post moved to another journal went with it: theirs.
        elsewhere = {
            source
            for source, row in known.items()
            if row["comment__journal_id"] != self.journal.pk
        }
        source_of = {row["comment_id"]: source for source, row in known.items()}
        anchors = {
            source: ordering.Anchor(
                post=row["comment__post_id"],
                depth=paths.depth_of(row["comment__path"]),
                parent=source_of.get(row["comment__parent_id"]),
            )
            for source, row in known.items()
            if source not in elsewhere
        }
        nodes: dict[int, ordering.Node] = {}
        wanted: dict[int, _Wanted] = {}
        updates: dict[int, _Wanted] = {}
        for comment_id in ids:
            self.step()
            body = export.bodies.get(comment_id)
            poster_id, letter = export.poster_and_state(comment_id)
            state = STATE_OF.get(letter, CommentState.HELD)
            deleted = state == CommentState.DELETED
            want = _Wanted(
                state=state,
                source=None if deleted or body is None else (body.subject, body.body),
                author=NOBODY if deleted else self._author(poster_id, authors),
                frozen=letter == formats.FROZEN,
                date=body.date if body else None,
                edited=body.edited if body else None,
            )
            if comment_id in elsewhere:
                self.report.issue(Issue("comment", str(comment_id), "entry_moved"))
                continue
            if comment_id in known:
                if want.digest == known[comment_id]["digest"]:
                    self.report.comment(
                        "unchanged",
                        known[comment_id]["comment__state"],
                        want.author.kind,
                    )
                else:
                    updates[comment_id] = self._with_text(want, body)
                continue
            if body is None:
                self.report.issue(Issue("comment", str(comment_id), "no_body"))
                continue
            post_id = self.posts.get(body.jitemid) if body.jitemid else None
            if post_id is None:
                self.report.issue(
                    Issue(
                        "comment",
                        str(comment_id),
                        "entry_missing",
                        {"entry": body.jitemid},
                    )
                )
                continue
            want = self._with_text(want, body)
            nodes[comment_id] = ordering.Node(
                id=comment_id,
                post=post_id,
                parent=body.parent_id,
                deleted=deleted,
                usable=want.text is not None,
            )
            wanted[comment_id] = want

        placed, issues = ordering.place(
            nodes, anchors, max_depth=journal_option("MAX_COMMENT_DEPTH")
        )
        for issue in issues:
            self.report.issue(issue)
        self._create(placed, nodes, wanted, known)
        self._update(updates, known)
        self.report.comments["skipped"] = len(ids) - sum(
            self.report.comments[outcome]
            for outcome in ("created", "updated", "unchanged")
        )

    def _author(self, poster_id: int | None, authors: dict[int, Author]) -> Author:
        if poster_id is None:
            return ANONYMOUS
        author = authors.get(poster_id)
        if author is None:
            if poster_id not in self.export.usernames:
                self.report.issue(Issue("poster", str(poster_id), "unknown_poster"))
                # Reported once: from now on the poster is known as anonymous.
            authors[poster_id] = author = ANONYMOUS
        return author

    def _authors(self) -> dict[int, Author]:
        """Each poster of the usermap as an account here or a named person of
        the old site. The poster's id is the person within the export; their
        name (the last the usermap gave) finds the account here: the owner's
        own list first, then, if asked, the same username.

        Only the journal owner's own account is ever linked: an export is the
        owner's word, and nobody else agreed to have old words shown as theirs
        here (or to earn trust by them), so every other poster stays a named
        person of the old site, even when an account here has their name."""
        names = {}
        for poster_id, name in self.export.usernames.items():
            if USERNAME.fullmatch(name):
                names[poster_id] = name
            else:
                self.report.issue(Issue("poster", str(poster_id), "bad_username"))
        wanted = {}
        for name in names.values():
            key = name.lower()
            if key in self.options.name_map:
                wanted[key] = self.options.name_map[key].lower()
            elif self.options.match_usernames:
                wanted[key] = key
        found: dict[str, int] = {}
        accounts = get_user_model().objects.annotate(lower_name=Lower("username"))
        for chunk in _chunks(sorted(set(wanted.values())), 500):
            found.update(
                accounts.filter(
                    lower_name__in=chunk, is_active=True, pk=self.journal.owner_id
                ).values_list("lower_name", "pk")
            )
        authors = {}
        for poster_id, name in names.items():
            user_id = found.get(wanted.get(name.lower(), ""))
            if user_id is not None:
                authors[poster_id] = Author(user_id, "", "account")
            else:
                label = f"{name} ({self.options.site})"[:50]
                authors[poster_id] = Author(None, label, "external")
        return authors

    def _with_text(self, want: _Wanted, body: formats.CommentBody | None) -> _Wanted:
        if want.source is None or body is None:
            return want
        return replace(want, text=self._comment_text(body))

    def _comment_text(self, body: formats.CommentBody) -> _Text | None:
        """The comment's text under the write path's limits, or None when it
        is refused (and why, in the report)."""
        source_id = str(body.id)
        subject = " ".join(body.subject.split())
        limit = journal_option("SUBJECT_MAX_LENGTH")
        subject = self._cut(subject, limit, "comment", source_id)
        text = _lj_markup(body.body or "")
        text = self._cut(
            text, journal_option("COMMENT_MAX_LENGTH"), "comment", source_id, body=True
        )
        too_much = Issue(
            "comment",
            source_id,
            "too_much_markup",
            {"tags": sanitize.MAX_TAGS, "length": f"{sanitize.MAX_ATTRIBUTE_LENGTH:,}"},
        )
        if _markup_problem(text):
            self.report.issue(too_much)
            return None
        html = sanitize.clean_comment_body(text)
        if sanitize.grew_too_much(text, html):
            self.report.issue(too_much)
            return None
        if not _has_text(html):
            self.report.issue(Issue("comment", source_id, "empty"))
            return None
        return _Text(subject=subject, body_source=text, body_html=html)

    def _create(self, placed, nodes, wanted, known) -> None:
        if not placed:
            return
        dates = self._dates(placed, nodes, wanted)
        new_ids = _reserve_ids(len(placed))
        local = dict(
            zip(sorted(place.id for place in placed), new_ids or [], strict=False)
        )
        path_of: dict[int, str] = {}
        rows = []
        for place in placed:  # each after the comment it answers
            want = wanted[place.id]
            node = nodes[place.id]
            parent_id = parent_path = None
            if place.parent is not None:
                if place.parent in known:
                    parent_id = known[place.parent]["comment_id"]
                    parent_path = known[place.parent]["comment__path"]
                else:
                    parent_id = local.get(place.parent)
                    parent_path = path_of[place.parent]
            text = want.text or _Text("", "", "")
            reasons = self._reasons(want.state)
            comment = Comment(
                id=local.get(place.id),
                post_id=node.post,
                journal_id=self.journal.pk,
                parent_id=parent_id,
                author_id=want.author.user_id,
                author_name=want.author.name,
                subject=text.subject,
                body_source=text.body_source,
                body_html=text.body_html,
                state=want.state,
                reasons=reasons,
                rule_codes=Comment.codes_of(reasons),
                frozen=want.frozen,
                created_at=dates[place.id],
                edited_at=want.edited,
            )
            if new_ids is None:
                # A database without a way to reserve ids: insert, then path.
                comment.save(force_insert=True)
                local[place.id] = comment.pk
                comment.path = paths.child_path(parent_path or "", comment.pk)
                Comment.objects.filter(pk=comment.pk).update(path=comment.path)
            else:
                comment.path = paths.child_path(parent_path or "", comment.pk)
                rows.append(comment)
            path_of[place.id] = comment.path
            self.touched_posts.add(node.post)
            self.report.comment("created", want.state, want.author.kind)
        _insert_rows(Comment, rows, with_pk=True)
        _insert_rows(
            ImportedItem,
            [
                ImportedItem(
                    journal=self.journal,
                    kind=ItemKind.COMMENT,
                    source_id=place.id,
                    comment_id=local[place.id],
                    digest=wanted[place.id].digest,
                    job=self.job,
                    imported_at=self.now,
                    updated_at=self.now,
                )
                for place in placed
            ],
            with_pk=False,
        )

    def _dates(self, placed, nodes, wanted) -> dict[int, datetime]:
        """Each new comment's date: its own; for a deleted one (the export
        keeps no date for it), the earliest of its replies'."""
        post_dates = dict(
            Post.objects.filter(
                pk__in={nodes[place.id].post for place in placed}
            ).values_list("pk", "published_at")
        )
        earliest: dict[int, datetime] = {}
        dates: dict[int, datetime] = {}
        for place in reversed(placed):  # replies before the comments they answer
            want = wanted[place.id]
            date = want.date or earliest.get(place.id)
            if date is None:
                if want.state != CommentState.DELETED:
                    self.report.issue(Issue("comment", str(place.id), "no_date"))
                date = post_dates[nodes[place.id].post]
            dates[place.id] = date
            if place.parent is not None and place.parent in nodes:
                known = earliest.get(place.parent)
                earliest[place.parent] = date if known is None else min(known, date)
        return dates

    def _reasons(self, state: str) -> list[dict]:
        if state != CommentState.HELD:
            return []
        message = gettext("Screened on %(site)s before the import.") % {
            "site": self.options.site
        }
        return [{"code": HELD_REASON, "action": "hold", "message": message}]

    def _update(self, updates: dict[int, _Wanted], known) -> None:
        """Comments imported before that the export changed since: they take
        its text, author and state (unless a moderator here decided on them);
        their old text is kept as an earlier version."""
        if not updates:
            return
        comments: dict[int, Comment] = {}
        for chunk in _chunks([known[source]["comment_id"] for source in updates], 500):
            comments.update(Comment.objects.in_bulk(chunk))
        revisions: list[CommentRevision] = []
        changed: dict[frozenset[str], list[Comment]] = {}
        items = []
        for source, want in updates.items():
            comment = comments[known[source]["comment_id"]]
            fields = self._apply(comment, want, revisions)
            if fields:
                changed.setdefault(frozenset(fields), []).append(comment)
                self.touched_posts.add(comment.post_id)
            self.report.comment(
                "updated" if fields else "unchanged", comment.state, want.author.kind
            )
            items.append(
                ImportedItem(
                    pk=known[source]["id"],
                    digest=want.digest,
                    job=self.job,
                    updated_at=self.now,
                )
            )
        _insert_rows(CommentRevision, revisions, with_pk=False)
        for fields, rows in changed.items():
            _update_rows(Comment, rows, sorted(fields))
        _update_rows(ImportedItem, items, ["digest", "job", "updated_at"])

    def _apply(self, comment: Comment, want: _Wanted, revisions: list) -> set[str]:
        """Change ``comment`` as ``want`` says; the names of the fields changed."""
        fields: set[str] = set()
        text = want.text
        if text is not None and (text.subject, text.body_source) != (
            comment.subject,
            comment.body_source,
        ):
            revisions.append(
                CommentRevision(
                    comment=comment,
                    number=comment.revision,
                    subject=comment.subject,
                    body_source=comment.body_source,
                    body_html=comment.body_html,
                    state=comment.state,
                    reasons=comment.reasons,
                    written_at=comment.edited_at or comment.created_at,
                    replaced_at=self.now,
                )
            )
            comment.subject = text.subject
            comment.body_source = text.body_source
            comment.body_html = text.body_html
            comment.revision += 1
            comment.edited_at = want.edited or self.now
            fields |= {"subject", "body_source", "body_html", "revision", "edited_at"}
        if want.state != CommentState.DELETED and (
            comment.author_id,
            comment.author_name,
        ) != (want.author.user_id, want.author.name):
            comment.author_id = want.author.user_id
            comment.author_name = want.author.name
            fields |= {"author", "author_name"}
        if comment.state != want.state:
            if comment.state in IMPORT_STATES and not _decided_here(comment):
                comment.state = want.state
                comment.reasons = self._reasons(want.state)
                comment.rule_codes = Comment.codes_of(comment.reasons)
                fields |= {"state", "reasons", "rule_codes"}
            else:
                self.report.issue(Issue("comment", str(comment.pk), "kept_local_state"))
        if comment.frozen != want.frozen:
            comment.frozen = want.frozen
            fields.add("frozen")
        return fields


def _decided_here(comment: Comment) -> bool:
    """Whether someone here took the comment out of view in a state an import
    also sets: a moderator screened it (it stays held until a moderator here
    says otherwise, as after an edit), or it was deleted here, by its author
    or an import of its deletion (the old sites never bring one back)."""
    return comment.moderator_screened or comment.state == CommentState.DELETED


# Rows are written with executemany, a statement prepared once for many rows
# (psycopg sends them in one pipeline; sqlite3 loops in C): for 10,000
# comments, Django's bulk_create spent longer building its SQL and values
# than the databases spent storing them.

# Fields whose Python values the drivers take as they are.
_PLAIN = (
    models.BooleanField,
    models.IntegerField,
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
)
_TEXT = (models.CharField, models.TextField)


def _preparer(field) -> Callable:
    """How to turn an object's value of ``field`` into a query parameter, as
    Django would (``pre_save``, ``get_db_prep_save``), cheaply where it can."""
    attname = field.attname
    if isinstance(field, _TEXT) and not isinstance(field, models.JSONField):
        # str() turns a TextChoices member into its plain value.
        return lambda obj: (
            None if (value := getattr(obj, attname)) is None else str(value)
        )
    if isinstance(field, _PLAIN):
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), connection)


def _insert_rows(model, objects: list, *, with_pk: bool) -> None:
    """INSERT ``objects`` of ``model``; ``with_pk``: their ids are set."""
    if not objects:
        return
    meta = model._meta
    fields = [
        field for field in meta.local_concrete_fields if with_pk or field is not meta.pk
    ]
    name = connection.ops.quote_name
    sql = (
        f"INSERT INTO {name(meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(name(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    prepare = [_preparer(field) for field in fields]
    with connection.cursor() as cursor:
        for chunk in _chunks(objects, option("BATCH")):
            cursor.executemany(
                sql, [[value(obj) for value in prepare] for obj in chunk]
            )


def _update_rows(model, objects: list, names: list[str]) -> None:
    """UPDATE the fields ``names`` of ``objects`` of ``model``, by id."""
    if not objects:
        return
    meta = model._meta
    fields = [meta.get_field(field_name) for field_name in names]
    name = connection.ops.quote_name
    sql = (
        f"UPDATE {name(meta.db_table)} SET "  # noqa: S608 (names from the model)
        f"{', '.join(f'{name(field.column)} = %s' for field in fields)} "
        f"WHERE {name(meta.pk.column)} = %s"
    )
    prepare = [_preparer(field) for field in fields]
    with connection.cursor() as cursor:
        for chunk in _chunks(objects, option("BATCH")):
            cursor.executemany(
                sql, [[*(value(obj) for value in prepare), obj.pk] for obj in chunk]
            )


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _markup_problem(text: str) -> str | None:
    """``sanitize.markup_problem`` for a comment, skipped where it cannot find
    one: with at most MAX_TAGS "<" there are at most that many tags, and no
    attribute is longer than the whole text."""
    if text.count("<") <= sanitize.MAX_TAGS and len(text) <= (
        sanitize.MAX_ATTRIBUTE_LENGTH
    ):
        return None
    return sanitize.markup_problem(text, sanitize.COMMENT)


_TAGS_AND_REFERENCES = re.compile(r"<[^>]*>|&[#\w]+;")
_WORD = re.compile(r"\w")


def _has_text(html: str) -> bool:
    """Whether cleaned HTML leaves anything to read, as the write path asks
    (``summarize(html).text.strip()``), without parsing it when a word
    character stands outside every tag."""
    if _WORD.search(_TAGS_AND_REFERENCES.sub(" ", html)):
        return True
    return bool(sanitize.summarize(html).text.strip())


def _lj_markup(text: str) -> str:
    """The old sites' own tags the sanitizer would drop whole: a user tag
    (``<lj user="frank">``, ``<user name="frank">``) becomes the name."""
    return _LJ_USER.sub(lambda match: f"<b>{match.group(1)}</b>", text)


def _line_breaks(text: str) -> str:
    """LiveJournal shows an entry's line breaks unless it is marked
    preformatted; posts here are HTML, so they become <br> (not in <pre>)."""
    pieces = _PRE.split(text.replace("\r\n", "\n"))
    return "".join(
        piece if index % 2 else piece.replace("\n", "<br>\n")
        for index, piece in enumerate(pieces)
    )


# The next ids of the comment table, reserved for rows about to be inserted.
def _reserve_ids(count: int) -> list[int] | None:
    meta = Comment._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT NEXTVAL(PG_GET_SERIAL_SEQUENCE(%s, %s)) "
                "FROM GENERATE_SERIES(1, %s)",
                [table, pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            # The import holds the write lock (its first statement wrote), so
            # nobody else inserts until it commits; the rows it inserts with
            # these ids move sqlite_sequence on as any insert would.
            name = connection.ops.quote_name
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence "  # noqa: S608
                f"WHERE name = %s), 0), COALESCE((SELECT MAX({name(pk)}) "
                f"FROM {name(table)}), 0))",
                [table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))
    return None
