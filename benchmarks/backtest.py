"""``python -m benchmarks.backtest``: how long a backtest takes to replay 10,000
and 50,000 comments (the target: 10,000 in at most 2 s).

    .venv/bin/python -m benchmarks.backtest                     # SQLite and PostgreSQL
    .venv/bin/python -m benchmarks.backtest --databases sqlite --sizes 10000

On each database (a scratch one, migrated as in production) it stores 50,000
comments in one journal as the write path stores them: each with the facts it
was judged on (``rules.facts_record``: registered and anonymous authors with
their standing, links, spam scores, the anti-bot proof), under two rule-set
versions, some held, rejected, marked as spam or approved. Then it times
``moderation.backtest.replay`` over the last 10,000 and the last 50,000, for two
proposals: one that changes only settings (the comments' text is not read) and
one that adds held words (every comment's text is rebuilt and matched, the
costly case). Median of three runs after one warm-up; printed as a table and
written to .bench/backtest.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from . import shape
from .common import ROOT, WORK, database_url, drop_database, log, site_environment

# Django is set up only in the measuring process, which runs on the scratch
# database (``--out``); the first process only starts it and prints the table.
if "--out" in sys.argv:
    import django

    django.setup()

    from django.core.management import call_command

    from accounts.models import User
    from journal import paths
    from journal.models import Comment, CommentState, Journal, Post
    from journal.sanitize import clean_comment_body
    from moderation import rules
    from moderation.backtest import replay
    from moderation.models import WordRule
    from moderation.proposals import snapshot_with
    from moderation.services import record_rule_set

SIZES = (10_000, 50_000)
SPAM_PITCHES = (
    "Best online casino bonus here",
    "Double your crypto in a week",
    "Free money, message me on WhatsApp",
    "Cheap viagra without prescription",
)
REPEAT = 3
TARGET_SECONDS = 2.0


def build(comments: int):
    """The journal, its versions and ``comments`` judged comments."""
    rng = random.Random(21)
    owner = User.objects.create_user("bench_owner", password="x-long-password-1")
    journal = Journal.objects.create(
        name="bench", title="Backtest", owner=owner, link_limit=3
    )
    first = record_rule_set(journal)
    WordRule.objects.create(journal=journal, phrase="casino", kind="hold")
    journal.spam_threshold = 80
    journal.save()
    second = record_rule_set(journal)
    post = Post.objects.create(
        journal=journal, title="Backtest", body_source="x", body_html="<p>x</p>"
    )
    readers = User.objects.bulk_create(
        [User(username=f"bt_reader{n}", password="!") for n in range(500)]
    )
    bodies = [clean_comment_body(shape.comment_text(rng)) for _ in range(380)]
    # One comment in twenty is spam of the kind word lists catch.
    bodies += [
        clean_comment_body(f"{shape.comment_text(rng)} {pitch}")
        for pitch in SPAM_PITCHES
        for _ in range(5)
    ]
    rng.shuffle(bodies)
    states = [CommentState.PUBLISHED] * 80 + [CommentState.HELD] * 8
    states += [CommentState.REJECTED] * 5 + [CommentState.SPAM] * 4
    states += [CommentState.DELETED] * 3
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    batch = []
    for n in range(comments):
        registered = n % 3 != 0
        facts = rules.CommentFacts(
            post_age_days=rng.uniform(0, 40),
            author_is_authenticated=registered,
            author_account_age_days=rng.uniform(0, 900) if registered else None,
            author_approved_count=rng.choice((0, 0, 1, 3, 12)) if registered else 0,
            link_count=rng.choice((0, 0, 0, 1, 2, 4)),
            depth=rng.randint(0, 5),
            recent_comment_count=rng.randint(0, 3),
            antibot=None
            if registered
            else rules.AntiBotCheck(age_seconds=rng.uniform(4, 900)),
            spam_percent=rng.randint(0, 99),
            author_recent_count=rng.randint(0, 10),
            author_recent_rejected=rng.randint(0, 2),
            now=moment + timedelta(minutes=n),
        )
        name = f"Reader {n % 500}" if registered else f"Visitor {n}"
        state = rng.choice(states)
        batch.append(
            Comment(
                post=post,
                journal=journal,
                path=paths.segment(n + 1),
                author=readers[n % 500] if registered else None,
                author_name="" if registered else name,
                body_source="(bench)",
                body_html=bodies[n % len(bodies)],
                state=state,
                approved_revision=1
                if state == CommentState.PUBLISHED and n % 4 == 0
                else None,
                rule_set_version=first if n < comments // 2 else second,
                judged_facts=rules.facts_record(facts, name=name),
                created_at=moment + timedelta(minutes=n),
            )
        )
        if len(batch) == 5_000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)
    return journal


def proposals(journal) -> dict[str, dict]:
    return {
        "settings only": snapshot_with(
            journal, changes={"link_limit": 2, "spam_threshold": 70}
        ),
        "held words": snapshot_with(
            journal,
            changes={"link_limit": 2},
            words=[
                {"phrase": "casino", "kind": "hold"},
                {"phrase": "crypto", "kind": "hold"},
                {"phrase": "free money", "kind": "hold"},
                {"phrase": "viagr", "kind": "block", "substring": True},
            ],
        ),
        # The costly case: a word in half the comments, whose every word the
        # lists are then matched against.
        "common word": snapshot_with(
            journal,
            changes={},
            words=[
                {"phrase": "casino", "kind": "hold"},
                {"phrase": "budget", "kind": "hold"},
                {"phrase": "bridg", "kind": "block", "substring": True},
            ],
        ),
    }


def measure(sizes: list[int]) -> dict:
    """Build the data and time the replays (in the scratch database's process)."""
    call_command("migrate", "--noinput", verbosity=0)
    log(f"storing {max(sizes):,} judged comments")
    journal = build(max(sizes))
    results = {}
    for name, snapshot in proposals(journal).items():
        for size in sizes:
            replay(journal, snapshot, limit=size)  # warm-up
            samples = []
            for _ in range(REPEAT):
                gc.collect()
                started = time.perf_counter()
                result = replay(journal, snapshot, limit=size)
                samples.append(time.perf_counter() - started)
            results[f"{name} / {size}"] = {
                "proposal": name,
                "comments": size,
                "seconds": round(statistics.median(samples), 3),
                "replayed": result["replayed"],
                "changes": result["changes"],
            }
            log(f"{name}, {size:,}: {statistics.median(samples):.2f} s")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--databases",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
    )
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="comma-separated"
    )
    parser.add_argument("--out", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    if arguments.out:  # the measuring process, on its scratch database
        with open(arguments.out, "w") as out:
            json.dump(measure(sizes), out, indent=2)
        return
    WORK.mkdir(exist_ok=True)
    results = {}
    for database in arguments.databases:
        name = f"bench_backtest_{database}"
        out = WORK / f"{name}.json"
        log(f"{database}: a scratch database")
        try:
            subprocess.run(
                [sys.executable, "-m", "benchmarks.backtest", "--sizes"]
                + [arguments.sizes, "--out", str(out)],
                env=site_environment(database_url(database, name)),
                cwd=ROOT,
                check=True,
            )
        finally:
            drop_database(database, name)
        results[database] = json.loads(out.read_text())
    (WORK / "backtest.json").write_text(json.dumps(results, indent=2))
    print(
        "\nBacktest: replaying a journal's last comments under a proposal, median "
        f"seconds of {REPEAT} runs (target: 10,000 in at most {TARGET_SECONDS:g} s)\n"
    )
    header = f"{'database':<11}{'proposal':<15}{'comments':>10}{'seconds':>10}  target"
    print(header)
    print("-" * len(header))
    for database, rows in results.items():
        for row in rows.values():
            verdict = ""
            if row["comments"] == 10_000:
                verdict = "ok" if row["seconds"] <= TARGET_SECONDS else "MISSED"
            print(
                f"{database:<11}{row['proposal']:<15}{row['comments']:>10,}"
                f"{row['seconds']:>10.2f}  {verdict}"
            )
    print(f"\nJSON: {WORK / 'backtest.json'}")


if __name__ == "__main__":
    main()
