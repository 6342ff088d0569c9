"""Measure our site in-process on one database (run by ``benchmarks.__main__``).

    python -m benchmarks.ours --out result.json     # DATABASE_URL and settings
                                                    # come from the environment
    python -m benchmarks.ours --only shapes --out r.json   # one part alone

Builds its own data in bulk (the thread shapes of ``benchmarks.shape``, 100,000
held comments), then times pages through Django's test client, so every
middleware, the session and the template run as for a real request.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from datetime import timedelta

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
)
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.templatetags.static import static  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.tokens import create_token  # noqa: E402
from journal import demo_content, pagecache, paths, threads  # noqa: E402
from journal.models import Comment, CommentState, Journal, Post  # noqa: E402
from journal.plugins import ViewerRoles, plugin  # noqa: E402
from journal.sanitize import clean_comment_body, clean_post_body, summarize  # noqa: E402
from journal.services import save_post  # noqa: E402
from moderation import services as moderation  # noqa: E402
from moderation import shared_lists  # noqa: E402
from moderation.services import record_rule_set  # noqa: E402

from . import shape, spam_model  # noqa: E402
from .common import (  # noqa: E402
    counting_queries,
    log,
    median_ms,
    request_figures,
    timed,
)
from .queued import queued, run_queued_tasks  # noqa: E402

THREAD_SIZES = (100, 1_000, 10_000)
REPEATS = {100: 30, 1_000: 10, 10_000: 5}
# The big shapes (issue 16): one giant thread, all top level, deep chains.
SHAPE_SIZE = 100_000
SHAPE_REPEAT = 20
HELD = 100_000
BULK = 10_000
BATCH = 2_000


# Data ---------------------------------------------------------------------


def make_users(prefix: str, count: int) -> list[User]:
    """Registered users with an e-mail address; no password hashing (bulk)."""
    joined = timezone.now() - timedelta(days=400)
    users = [
        User(
            username=f"{prefix}{n}",
            display_name=f"{prefix.title()} {n}",
            email=f"{prefix}{n}@example.org",
            password="!",  # unusable: these accounts only comment
            date_joined=joined,
        )
        for n in range(count)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def next_comment_id() -> int:
    return (Comment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences() -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Comment, User])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def insert_thread(post: Post, nodes: list[shape.Node], version) -> list[Comment]:
    """Store a thread shape as published comments, with ids chosen up front so
    that each materialized path is known before the insert."""
    users = make_users(f"p{post.pk}u", shape.registered_users(nodes))
    first_id = next_comment_id()
    started = timezone.now() - timedelta(days=2)
    comments: list[Comment] = []
    cleaned: dict[str, str] = {}  # big shapes draw their texts from a pool
    for node in nodes:
        comment_id = first_id + node.index
        parent = comments[node.parent] if node.parent is not None else None
        author = users[node.user] if node.user is not None else None
        comments.append(
            Comment(
                id=comment_id,
                post=post,
                journal_id=post.journal_id,
                parent=parent,
                path=paths.child_path(parent.path if parent else "", comment_id),
                author=author,
                author_name="" if author else f"Visitor {node.index}",
                body_source=node.text,
                body_html=cleaned.get(node.text)
                or cleaned.setdefault(node.text, clean_comment_body(node.text)),
                state=CommentState.PUBLISHED,
                rule_set_version=version,
                created_at=started + timedelta(seconds=node.index),
            )
        )
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    reset_sequences()
    return comments


def insert_held(journal: Journal, posts: list[Post], count: int, version) -> None:
    """``count`` held comments, as links or screening would hold them."""
    rng = random.Random(11)
    authors = make_users("held", 5_000)
    bodies = []
    for _ in range(300):
        text = shape.comment_text(rng)
        bodies.append((text, clean_comment_body(text)))
    reasons = {
        "links.too_many": {
            "code": "links.too_many",
            "action": "hold",
            "message": "Comments with 2 or more links wait for a moderator.",
        },
        "screening.anonymous": {
            "code": "screening.anonymous",
            "action": "hold",
            "message": "Anonymous comments in this journal wait for a moderator.",
        },
    }
    first_id = next_comment_id()
    started = timezone.now() - timedelta(days=30)
    batch: list[Comment] = []
    for n in range(count):
        comment_id = first_id + n
        author = authors[n % len(authors)] if n % 2 else None
        reason = reasons["links.too_many" if author else "screening.anonymous"]
        text, html = bodies[n % len(bodies)]
        batch.append(
            Comment(
                id=comment_id,
                post=posts[n % len(posts)],
                journal=journal,
                path=paths.segment(comment_id),
                author=author,
                author_name="" if author else f"Visitor {n}",
                body_source=text,
                body_html=html,
                state=CommentState.HELD,
                reasons=[reason],
                rule_codes=Comment.codes_of([reason]),
                rule_set_version=version,
                created_at=started + timedelta(seconds=n),
            )
        )
        if len(batch) == BATCH:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)
    reset_sequences()


def make_journal(name: str, owner: User, **settings) -> tuple[Journal, object]:
    journal = Journal.objects.create(
        name=name, title=name.title(), owner=owner, **settings
    )
    return journal, record_rule_set(journal)


def make_post(journal: Journal, title: str) -> Post:
    post = Post(journal=journal, title=title, body_source=demo_content.NEWS_POST_BODY)
    return save_post(post=post, tag_names=["benchmark", "editor's choice"])


def analyze() -> None:
    """Fresh statistics, as autovacuum or a nightly job would leave them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )


# Measurements ---------------------------------------------------------------


def measure_request(
    client: Client, method: str, url: str, repeat: int, before=None, **kwargs
):
    """Median ms and the query counts of one request (the last one timed);
    ``before()`` runs untimed before each."""
    call = getattr(client, method)

    def once():
        with counting_queries() as counts:
            response = call(url, **kwargs)
        assert response.status_code in (200, 201, 302), (url, response.status_code)
        return counts

    ms, counts = timed(once, repeat=repeat, warmup=5, before=before)
    return ms, counts


def whole_thread_renderer(post: Post):
    """Every comment of the post, read and rendered with the page's own queryset
    and template fragment, as a visitor sees them."""
    request = RequestFactory().get(post.get_absolute_url())
    request.user = AnonymousUser()
    journal = Journal.objects.get(pk=post.journal_id)

    def render():
        comments = list(
            Comment.objects.filter(post=post)
            .visible_to(request.user)
            .in_display_order()
        )
        html = render_to_string(
            "journal/_comments.html",
            {
                "comments": threads.annotate_layout(comments, 0),
                "post": post,
                "journal": journal,
                "is_moderator": False,
                "edit_minutes": journal.edit_window_minutes,
                "tools": plugin().tools(post, request.user, ViewerRoles()),
            },
            request=request,
        )
        return len(comments), len(html)

    return render


def measure_threads(owner: User, reader: User) -> tuple[list[dict], dict]:
    journal, version = make_journal("threads", owner, comment_access="anyone")
    rows, posts = [], {}
    cases = [(size, 0.5) for size in THREAD_SIZES] + [(1_000, 0.0)]
    for size, registered in cases:
        post = make_post(journal, f"{size} comments, {registered:.0%} registered")
        insert_thread(post, shape.thread(size, registered_share=registered), version)
        posts[(size, registered)] = post
    analyze()
    anonymous = Client()
    logged_in = Client()
    logged_in.force_login(reader)
    for size, registered in cases:
        post = posts[(size, registered)]
        repeat = REPEATS[size]
        log(f"threads: {size} comments, {registered:.0%} registered")
        page_ms, page = measure_request(
            anonymous, "get", post.get_absolute_url(), repeat
        )
        reader_ms, reader_page = measure_request(
            logged_in, "get", post.get_absolute_url(), repeat
        )
        render = whole_thread_renderer(post)
        with counting_queries() as whole_queries:
            count, _size = render()
        whole_ms, _ = timed(render, repeat=repeat)
        assert count == size, (count, size)
        rows.append(
            {
                "comments": size,
                "registered_share": registered,
                "page_ms": page_ms,
                "page_queries": page["queries"],
                "reader_page_ms": reader_ms,
                # A logged-in reader's page: the session and user lookups first.
                "reader_page_queries": reader_page["queries"],
                "reader_page_queries_after_session": reader_page["queries"] - 2,
                "whole_thread_ms": whole_ms,
                "whole_thread_queries": whole_queries["queries"],
            }
        )
    rows += measure_shapes(journal, version, anonymous, logged_in)
    return rows, posts


def measure_shapes(journal, version, anonymous: Client, logged_in: Client) -> list:
    """The post page, ``?thread=`` and a slice deep inside, on ``SHAPE_SIZE``
    comments in each of the big shapes (``shape.big_shape``): a page is bounded
    whatever the shape, so each stays flat. The rows carry ``shape``.

    With production settings, the anonymous pages' cache on; but each page is
    drawn afresh, as the first read after a change elsewhere on the site
    (``_page_drawn_afresh``), never served whole from the cache."""
    return [
        measure_shape(name, journal, version, anonymous, logged_in)
        for name in shape.BIG_SHAPES
    ]


def _page_drawn_afresh() -> None:
    pagecache.touch_everything()


def measure_shape(name, journal, version, anonymous: Client, logged_in: Client):
    post = make_post(journal, f"{SHAPE_SIZE:,} comments: {name}")
    log(f"threads: {SHAPE_SIZE:,} comments, {name}")
    comments = insert_thread(post, shape.big_shape(name, SHAPE_SIZE), version)
    analyze()
    url = post.get_absolute_url()
    roots = [comment for comment in comments if comment.parent_id is None]
    # ?thread= on the giant's top-level comment or a deep chain's; and a slice
    # from the middle: the giant's replies, or the later threads.
    root = roots[len(roots) // 2] if name == "chains" else roots[0]
    if name == "giant":
        middle = [c for c in comments if c.parent_id == root.pk][SHAPE_SIZE // 8]
        sliced = f"{url}?thread={root.pk}&after={middle.pk}"
    else:
        sliced = f"{url}?after={roots[len(roots) // 2].pk}"
    afresh = {"repeat": SHAPE_REPEAT, "before": _page_drawn_afresh}
    page_ms, page = measure_request(anonymous, "get", url, **afresh)
    reader_ms, reader_page = measure_request(logged_in, "get", url, **afresh)
    thread_url = f"{url}?thread={root.pk}"
    thread_ms, thread = measure_request(anonymous, "get", thread_url, **afresh)
    slice_ms, slice_page = measure_request(anonymous, "get", sliced, **afresh)
    return {
        "shape": name,
        "comments": SHAPE_SIZE,
        "registered_share": 0.5,
        "shown": anonymous.get(url).content.decode().count('class="comment '),
        "page_ms": page_ms,
        "page_queries": page["queries"],
        "reader_page_ms": reader_ms,
        "reader_page_queries": reader_page["queries"],
        "reader_page_queries_after_session": reader_page["queries"] - 2,
        "thread_ms": thread_ms,
        "thread_queries": thread["queries"],
        "slice_ms": slice_ms,
        "slice_queries": slice_page["queries"],
    }


def measure_posting(owner: User, post: Post, writers: str = "writer") -> dict:
    """A registered user's top-level comment, through the form and the API
    (by 40 new accounts named ``writers`` and a number)."""
    writers = make_users(writers, 40)
    form_url = reverse(
        "journal:post_comment",
        kwargs={"journal_name": post.journal.name, "post_id": post.pk},
    )
    api_url = reverse("api-post-comments", kwargs={"post_id": post.pk})
    rng = random.Random(5)
    clients = []
    for writer in writers[:20]:
        client = Client()
        client.force_login(writer)
        # Each test client builds its middleware on its first request (whitenoise
        # then scans the static files): do that before timing, as a server does.
        client.get(post.get_absolute_url())
        clients.append(client)
    tokens = [create_token(user=writer, name="bench")[1] for writer in writers[20:]]
    api_client = Client()
    for key in tokens:
        # Each token used once before timing, as each form client loads a page:
        # a token in use is stamped "last used" once a minute (accounts.tokens),
        # a new one on its first request.
        api_client.get(api_url, headers={"authorization": f"Token {key}"})
    turn = {"form": 0, "api": 0}

    def post_form():
        client = clients[turn["form"] % len(clients)]
        turn["form"] += 1
        with counting_queries() as counts:
            response = client.post(form_url, {"body": shape.comment_text(rng)})
        assert response.status_code == 302, response.status_code
        return counts

    def post_api():
        key = tokens[turn["api"] % len(tokens)]
        turn["api"] += 1
        with counting_queries() as counts:
            response = api_client.post(
                api_url,
                {"body": shape.comment_text(rng)},
                content_type="application/json",
                headers={"authorization": f"Token {key}"},
            )
        assert response.status_code == 201, response.content
        return counts

    form_ms, form = timed(post_form, repeat=40)
    api_ms, api = timed(post_api, repeat=40)
    return request_figures("form", form_ms, form) | request_figures("api", api_ms, api)


# Shared lists followed while posting (moderation.shared_lists): how many, and
# how many entries each holds.
LISTS, LIST_ENTRIES = 5, 2_000


def measure_lists(owner: User, post: Post) -> dict:
    """Posting as ``measure_posting`` does, then again once the journal
    follows ``LISTS`` word lists of ``LIST_ENTRIES`` entries each (a tenth
    matching inside words), none of which the comments hold: what matching
    them costs a comment, in time and queries."""
    without = measure_posting(owner, post)
    keeper = User.objects.create_user("bench_keeper", email="keeper@example.org")
    source, _version = make_journal("listkeeper", keeper)
    for number in range(LISTS):
        entries = [
            {
                "phrase": f"zq{number}w{n}",
                "kind": "hold" if n % 2 else "block",
                "substring": n % 10 == 0,
            }
            for n in range(LIST_ENTRIES)
        ]
        followed = shared_lists.publish(
            journal=source,
            by=keeper,
            kind="words",
            name=f"Bench list {number}",
            entries=entries,
        )
        shared_lists.subscribe(journal=post.journal, shared_list=followed, by=owner)
    with_lists = measure_posting(owner, post, writers="listed")
    return {
        "lists": LISTS,
        "entries_each": LIST_ENTRIES,
        "without": without,
        "with_lists": with_lists,
    }


def measure_queue() -> dict:
    moderator = User.objects.create_user("queue_owner", email="q@example.org")
    journal, version = make_journal(
        "queue", moderator, comment_access="anyone", screening="anonymous"
    )
    posts = [make_post(journal, f"Busy post {n}") for n in range(50)]
    log(f"queue: inserting {HELD:,} held comments")
    insert_held(journal, posts, HELD, version)
    analyze()
    client = Client()
    client.force_login(moderator)
    first_ms, first = measure_request(client, "get", "/moderation/", 20)
    held_ids = list(
        Comment.objects.filter(journal=journal, state=CommentState.HELD)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deep_cursor = held_ids[HELD // 2]
    deep_ms, deep = measure_request(
        client, "get", f"/moderation/?after={deep_cursor}", 20
    )
    # What an open queue page polls every 15 s: the tab counts, arrivals since
    # the page was drawn, and the claims on its fifty items.
    items = ",".join(f"{journal.pk}:{pk}" for pk in held_ids[:50])
    counts_ms, counts_queries = measure_request(
        client,
        "get",
        f"/moderation/counts/?since={held_ids[HELD // 2]}&items={items}",
        50,
    )
    api_key = create_token(user=moderator, name="bench")[1]
    api_ms, api = measure_request(
        Client(),
        "get",
        "/api/moderation/queue/?tab=held",
        20,
        headers={"authorization": f"Token {api_key}"},
    )

    # Three different batches, so each decision finds its comments still held.
    # Inside an outer transaction the decision's own work is timed apart from
    # the commit; the mails to authors are tasks it queues, which a worker
    # then sends (timed apart: no request waits for them).
    decide_samples, commit_samples, worker_samples = [], [], []
    mails = tasks = 0
    for round_number in range(3):
        batch = held_ids[round_number * BULK : (round_number + 1) * BULK]
        items = [moderation.Seen(pk, CommentState.HELD, 1) for pk in batch]
        mail.outbox = []
        waiting = queued()
        gc.collect()
        with counting_queries() as counts:
            started = time.perf_counter()
            with transaction.atomic():
                outcomes = moderation.decide(
                    moderator=moderator,
                    items=items,
                    decision=moderation.Decision.APPROVE,
                )
                decided = time.perf_counter()
            committed = time.perf_counter()
        tasks = queued() - waiting
        run_queued_tasks()
        worker_samples.append(time.perf_counter() - committed)
        decide_samples.append(decided - started)
        commit_samples.append(committed - decided)
        mails = len(mail.outbox)
        assert all(outcome.done for outcome in outcomes)
    return {
        "held": HELD,
        "first_page_ms": first_ms,
        "first_page_queries": first["queries"],
        "deep_page_ms": deep_ms,
        "deep_page_queries": deep["queries"],
        "counts_ms": counts_ms,
        "counts_queries": counts_queries["queries"],
        "api_first_page_ms": api_ms,
        "api_first_page_queries": api["queries"],
        "bulk": BULK,
        "bulk_decision_ms": median_ms(decide_samples),
        "bulk_commit_ms": median_ms(commit_samples),
        "bulk_tasks": tasks,
        "bulk_worker_ms": median_ms(worker_samples),
        "bulk_mails": mails,
        "bulk_decision_queries": counts["queries"],
        "bulk_decision_transactions": counts["transactions"],
    }


def timed_once(function, argument) -> float:
    started = time.perf_counter()
    function(argument)
    return (time.perf_counter() - started) * 1000


def measure_sanitizer() -> dict:
    rng = random.Random(3)
    comments = []
    for n in range(500):
        text = shape.comment_text(rng)
        if n % 3 == 0:
            text = text.replace(
                ".", ' — <a href="https://example.org/a?b=1">a source</a>.', 1
            )
        if n % 4 == 0:
            text = f"<blockquote>{shape.comment_text(rng)}</blockquote>\n\n{text}"
        if n % 5 == 0:
            text += ' <b>bold</b> <i>and</i> <img src=x onerror="alert(1)">'
        comments.append(text)
    posts = [
        demo_content.NEWS_POST_BODY.replace("festival", f"festival {n}")
        for n in range(50)
    ] + [demo_content.GARDEN_POST_BODY] * 10

    def rate(function, inputs, rounds):
        started = time.perf_counter()
        for _ in range(rounds):
            for text in inputs:
                function(text)
        return round(len(inputs) * rounds / (time.perf_counter() - started))

    # Hostile shapes at the 20,000-character limit: a pattern that backtracks
    # would take seconds on one of these, inside the posting transaction.
    worst_inputs = {
        "parentheses": "(" * 20_000,
        "a-a-a-": "a-" * 10_000,
        "x.y-z_": "x.y-z_" * 3_333,
        "xn--": "xn--" * 5_000,
        "dots": "a." * 10_000,
        "bare links": "ab.cd " * 3_333,
        "nested quotes": "<blockquote>" * 1_600,
        "nested lists": "<ul><li>" * 2_500,
        "nested bold": "<i><b>" * 3_333,
        "nested pre": "<pre>" * 4_000,
        "written dots": "a[.]" * 5_000,
    }

    def clean_and_summarize(text):
        return summarize(clean_comment_body(text))

    worst_ms, worst_name = max(
        (
            min(
                timed_once(clean_and_summarize, text) for _ in range(3)
            ),  # best of three
            name,
        )
        for name, text in worst_inputs.items()
    )
    return {
        "worst_case_ms": round(worst_ms, 1),
        "worst_case_input": worst_name,
        "comment_policy_per_second": rate(clean_comment_body, comments, 4),
        "comment_input_chars": round(sum(map(len, comments)) / len(comments)),
        "post_policy_per_second": rate(clean_post_body, posts, 4),
        "post_input_chars": round(sum(map(len, posts)) / len(posts)),
    }


def build_load_data(out: str) -> None:
    """Data for the load test: five posts of 1,000 comments, writers with API
    tokens, held comments in the queue and a logged-in moderator's cookie."""
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("load_owner", email="owner@example.org")
    # A busy journal allows a brisk pace per author; every other rule stays on.
    journal, version = make_journal(
        "load", owner, comment_access="anyone", rate_limit_per_minute=60
    )
    posts = [make_post(journal, f"Load post {n}") for n in range(5)]
    parents = {}
    for post in posts:
        comments = insert_thread(post, shape.thread(1_000), version)
        parents[str(post.pk)] = [c.pk for c in comments if c.depth < 4][:300]
    insert_held(journal, posts, 2_000, version)
    writers = make_users("loadwriter", 100)
    tokens = [create_token(user=writer, name="load")[1] for writer in writers]
    analyze()
    session = SessionStore()
    session[SESSION_KEY] = str(owner.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    session.create()
    setup = {
        "post_urls": [post.get_absolute_url() for post in posts],
        "post_ids": [post.pk for post in posts],
        "parents": parents,
        "tokens": tokens,
        "moderator_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "static_url": static("css/site.css"),
        "writer_ids": [writer.pk for writer in writers],
        # What each post page counts before the test: the stale-page check's
        # starting point (a page must never count fewer than were posted).
        "published": {
            str(post.pk): Comment.objects.filter(
                post=post, state=CommentState.PUBLISHED
            ).count()
            for post in posts
        },
    }
    with open(out, "w") as handle:
        json.dump(setup, handle)


def verify_load(setup_path: str, accepted_path: str) -> dict:
    """Every comment the API accepted is stored, once, with an intact path."""
    with open(setup_path) as handle:
        setup = json.load(handle)
    with open(accepted_path) as handle:
        outcome = json.load(handle)
    accepted = outcome["accepted"]
    stored = Comment.objects.filter(author_id__in=setup["writer_ids"])
    stored_ids = set(stored.values_list("pk", flat=True))
    broken_paths = sum(
        1
        for comment in stored.only("pk", "path")
        if not comment.path.endswith(paths.segment(comment.pk))
    )
    return {
        "accepted": len(accepted),
        "distinct_accepted": len(set(accepted)),
        "stored": len(stored_ids),
        "lost": len(set(accepted) - stored_ids),
        "unexpected": len(stored_ids - set(accepted)),
        "broken_paths": broken_paths,
        # Post pages read right after a comment was accepted that did not
        # count it (locustfile.read_after_posting).
        "stale": len(outcome.get("stale", [])),
    }


def measure_only(part: str, owner: User, reader: User) -> dict:
    if part == "queue":
        return {"database": connection.vendor, "queue": measure_queue()}
    journal, version = make_journal("threads", owner, comment_access="anyone")
    if part in ("posting", "lists"):
        post = make_post(journal, "1000 comments, 50% registered")
        insert_thread(post, shape.thread(1_000, registered_share=0.5), version)
        analyze()
        if part == "lists":
            return {"database": connection.vendor, "lists": measure_lists(owner, post)}
        return {"database": connection.vendor, "posting": measure_posting(owner, post)}
    logged_in = Client()
    logged_in.force_login(reader)
    rows = measure_shapes(journal, version, Client(), logged_in)
    return {"database": connection.vendor, "threads": rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to check the harness"
    )
    parser.add_argument("--load-data", action="store_true")
    parser.add_argument("--verify-load", metavar="ACCEPTED_JSON")
    parser.add_argument("--setup", help="the load test's setup file")
    parser.add_argument(
        "--only",
        choices=("shapes", "posting", "queue", "lists"),
        help="measure one part alone, while working on it",
    )
    args = parser.parse_args()
    if args.load_data:
        build_load_data(args.out)
        return
    if args.verify_load:
        with open(args.out, "w") as handle:
            json.dump(verify_load(args.setup, args.verify_load), handle)
        return
    if args.quick:
        global THREAD_SIZES, HELD, BULK, SHAPE_SIZE
        THREAD_SIZES, HELD, BULK = (100, 1_000), 3_000, 500
        SHAPE_SIZE = 10_000
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("bench_owner", email="owner@example.org")
    reader = User.objects.create_user("bench_reader", email="reader@example.org")
    if args.only:
        with open(args.out, "w") as handle:
            json.dump(measure_only(args.only, owner, reader), handle, indent=2)
        return
    log(f"{connection.vendor}: building threads")
    thread_rows, posts = measure_threads(owner, reader)
    log(f"{connection.vendor}: posting")
    posting = measure_posting(owner, posts[(1_000, 0.5)])
    log(f"{connection.vendor}: sanitizer")
    sanitizer = measure_sanitizer()
    log(f"{connection.vendor}: spam model")
    spam = spam_model.measure(make_journal, make_post)
    queue = measure_queue()
    result = {
        "database": connection.vendor,
        "threads": thread_rows,
        "posting": posting,
        "queue": queue,
        "sanitizer": sanitizer,
        "spam": spam,
    }
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
