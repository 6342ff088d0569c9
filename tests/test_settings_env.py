"""Settings come from the environment, with development defaults only in DEBUG."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env) -> subprocess.CompletedProcess:
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    clean_env.update(env)
    code = (
        "import json, config.settings as s;"
        "print(json.dumps({'db': s.DATABASES['default'], 'hosts': s.ALLOWED_HOSTS,"
        " 'debug': s.DEBUG}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(DJANGO_SECRET_KEY="s3cret")

    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_has_local_defaults_and_sqlite_tuned_for_concurrent_writers():
    import json

    result = load_settings(DJANGO_DEBUG="1")
    loaded = json.loads(result.stdout)

    assert loaded["debug"] is True
    assert loaded["hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    assert loaded["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in loaded["db"]["OPTIONS"]["init_command"]
    assert loaded["db"]["OPTIONS"]["timeout"] >= 10
    assert loaded["db"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_selects_postgresql():
    import json

    result = load_settings(
        DJANGO_SECRET_KEY="s",
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
    )
    loaded = json.loads(result.stdout)

    assert loaded["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["db"]["NAME"] == "test"
    assert loaded["hosts"] == ["example.org"]


def test_default_sqlite_file_runs_in_wal_mode(monkeypatch, tmp_path):
    import sqlite3

    from config.settings import database_from_env

    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = database_from_env()["OPTIONS"]
    database = sqlite3.connect(tmp_path / "journal.sqlite3")
    database.executescript(options["init_command"])

    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
