"""Writes of the journal app. Every door (web form, admin, API) calls these.

``submit_comment`` is the only way a reader's comment is created and
``edit_comment`` the only way one changes: each validates and sanitizes the
text, asks the moderation plugin for its judgement (``journal.plugins``) and
stores the result atomically: in one transaction, or in one statement when the
plugin has nothing to write beside it (``submit_comment``). No rule hangs off
a signal, so no entry point can skip one.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import timedelta
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from . import pagecache, paths, sanitize
from .compiled import Compiled
from .conf import option
from .confusables import skeleton
from .models import Comment, CommentRevision, CommentState, Journal, Post, Tag
from .plugins import Companion, Draft, Judgement, Origin, Refusal, plugin
from .sanitize import clean_comment_body, clean_post_body, summarize
from .validators import validate_name


class CommentRefused(Exception):
    """The moderation plugin refused the comment; nothing was stored or changed."""

    def __init__(self, refusal: Refusal):
        self.reason = refusal
        self.code = refusal.code
        self.message = refusal.message
        self.retry_after = refusal.retry_after
        super().__init__(refusal.message)


class NotAllowed(Exception):
    """The user may not do this to this comment; the message says why."""

    def __init__(self, message: str, code: str):
        self.message = message
        self.code = code
        super().__init__(message)


def name_is_taken(name: str) -> bool:
    """Whether an anonymous name looks like a member's username or display name."""
    key = skeleton(name)
    return bool(key) and (
        get_user_model()
        .objects.filter(Q(username_key=key) | Q(display_key=key))
        .exists()
    )


PARENT_MISSING = gettext_lazy("The comment you are replying to does not exist.")


def preview_comment(*, body: str, subject: str) -> str:
    """The cleaned HTML a comment would be stored with, checked as the write
    path checks the text (empty, too long, NUL, too much markup); nothing is
    judged or stored. Raises ValidationError."""
    errors = _text_errors(body=body, subject=subject)
    if errors:
        raise ValidationError(errors)
    return _cleaned(body)


def _cleaned(body: str) -> str:
    body_html = clean_comment_body(body)
    if sanitize.grew_too_much(body, body_html):
        raise ValidationError({"body": _too_much_markup()})
    return body_html


def _too_much_markup() -> str:
    return TOO_MUCH_MARKUP % {
        "tags": sanitize.MAX_TAGS,
        "length": number_format(sanitize.MAX_ATTRIBUTE_LENGTH, force_grouping=True),
    }


# The plural form agrees with the number of tags; a translation words the
# attribute length so that it needs none ("characters: 1,000").
TOO_MUCH_MARKUP = ngettext_lazy(
    "This comment has more formatting than a comment may: at most %(tags)s tag, "
    "each attribute at most %(length)s characters.",
    "This comment has more formatting than a comment may: at most %(tags)s tags, "
    "each attribute at most %(length)s characters.",
    "tags",
)


def _text_errors(*, body: str, subject: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    max_length = option("COMMENT_MAX_LENGTH")
    if not body.strip():
        errors["body"] = _("Write something before posting.")
    elif len(body) > max_length:
        errors["body"] = ngettext(
            "A comment may be at most %(limit)s character; this one has %(count)s.",
            "A comment may be at most %(limit)s characters; this one has %(count)s.",
            max_length,
        ) % {
            "limit": number_format(max_length, force_grouping=True),
            "count": number_format(len(body), force_grouping=True),
        }
    elif sanitize.markup_problem(body, sanitize.COMMENT):
        errors["body"] = _too_much_markup()
    if "\x00" in body or "\x00" in subject:
        errors["body"] = _("Null characters are not allowed.")
    subject_limit = option("SUBJECT_MAX_LENGTH")
    if len(subject) > subject_limit:
        errors["subject"] = ngettext(
            "A subject may be at most %(limit)s character.",
            "A subject may be at most %(limit)s characters.",
            subject_limit,
        ) % {"limit": subject_limit}
    return errors


# The post a comment is written to, read on every comment through every door:
# compiled once (journal.compiled), since building the lookup through the ORM
# cost more than the database's answer. With the journal's name (from the
# post's address) or without (the API's).
_POST_IN_JOURNAL = Compiled(
    lambda values: Post.objects.select_related("journal__owner").filter(
        pk=values["post_id"], journal__name=values["journal_name"]
    ),
    {"post_id": -1, "journal_name": "\x1fone"},
    {"post_id": -2, "journal_name": "\x1ftwo"},
)
_POST = Compiled(
    lambda values: Post.objects.select_related("journal__owner").filter(
        pk=values["post_id"]
    ),
    {"post_id": -1},
    {"post_id": -2},
)


def post_to_comment_on(post_id: int, journal_name: str | None = None) -> Post | None:
    """The post with this id (in the journal named, when one is), with its
    journal and owner, to write a comment to; None when there is none."""
    if journal_name is None:
        return _POST.first_instance(post_id=post_id)
    return _POST_IN_JOURNAL.first_instance(post_id=post_id, journal_name=journal_name)


def _validate_comment_input(
    *, post: Post, parent: Comment | None, body: str, subject: str
):
    errors = _text_errors(body=body, subject=subject)
    if parent is not None:
        if parent.post_id != post.pk or parent.state != CommentState.PUBLISHED:
            errors["parent"] = PARENT_MISSING
        elif parent.depth + 1 > option("MAX_COMMENT_DEPTH"):
            errors["parent"] = _("This thread is too deep to reply to.")
    if errors:
        raise ValidationError(errors)


def _draft(
    *,
    post: Post,
    author,
    parent: Comment | None,
    body: str,
    subject: str,
    origin: Origin,
    author_name: str = "",
    editing: Comment | None = None,
) -> Draft:
    """Sanitize the text into what the plugin judges and the page will show."""
    body_html = _cleaned(body)
    summary = summarize(body_html)
    if not summary.text.strip():
        # "<script>…</script>" or "<br>" alone: nothing would be left to read.
        raise ValidationError({"body": _("Write something before posting.")})
    return Draft(
        post=post,
        author=author,
        parent=parent,
        body=body,
        body_html=body_html,
        text=summary.text,
        link_count=summary.link_count,
        subject=subject,
        author_name=author_name,
        origin=origin,
        editing=editing,
    )


def _judge(draft: Draft) -> Judgement:
    """The plugin's judgement; a refusal is raised, and nothing is stored."""
    judgement = plugin().judge(draft)
    if judgement.refusal is not None:
        raise CommentRefused(judgement.refusal)
    return judgement


def submit_comment(
    *,
    post: Post,
    author,
    body: str,
    subject: str = "",
    parent_id: int | None = None,
    author_name: str = "",
    origin: Origin = Origin(),  # noqa: B008 (frozen, so a shared default is safe)
) -> Comment:
    """Validate, sanitize, have the plugin judge, and store a new comment.

    ``parent_id`` is the comment replied to, as the door received it; a missing
    one, or one on another post, is bad input like any other. Raises
    ``ValidationError`` for bad input and ``CommentRefused`` when the plugin
    refuses; in both cases nothing is stored. Published or held, the
    judgement's reasons and rule-set version are stored with the comment.

    Atomic: the comment's insert with the plugin's companion rows, and what
    the plugin's ``comment_stored`` writes (mail on the database task queue, a
    shadow's verdict, a thread's heat screening), commit together or not at
    all. On SQLite one transaction holds it all from the rules' first read,
    since it takes the write lock first (``_judging``). PostgreSQL reads each
    statement afresh inside a transaction or not, so there it starts at the
    insert, and a judgement with no ``work_after_storing`` needs none: the
    insert, which carries the companions, is one statement.
    """
    with _judging():
        author = author if author and author.is_authenticated else None
        subject = subject.strip()
        author_name = "" if author else author_name.strip()[:50]
        parent = None
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id).first()
            if parent is None:
                raise ValidationError({"parent": PARENT_MISSING})
        _validate_comment_input(post=post, parent=parent, body=body, subject=subject)
        try:
            validate_name(author_name)
        except ValidationError as error:
            raise ValidationError({"author_name": error.messages}) from error
        if author_name and name_is_taken(author_name):
            raise ValidationError(
                {
                    "author_name": _(
                        "“%(name)s” looks like the name of a member of this site; "
                        "pick another name, or log in."
                    )
                    % {"name": author_name}
                }
            )
        draft = _draft(
            post=post,
            author=author,
            parent=parent,
            body=body,
            subject=subject,
            origin=origin,
            author_name=author_name,
        )
        judgement = _judge(draft)
        journal = post.journal
        work_after = judgement.work_after_storing
        with transaction.atomic(savepoint=False) if work_after else nullcontext():
            comment = store_comment(
                post=post,
                parent=parent,
                author=author,
                author_name=author_name,
                subject=subject,
                body_source=body,
                body_html=draft.body_html,
                state=judgement.state,
                reasons=list(judgement.reasons),
                rule_set_version_id=judgement.rule_set_version_id,
                judged_facts=dict(judgement.facts),
                ip_address=origin.ip_address
                if journal.logs_ip_of(anonymous=author is None)
                else None,
                companions=judgement.companions,
            )
            if work_after:
                plugin().comment_stored(
                    comment, created=True, was_held=False, origin=origin
                )
        pagecache.touch_posts([post.pk])
    return comment


def _judging():
    """The transaction the rules are read in, if any: on SQLite, whose
    transactions take the write lock first (IMMEDIATE), one around the whole
    write, so that nothing the rules read changes before the insert; none on
    PostgreSQL, where a transaction would not keep what they read (READ
    COMMITTED) and would cost two round trips of its own."""
    if connection.vendor == "postgresql":
        return nullcontext()
    return transaction.atomic()


def store_comment(
    *,
    post: Post,
    parent: Comment | None,
    body_source: str,
    body_html: str | None = None,
    companions: tuple[Companion, ...] = (),
    **fields,
) -> Comment:
    """Insert a comment that has passed the rules (or is trusted demo data),
    with the plugin's ``companions`` rows.

    The path ends with the comment's own id, which the insert takes itself: one
    statement, and only this new row is written, never its siblings. On
    PostgreSQL the companions are written by the same statement, atomic on
    its own; elsewhere the comment and its companions are written in the
    caller's transaction, or one of their own.
    """
    fields.setdefault("rule_codes", Comment.codes_of(fields.get("reasons", [])))
    comment = Comment(
        post=post,
        journal_id=post.journal_id,
        parent=parent,
        body_source=body_source,
        body_html=clean_comment_body(body_source) if body_html is None else body_html,
        **fields,
    )
    _insert_with_path(comment, parent.path if parent else "", companions)
    return comment


# The id an insert is about to take: the sequence's next value on PostgreSQL;
# on SQLite, whose statement holds the database's write lock, one past the
# largest id the table ever had (its AUTOINCREMENT rule).
_NEXT_ID = {
    "postgresql": "SELECT NEXTVAL(PG_GET_SERIAL_SEQUENCE('{table}', '{pk}'))",
    "sqlite": (
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = "
        "'{table}'), 0), COALESCE((SELECT MAX({pk}) FROM {table}), 0)) + 1"
    ),
}
# That id as a path segment (journal.paths.segment), never cut short.
_SEGMENT = {
    "postgresql": (
        "LPAD(CAST(n AS text), GREATEST(LENGTH(CAST(n AS text)), {step}), '0')"
    ),
    "sqlite": "PRINTF('%%0{step}d', n)",
}


def _insert_with_path(
    comment: Comment, parent_path: str, companions: tuple[Companion, ...] = ()
) -> None:
    """Insert ``comment`` with its path, the parent's path and its own new id,
    in one statement: ``WITH reserved(n) AS (<next id>) INSERT ...``. The
    ``companions`` rows go in the same statement on PostgreSQL
    (``_companion_inserts``), atomic on its own; SQLite's ``WITH`` cannot hold
    an insert, so elsewhere they follow, one insert each, in one transaction
    with it."""
    if connection.vendor == "postgresql":
        _insert_in_one_statement(comment, parent_path, companions)
        return
    with transaction.atomic(savepoint=False):
        if connection.vendor in _NEXT_ID:
            _insert_in_one_statement(comment, parent_path)
        else:
            # Another database: insert, then write the path the id gives.
            comment.save(force_insert=True)
            comment.path = paths.child_path(parent_path, comment.pk)
            Comment.objects.filter(pk=comment.pk).update(path=comment.path)
        for companion in companions:
            companion.model.objects.bulk_create(
                companion.model(**row, **{companion.comment_field: comment})
                for row in companion.rows
            )


def _insert_in_one_statement(
    comment: Comment, parent_path: str, companions: tuple[Companion, ...] = ()
) -> None:
    """Run ``_insert_statement`` for ``comment`` (with the ``companions``' rows,
    on PostgreSQL) and take the id and path it gave."""
    before, companion_values = _companion_inserts(companions)
    sql, columns = _insert_statement(connection.vendor, before)
    values = [
        field.get_db_prep_save(field.pre_save(comment, True), connection=connection)
        for field in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*companion_values, parent_path, *values])
        comment.pk, comment.path = cursor.fetchone()
    comment._state.adding = False
    comment._state.db = connection.alias


def _companion_inserts(companions: tuple[Companion, ...]) -> tuple[str, list]:
    """PostgreSQL's insert of each companion's rows, as more parts of the
    comment's ``WITH`` (each foreign key to the comment the id reserved), and
    their values in order."""
    parts, values = [], []
    written = [companion for companion in companions if companion.rows]
    for number, companion in enumerate(written):
        names = tuple(companion.rows[0])
        insert = _companion_insert(
            companion.model, companion.comment_field, names, len(companion.rows)
        )
        parts.append(f"companion_{number} AS ({insert})")
        fields = [companion.model._meta.get_field(name) for name in names]
        for row in companion.rows:
            values += [
                field.get_db_prep_save(row[name], connection=connection)
                for name, field in zip(names, fields, strict=True)
            ]
    return ", ".join(parts), values


@lru_cache(maxsize=64)
def _companion_insert(model, comment_field: str, names: tuple, rows: int) -> str:
    """``INSERT INTO <model> (<names>, <comment>) VALUES (%s, ..., <the id>)``."""
    meta = model._meta
    name = connection.ops.quote_name
    columns = [name(meta.get_field(field).column) for field in names]
    columns.append(name(meta.get_field(comment_field).column))
    placeholders = ["%s"] * len(names) + ["(SELECT n FROM reserved)"]
    row = f"({', '.join(placeholders)})"
    # Names from the models, every value a parameter.
    return (
        f"INSERT INTO {name(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)}"
    )


@lru_cache(maxsize=64)
def _insert_statement(vendor: str, before: str = "") -> tuple[str, list]:
    """The SQL of ``_insert_with_path`` and the fields whose values follow the
    parent's path as its parameters; ``before``, more parts of its ``WITH``."""
    meta = Comment._meta
    path_field = meta.get_field("path")
    columns = [
        field
        for field in meta.local_concrete_fields
        if field is not meta.pk and field is not path_field
    ]
    name = connection.ops.quote_name
    next_id = _NEXT_ID[vendor].format(table=meta.db_table, pk=meta.pk.column)
    segment = _SEGMENT[vendor].format(step=paths.STEP)
    names = ", ".join(name(field.column) for field in (meta.pk, path_field, *columns))
    parts = ", ".join([f"reserved(n) AS ({next_id})", *filter(None, [before])])
    # Names from the model, every value a parameter.
    sql = (
        f"WITH {parts} "  # noqa: S608
        f"INSERT INTO {name(meta.db_table)} ({names}) VALUES ("
        f"(SELECT n FROM reserved), %s || (SELECT {segment} FROM reserved), "
        f"{', '.join(['%s'] * len(columns))}) "
        f"RETURNING {name(meta.pk.column)}, {name(path_field.column)}"
    )
    return sql, columns


def edit_window_closes_at(comment: Comment):
    minutes = comment.post.journal.edit_window_minutes
    return comment.created_at + timedelta(minutes=minutes) if minutes else None


def edit_refusal(comment: Comment, user, *, has_replies: bool) -> NotAllowed | None:
    """Why ``user`` may not edit ``comment`` now, or None when they may."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return NotAllowed(
            _("Only the author can edit this comment."), "edit.not_author"
        )
    if comment.state not in (CommentState.PUBLISHED, CommentState.HELD):
        return NotAllowed(_("This comment can no longer be edited."), "edit.state")
    closes_at = edit_window_closes_at(comment)
    if closes_at is None or timezone.now() > closes_at:
        minutes = comment.post.journal.edit_window_minutes
        return NotAllowed(
            ngettext(
                "Comments can be edited for %(minutes)d minute after posting; that "
                "time is over.",
                "Comments can be edited for %(minutes)d minutes after posting; that "
                "time is over.",
                minutes,
            )
            % {"minutes": minutes}
            if minutes
            else _("Comments cannot be edited in this journal."),
            "edit.window_closed",
        )
    if has_replies:
        return NotAllowed(
            _("Someone has replied, so this comment can no longer be edited."),
            "edit.has_replies",
        )
    most = option("COMMENT_MAX_REVISIONS")
    if comment.revision > most:
        return NotAllowed(
            ngettext(
                "This comment was edited %(count)d time, the most a comment may "
                "be; write a new comment instead.",
                "This comment was edited %(count)d times, the most a comment may "
                "be; write a new comment instead.",
                most,
            )
            % {"count": most},
            "edit.too_many",
        )
    return None


@transaction.atomic
def edit_comment(
    *,
    comment: Comment,
    editor,
    body: str,
    subject: str = "",
    origin: Origin = Origin(),  # noqa: B008
) -> Comment:
    """Change a comment's text: re-sanitized, re-judged, the old text kept.

    The edit is judged like a new comment (rate limit included), never counting
    the comment towards its own author's trust, and a moderator's screening
    holds it whatever the rules say; a moderator's approval covered the
    revision approved, so an edit that trips a hold rule goes back to the queue.
    Locks the comment row. Raises ``NotAllowed`` (not the author, too late, has
    replies, too many revisions), ``ValidationError`` or ``CommentRefused``;
    then nothing changes.
    """
    # Lock only the comment row: PostgreSQL cannot lock the nullable parent join.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("post__journal", "parent")
        .get(pk=comment.pk)
    )
    refusal = edit_refusal(
        comment, editor, has_replies=Comment.objects.filter(parent=comment).exists()
    )
    if refusal is not None:
        raise refusal
    subject = subject.strip()
    _validate_comment_input(post=comment.post, parent=None, body=body, subject=subject)
    draft = _draft(
        post=comment.post,
        author=editor,
        parent=comment.parent,
        body=body,
        subject=subject,
        origin=origin,
        editing=comment,
    )
    judgement = _judge(draft)

    was_held = comment.is_held
    CommentRevision.objects.create(
        comment=comment,
        number=comment.revision,
        subject=comment.subject,
        body_source=comment.body_source,
        body_html=comment.body_html,
        state=comment.state,
        reasons=comment.reasons,
        written_at=comment.edited_at or comment.created_at,
    )
    comment.subject = subject
    comment.body_source = body
    comment.body_html = draft.body_html
    comment.state = judgement.state
    comment.reasons = list(judgement.reasons)
    comment.rule_codes = Comment.codes_of(comment.reasons)
    comment.rule_set_version_id = judgement.rule_set_version_id
    comment.judged_facts = dict(judgement.facts)
    comment.edited_at = timezone.now()
    comment.revision += 1
    comment.save(
        update_fields=[
            "subject",
            "body_source",
            "body_html",
            "state",
            "reasons",
            "rule_codes",
            "rule_set_version",
            "judged_facts",
            "edited_at",
            "revision",
        ]  # fmt: skip
    )
    plugin().comment_stored(comment, created=False, was_held=was_held)
    pagecache.touch_posts([comment.post_id])
    return comment


@transaction.atomic
def delete_own_comment(*, comment: Comment, user) -> Comment:
    """The author withdraws a comment: its state changes, the row stays."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not user.is_authenticated or comment.author_id != user.pk:
        raise NotAllowed(
            _("Only the author can delete this comment."), "delete.not_author"
        )
    if comment.state not in (CommentState.PUBLISHED, CommentState.HELD):
        raise NotAllowed(_("This comment is already gone."), "delete.state")
    comment.state = CommentState.DELETED
    comment.save(update_fields=["state"])
    pagecache.touch_posts([comment.post_id])
    return comment


def parse_tag_names(text: str) -> list[str]:
    """Split comma-separated tag names, dropping blanks and duplicates."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        slug = Tag.slug_for(name)
        if slug and slug not in names:
            names[slug] = name
    return list(names.values())


def save_post(*, post: Post, tag_names: Iterable[str] | None = None, by=None) -> Post:
    """Sanitize the body, save the post and, if given, replace its tags.

    A post moved to another journal takes its comments along, and the plugin
    hears of it (it moves what it keeps of them, and logs the move). Tags are
    per journal: pass the tag names again when moving.
    """
    post.body_html = clean_post_body(post.body_source)
    with transaction.atomic():
        before = (
            Post.objects.select_for_update().filter(pk=post.pk).values("journal_id")
            if post.pk
            else None
        )
        moved_from = before[0]["journal_id"] if before else None
        post.save()
        if moved_from is not None and moved_from != post.journal_id:
            moved = Comment.objects.filter(post=post).update(journal_id=post.journal_id)
            plugin().post_moved(
                post, from_journal_id=moved_from, comment_count=moved, by=by
            )
        if tag_names is not None:
            post.tags.set(_tags_for(post.journal, tag_names))
        pagecache.touch_posts([post.pk])
    return post


def _tags_for(journal: Journal, names: Iterable[str]) -> list[Tag]:
    wanted = {Tag.slug_for(name): name for name in names}
    existing = {tag.slug: tag for tag in journal.tags.filter(slug__in=wanted)}
    missing = [
        Tag(journal=journal, name=name, slug=slug)
        for slug, name in wanted.items()
        if slug not in existing
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.slug: tag for tag in journal.tags.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted if slug in existing]
