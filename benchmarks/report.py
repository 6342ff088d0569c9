"""The results as Markdown tables, and the issue's targets checked against them."""

from __future__ import annotations


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _peer_thread(entry: dict, comments: int, share: float) -> dict | None:
    for row in entry.get("peer", {}).get("threads", []):
        if row["comments"] == comments and row["registered_share"] == share:
            return row
    return None


SHAPE_NAMES = {
    "giant": "one giant thread",
    "flat": "all top level",
    "chains": "100 deep chains",
}


def _ratio(peer_ms: float, our_ms: float) -> float:
    return round(peer_ms / our_ms, 1) if our_ms else 0.0


def _posting_cell(figures: dict, door: str) -> str:
    lone = figures[f"{door}_writes_outside_transaction"]
    return (
        f"{figures[f'{door}_ms']} ({figures[f'{door}_queries']} q, "
        f"{figures[f'{door}_transactions']} tx" + (f", {lone} lone)" if lone else ")")
    )


def table(results: dict) -> str:
    parts = []
    thread_rows, shape_rows, post_rows, queue_rows = [], [], [], []
    for database, entry in results["databases"].items():
        ours = entry["ours"]
        for row in ours["threads"]:
            if "shape" in row:
                shape_rows.append(
                    [
                        database,
                        f"{row['comments']:,}",
                        SHAPE_NAMES.get(row["shape"], row["shape"]),
                        row["shown"],
                        f"{row['page_ms']} ({row['page_queries']} q)",
                        f"{row['reader_page_ms']} ({row['reader_page_queries']} q)",
                        f"{row['thread_ms']} ({row['thread_queries']} q)",
                        f"{row['slice_ms']} ({row['slice_queries']} q)",
                    ]
                )
                continue
            peer = _peer_thread(entry, row["comments"], row["registered_share"])
            thread_rows.append(
                [
                    database,
                    f"{row['comments']:,}",
                    f"{row['registered_share']:.0%}",
                    f"{row['page_ms']} ({row['page_queries']} q)",
                    f"{row['reader_page_ms']} ({row['reader_page_queries']} q)",
                    f"{row['whole_thread_ms']} ({row['whole_thread_queries']} q)",
                    f"{peer['whole_thread_ms']} ({peer['whole_thread_queries']} q)"
                    if peer
                    else "–",
                    f"{_ratio(peer['whole_thread_ms'], row['whole_thread_ms'])}×"
                    if peer
                    else "–",
                ]
            )
        posting = ours["posting"]
        peer_posting = entry.get("peer", {}).get("posting")
        post_rows.append(
            [
                database,
                _posting_cell(posting, "form"),
                _posting_cell(posting, "api"),
                _posting_cell(peer_posting, "form") if peer_posting else "–",
            ]
        )
        queue = ours["queue"]
        queue_rows.append(
            [
                database,
                f"{queue['held']:,}",
                f"{queue['first_page_ms']} ({queue['first_page_queries']} q)",
                f"{queue['deep_page_ms']} ({queue['deep_page_queries']} q)",
                f"{queue['api_first_page_ms']} ({queue['api_first_page_queries']} q)",
                f"{queue['counts_ms']} ({queue['counts_queries']} q)",
                f"{queue['bulk']:,}: {queue['bulk_decision_ms']} "
                f"({queue['bulk_decision_queries']} q, "
                f"{queue['bulk_decision_transactions']} tx)",
                f"{queue['bulk_commit_ms']} ({queue['bulk_tasks']} tasks queued)",
                f"{queue['bulk_worker_ms']} ({queue['bulk_mails']:,} mails)",
            ]
        )
    parts.append("### Comments of one post (ms, median; q = SQL queries)\n")
    parts.append(
        _table(
            [
                "database",
                "comments",
                "registered",
                "post page, visitor",
                "post page, logged in",
                "whole thread",
                "whole thread, xtd",
                "xtd / ours",
            ],
            thread_rows,
        )
    )
    if shape_rows:
        parts.append(
            "\n### Any thread shape, a bounded page (ms, median; q = SQL queries)\n"
        )
        parts.append(
            _table(
                [
                    "database",
                    "comments",
                    "shape",
                    "shown",
                    "post page, visitor",
                    "post page, logged in",
                    "?thread=",
                    "a slice from the middle",
                ],
                shape_rows,
            )
        )
    parts.append(
        "\n### Posting a comment (ms, median; tx = transactions, lone = writes "
        "outside one)\n"
    )
    parts.append(
        _table(["database", "ours: web form", "ours: API", "xtd: web form"], post_rows)
    )
    parts.append("\n### Moderation queue (ms, median)\n")
    parts.append(
        _table(
            [
                "database",
                "held",
                "first page",
                "deep page",
                "API first page",
                "live counts",
                "bulk approve (ms)",
                "then commit (ms)",
                "a worker then mails the authors (ms)",
            ],
            queue_rows,
        )
    )
    first = next(iter(results["databases"].values()))["ours"]["sanitizer"]
    parts.append("\n### Sanitizer (one process)\n")
    parts.append(
        _table(
            ["policy", "per second", "average input (chars)"],
            [
                [
                    "comment",
                    f"{first['comment_policy_per_second']:,}",
                    first["comment_input_chars"],
                ],
                [
                    "post",
                    f"{first['post_policy_per_second']:,}",
                    first["post_input_chars"],
                ],
            ],
        )
    )
    parts.append(
        f"\nWorst hostile 20,000-character comment (clean and summarize): "
        f"{first['worst_case_ms']} ms ({first['worst_case_input']}).\n"
    )
    parts.append(spam_table(results))
    if "load" in results:
        load = results["load"]
        rows = [
            [
                name,
                f"{row['requests']:,}",
                row["rps"],
                row["p50_ms"],
                row["p95_ms"],
                row["p99_ms"],
                row["errors"],
            ]
            for name, row in [
                ("mixed (all)", load["mixed"]),
                *load["by_kind"].items(),
                ("static file", load["static"]),
            ]
        ]
        comments = load["comments"]
        share = load["mixed"]["rps"] / load["static"]["rps"]
        parts.append(
            f"\n### Load test: gunicorn ({load['workers']} workers) on PostgreSQL with "
            f"Redis, {load['users']} locust users, {load['seconds']} s\n"
        )
        parts.append(
            _table(
                ["requests", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
                rows,
            )
        )
        parts.append(
            f"\nMixed workload: {share:.1%} of the "
            f"static file's rate. Comments: {comments['accepted']} accepted, "
            f"{comments['stored']} stored, {comments['lost']} lost, "
            f"{comments['unexpected']} unaccounted for, "
            f"{comments['broken_paths']} broken thread paths."
        )
    parts.append("\n### Targets\n")
    parts.append(
        _table(
            ["target", "measured", "met"],
            [
                [t["target"], t["measured"], "yes" if t["met"] else "**no**"]
                for t in results["targets"]
            ],
        )
    )
    return "\n".join(parts)


def spam_table(results: dict) -> str:
    """The spam corpus (benchmarks.spam_corpus) through the write path."""
    rows, wrong = [], []
    for database, entry in results["databases"].items():
        spam = entry["ours"].get("spam")
        if not spam:
            continue
        for phase, label in (("cold", "cold"), ("warm", "after half decided")):
            rates, model = spam[phase], spam[f"{phase}_model"]
            rows.append(
                [
                    database,
                    label,
                    f"{rates['spam_stopped_pct']} %",
                    f"{rates['ham_published_pct']} %",
                    model["precision"],
                    model["recall"],
                    model["f1"],
                ]
            )
            wrong.append(
                f"- {database}, {label}: "
                + (
                    ", ".join(f"{kind} ({n})" for kind, n in model["most_often_wrong"])
                    or "nothing"
                )
            )
        costs = (
            f"{database}: training {spam['training_ms_per_decision']} ms per decision, "
            f"scoring {spam['scoring_ms_per_comment']} ms per comment, posting "
            f"{spam['posting_ms_per_comment']} ms per comment with scoring "
            f"({spam['decisions']} decisions on {spam['corpus']})"
        )
        wrong.append(f"- {costs}")
    if not rows:
        return ""
    return (
        "\n### Spam corpus through the write path (default rules)\n\n"
        + _table(
            [
                "database",
                "phase",
                "spam stopped",
                "genuine published",
                "spam.likely precision",
                "recall",
                "F1",
            ],
            rows,
        )
        + "\n\nWhat the spam rule got wrong most often, and what it costs:\n\n"
        + "\n".join(wrong)
        + "\n"
    )


def targets(results: dict) -> list[dict]:
    checks = []

    def check(target: str, measured: str, met: bool) -> None:
        checks.append({"target": target, "measured": measured, "met": bool(met)})

    for database, entry in results["databases"].items():
        ours = entry["ours"]
        worst = max(
            max(row["page_queries"], row["reader_page_queries_after_session"])
            for row in ours["threads"]
        )
        check(
            f"{database}: post page ≤ 5 queries after session/user, any N",
            f"at most {worst}",
            worst <= 5,
        )
        for row in ours["threads"]:
            if "shape" not in row:
                continue
            slowest = max(row["page_ms"], row["thread_ms"])
            most = max(
                row["page_queries"],
                row["thread_queries"],
                row["reader_page_queries_after_session"],
            )
            check(
                f"{database}: {row['comments']:,} comments, "
                f"{SHAPE_NAMES.get(row['shape'], row['shape'])}: post page and "
                "?thread= ≤ 30 ms and ≤ 5 queries",
                f"{slowest} ms, {most} q ({row['shown']} comments shown)",
                slowest <= 30 and most <= 5,
            )
        for share, factor in ((0.0, 5), (0.5, 8)):
            row = next(
                (
                    r
                    for r in ours["threads"]
                    if "shape" not in r
                    and r["comments"] == 1_000
                    and r["registered_share"] == share
                ),
                None,
            )
            peer = _peer_thread(entry, 1_000, share)
            if row and peer:
                ratio = _ratio(peer["whole_thread_ms"], row["whole_thread_ms"])
                check(
                    f"{database}: whole 1,000-comment thread ≥ {factor}× faster than "
                    f"xtd ({share:.0%} registered)",
                    f"{ratio}×",
                    ratio >= factor,
                )
        posting = ours["posting"]
        peer_posting = entry.get("peer", {}).get("posting")
        if peer_posting:
            check(
                f"{database}: posting at most half of xtd (form, API vs xtd form)",
                f"{posting['form_ms']} / {posting['api_ms']} vs "
                f"{peer_posting['form_ms']} ms",
                max(posting["form_ms"], posting["api_ms"])
                <= 0.5 * peer_posting["form_ms"],
            )
        # Atomic: one transaction, or one statement that is its own (a
        # top-level comment on PostgreSQL: journal.services.submit_comment).
        commits = {
            door: posting[f"{door}_transactions"]
            + posting[f"{door}_writes_outside_transaction"]
            for door in ("form", "api")
        }
        check(
            f"{database}: posting commits once (a transaction or one statement)",
            f"form {commits['form']}, API {commits['api']}",
            commits == {"form": 1, "api": 1},
        )
        queue = ours["queue"]
        check(
            f"{database}: queue first page ≤ 50 ms and ≤ 8 queries "
            f"({queue['held']:,} held)",
            f"{queue['first_page_ms']} ms, {queue['first_page_queries']} q",
            queue["first_page_ms"] <= 50 and queue["first_page_queries"] <= 8,
        )
        check(
            f"{database}: live counts ≤ 50 ms and ≤ 2 queries ({queue['held']:,} held)",
            f"{queue['counts_ms']} ms, {queue['counts_queries']} q",
            queue["counts_queries"] <= 2 and queue["counts_ms"] <= 50,
        )
        check(
            f"{database}: queue deep page ≤ 50 ms",
            f"{queue['deep_page_ms']} ms",
            queue["deep_page_ms"] <= 50,
        )
        check(
            f"{database}: bulk decision on {queue['bulk']:,} ≤ 2 s",
            f"{queue['bulk_decision_ms']} ms",
            queue["bulk_decision_ms"] <= 2000,
        )
    for database, entry in results["databases"].items():
        spam = entry["ours"].get("spam")
        if spam:
            warm, model = spam["warm"], spam["warm_model"]
            check(
                f"{database}: after half decided, ≥ 95 % spam stopped, ≥ 98 % "
                "genuine published",
                f"{warm['spam_stopped_pct']} % / {warm['ham_published_pct']} %",
                warm["spam_stopped_pct"] >= 95 and warm["ham_published_pct"] >= 98,
            )
            check(
                f"{database}: cold, ≥ 50 % spam stopped, ≥ 97 % genuine published",
                f"{spam['cold']['spam_stopped_pct']} % / "
                f"{spam['cold']['ham_published_pct']} %",
                spam["cold"]["spam_stopped_pct"] >= 50
                and spam["cold"]["ham_published_pct"] >= 97,
            )
            check(
                f"{database}: spam rule precision ≥ 0.95 at recall ≥ 0.80",
                f"{model['precision']} at {model['recall']}",
                model["precision"] >= 0.95 and model["recall"] >= 0.80,
            )
    sanitizer = next(iter(results["databases"].values()))["ours"]["sanitizer"]
    check(
        "sanitizer: worst hostile 20,000-character comment ≤ 300 ms",
        f"{sanitizer['worst_case_ms']} ms ({sanitizer['worst_case_input']})",
        sanitizer["worst_case_ms"] <= 300,
    )
    if "load" in results:
        load = results["load"]
        comments = load["comments"]
        check(
            "load test: zero errors, no accepted comment lost, no stale page",
            f"{load['mixed']['errors']} errors, {comments['lost']} lost, "
            f"{comments.get('stale', 0)} stale",
            load["mixed"]["errors"] == 0
            and comments["lost"] == 0
            and comments.get("stale", 0) == 0,
        )
        check(
            "load test: mixed workload at least 15 % of the static file's rate",
            f"{load['mixed']['rps'] / load['static']['rps']:.1%}",
            load["mixed"]["rps"] >= 0.15 * load["static"]["rps"],
        )
    return checks
