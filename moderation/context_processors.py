"""The Queue link in every page's top bar, for whoever moderates a journal."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import queue


def queue_link(request) -> dict:
    """``queue_badge``: None for non-moderators, else the held count's label.

    Lazy, and cached for a minute per user (``queue.badge``): a page that
    never shows the top bar costs nothing, and one that does costs a query at
    most once a minute. The queue page itself keeps the count live.
    """
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"queue_badge": SimpleLazyObject(lambda: queue.Badge.of(user))}
