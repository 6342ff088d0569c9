"""Options of the journal app: ``settings.JOURNAL`` over these defaults."""

from django.conf import settings

DEFAULTS = {
    "COMMENT_MAX_LENGTH": 20_000,
    "POST_MAX_LENGTH": 200_000,
    "SUBJECT_MAX_LENGTH": 100,
    # Each edit keeps the earlier text; a comment keeps at most this many.
    "COMMENT_MAX_REVISIONS": 10,
    # A page of comments (the post page, a thread, the API's list) holds at
    # most this many, whatever the thread's shape; the rest wait behind "more
    # replies" and "more threads" links (journal.threads).
    "COMMENTS_PER_PAGE": 50,
    # ...and at most this many top-level threads.
    "THREADS_PER_PAGE": 25,
    # A "more replies" link counts what it hides up to this many ("1,000+"),
    # so that its cost stays flat however big the thread.
    "MORE_REPLIES_COUNTED_UP_TO": 1_000,
    "POSTS_PER_PAGE": 10,
    # Anonymous readers' pages come from the cache (journal.pagecache).
    "PAGE_CACHE": True,
    # A hard ceiling for reply depth, so the materialized path stays indexable.
    # Journals may set a lower limit of their own.
    "MAX_COMMENT_DEPTH": 60,
    # Reverse proxies whose X-Forwarded-For is believed (journal.client_ip):
    # their networks, or how many stand in front of the app. Neither: ignored.
    "TRUSTED_PROXIES": (),
    "PROXY_COUNT": 0,
}


def option(name: str):
    return {**DEFAULTS, **getattr(settings, "JOURNAL", {})}[name]
