"""How well moderation stops spam: the labelled corpus (benchmarks.spam_corpus)
posted through the write path with the default rules, cold and after a
moderator decided on the first half by time; the spam rule's precision, recall
and F1 on the second half; training time per decision and scoring time per
comment. Run by ``benchmarks.ours`` inside its database.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from journal.models import Comment, CommentAccess, CommentState
from journal.plugins import Origin
from journal.services import CommentRefused, submit_comment
from moderation import learning, services

from . import spam_corpus
from .queued import run_queued_tasks


def _post_all(
    post, examples, users
) -> list[tuple[spam_corpus.Example, Comment | None]]:
    """Each example through the write path; None where it was refused."""
    results = []
    for n, example in enumerate(examples):
        try:
            comment = submit_comment(
                post=post,
                author=users[example.author],
                body=example.text,
                origin=Origin(ip_address=f"10.{n // 250 % 250}.{n % 250}.1"),
            )
        except CommentRefused:
            comment = None
        results.append((example, comment))
    return results


def _rates(results) -> dict:
    spam = [comment for example, comment in results if example.label == "spam"]
    ham = [comment for example, comment in results if example.label == "ham"]
    stopped = sum(c is None or c.state != CommentState.PUBLISHED for c in spam)
    published = sum(c is not None and c.state == CommentState.PUBLISHED for c in ham)
    return {
        "spam": len(spam),
        "ham": len(ham),
        "spam_stopped_pct": round(100 * stopped / max(len(spam), 1), 1),
        "ham_published_pct": round(100 * published / max(len(ham), 1), 1),
    }


def _model_scores(results) -> dict:
    """The spam rule alone: did ``spam.likely`` fire?"""
    tp = fp = fn = 0
    wrong = Counter()
    for example, comment in results:
        fired = comment is not None and any(
            r["code"] == "spam.likely" for r in comment.reasons
        )
        if fired and example.label == "spam":
            tp += 1
        elif fired:
            fp += 1
            wrong[f"ham held: {example.kind}"] += 1
        elif example.label == "spam":
            fn += 1
            wrong[f"spam missed: {example.kind}"] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "most_often_wrong": wrong.most_common(4),
    }


def _decide_all(moderator, results) -> tuple[int, float]:
    """A moderator works through the first half: approves the genuine comments
    that were held, marks every spam comment that is not refused as spam.
    Returns (decisions, seconds spent training on them)."""
    decisions = []
    for example, comment in results:
        if comment is None:
            continue
        comment.refresh_from_db(fields=["state", "revision"])
        seen = services.Seen(comment.pk, comment.state, comment.revision)
        if example.label == "spam":
            decisions.append(("spam", seen))
        elif comment.state == CommentState.HELD:
            decisions.append(("approve", seen))
    trained = [0.0]
    learn = learning.learn

    def timed_learn(entry_ids):
        started = time.perf_counter()
        try:
            return learn(entry_ids)
        finally:
            trained[0] += time.perf_counter() - started

    # Training is a task each decision enqueues; a worker runs them here, in
    # this process (run_queued_tasks), and just that part is timed.
    learning.learn = timed_learn
    try:
        for decision, seen in decisions:
            services.decide(moderator=moderator, items=[seen], decision=decision)
            run_queued_tasks()
    finally:
        learning.learn = learn
    return len(decisions), trained[0]


def measure(make_journal, make_post) -> dict:
    examples = spam_corpus.build()
    half = len(examples) // 2
    joined = timezone.now() - timedelta(days=30)
    users = {}
    for name in {example.author for example in examples}:
        users[name] = User(username=f"sp_{name}", email=f"{name}@example.org")
        users[name].set_unusable_password()
        users[name].date_joined = joined
    User.objects.bulk_create(users.values())
    users = {name: User.objects.get(username=f"sp_{name}") for name in users}
    owner = User.objects.create_user("spam_owner", email="spam_owner@example.org")

    # Cold: a fresh journal, the default rules, no decision yet.
    cold_journal, _ = make_journal(
        "spamcold",
        owner,
        comment_access=CommentAccess.REGISTERED,
        rate_limit_per_minute=0,
    )
    cold = _post_all(make_post(cold_journal, "cold"), examples, users)

    # Warm: decisions on the first half, then the second half.
    journal, _ = make_journal(
        "spamwarm",
        owner,
        comment_access=CommentAccess.REGISTERED,
        rate_limit_per_minute=0,
    )
    post = make_post(journal, "warm")
    first = _post_all(post, examples[:half], users)
    decisions, training_seconds = _decide_all(owner, first)
    started = time.perf_counter()
    second = _post_all(post, examples[half:], users)
    posting_seconds = time.perf_counter() - started

    texts = [example.text for example in examples[half:]]
    started = time.perf_counter()
    for text in texts:
        learning.assess(journal.pk, text)
    scoring_seconds = time.perf_counter() - started
    return {
        "corpus": dict(Counter(example.label for example in examples)),
        "kinds": dict(Counter(f"{e.label}: {e.kind}" for e in examples)),
        "cold": _rates(cold),
        "cold_model": _model_scores(cold),
        "warm": _rates(second),
        "warm_model": _model_scores(second),
        "decisions": decisions,
        "training_ms_per_decision": round(
            1000 * training_seconds / max(decisions, 1), 2
        ),
        "scoring_ms_per_comment": round(1000 * scoring_seconds / len(texts), 3),
        "posting_ms_per_comment": round(1000 * posting_seconds / len(texts), 2),
    }
