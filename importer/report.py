"""An import's report in words. The report itself is data (counts, and issue
codes with their values); the sentences are made here when it is shown, in
the reader's language, so the admin page and the command say the same."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SKIPPED, CUT, NOTE = "skipped", "cut", "note"

# code -> (what it means for the item, the sentence). Values come from the
# issue: id (the old site's id), and what each code adds.
ISSUES = {
    "private_entry": (
        SKIPPED,
        _(
            "Entry %(id)s is not public on the old site (%(security)s); this site "
            "has no private posts, so it was left out, with its comments."
        ),
    ),
    "entry_missing": (
        SKIPPED,
        _(
            "Comment %(id)s belongs to entry %(entry)s, which was not imported "
            "(it is not in the files, or was left out)."
        ),
    ),
    "entry_moved": (
        SKIPPED,
        _(
            "%(what)s %(id)s was imported into a post that has moved to another "
            "journal since; that journal keeps it as it is."
        ),
    ),
    "deleted_without_replies": (
        SKIPPED,
        _("Comment %(id)s was deleted on the old site and has no replies."),
    ),
    "no_body": (
        SKIPPED,
        _(
            "Comment %(id)s is in comment_meta but not in comment_body, so its "
            "text is missing."
        ),
    ),
    "too_much_markup": (
        SKIPPED,
        _(
            "Comment %(id)s has more formatting than a comment may here (at most "
            "%(tags)s tags, each attribute at most %(length)s characters)."
        ),
    ),
    "empty": (
        SKIPPED,
        _("Comment %(id)s has no text left once cleaned of what this site removes."),
    ),
    "bad_record": (
        SKIPPED,
        _("A record in %(file)s could not be read: %(what)s."),
    ),
    "body_cut": (
        CUT,
        _(
            "The text of %(what)s %(id)s had %(length)s characters; it was cut to "
            "%(limit)s, the most this site takes."
        ),
    ),
    "subject_cut": (
        CUT,
        _("The subject of %(what)s %(id)s was cut to %(limit)s characters."),
    ),
    "parent_missing": (
        NOTE,
        _(
            "Comment %(id)s answers comment %(parent)s, which is not in the export "
            "or could not be imported; it is now a top-level comment."
        ),
    ),
    "cycle": (
        NOTE,
        _(
            "Comment %(id)s and the comments it answers answer each other in a "
            "circle; it is now a top-level comment."
        ),
    ),
    "too_deep": (
        NOTE,
        _(
            "Comment %(id)s is deeper than %(depth)s levels; it answers the comment "
            "above %(parent)s instead."
        ),
    ),
    "renamed": (
        NOTE,
        _(
            "Poster %(id)s is called %(old)s in one file and %(new)s in another (a "
            "rename on the old site); their comments are one person's, under the "
            "name %(new)s. If they have an account here by another name, import "
            "again with “%(new)s = their username” among the names that differ."
        ),
    ),
    "unknown_poster": (
        NOTE,
        _(
            "Poster %(id)s is not in the usermap (comment_meta); their comments "
            "are shown as anonymous."
        ),
    ),
    "bad_username": (
        NOTE,
        _(
            "Poster %(id)s has a name that is not a username of the old site; their "
            "comments are shown as anonymous."
        ),
    ),
    "unknown_state": (
        NOTE,
        _(
            "Comment %(id)s has the state %(state)s, which the import does not "
            "know; it waits for a moderator."
        ),
    ),
    "kept_local_state": (
        NOTE,
        _(
            "Comment %(id)s changed on the old site, but a moderator here decided "
            "on it; their decision stands."
        ),
    ),
    "no_date": (
        NOTE,
        _("Comment %(id)s has no readable date; it was given its entry's date."),
    ),
    "entry_no_date": (
        NOTE,
        _("Entry %(id)s has no readable date; it was given the date of the import."),
    ),
    "duplicate": (
        NOTE,
        _("%(what)s %(id)s is in the files twice; the later one was used."),
    ),
    "no_entries": (NOTE, _("%(id)s holds no entries.")),
    "no_comments": (NOTE, _("%(id)s holds no comments.")),
}

WHAT = {"entry": _("entry"), "comment": _("comment"), "poster": _("poster")}

# Why a whole upload was refused (formats.ExportRefused, and the jobs' own).
REFUSALS = {
    "hostile": _(
        "%(file)s declares a document type or entities (<!DOCTYPE …>), which "
        "LiveJournal and Dreamwidth exports never do; it may be an attack "
        "(entity expansion, or reading files of this server). Nothing was "
        "imported."
    ),
    "not_xml": _(
        "%(file)s is not well-formed XML (line %(line)s, column %(column)s). "
        "Nothing was imported."
    ),
    "wrong_kind": _(
        "%(file)s is not a file of the kind it was given as (%(kind)s). Nothing "
        "was imported."
    ),
    "unknown_encoding": _(
        "%(file)s declares the encoding %(encoding)s, which is unknown. Nothing "
        "was imported."
    ),
    "undecodable": _(
        "%(file)s is not written in the encoding it declares (%(encoding)s). "
        "Nothing was imported."
    ),
    "too_deep": _(
        "%(file)s nests elements more than %(depth)s levels deep, which "
        "LiveJournal and Dreamwidth exports never do. Nothing was imported."
    ),
    "internal": _(
        "The import stopped on an error of this site; nothing was imported. The "
        "error is in the server's log."
    ),
}


@dataclass(frozen=True)
class Line:
    code: str
    text: str


def refusal_text(code: str, params: dict) -> str:
    template = REFUSALS.get(code, REFUSALS["internal"])
    return str(template) % _Defaulted(params)


def issue_text(issue: dict) -> str:
    _category, template = ISSUES.get(issue.get("code", ""), (NOTE, "%(code)s"))
    values = _Defaulted(issue)
    kind = issue.get("kind", "")
    values["what"] = str(WHAT.get(kind, kind))
    text = str(template) % values
    return text[:1].upper() + text[1:]


def category(code: str) -> str:
    return ISSUES.get(code, (NOTE, ""))[0]


def issue_lines(report: dict) -> dict[str, list[Line]]:
    """The report's kept issues as sentences, by what they mean: skipped,
    cut, note."""
    lines: dict[str, list[Line]] = {SKIPPED: [], CUT: [], NOTE: []}
    for issue in report.get("issues", []):
        code = issue.get("code", "")
        lines[category(code)].append(Line(code, issue_text(issue)))
    return lines


def not_shown(report: dict) -> int:
    """How many issues the report counted but did not keep."""
    counted = sum(report.get("issue_counts", {}).values())
    return max(counted - len(report.get("issues", [])), 0)


def summary_lines(report: dict) -> list[str]:
    """The report as plain lines, for the command."""
    if "error" in report:
        error = report["error"]
        return [refusal_text(error.get("code", "internal"), error)]
    entries = report.get("entries", {})
    comments = report.get("comments", {})
    authors = report.get("authors", {})
    lines = [
        str(
            _(
                "Entries: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(skipped)s skipped."
            )
        )
        % _Defaulted(entries),
        str(
            _(
                "Comments: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(skipped)s skipped."
            )
        )
        % _Defaulted(comments),
    ]
    for state, counts in report.get("states", {}).items():
        lines.append(
            str(
                _(
                    "  %(state)s: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged"
                )
            )
            % _Defaulted({**counts, "state": state_label(state)})
        )
    lines.append(
        str(
            _(
                "Authors: %(account)s comments by accounts here, %(external)s by "
                "people of the old site, %(anonymous)s anonymous."
            )
        )
        % _Defaulted(authors)
    )
    headings = {
        SKIPPED: _("Left out:"),
        CUT: _("Cut:"),
        NOTE: _("Notes:"),
    }
    for kind, found in issue_lines(report).items():
        if found:
            lines.append(str(headings[kind]))
            lines += [f"  - {line.text}" for line in found]
    hidden = not_shown(report)
    if hidden:
        lines.append(str(_("…and %(count)s more issues not kept.")) % {"count": hidden})
    if report.get("dry_run"):
        lines.append(str(_("Dry run: nothing was stored.")))
    return lines


STATE_LABELS = {
    "published": _("Published"),
    "held": _("Held for moderation"),
    "deleted": _("Deleted (kept for their replies)"),
    "rejected": _("Rejected"),
    "spam": _("Spam"),
    "removed": _("Removed by a moderator"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


class _Defaulted(dict):
    """Missing values print as "?" instead of failing the whole report."""

    def __missing__(self, key):
        return "?"
