"""The spam model: its arithmetic, what it sees, training by decisions through
every door and untraining by undo, and the rule it feeds."""

import math
import re

import pytest

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import learning, services, spam
from moderation.models import AuditEntry, SpamTokenCount, SpamTraining
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold, token

SPAM_TEXT = (
    "Earn $900 a week from home with crypto, write to me on Telegram "
    "@cashflow_pro https://bit.ly/x1y2"
)


# Arithmetic ----------------------------------------------------------------------


def test_the_score_on_a_hand_computed_example():
    counts = spam.Counts(
        spam_docs=2,
        ham_docs=2,
        tokens={"casino": (2, 0), "city": (1, 1), "news": (0, 2)},
    )

    # casino: P(t|spam) = (2+1)/(2+2) = 3/4, P(t|ham) = (0+1)/(2+2) = 1/4, so
    # ln 3, seen in 2 comments: shrunk by 2/(2+3), weight 0.4 ln 3; city: 2/4
    # against 2/4, weight 0; "unknown" was never trained on.
    score = spam.score(["casino", "city", "unknown"], counts)

    assert spam.STRENGTH == 3
    assert spam.weight(2, 0, counts) == pytest.approx(0.4 * math.log(3))
    # P = 1 / (1 + e^(-0.4 ln 3)) = 3^0.4 / (3^0.4 + 1)
    assert score.probability == pytest.approx(3**0.4 / (3**0.4 + 1))
    assert score.top == ("casino",)
    assert spam.score(["news"], counts).probability == pytest.approx(1 / (3**0.4 + 1))


def test_an_untrained_model_scores_nothing():
    assert (
        spam.score(["casino"], spam.Counts(0, 5, {"casino": (0, 0)})).probability == 0
    )


def test_what_the_model_sees():
    tokens = spam.features(
        "Write me on Telegram @quick_cash or call +1 (555) 234-7788. "
        "Best cаsinо\u200b bonus $500 c.a.s.i.n.o https://bit.ly/abc "
        "https://www.example.org/x"
    )

    assert "casino" in tokens  # Cyrillic look-alikes folded, invisible dropped
    assert {"domain:bit.ly", "domain:example.org", "sig:shortener"} <= set(tokens)
    assert {"sig:contact", "sig:phone", "sig:money", "sig:invisible"} <= set(tokens)
    assert {"sig:mixed_script", "sig:spaced_letters", "sig:links=2"} <= set(tokens)
    assert "https" not in tokens and "bit" not in tokens


def test_near_duplicates_share_a_band_and_different_texts_do_not():
    pitch = "I teach beginners how to trade crypto and the first lesson is free"
    varied = pitch + " hurry"
    other = "The bridge repairs took longer than the council promised last spring"

    assert set(spam.shingle_bands(pitch)) & set(spam.shingle_bands(varied))
    assert not set(spam.shingle_bands(pitch)) & set(spam.shingle_bands(other))
    assert spam.shingle_bands("too short") == []


def test_the_seed_prior_is_installed_site_wide(db):
    docs = SpamTokenCount.objects.get(scope=0, token=spam.DOCS)
    assert docs.spam > 40 and docs.ham > 40


# Training through every door, and undo ---------------------------------------------


def own_count(journal, token_name):
    row = SpamTokenCount.objects.filter(scope=journal.pk, token=token_name).first()
    return (row.spam, row.ham) if row else (0, 0)


def spam_comment(post, author, text=SPAM_TEXT):
    return hold(
        CommentFactory(post=post, author=author, body_source=text, body_html=text)
    )


def test_a_spam_decision_in_the_queue_trains_and_its_undo_untrains(
    client, mod_a, post_a, author, django_capture_on_commit_callbacks
):
    comment = spam_comment(post_a, author)
    client.force_login(mod_a)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/moderation/act/", {"act": f"spam:{token(comment)}"})

    journal = post_a.journal
    training = SpamTraining.objects.get(comment=comment)
    assert training.label == "spam" and "telegram" in training.tokens
    assert own_count(journal, spam.DOCS) == (1, 0)
    assert own_count(journal, "telegram") == (1, 0)
    assert own_count(journal, "domain:bit.ly") == (1, 0)

    entry = AuditEntry.objects.get(action="comment.spam")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/log/{entry.pk}/undo/")

    training.refresh_from_db()
    assert training.withdrawn_at is not None
    assert own_count(journal, spam.DOCS) == (0, 0)
    assert own_count(journal, "telegram") == (0, 0)


def test_an_approval_through_the_api_trains_not_spam(
    as_user, mod_a, post_a, author, django_capture_on_commit_callbacks
):
    comment = hold(
        CommentFactory(post=post_a, author=author, body_source="Lovely quay")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(mod_a).post(
            "/api/moderation/decisions/",
            {
                "items": [
                    {"comment": comment.pk, "state_seen": "held", "revision_seen": 1}
                ],
                "action": "approve",
            },
            format="json",
        )

    assert response.status_code == 200
    assert SpamTraining.objects.get(comment=comment).label == "ham"
    assert own_count(post_a.journal, spam.DOCS) == (0, 1)


def test_a_rejection_as_spam_in_the_admin_trains_spam_and_other_reasons_do_not(
    client, journal_a, post_a, author, django_capture_on_commit_callbacks
):
    as_spam, off_topic = spam_comment(post_a, author), spam_comment(post_a, author)
    journal_a.owner.is_staff = True
    journal_a.owner.save()
    client.force_login(journal_a.owner)
    shown = client.get("/admin/journal/comment/").content.decode()
    seen = dict(re.findall(r'name="(seen-\d+)" value="([^"]+)"', shown))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/journal/comment/",
            {"action": "spam_selected", "_selected_action": [as_spam.pk], **seen},
        )
        services.decide(
            moderator=journal_a.owner,
            items=[services.Seen(off_topic.pk, "held", 1)],
            decision="reject",
            reason="off_topic",
        )

    assert list(SpamTraining.objects.values_list("comment_id", "label")) == [
        (as_spam.pk, "spam")
    ]


def test_a_later_decision_replaces_the_earlier_training(
    mod_a, post_a, author, django_capture_on_commit_callbacks
):
    comment = spam_comment(post_a, author)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(comment.pk, "held", 1)],
            decision="approve",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            moderator=mod_a,
            items=[services.Seen(comment.pk, "published", 1)],
            decision="spam",
        )

    assert own_count(post_a.journal, spam.DOCS) == (1, 0)
    assert SpamTraining.objects.filter(withdrawn_at__isnull=True).get().label == "spam"


# The rule -----------------------------------------------------------------------


def train(journal, label, texts):
    """Decisions a journal's moderators made: enough to use its own counts."""
    deltas = {}
    for text in texts:
        learning._add(deltas, journal.pk, label, spam.features(text), +1)
    learning._apply(deltas)


def test_the_journal_learns_its_own_spam_after_enough_decisions(post, reader):
    journal = post.journal
    journal.trust_approved_authors = False
    journal.save()
    pitch = "Visit the quay bakery discount club for membership deals"
    assert learning.assess(journal.pk, pitch).percent < journal.spam_threshold

    train(journal, "spam", [f"{pitch} number {n}" for n in range(50)])
    train(
        journal, "ham", [f"The lanterns on the quay were lovely {n}" for n in range(50)]
    )
    comment = journal_services.submit_comment(post=post, author=reader, body=pitch)

    assert comment.state == CommentState.HELD
    reason = next(r for r in comment.reasons if r["code"] == "spam.likely")
    assert reason["message"].startswith("Looks like spam (")
    assert "bakery" in reason["message"] or "club" in reason["message"]


def test_an_edit_into_spam_is_held_by_the_model(reader_client, post, reader):
    post.journal.trust_approved_authors = False
    post.journal.save()
    comment = journal_services.submit_comment(post=post, author=reader, body="Lovely")
    assert comment.state == CommentState.PUBLISHED

    reader_client.post(
        f"/{post.journal.name}/{post.pk}/comments/{comment.pk}/edit/",
        {"body": SPAM_TEXT},
    )

    comment.refresh_from_db()
    assert comment.state == CommentState.HELD
    assert "spam.likely" in comment.rule_codes


def test_the_same_pitch_from_many_accounts_is_a_near_duplicate(post):
    pitch = (
        "I teach beginners how to trade and the first lesson costs nothing, "
        "send me a message today"
    )
    first = UserFactory()
    journal_services.submit_comment(post=post, author=first, body=pitch)

    def is_near_duplicate(author_key):
        near = learning.near_duplicate(pitch + " please", author=author_key)
        return Comment.objects.annotate(dup=near).values_list("dup", flat=True)[0]

    assert is_near_duplicate("u999999") is True  # another account
    assert is_near_duplicate(f"u{first.pk}") is False  # the same one again


def test_the_owner_turns_the_model_off(post, reader):
    post.journal.trust_approved_authors = False
    post.journal.spam_threshold = 0
    post.journal.save()

    comment = journal_services.submit_comment(post=post, author=reader, body=SPAM_TEXT)

    assert comment.state == CommentState.PUBLISHED
    assert "spam.likely" not in comment.rule_codes


def test_a_training_that_fails_never_undoes_or_fails_the_decision(
    client, mod_a, post_a, author, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(entry_ids):
        raise RuntimeError("the counts table is locked")

    monkeypatch.setattr(learning, "learn", broken)
    comment = spam_comment(post_a, author)
    client.force_login(mod_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/moderation/act/", {"act": f"spam:{token(comment)}"})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.state == CommentState.SPAM
    assert not SpamTraining.objects.exists()
