"""``python -m benchmarks``: measure, compare with django-comments-xtd, load-test,
and print a table (also written as JSON to .bench/results.json).

    .venv/bin/python -m benchmarks                  # everything, ~10 minutes
    .venv/bin/python -m benchmarks --quick          # small sizes, no load test
    .venv/bin/python -m benchmarks --databases sqlite --no-load

The peer (django-comments-xtd) and the load generator (locust) are installed
into their own virtualenvs under .bench/ on first use, from PyPI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from . import load, report
from .common import ROOT, WORK, database_url, drop_database, log, site_environment

PEER_PACKAGES = [
    "Django>=5.2,<5.3",
    "django-comments-xtd==2.10.13",
    "psycopg[binary]>=3.1",
    "dj-database-url>=2.1",
]
LOCUST_PACKAGES = ["locust==2.47.0"]


def virtualenv(name: str, packages: list[str]) -> Path:
    """A virtualenv under .bench/ with ``packages``; reused while they match."""
    venv = WORK / name
    stamp = venv / ".packages"
    wanted = "\n".join(packages)
    if not (stamp.exists() and stamp.read_text() == wanted):
        log(f"installing {', '.join(packages)} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                *packages,
            ],
            check=True,
        )
        stamp.write_text(wanted)
    return venv


def _in_scratch_database(database: str, name: str, command: list[str], env) -> dict:
    """Run ``command`` with ``env(url)`` on a fresh scratch database, dropped after;
    the command writes its results to .bench/<name>.json."""
    out = WORK / f"{name}.json"
    try:
        subprocess.run(
            [*command, "--out", str(out)],
            env=env(database_url(database, name)),
            cwd=ROOT,
            check=True,
        )
    finally:
        drop_database(database, name)
    return json.loads(out.read_text())


def run_ours(database: str, quick: bool) -> dict:
    return _in_scratch_database(
        database,
        f"bench_ours_{database}",
        [sys.executable, "-m", "benchmarks.ours"] + (["--quick"] if quick else []),
        site_environment,
    )


def run_peer(venv: Path, database: str, quick: bool) -> dict:
    log(f"peer: django-comments-xtd on {database}")
    sizes = "100,1000" if quick else "100,1000,10000"
    return _in_scratch_database(
        database,
        f"bench_peer_{database}",
        [str(venv / "bin" / "python"), "-m", "benchmarks.peer.run", "--sizes", sizes],
        lambda url: {
            **site_environment(""),
            "DJANGO_SETTINGS_MODULE": "benchmarks.peer.settings",
            "PEER_DATABASE_URL": url,
        },
    )


def collect_static() -> None:
    """The site runs with debug off, so static files come from collectstatic."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=site_environment("sqlite:///:memory:"),
        cwd=ROOT,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, no load")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    WORK.mkdir(exist_ok=True)
    collect_static()
    peer = None if args.no_peer else virtualenv("peer-venv", PEER_PACKAGES)
    results: dict = {"quick": args.quick, "databases": {}}
    for database in args.databases.split(","):
        log(f"our site on {database}")
        entry = {"ours": run_ours(database, args.quick)}
        if peer is not None:
            entry["peer"] = run_peer(peer, database, args.quick)
        results["databases"][database] = entry
    if not (args.no_load or args.quick):
        locust = virtualenv("locust-venv", LOCUST_PACKAGES) / "bin" / "locust"
        results["load"] = load.run(sys.executable, locust)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    results["targets"] = report.targets(results)
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    print(report.table(results))
    print(f"\nJSON: {WORK / 'results.json'}  ({results['minutes']} min)")


if __name__ == "__main__":
    main()
