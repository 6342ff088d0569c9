"""Two journals (alpha and beta) with their moderators, and held comments in each.

Loaded for every test through ``pytest_plugins`` in tests/conftest.py.
"""

import pytest

from journal.models import Comment, CommentState
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory

LINK_REASON = {
    "code": "links.too_many",
    "action": "hold",
    "message": (
        "The comment has 3 links; comments with 2 or more links wait for a moderator"
    ),
}
WORD_REASON = {
    "code": "words.held",
    "action": "hold",
    "message": "The comment contains “FREE money”, which a moderator reviews first",
    "matched": "FREE money",
    "entry": "free money",
}


def hold(comment, *reasons):
    reasons = list(reasons) or [LINK_REASON]
    Comment.objects.filter(pk=comment.pk).update(
        state=CommentState.HELD, reasons=reasons, rule_codes=Comment.codes_of(reasons)
    )
    comment.refresh_from_db()
    return comment


@pytest.fixture
def journal_a(db):
    journal = JournalFactory(name="alpha", title="Alpha Journal")
    journal.moderators.add(UserFactory(username="mod_a", email="mod_a@example.org"))
    journal.owner.email = journal.owner.confirmed_email = "owner_a@example.org"
    journal.owner.save()
    return journal


@pytest.fixture
def journal_b(db):
    journal = JournalFactory(name="beta", title="Beta Journal")
    journal.moderators.add(UserFactory(username="mod_b"))
    return journal


@pytest.fixture
def mod_a(journal_a):
    return journal_a.moderators.get()


@pytest.fixture
def mod_b(journal_b):
    return journal_b.moderators.get()


@pytest.fixture
def post_a(journal_a):
    return PostFactory(journal=journal_a, title="Post in alpha")


@pytest.fixture
def post_b(journal_b):
    return PostFactory(journal=journal_b, title="Post in beta")


@pytest.fixture
def author(db):
    return UserFactory(
        username="writer", display_name="Wendy Writer", email="w@example.org"
    )


@pytest.fixture
def held_a(post_a, author):
    return hold(CommentFactory(post=post_a, author=author, body_source="held in alpha"))


@pytest.fixture
def held_b(post_b, author):
    return hold(CommentFactory(post=post_b, author=author, body_source="held in beta"))


def token(comment) -> str:
    return f"{comment.pk}:{comment.state}:{comment.revision}"
