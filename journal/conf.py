"""Options of the journal app: ``settings.JOURNAL`` over these defaults."""

from django.conf import settings

DEFAULTS = {
    "COMMENT_MAX_LENGTH": 20_000,
    "POST_MAX_LENGTH": 200_000,
    "SUBJECT_MAX_LENGTH": 100,
    "THREADS_PER_PAGE": 25,
    "POSTS_PER_PAGE": 10,
    # A hard ceiling for reply depth, so the materialized path stays indexable.
    # Journals may set a lower limit of their own.
    "MAX_COMMENT_DEPTH": 60,
}


def option(name: str):
    return {**DEFAULTS, **getattr(settings, "JOURNAL", {})}[name]
