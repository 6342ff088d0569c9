"""Hypothesis sends arbitrary text into every field of every HTML form and every
query parameter the pages read: control characters, NUL, lone surrogates (as
the invalid UTF-8 a browser could send), and huge values. Nothing may answer
5xx, and nothing may be stored when the answer is a 4xx."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.models import Comment
from tests.factories import CommentFactory, UserFactory, human_form_fields
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db

EXAMPLES = 25

HOSTILE = st.one_of(
    st.text(st.characters(codec=None), max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"]), max_size=8),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff x", "\r\n", "", " "]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["x" * 25_000, "9" * 40, "<" * 5_000, "[]", "{}", "null"]),
)


@dataclass
class Target:
    """A form (or a page's query parameters) and who sends it."""

    name: str
    method: str
    url: Callable  # (world) -> str
    fields: tuple[str, ...]
    who: str = "anonymous"
    fixed: Callable = field(default=lambda world: {})  # fields a person would keep


def _world(db):
    owner = UserFactory(username="fz_owner", is_staff=True)
    from tests.factories import JournalFactory, PostFactory

    journal = JournalFactory(name="fuzzed", owner=owner)
    post = PostFactory(journal=journal, title="Fuzzed post")
    author = UserFactory(username="fz_author")
    mine = CommentFactory(post=post, author=author, body_source="mine")
    held = hold(CommentFactory(post=post, author=UserFactory(username="fz_held")))
    moderator = UserFactory(username="fz_mod")
    journal.moderators.add(moderator)
    return {
        "owner": owner,
        "journal": journal,
        "post": post,
        "author": author,
        "mine": mine,
        "held": held,
        "moderator": moderator,
        "reader": UserFactory(username="fz_reader"),
    }


def post_url(w):
    return f"/{w['journal'].name}/{w['post'].pk}/comment/"


TARGETS = [
    Target(
        "comment form, anonymous",
        "post",
        post_url,
        ("body", "subject", "author_name", "parent", "website", "started"),
    ),
    Target(
        "comment form, reader",
        "post",
        post_url,
        ("body", "subject", "parent"),
        who="reader",
    ),
    Target(
        "edit form",
        "post",
        lambda w: f"/{w['journal'].name}/{w['post'].pk}/comments/{w['mine'].pk}/edit/",
        ("body", "subject"),
        who="author",
    ),
    Target(
        "sign-up",
        "post",
        lambda w: "/accounts/signup/",
        ("username", "email", "password1", "password2", "next"),
    ),
    Target(
        "log-in", "post", lambda w: "/accounts/login/", ("username", "password", "next")
    ),
    Target(
        "account",
        "post",
        lambda w: "/accounts/me/",
        ("display_name", "email"),
        who="reader",
    ),
    Target(
        "new API token", "post", lambda w: "/accounts/me/tokens/", ("name",), "reader"
    ),
    Target(
        "report",
        "post",
        lambda w: f"/moderation/report/{w['mine'].pk}/",
        ("reason", "note"),
        who="reader",
    ),
    Target(
        "queue, one item",
        "post",
        lambda w: "/moderation/act/",
        ("act", "reason-{held}", "note-{held}", "ban-{held}", "until-{held}", "next"),
        who="moderator",
    ),
    Target(
        "queue, bulk",
        "post",
        lambda w: "/moderation/act/",
        ("bulk", "selected", "bulk-reason", "bulk-note", "bulk-ban", "bulk-until"),
        who="moderator",
        fixed=lambda w: {"selected": token(w["held"])},
    ),
    Target(
        "delete thread",
        "post",
        lambda w: f"/moderation/thread/{w['mine'].pk}/delete/",
        ("note",),
        who="moderator",
    ),
    Target(
        "admin journal settings",
        "post",
        lambda w: f"/admin/journal/journal/{w['journal'].pk}/change/",
        (
            "title",
            "link_limit",
            "trusted_after",
            "comment_access",
            "members",
            "moderators",
            "word_rules-TOTAL_FORMS",
            "word_rules-0-phrase",
            "restrictions-TOTAL_FORMS",
            "restrictions-0-user",
            "restrictions-0-until",
        ),
        who="owner",
    ),
    Target(
        "admin new comment",
        "post",
        lambda w: "/admin/journal/comment/add/",
        ("post", "parent", "subject", "body_source"),
        who="owner",
    ),
    Target(
        "post page query",
        "get",
        lambda w: w["post"].get_absolute_url(),
        ("page", "thread", "replyto"),
    ),
    Target("home query", "get", lambda w: "/", ("page",)),
    Target(
        "tag page",
        "get",
        lambda w: f"/{w['journal'].name}/tag/x/",
        ("page",),
    ),
    Target(
        "queue query",
        "get",
        lambda w: "/moderation/",
        ("tab", "journal", "post", "rule", "author", "after", "before"),
        who="moderator",
    ),
    Target("log-in query", "get", lambda w: "/accounts/login/", ("next",)),
]

STATE_MODELS = (
    "journal.Comment",
    "journal.CommentRevision",
    "journal.Post",
    "journal.Journal",
    "moderation.Report",
    "moderation.AuditEntry",
    "moderation.AuthorRestriction",
    "moderation.WordRule",
    "moderation.RuleSetVersion",
    "accounts.User",
    "accounts.ApiToken",
)


def state() -> tuple:
    """Everything a request could have stored: row counts, and the comments."""
    counts = tuple(apps.get_model(label).objects.count() for label in STATE_MODELS)
    comments = tuple(
        Comment.objects.order_by("pk").values_list(
            "pk", "state", "revision", "body_source", "subject"
        )
    )
    return counts, comments


def encode(pairs: list[tuple[str, str]]) -> str:
    # Lone surrogates go out as the (invalid) UTF-8 bytes a client could send.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_no_field_of_any_form_gets_a_5xx_or_stores_anything_on_a_4xx(
    client, db, target
):
    world = _world(db)
    if target.who != "anonymous":
        client.force_login(world[target.who])
    url = target.url(world)
    names = [name.format(held=world["held"].pk) for name in target.fields]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values=st.lists(HOSTILE, min_size=len(names), max_size=len(names)))
    def send(values):
        pairs = list(zip(names, values, strict=True))
        pairs += list(target.fixed(world).items())
        if target.name == "comment form, anonymous":
            pairs += list(human_form_fields(world["post"]).items())
        before = state()
        if target.method == "get":
            response = client.get(f"{url}?{encode(pairs)}")
        else:
            response = client.post(
                url, encode(pairs), content_type="application/x-www-form-urlencoded"
            )
        assert response.status_code < 500, (target.name, pairs)
        if 400 <= response.status_code < 500:
            assert state() == before, (target.name, pairs)
        if response.status_code == 303:
            # A refused comment is shown again on the page it leads to (the
            # text kept in the session): that page is drawn too, and nothing
            # was stored.
            assert state() == before, (target.name, pairs)
            shown = client.get(response["Location"])
            assert shown.status_code < 500, (target.name, pairs)

    send()
