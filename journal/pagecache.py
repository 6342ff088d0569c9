"""Pages for anonymous readers, served from the cache (Redis in production).

Most traffic is anonymous reading. The home page, a journal's pages, its tag
pages and a post's pages are kept whole in the cache for a visitor with no
session and no message waiting, under a key that names the *versions* of what
they show: the site's, the journal's and the post's. A change does not delete
pages; it gives what it changed a new version (``touch``), after its
transaction commits, so the next read renders afresh and the old pages are
never asked for again. (Touching before the commit could let a read store the
old state under the new version.)

Two values on a page belong to one visitor and are put in as it is served:
the CSRF token of the comment form and the anonymous author's challenge
(``journal.plugins``), which may be spent only once.

The pages, their comment counts and the drawing locks go to the "pages"
cache where one is configured (``CACHES["pages"]``), else to the default
one. Anonymous visitors choose the addresses, so a flood of them must push
out pages only, never the keys that enforce rules (the spent anti-bot
challenges) that live in the default cache; the versions stay there too.
Only addresses a page reads are kept: each query key it reads at most once,
with a whole number.

Who touches what: the write path (journal.services) and the admin for posts,
comments and journals; the moderation plugin's audit writer for everything a
moderator or owner does (decisions, undo, thread actions, rule settings),
since every such change is audited; the account page for a changed name or
userpic, which shows on every page (``touch_everything``). What changes with
the clock alone (the plugin's scheduled windows opening or closing) nothing
touches: such a page is kept no later than that moment (``keep_until``).
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from .conf import option
from .plugins import plugin

# Pages expire on their own too, so a version key lost from the cache never
# leaves a page alive for long.
PAGE_SECONDS = 10 * 60
# Cookies that make a visitor's pages their own: a session (drafts, their held
# comments, a login) or messages waiting to be shown.
PERSONAL_COOKIES = ("sessionid", "messages")
# How long the readers who miss a page at once wait for the one drawing it,
# and how long that one may take before another draws it too.
DRAW_WAIT = 2.0
DRAW_SECONDS = 10
# The query keys each kind of page reads; any other makes a page uncached.
QUERY_KEYS = {
    "home": frozenset({"page"}),
    "journal": frozenset({"page"}),
    "post": frozenset({"thread", "replyto", "after"}),
}
# The one spelling of a page number or an id that is cached ("07", "+7", "٧"
# and "7&page=7" draw the same page under other keys).
_CANONICAL_NUMBER = re.compile(r"[1-9][0-9]{0,17}")
PAGES_CACHE = "pages"

_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CHALLENGE_FIELD = re.compile(r'(name="started" value=")[^"]*(")')
_HOLE = "\x00hole\x00"


def _pages():
    """Where pages, counts and drawing locks are kept (see the module's doc)."""
    return caches[PAGES_CACHE if PAGES_CACHE in settings.CACHES else "default"]


def _version_key(scope: str) -> str:
    return f"pagecache:version:{scope}"


def _versions(scopes: list[str]) -> str:
    found = cache.get_many([_version_key(scope) for scope in scopes])
    return ".".join(str(found.get(_version_key(scope), 0)) for scope in scopes)


def _scopes(journal_name: str | None = None, post_id: int | None = None) -> list:
    scopes = ["site"]
    if journal_name is not None:
        scopes.append(f"journal:{journal_name}")
    if post_id is not None:
        scopes.append(f"post:{post_id}")
    return scopes


def _bump(scopes: Iterable[str]) -> None:
    cache.set_many({_version_key(scope): uuid.uuid4().hex for scope in scopes}, None)


def enabled() -> bool:
    """Whether pages are cached at all (the PAGE_CACHE option); when not, a
    change has nothing to touch."""
    return bool(option("PAGE_CACHE"))


def _bump_at_commit(scopes: set[str]) -> None:
    # Listings (the home page, journal pages) show posts' comment counts and
    # titles: any change to a post or a journal changes them too.
    if not enabled():
        return
    scopes.add("listings")
    transaction.on_commit(lambda: _bump(scopes), robust=True)


def touch_posts(posts: Iterable[int]) -> None:
    """These posts' pages change (their text, their comments) once the
    current transaction commits."""
    scopes = {f"post:{post_id}" for post_id in posts}
    if scopes:
        _bump_at_commit(scopes)


def touch_journals(names: Iterable[str]) -> None:
    """Every page of these journals changes (their settings, their title)."""
    scopes = {f"journal:{name}" for name in names}
    if scopes:
        _bump_at_commit(scopes)


def touch_everything() -> None:
    """Something every page may show changed (a name, a userpic)."""
    if enabled():
        transaction.on_commit(lambda: _bump(["site"]), robust=True)


def comment_counts(posts: list, count) -> None:
    """Give each post its ``comment_count`` from the cache, where it is kept
    under the post's version: every change to a post's comments gives it a
    new version, so a kept count is never stale. Counting reads every comment
    of a post, which a bounded page of a 100,000-comment post cannot afford.
    ``count(ids)`` counts those the cache lacks, in one query. Only while
    pages are cached: otherwise nothing keeps the versions."""
    if not posts:
        return
    scopes = {post.pk: _version_key(f"post:{post.pk}") for post in posts}
    versions = cache.get_many(list(scopes.values()))
    keys = {
        pk: f"pagecache:count:{pk}:{versions.get(scope, 0)}"
        for pk, scope in scopes.items()
    }
    found = _pages().get_many(list(keys.values()))
    counts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in counts]
    if missing:
        fresh = count(missing)
        _pages().set_many({keys[pk]: fresh[pk] for pk in missing}, PAGE_SECONDS)
        counts |= fresh
    for post in posts:
        post.comment_count = counts[post.pk]


def _plain_query(request, kind: str) -> bool:
    """Whether the query string holds only what this kind of page reads, once
    each, as whole numbers: any other address is drawn but not kept."""
    return all(
        name in QUERY_KEYS[kind]
        and len(values) == 1
        and _CANONICAL_NUMBER.fullmatch(values[0])
        for name, values in request.GET.lists()
    )


def _cacheable(request, kind: str) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and not request.user.is_authenticated
        and _plain_query(request, kind)
        and enabled()
    )


def _template(response) -> tuple[str, str]:
    """The page with holes where one visitor's values go."""
    html = response.content.decode(response.charset)
    html = _CSRF_FIELD.sub(rf"\g<1>{_HOLE}csrf\g<2>", html)
    html = _CHALLENGE_FIELD.sub(rf"\g<1>{_HOLE}challenge\g<2>", html)
    return html, response["Content-Type"]


def _drawing_key(key: str) -> str:
    return f"{key}:drawing"


def _drawn_by_another(key: str):
    """The page, once another request drawing it has stored it; None at once
    when nobody is drawing it (this request will), or after ``DRAW_WAIT``.

    Right after a change, every reader of a busy page misses it at the same
    moment; one draws it and the others wait for it instead of each drawing
    the same page (the load test's posts are read right after each comment)."""
    pages = _pages()
    if pages.add(_drawing_key(key), 1, DRAW_SECONDS):
        return None
    deadline = time.monotonic() + DRAW_WAIT
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        found = pages.get_many([key, _drawing_key(key)])
        if key in found:
            return found[key]
        if _drawing_key(key) not in found:
            return None  # the drawing request failed or stored nothing
    return None


def keep_until(response, moment: datetime | None) -> None:
    """Keep this page no later than ``moment`` (aware): what it shows changes
    then on its own, with nothing to touch its version (a scheduled window of
    the moderation plugin opens or closes, ``journal.plugins.Access``)."""
    if moment is not None:
        response.page_cache_until = moment


def _seconds_to_keep(response) -> int:
    until = getattr(response, "page_cache_until", None)
    if until is None:
        return PAGE_SECONDS
    # Whole seconds, rounded down: gone by the moment, never a second after.
    return min(PAGE_SECONDS, int((until - timezone.now()).total_seconds()))


def _draw(key: str, view, request, *args, **kwargs):
    try:
        response = view(request, *args, **kwargs)
        seconds = _seconds_to_keep(response)
        if response.status_code == 200 and not response.streaming and seconds > 0:
            _pages().set(key, _template(response), seconds)
        return response
    finally:
        _pages().delete(_drawing_key(key))


def _served(request, stored, post_id) -> HttpResponse:
    """A stored page with this visitor's own values put in."""
    template, content_type = stored
    html = template.replace(f"{_HOLE}csrf", get_token(request))
    if post_id is not None:
        html = html.replace(f"{_HOLE}challenge", plugin().issue_proof(int(post_id)))
    response = HttpResponse(html, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    return response


def anonymous_pages(kind: str):
    """Serve a view's pages to anonymous visitors from the cache. ``kind``
    says what the page shows: "home", "journal" (a journal's listings and tag
    pages) or "post"."""

    def decorate(view):
        @functools.wraps(view)
        def cached_view(request, *args, **kwargs):
            if not _cacheable(request, kind):
                return view(request, *args, **kwargs)
            journal_name, post_id = kwargs.get("journal_name"), kwargs.get("post_id")
            if kind == "home":
                scopes = ["site", "listings"]
            elif kind == "journal":
                scopes = [*_scopes(journal_name), "listings"]
            else:
                scopes = _scopes(journal_name, post_id)
            # In the visitor's language (LocaleMiddleware chose it), at the
            # address they asked for: scheme and host included, since feeds
            # hold absolute links and a site may answer to several names.
            key = (
                f"pagecache:page:{kind}:{_versions(scopes)}:"
                f"{get_language()}:{request.build_absolute_uri()}"
            )
            stored = _pages().get(key)
            if stored is None:
                stored = _drawn_by_another(key)
            if stored is None:
                return _draw(key, view, request, *args, **kwargs)
            return _served(request, stored, post_id)

        return cached_view

    return decorate
