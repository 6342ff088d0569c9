"""Measure django-comments-xtd on the same thread shapes (run in the peer's venv).

    PEER_DATABASE_URL=... python -m benchmarks.peer.run --out peer.json

The whole thread is rendered by xtd's own tag and default templates
(``{% render_xtdcomment_tree for object %}``), and a comment is posted through
its own view, as a logged-in user (so no confirmation e-mail is involved).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.peer.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.flatpages.models import FlatPage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import RequestContext, Template  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_comments import get_form  # noqa: E402
from django_comments.models import Comment  # noqa: E402
from django_comments_xtd.models import XtdComment  # noqa: E402

from benchmarks import shape  # noqa: E402
from benchmarks.common import counting_queries, request_figures, timed  # noqa: E402

REPEATS = {100: 30, 1_000: 10, 10_000: 5}
TREE = Template("{% load comments_xtd %}{% render_xtdcomment_tree for object %}")


def insert_thread(page: FlatPage, nodes: list[shape.Node]) -> None:
    """Store the shape with xtd's thread columns filled in as its save() would."""
    users = User.objects.bulk_create(
        [
            User(
                username=f"f{page.pk}u{n}",
                email=f"f{page.pk}u{n}@example.org",
                first_name=f"User {n}",
                password="!",
            )
            for n in range(shape.registered_users(nodes))
        ]
    )
    users = list(
        User.objects.filter(username__startswith=f"f{page.pk}u").order_by("pk")
    )
    first_id = (
        Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    ids = [first_id + node.index for node in nodes]
    thread_of, descendants = {}, dict.fromkeys(range(len(nodes)), 0)
    for node in nodes:
        thread_of[node.index] = (
            node.index if node.parent is None else thread_of[node.parent]
        )
        parent = node.parent
        while parent is not None:
            descendants[parent] += 1
            parent = nodes[parent].parent
    order = {}
    positions: dict[int, int] = {}
    for index in shape.display_order(nodes):
        root = thread_of[index]
        positions[root] = positions.get(root, 0) + 1
        order[index] = positions[root]
    content_type = ContentType.objects.get_for_model(FlatPage)
    started = timezone.now() - timedelta(days=2)
    comments, thread_rows = [], []
    for node in nodes:
        user = users[node.user] if node.user is not None else None
        thread_rows.append(
            (
                ids[node.index],
                ids[thread_of[node.index]],
                ids[node.parent] if node.parent is not None else ids[node.index],
                node.depth,
                order[node.index],
                False,
                descendants[node.index],
            )
        )
        comments.append(
            Comment(
                id=ids[node.index],
                content_type=content_type,
                object_pk=str(page.pk),
                site_id=1,
                user=user,
                user_name=user.get_full_name() if user else f"Visitor {node.index}",
                user_email=user.email if user else "",
                comment=node.text,
                submit_date=started + timedelta(seconds=node.index),
                is_public=True,
                is_removed=False,
            )
        )
    # XtdComment extends django_comments' Comment (multi-table inheritance),
    # which bulk_create refuses: insert the parent rows, then the child rows.
    Comment.objects.bulk_create(comments, batch_size=2000)
    table = connection.ops.quote_name(XtdComment._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(column)
        for column in (
            "comment_ptr_id",
            "thread_id",
            "parent_id",
            "level",
            "order",
            "followup",
            "nested_count",
        )
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            thread_rows,
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment, User]):
            cursor.execute(sql)


def renderer(page: FlatPage):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    def render():
        return len(TREE.render(RequestContext(request, {"object": page})))

    return render


def measure_posting(page: FlatPage) -> dict:
    writers = [
        User.objects.create_user(f"writer{n}", email=f"writer{n}@example.org")
        for n in range(20)
    ]
    clients = []
    for writer in writers:
        client = Client()
        client.force_login(writer)
        client.get("/comments/sent/")  # build the middleware before timing
        clients.append(client)
    rng = random.Random(5)
    url = reverse("comments-post-comment")
    turn = {"n": 0}

    def post():
        client = clients[turn["n"] % len(clients)]
        writer = writers[turn["n"] % len(writers)]
        turn["n"] += 1
        data = get_form()(page).generate_security_data()
        data.update(
            name=writer.username,
            email=writer.email,
            url="",
            comment=shape.comment_text(rng),
            followup="",
            reply_to="0",
        )
        with counting_queries() as counts:
            response = client.post(url, data)
        assert response.status_code == 302, response.content[:500]
        return counts

    ms, counts = timed(post, repeat=40)
    return request_figures("form", ms, counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    call_command("migrate", verbosity=0)
    cases = [(size, 0.5) for size in sizes] + [(1_000, 0.0)]
    rows, pages = [], {}
    for size, registered in cases:
        page = FlatPage.objects.create(
            url=f"/p{size}-{registered}/", title=f"{size} comments", content="x"
        )
        page.sites.add(1)
        insert_thread(page, shape.thread(size, registered_share=registered))
        pages[(size, registered)] = page
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    for size, registered in cases:
        render = renderer(pages[(size, registered)])
        with counting_queries() as counts:
            render()
        ms, _ = timed(render, repeat=REPEATS.get(size, 5))
        rows.append(
            {
                "comments": size,
                "registered_share": registered,
                "whole_thread_ms": ms,
                "whole_thread_queries": counts["queries"],
            }
        )
    posting = measure_posting(pages[(1_000, 0.5)])
    with open(args.out, "w") as handle:
        json.dump(
            {"database": connection.vendor, "threads": rows, "posting": posting},
            handle,
            indent=2,
        )


if __name__ == "__main__":
    main()
