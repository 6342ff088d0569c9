"""Ways around issue 18 ("Rules that look ahead") found by attacking its doors:
scheduled modes, heat screenings, shadow rule sets and backtests, through the
API, the pages and the admin. Every test here failed before its fix; the one
whose fix lies in moderation/backtest.py, which its owner is still finishing,
still fails, and its docstring says what the fix is."""

from __future__ import annotations

import random
import time

import pytest

from journal import services as journal_services
from moderation import heat, rules
from moderation.models import AuditEntry, ScheduledMode
from moderation.services import record_rule_set
from tests.factories import CommentFactory, UserFactory
from tests.moderation.test_backtest import registered

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/journals/alpha/schedule/"


@pytest.fixture
def owner_api(as_user, journal_a):
    client = as_user(journal_a.owner)
    client.raise_request_exception = False
    return client


# Scheduled modes ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", [["screen"], {"screen": True}])
def test_a_window_whose_mode_is_not_a_text_is_a_400(owner_api, mode):
    """The API picks the window's request shape by its ``mode`` before
    validating it: a list or an object there (JSON allows any value) must be
    a 400 naming the field, not a 500 (an unhashable key)."""
    response = owner_api.post(
        SCHEDULE,
        {"name": "Night", "mode": mode, "starts_at": "23:00", "ends_at": "07:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "mode" in response.json()["errors"]
    assert not ScheduledMode.objects.exists()


# Heat -------------------------------------------------------------------------------


@pytest.fixture
def heated(journal_a, post_a):
    """A sub-thread of alpha's post, screened for heat."""
    journal_a.heat_replies, journal_a.heat_hours = 3, 2
    journal_a.save()
    thread = CommentFactory(post=post_a, body_source="The top-level comment")
    return heat.screen_thread(journal=journal_a, thread_id=thread.pk)


def test_a_heat_screening_moves_with_its_post(
    as_user, heated, post_a, journal_a, journal_b, mod_a, mod_b
):
    """A post moved from alpha to beta takes its comments (and reports) along,
    and beta's moderators moderate them. Its heat screening stayed alpha's:
    alpha's moderator still listed it and lifted it, changing how beta's
    thread is judged, while beta's moderators, whose queue shows the banner
    with Lift, got a 404 for it."""
    post_a.journal = journal_b
    journal_services.save_post(post=post_a, by=journal_a.owner)

    old = as_user(mod_a)
    assert old.get("/api/moderation/heat/").json()["results"] == []
    assert old.post(f"/api/moderation/heat/{heated.pk}/lift/").status_code == 404
    heated.refresh_from_db()
    assert heated.lifted_at is None

    new = as_user(mod_b)
    listed = new.get("/api/moderation/heat/").json()["results"]
    assert [(row["id"], row["journal"]) for row in listed] == [(heated.pk, "beta")]
    assert new.post(f"/api/moderation/heat/{heated.pk}/lift/").status_code == 200
    lifted = AuditEntry.objects.get(action="heat.lifted")
    assert lifted.journal == journal_b


# Backtests --------------------------------------------------------------------------


def _seconds(client, url: str, body: dict) -> float:
    started = time.perf_counter()
    response = client.post(url, body, format="json")
    assert response.status_code == 200, response.content
    return time.perf_counter() - started


def test_a_long_proposed_word_list_does_not_multiply_a_replays_cost(
    owner_api, journal_a, post_a
):
    """A replay short enough to answer in the request (up to 2,000 comments)
    first asks whether any entry of either word list is in each comment, with
    ``words.find_matches``: a pass over every entry for every comment. An
    owner who proposes thousands of entries (the API takes any number, up to
    the body's 2.5 MB: some 60,000) holds a web worker for minutes with one
    request (measured: 100 comments of 300 Cyrillic words and 40,000 entries,
    175 s), and a queued 50,000-comment one holds a task worker, and the mail
    behind it, for days. The live rules match through ``words.WordIndex``,
    whose cost grows with the text, not the list. Still open: ``backtest.Pair``
    (moderation/backtest.py, its owner is finishing it) should build one
    ``WordIndex`` of its entries in ``Pair.of`` and ask ``index.find(text)``
    in ``judge``."""
    version = record_rule_set(journal_a)
    letters = random.Random(18)
    cyrillic = "абвгдежзиклмнопрст"
    for _ in range(60):
        words = ("".join(letters.choices(cyrillic, k=6)) for _ in range(300))
        CommentFactory(
            post=post_a,
            author=UserFactory(),
            body_source=" ".join(words),
            rule_set_version=version,
            judged_facts=rules.facts_record(registered(), name="Someone"),
        )
    url = "/api/journals/alpha/backtests/"

    def proposal(entries: int) -> dict:
        phrases = {
            "".join(letters.choices("abcdefghijklmnopqrstuvwxyz", k=9))
            for _ in range(entries)
        }
        return {"words": [{"phrase": p, "kind": "hold"} for p in sorted(phrases)]}

    one_word = _seconds(owner_api, url, {**proposal(1), "limit": 100})
    many_words = _seconds(owner_api, url, {**proposal(5_000), "limit": 100})

    assert many_words < max(10 * one_word, 3.0)
