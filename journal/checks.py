"""System checks: configuration mistakes caught at start-up, not on a request."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error

from .client_ip import trusted_networks
from .conf import option
from .plugins import plugin_paths


def trusted_proxies(app_configs=None, **kwargs) -> list[Error]:
    """The trusted proxy networks parse, and a count is a whole number >= 0."""
    errors = []
    try:
        trusted_networks(tuple(option("TRUSTED_PROXIES")))
    except ValueError as error:
        errors.append(
            Error(
                f"JOURNAL['TRUSTED_PROXIES'] (DJANGO_TRUSTED_PROXIES): {error}",
                hint="Give networks or addresses, e.g. 127.0.0.1,10.0.0.0/8.",
                id="journal.E001",
            )
        )
    count = option("PROXY_COUNT")
    if not isinstance(count, int) or count < 0:
        errors.append(
            Error(
                "JOURNAL['PROXY_COUNT'] (DJANGO_PROXY_COUNT) must be 0 or more.",
                id="journal.E002",
            )
        )
    return errors


PER_PROCESS_CACHES = ("LocMemCache", "DummyCache", "FileBasedCache")


def shared_cache(app_configs=None, **kwargs) -> list[Error]:
    """In production the cache must be one every process shares (Redis)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or not backend.endswith(PER_PROCESS_CACHES):
        return []
    return [
        Error(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is not shared between "
            "processes: every worker would keep its own comment rate limit, "
            "spent anti-bot challenges, login slow-down and mail limits.",
            hint="Set REDIS_URL to the Redis every app server uses.",
            id="journal.E003",
        )
    ]


def one_plugin(app_configs=None, **kwargs) -> list[Error]:
    """At most one installed app may provide the moderation plugin."""
    paths = plugin_paths()
    if len(paths) <= 1:
        return []
    return [
        Error(
            f"More than one moderation plugin is installed: {', '.join(paths)}.",
            hint="Keep one of the apps that provide them in INSTALLED_APPS.",
            id="journal.E004",
        )
    ]
