"""Moderators' private notes on authors, per journal.

A note is dated and signed (``written_by``, and ``written_by_name``, kept even if
the account goes), and shown only to the journal's moderators: beside the
author's record in the queue and its Appeals tab, in the admin and the API.
Never to the author, and never in another journal (journals do not share
notes). Taking one back retires it; the row stays. Writing and retiring are
audited (``note.write``, ``note.retire``) without the note's text, which stays
in its row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Journal

from . import audit
from .models import AuthorNote
from .services import NotAllowed, NotFound

MAX_LENGTH = 2_000


def notes_moderated_by(user):
    """Notes in the journals ``user`` moderates (retired ones too), but never
    those on ``user``: a moderator who comments is an author like any other."""
    return AuthorNote.objects.filter(
        journal__in=Journal.objects.moderated_by(user)
    ).exclude(author_id=user.pk)


def notes_on(
    pairs: Iterable[tuple[int, int]], *, reader
) -> dict[tuple[int, int], list]:
    """The notes in force on each (author id, journal id) pair, newest first,
    for ``reader`` (never those on ``reader``): one query for them all."""
    pairs = {(author, journal) for author, journal in pairs if author != reader.pk}
    if not pairs:
        return {}
    found: dict[tuple[int, int], list] = defaultdict(list)
    rows = AuthorNote.objects.filter(
        retired_at__isnull=True,
        author_id__in={author for author, _journal in pairs},
        journal_id__in={journal for _author, journal in pairs},
    ).order_by("-created_at", "-id")
    for note in rows:
        if (note.author_id, note.journal_id) in pairs:
            found[(note.author_id, note.journal_id)].append(note)
    return dict(found)


@transaction.atomic
def write_note(*, moderator, journal: Journal, author, text: str) -> AuthorNote:
    """Add ``moderator``'s note on ``author`` in ``journal``. NotFound when
    ``moderator`` does not moderate the journal; ValidationError for empty or
    over-long text."""
    if not journal.is_moderated_by(moderator):
        raise NotFound
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the note first.")]})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("At most %(count)s characters (this has %(length)s).")
                    % {"count": f"{MAX_LENGTH:,}", "length": f"{len(text):,}"}
                ]
            }
        )
    note = AuthorNote.objects.create(
        journal=journal,
        author=author,
        text=text,
        written_by=moderator,
        written_by_name=moderator.get_username(),
    )
    audit.record(
        journal=journal,
        actor=moderator,
        action="note.write",
        target=audit.person(author),
        data={"note": note.pk, "user": author.pk},
    )
    return note


@transaction.atomic
def retire_note(*, moderator, note_id: int) -> AuthorNote:
    """Take a note back: it is no longer shown; the row stays. Any of the
    journal's moderators may; another journal's note is NotFound."""
    note = (
        notes_moderated_by(moderator)
        .select_for_update(of=("self",))
        .select_related("author")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise NotFound
    if note.retired_at is not None:
        raise NotAllowed(_("This note was already taken back."), "note.retired")
    note.retired_at = timezone.now()
    note.save(update_fields=["retired_at"])
    audit.record(
        journal=note.journal_id,
        actor=moderator,
        action="note.retire",
        target=audit.person(note.author),
        data={"note": note.pk, "user": note.author_id},
    )
    return note
