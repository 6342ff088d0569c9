"""Options of the importer: ``settings.IMPORTER`` over these defaults."""

from django.conf import settings

DEFAULTS = {
    # All the files of one upload together (the admin page); the command reads
    # files from disk and has no limit. A bigger journal goes in several
    # uploads: each one finds what the earlier ones imported.
    "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
    # How often (in items) a running import tells the job page how far it got.
    "PROGRESS_EVERY": 250,
    # How often the job page asks, in milliseconds.
    "POLL_MS": 1000,
    # Rows per INSERT when comments are written in bulk.
    "BATCH": 500,
    # Issues (skipped, cut, notes) kept in a job's report; counts stay whole.
    "ISSUES_KEPT": 1000,
}


def option(name: str):
    return {**DEFAULTS, **getattr(settings, "IMPORTER", {})}[name]
