"""The write path's shortcuts never change an answer: rules compiled in process
memory give way to a change made through any door at the very next comment,
the judging query compiled once answers as the ORM does, and the insert that
takes its own path gives every comment its id and path."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from journal import paths, services
from journal.models import Comment, CommentState, Journal, Screening
from moderation import judging, learning, spam
from moderation.models import (
    AuthorRestriction,
    CommentFingerprint,
    RuleSetVersion,
    SpamTokenCount,
    WordRule,
)
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.journal.test_admin import journal_form_data

pytestmark = pytest.mark.django_db


def form_post(client, post, body):
    return client.post(f"/{post.journal.name}/{post.pk}/comment/", {"body": body})


def api_post(api, post, body):
    return api.post(f"/api/posts/{post.pk}/comments/", {"body": body}, format="json")


# Rules compiled in process memory stay fresh ----------------------------------


def test_a_word_added_in_the_admin_applies_to_the_very_next_comment(
    reader_client, owner, post
):
    # The first comment compiles the journal's rules into this process.
    assert form_post(reader_client, post, "The lights are back on.").status_code == 302
    admin = Client()
    admin.force_login(owner)
    data = journal_form_data(
        post.journal, words=[{"phrase": "casino", "kind": "block"}]
    )

    saved = admin.post(f"/admin/journal/journal/{post.journal.pk}/change/", data)

    assert saved.status_code == 302
    refused = form_post(reader_client, post, "Casino night at the quay!")
    assert refused.status_code == 303
    shown = reader_client.get(refused["Location"]).content.decode()
    assert "is not allowed in this journal" in shown
    assert not Comment.objects.filter(body_source__startswith="Casino").exists()


def test_a_word_added_or_changed_through_the_settings_api_applies_at_once(
    as_user, owner, reader, post
):
    writer = as_user(reader)
    assert api_post(writer, post, "Free money, they said.").status_code == 201
    settings_url = f"/api/journals/{post.journal.name}/settings/"

    as_user(owner).patch(
        settings_url,
        {"words": [{"phrase": "free money", "kind": "hold"}]},
        format="json",
    )
    held = api_post(as_user(reader), post, "Free money again, they said.")
    as_user(owner).patch(
        settings_url,
        {"words": [{"phrase": "free money", "kind": "block"}]},
        format="json",
    )
    refused = api_post(as_user(reader), post, "Free money once more, they said.")

    assert held.status_code == 201 and held.json()["state"] == CommentState.HELD
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "words.blocked"
    latest = RuleSetVersion.objects.filter(journal=post.journal).latest()
    assert Comment.objects.get(pk=held.json()["id"]).rule_set_version != latest


def test_a_word_added_behind_every_door_applies_and_is_recorded(reader_client, post):
    assert form_post(reader_client, post, "Quiet evening.").status_code == 302
    versions = RuleSetVersion.objects.filter(journal=post.journal).count()

    # Another process, a shell, a data migration: no door records a version.
    WordRule.objects.create(journal=post.journal, phrase="casino", kind="hold")
    form_post(reader_client, post, "A casino on the quay?")

    comment = Comment.objects.get(body_source="A casino on the quay?")
    assert comment.state == CommentState.HELD
    assert RuleSetVersion.objects.filter(journal=post.journal).count() == versions + 1
    assert ["casino", "hold", False] in comment.rule_set_version.snapshot["words"]


def test_a_word_retired_applies_to_the_very_next_comment(reader_client, post):
    word = WordRule.objects.create(journal=post.journal, phrase="casino", kind="block")
    assert form_post(reader_client, post, "Casino!").status_code == 303

    WordRule.objects.filter(pk=word.pk).update(retired_at=timezone.now())

    assert form_post(reader_client, post, "Casino!").status_code == 302


def test_a_setting_changed_without_a_door_applies_to_the_next_comment(
    reader_client, post
):
    assert form_post(reader_client, post, "First.").status_code == 302

    Journal.objects.filter(pk=post.journal.pk).update(screening=Screening.ALL)
    form_post(reader_client, post, "Second.")

    second = Comment.objects.get(body_source="Second.")
    assert second.state == CommentState.HELD
    assert second.rule_set_version.snapshot["screening"] == Screening.ALL


def test_known_rules_cost_no_query_of_their_own(
    reader_client, post, django_assert_num_queries
):
    WordRule.objects.create(journal=post.journal, phrase="casino", kind="hold")
    form_post(reader_client, post, "Records the version and compiles the rules.")

    # The user, the post, the judging query and the insert; on SQLite also the
    # savepoint pair of the transaction the rules are read in.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 6):
        assert form_post(reader_client, post, "Another one.").status_code == 302


# The judging query, compiled once ----------------------------------------------


@pytest.fixture
def busy_journal(post, reader):
    """A journal where every check of the judging query has something to find."""
    journal = post.journal
    journal.members.add(reader)
    AuthorRestriction.objects.create(
        journal=journal,
        user=reader,
        kind=AuthorRestriction.Kind.SCREEN,
        until=timezone.now() + timedelta(days=3),
        created_by=journal.owner,
    )
    old = timezone.now() - timedelta(days=40)
    for n in range(3):
        CommentFactory(
            post=post,
            author=reader,
            body_source=f"approved {n}",
            approved_revision=1,
            created_at=old,
        )
    CommentFactory(post=post, author=reader, body_source="stood", created_at=old)
    root = CommentFactory(post=post, frozen=True)
    reply = CommentFactory(post=post, parent=root)
    text = "Twelve words at least so that the text has shingles to band here"
    CommentFingerprint.objects.create(
        band=spam.shingle_bands(text)[0],
        comment=reply,
        author_key="u999999",
        created_at=timezone.now(),
    )
    SpamTokenCount.objects.create(scope=SpamTokenCount.SITE, token="twelve", spam=3)
    SpamTokenCount.objects.create(scope=journal.pk, token="words", ham=2)
    CommentFactory(post=post, author=reader, body_source=text)
    WordRule.objects.create(journal=journal, phrase="casino", kind="block")
    return journal, reply, text


@pytest.mark.parametrize("authenticated", [True, False])
@pytest.mark.parametrize("editing", [False, True])
@pytest.mark.parametrize("trust_after_days", [0, 30])
@pytest.mark.parametrize("scored", [True, False])
@pytest.mark.parametrize("reply", [True, False])
def test_the_compiled_judging_query_answers_as_the_orm_does(
    busy_journal, post, reader, authenticated, editing, trust_after_days, scored, reply
):
    journal, parent, text = busy_journal
    bands = tuple(spam.shingle_bands(text)) if scored else ()
    # Editing the comment with this very text: never its own duplicate.
    editing_comment = Comment.objects.get(author=reader, body_source=text)
    values = judging._Values(
        journal_id=journal.pk,
        user_id=reader.pk if authenticated else None,
        editing_id=editing_comment.pk if editing else None,
        post_id=post.pk,
        body=text,
        now=timezone.now(),
        author_key=f"u{reader.pk}",
        spam_tokens=learning.wanted(spam.features(text)) if scored else "[]",
        bands=bands,
        ancestors=tuple(paths.ancestor_ids(parent.path)) if reply else (),
    )
    shape = judging._Shape(
        authenticated=authenticated,
        editing=editing,
        trust_after_days=trust_after_days,
        scored=scored,
        bands=len(bands),
        ancestors=len(values.ancestors),
    )

    compiled = judging._ask(shape, values)
    expected = judging._judging_query(shape, values).get()

    assert compiled == expected
    assert compiled["duplicate"] is (authenticated and not editing)
    assert json.loads(compiled["word_list"])[0][3] == "casino"
    if authenticated:
        assert compiled["is_member"] and compiled["screened"]
        assert compiled["approved"] == 3
    if reply:
        assert compiled["thread_frozen"] is True
    if scored:
        assert compiled["near_duplicate"] is True
        read = {tuple(row) for row in json.loads(compiled["spam_counts"])}
        tokens = [*spam.features(text), spam.UNSEEN_DOMAIN, spam.NEAR_DUPLICATE]
        assert read == set(learning._counts(journal.pk, tokens))
        assert {
            (SpamTokenCount.SITE, "twelve", 3, 0),
            (journal.pk, "words", 0, 2),
        } <= read


def test_a_value_the_compiled_query_cannot_trace_is_an_error(monkeypatch):
    """Compiled with stand-ins, every parameter must lead back to the value it
    came from: one that does not would be replayed as it was compiled."""
    shape = judging._Shape(
        authenticated=True,
        editing=False,
        trust_after_days=0,
        scored=False,
        bands=0,
        ancestors=0,
    )
    untraced = judging._slots(shape)[1:]  # forgets the journal's id
    monkeypatch.setattr(judging, "_slots", lambda shape: untraced)

    with pytest.raises(RuntimeError, match="comes from no known value"):
        # Compiled afresh, past the per-shape cache.
        judging._compiled.__wrapped__(connection.vendor, shape)


@pytest.mark.parametrize(
    "token",
    ['say "hi"', "back\\slash", "a,b", "{braces}", "naïve", "ünïcödé", "NULL", " "],
)
def test_the_spam_counts_are_read_for_any_token(post, token):
    SpamTokenCount.objects.create(scope=SpamTokenCount.SITE, token=token, spam=1)
    SpamTokenCount.objects.create(scope=SpamTokenCount.SITE, token="other", spam=1)
    counts = judging._rows(
        learning.counts_asked(learning.wanted([token])), "scope", "token"
    )

    rows = Journal.objects.filter(pk=post.journal.pk).values_list(counts, flat=True)

    read = {row[1] for row in json.loads(rows.get())}
    assert token in read and "other" not in read


# The insert takes its own path ---------------------------------------------------


def test_every_comment_takes_its_id_and_path_in_its_insert(post):
    root = services.store_comment(post=post, parent=None, body_source="root")
    # Inserted by the ORM in between: ids continue from the same sequence.
    orm = Comment.objects.create(
        post=post, journal=post.journal, body_source="orm", body_html="orm"
    )
    reply = services.store_comment(post=post, parent=root, body_source="reply")
    deeper = services.store_comment(post=post, parent=reply, body_source="deeper")

    assert root.pk < orm.pk < reply.pk < deeper.pk
    assert root.path == paths.segment(root.pk)
    assert reply.path == root.path + paths.segment(reply.pk)
    assert deeper.path == reply.path + paths.segment(deeper.pk)
    stored = Comment.objects.get(pk=deeper.pk)
    assert (stored.path, stored.depth, stored.parent_id) == (deeper.path, 2, reply.pk)
    assert not deeper._state.adding


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share no SQLite test database"
)
def test_simultaneous_inserts_each_take_their_own_id_and_path():
    post = PostFactory()
    start = threading.Barrier(8)

    def insert(n):
        try:
            start.wait()
            return services.store_comment(
                post=post, parent=None, body_source=f"at once {n}"
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(insert, range(8)))

    assert len(set(ids)) == 8
    for comment in Comment.objects.filter(pk__in=ids):
        assert comment.path == paths.segment(comment.pk)


def test_a_reply_through_the_form_stores_its_path(reader_client, post):
    parent = services.store_comment(
        post=post, parent=None, body_source="parent", author=UserFactory()
    )

    form = reader_client.post(
        f"/{post.journal.name}/{post.pk}/comment/",
        {"body": "a reply", "parent": parent.pk},
    )

    assert form.status_code == 302
    reply = Comment.objects.get(body_source="a reply")
    assert reply.path == parent.path + paths.segment(reply.pk)


# One transaction: the comment, its companions and what the plugin writes ----------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["held", "reply"])
def test_a_comment_is_never_stored_without_what_the_plugin_writes_with_it(
    monkeypatch, kind
):
    """If the plugin's work after the insert fails (a held comment's or a
    reply's mail on the database queue), the comment and its fingerprint are
    not kept either: the writer is told it failed, and nothing was half
    stored."""
    post = PostFactory()
    parent = None
    if kind == "held":
        post.journal.screening = Screening.ALL
        post.journal.save()
    else:
        parent = services.store_comment(post=post, parent=None, body_source="root")
    author = UserFactory()
    text = "The harbour lights were repaired on Tuesday after the long storm."

    def fails(*args, **kwargs):
        raise RuntimeError("the task queue is gone")

    monkeypatch.setattr(type(services.plugin()), "comment_stored", fails)
    with pytest.raises(RuntimeError):
        services.submit_comment(
            post=post,
            author=author,
            body=text,
            parent_id=parent.pk if parent else None,
        )

    assert not Comment.objects.filter(post=post, author=author).exists()
    assert not CommentFingerprint.objects.exists()


def test_the_plugin_has_no_work_after_storing_a_published_top_level_comment(
    reader, post, django_assert_num_queries
):
    """What lets the write skip ``comment_stored`` (and, on PostgreSQL, a
    transaction): for a published top-level comment without a shadow, the
    plugin says it has no work, and truly does nothing."""
    text = "The ferry runs again from Monday."
    # Judged as the write will judge it (after, it would be a duplicate).
    judgement = services.plugin().judge(
        services._draft(
            post=post,
            author=reader,
            parent=None,
            body=text,
            subject="",
            origin=services.Origin(),
        )
    )
    comment = services.submit_comment(post=post, author=reader, body=text)

    assert comment.state == CommentState.PUBLISHED
    assert not judgement.work_after_storing
    with django_assert_num_queries(0):
        services.plugin().comment_stored(comment, created=True, was_held=False)


@pytest.mark.django_db(transaction=True)
def test_a_published_top_level_comment_is_one_statement_on_postgresql(monkeypatch):
    """On PostgreSQL the comment and its fingerprint are one insert, atomic on
    its own, with no transaction around it (two round trips fewer); on SQLite
    the rules are read in the write's transaction."""
    post = PostFactory()
    author = UserFactory()
    # The journal's first comment records its rule-set version first.
    services.submit_comment(post=post, author=author, body="The first one.")
    writes = []

    def watch(execute, sql, params, many, context):
        if "INSERT" in sql:
            writes.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        comment = services.submit_comment(
            post=post,
            author=author,
            body="The harbour lights were repaired on Tuesday after the long storm.",
        )

    assert CommentFingerprint.objects.filter(comment=comment).exists()
    if connection.vendor == "postgresql":
        assert writes == [False]
    else:
        assert writes and all(writes)
