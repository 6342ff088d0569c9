"""Settings for the journal platform.

Everything that differs between machines comes from the environment. Development
defaults apply only when DJANGO_DEBUG is on, so a production server that forgets a
variable fails at start-up instead of running with a known secret.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [
        item.strip() for item in os.environ.get(name, "").split(",") if item.strip()
    ]


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 locally).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS (comma-separated).")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, with "view on site" scoped to what each owner may see.
    "config.apps.JournalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Its widget templates, for FORM_RENDERER below.
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Django's task API (the backport of Django 6's django.tasks) and its
    # database backend, whose table holds the queue (TASKS below).
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "journal",
    "moderation",
    # Imports from LiveJournal and Dreamwidth (the owners' admin, a command).
    "importer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Early, so that a lost database (even in the session or user lookup) is a 503.
    "journal.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # One 400 for a NUL, invalid UTF-8 or an unreadable form, anywhere.
    "journal.middleware.RefuseUnreadableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the two above, so that a HEAD request's changes are dropped first.
    "journal.middleware.HeadChangesNothingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Form widgets may use the project's templates/ (templates/journal/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moderation.context_processors.queue_link",
            ],
        },
    },
    {
        # The hot loops (a thread's comments, the queue's items) are *.jinja
        # templates beside the others, drawn by Jinja2 several times faster.
        # Asked for by name (using="jinja2"); autoescape on, see journal.jinja.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "journal.jinja.environment", "autoescape": True},
    },
]


def database_from_env() -> dict:
    """Read DATABASE_URL; default to a SQLite file tuned for concurrent writers."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside a writer; IMMEDIATE transactions plus a busy
        # timeout make concurrent writers queue up instead of failing with
        # "database is locked" when a read lock is upgraded mid-transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server, and statements a connection runs
        # often (the judging query, the insert) prepared once and then only
        # executed: a quarter off posting a comment (benchmarks). Not behind a
        # transaction-pooling PgBouncer, which cannot keep prepared statements.
        config.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
    return config


DATABASES = {"default": database_from_env()}


def cache_from_env(purpose: str = "journal") -> dict:
    """Redis when REDIS_URL is set (shared by every app server), else local memory.

    The comment rate limit and the spent anti-bot challenges live in the
    default cache, so production needs Redis: with the local-memory cache each
    process would count on its own. Sessions have a cache of their own
    (``purpose="sessions"``; SESSION_REDIS_URL may name another Redis), so a
    flood of new sessions cannot push those keys out.
    """
    url = os.environ.get("REDIS_URL", "")
    if purpose == "sessions":
        url = os.environ.get("SESSION_REDIS_URL", url)
    if url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": purpose,
        }
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": purpose,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


CACHES = {
    "default": cache_from_env(),
    "sessions": cache_from_env("sessions"),
    "pages": cache_from_env("pages"),
}
# Where the comment rate limit counts (moderation.ratelimit), as the ``limits``
# package names a storage: the main Redis, so that every app server counts the
# same; without one, this process's memory.
MODERATION_RATE_LIMIT_STORAGE = os.environ.get("REDIS_URL", "") or "memory://"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Counts failed logins (site and admin) and refuses locked-out ones first.
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the per-request user lookup compiled once.
    "accounts.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Only one account from one address locks: guessing it never stops other people
# (behind the same proxy or NAT) logging in, nor its owner from elsewhere.
# Guessing across many accounts from one address is slowed instead of locked
# (accounts.throttles).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The real client address behind the configured proxies, as everywhere else.
AXES_CLIENT_IP_CALLABLE = "journal.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Attempts live in the database, so every worker and server sees the same count.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATION}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "journal:home"
LOGOUT_REDIRECT_URL = "journal:home"

LANGUAGE_CODE = "en"
# The interface's languages: chosen from the browser's Accept-Language, or
# with the switcher at the foot of every page (a cookie).
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (run collectstatic first); plain
        # files while developing so a fresh clone works without a build step.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# The SMTP server, for DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS")
# A mail server that stops answering fails the attempt (it is retried later)
# instead of holding a task worker forever.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "journal@localhost")
# Where links in e-mails point.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")

TASK_BACKENDS = {
    # A task is a row in this database, written in the transaction of the
    # change it reports (it commits or rolls back with it); `manage.py
    # db_worker` processes, on this machine or others, run it.
    "database": "django_tasks_db.DatabaseBackend",
    # Right away, in the process that enqueued it, once its change commits
    # (accounts.tasks.enqueue_at_commit): development and tests.
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_from_env() -> dict:
    """Mail and other background work (DJANGO_TASKS): the database queue in
    production, run right away in-process with debug on."""
    kind = os.environ.get("DJANGO_TASKS", "").strip().lower()
    kind = kind or ("immediate" if DEBUG else "database")
    if kind not in TASK_BACKENDS:
        raise ImproperlyConfigured(
            f"DJANGO_TASKS must be one of: {', '.join(TASK_BACKENDS)}."
        )
    return {"default": {"BACKEND": TASK_BACKENDS[kind], "QUEUES": ["default"]}}


TASKS = tasks_from_env()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal tokens (clients) and the session (browser, CSRF enforced on
        # writes). Tokens first, so a missing login is a 401 with a challenge.
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["journal.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "journal.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "journal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Journals API",
    "DESCRIPTION": (
        "Journals, posts, threaded comments and their moderation. Every comment "
        "goes through the same rules as the web form; errors are always "
        '{"code", "detail"}.'
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's assets come from drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What the schema must say that spectacular cannot infer (strictness, bounds).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "moderation.api.schema.describe",
        "journal.api.schema.tighten",
    ],
    # Several fields are named "kind"; give each set of choices its own name.
    "ENUM_NAME_OVERRIDES": {
        "WordKindEnum": "moderation.models.WordKind",
        "RestrictionKindEnum": "moderation.models.RestrictionKind",
        "ChangeKindEnum": ["same", "removed", "added"],
        # A rule's action, and a verdict's (moderation.shadows).
        "ActionEnum": ["publish", "hold", "refuse"],
        "LiveActionEnum": ["publish", "hold"],
        "ShadowStateEnum": ["shadow", "promoted", "retired"],
        # A comment's state (first named for the decisions' "state_seen"), and a
        # backtest's (moderation.backtest).
        "StateSeenEnum": "journal.states.CommentState",
        "BacktestStateEnum": ["queued", "running", "done", "failed"],
        # Shared lists (moderation.shared_lists): their kind and state, and the
        # kinds of a shared word list's entries.
        "SharedListKindEnum": "moderation.models.SharedListKind",
        "SharedListStateEnum": "moderation.models.SharedListState",
        "SharedWordKindEnum": ["block", "hold"],
    },
}

# Security headers on every response: X-Content-Type-Options: nosniff,
# Referrer-Policy: same-origin, X-Frame-Options: DENY (Django's defaults, stated).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis in production) and written through to
# the database: a logged-in page, or the queue's live counts polled every few
# seconds, does not spend a query on the session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# HTTPS-only cookies, HSTS and the redirect to HTTPS: on in production (debug
# off) unless DJANGO_SECURE=0, for example behind a plain-HTTP test setup.
SECURE = env_flag("DJANGO_SECURE", default=not DEBUG)
if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if env_flag("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def proxy_count_from_env() -> int:
    value = os.environ.get("DJANGO_PROXY_COUNT", "0").strip() or "0"
    if not value.isascii() or not value.isdigit():
        raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be a whole number.")
    return int(value)


# Which X-Forwarded-For entries are the visitor's real address (journal.client_ip)
# for rate limits, IP logging and login lockout. Behind a proxy on this machine,
# DJANGO_BEHIND_PROXY=1 alone trusts the loopback addresses.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
PROXY_COUNT = proxy_count_from_env()
if env_flag("DJANGO_BEHIND_PROXY") and not TRUSTED_PROXIES and not PROXY_COUNT:
    TRUSTED_PROXIES = ["127.0.0.0/8", "::1"]

# No inline scripts or styles anywhere; embeds only from the video hosts the
# post sanitizer allows; this site may not be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "frame-src": [
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
        ],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# How often an open moderation queue asks for new counts and claims.
MODERATION_QUEUE_POLL_SECONDS = 15

# Options of the journal app, read through journal.conf so that tests can override
# them with override_settings.
JOURNAL = {
    "TRUSTED_PROXIES": tuple(TRUSTED_PROXIES),
    "PROXY_COUNT": PROXY_COUNT,
    # Anonymous readers' pages from the cache (journal.pagecache); 0 to measure
    # without it.
    "PAGE_CACHE": env_flag("DJANGO_PAGE_CACHE", default=True),
}
