"""Appeals and moderators' notes through the API: an appeal granted and one
denied, who sees what (an author their own appeals without the moderators'
names or notes, a journal's moderators its appeals and notes, nobody else
anything), the deciding-moderator rule, and 4xx for bad input, changing
nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from journal.models import CommentState
from moderation import services
from moderation.models import Appeal, AuditEntry, AuthorNote, AuthorRestriction
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory
from tests.two_journals import token

pytestmark = pytest.mark.django_db

APPEALS = "/api/moderation/appeals/"
NOTES = "/api/moderation/notes/"


def decide_url(appeal_id: int) -> str:
    return f"{APPEALS}{appeal_id}/decide/"


@pytest.fixture
def rejected(post_a, author, mod_a):
    comment = CommentFactory(post=post_a, author=author, body_source="on the quay")
    [outcome] = services.decide(
        moderator=mod_a,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason="off_topic",
        note="Keep to the post",
    )
    assert outcome.done
    comment.refresh_from_db()
    return comment


@pytest.fixture
def banned(journal_a, author, mod_a):
    return services.restrict_author(
        journal=journal_a, user=author, kind="ban", by=mod_a, reason="for the log"
    )


def appeal(api, **data):
    return api.post(APPEALS, {"text": "Please look again.", **data}, format="json")


# An appeal granted, one denied -----------------------------------------------------


def test_an_api_appeal_granted_publishes_the_comment_audits_and_mails(
    as_user,
    author,
    rejected,
    journal_a,
    mod_a,
    django_capture_on_commit_callbacks,
):
    created = appeal(as_user(author), comment=rejected.pk)

    assert created.status_code == 201
    data = created.json()
    assert (data["comment"], data["state"], data["journal"]) == (
        rejected.pk,
        "open",
        "alpha",
    )
    assert data["decision"]["action"] == "comment.reject"
    assert data["decision"]["told"] == "Reason: Off-topic (“Keep to the post”)."
    # The author is not told who decided, nor the log's words.
    assert data["decision"]["by"] is None and data["decision"]["note"] is None
    assert data["may_decide"] is False

    # mod_a decided; the owner is the journal's other moderator.
    own = as_user(mod_a).post(
        decide_url(data["id"]), {"outcome": "grant", "answer": "Fine"}, format="json"
    )
    assert own.status_code == 403 and own.json()["code"] == "appeal.own_decision"
    owner_api = as_user(journal_a.owner)
    listed = owner_api.get(APPEALS).json()["results"]
    assert [(a["id"], a["may_decide"]) for a in listed] == [(data["id"], True)]
    assert listed[0]["decision"]["by"] == "mod_a"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        granted = owner_api.post(
            decide_url(data["id"]),
            {"outcome": "grant", "answer": "It was on topic after all."},
            format="json",
        )

    assert granted.status_code == 200
    assert granted.json()["state"] == "granted"
    assert granted.json()["decided_by"] == journal_a.owner.username
    rejected.refresh_from_db()
    assert rejected.state == CommentState.PUBLISHED
    decision = AuditEntry.objects.get(pk=data["decision"]["id"])
    assert AuditEntry.objects.get(undoes=decision).data == {"appeal": data["id"]}
    outcome = AuditEntry.objects.get(action="appeal.grant")
    assert (outcome.actor, outcome.note, outcome.comment) == (
        journal_a.owner,
        "It was on topic after all.",
        rejected,
    )
    [message] = [m for m in mail.outbox if m.to == ["w@example.org"]]
    assert "It was on topic after all." in message.body
    mine = as_user(author).get(APPEALS).json()["results"]
    assert (mine[0]["state"], mine[0]["answer"], mine[0]["decided_by"]) == (
        "granted",
        "It was on topic after all.",
        None,
    )


def test_an_api_appeal_of_a_ban_denied_keeps_the_ban_and_tells_the_author(
    as_user,
    author,
    banned,
    journal_a,
    mod_a,
    django_capture_on_commit_callbacks,
):
    created = appeal(as_user(author), journal="alpha", restriction="ban")
    assert created.status_code == 201
    assert created.json()["comment"] is None
    assert created.json()["decision"]["action"] == "author.ban"
    assert created.json()["decision"]["told"] == ""  # the ban's note is the log's

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        denied = as_user(journal_a.owner).post(
            decide_url(created.json()["id"]),
            {"outcome": "deny", "answer": "The ban stands."},
            format="json",
        )

    assert denied.status_code == 200 and denied.json()["state"] == "denied"
    assert AuthorRestriction.objects.active().filter(pk=banned.pk).exists()
    assert AuditEntry.objects.filter(action="appeal.deny").count() == 1
    assert not AuditEntry.objects.filter(action="undo").exists()
    [message] = [m for m in mail.outbox if m.to == ["w@example.org"]]
    assert message.subject == "Your appeal in Alpha Journal was denied"
    again = as_user(journal_a.owner).post(
        decide_url(created.json()["id"]),
        {"outcome": "grant", "answer": "Changed my mind"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "appeal.decided"
    assert AuthorRestriction.objects.active().filter(pk=banned.pk).exists()


def test_a_spam_decision_hidden_from_the_page_can_be_appealed_through_the_api(
    as_user, author, post_a, journal_a, mod_a
):
    comment = CommentFactory(post=post_a, author=author)
    services.decide(
        moderator=mod_a,
        items=[services.Seen.parse(token(comment))],
        decision="spam",
        ban=True,
    )
    api = as_user(author)

    spam = appeal(api, comment=comment.pk)
    assert spam.status_code == 201

    granted = as_user(journal_a.owner).post(
        decide_url(spam.json()["id"]),
        {"outcome": "grant", "answer": "Not spam."},
        format="json",
    )

    assert granted.status_code == 200
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    # The ban the spam decision brought goes with it.
    assert not AuthorRestriction.objects.active().filter(user=author).exists()


def test_an_old_decision_is_undone_by_a_granted_appeal_past_the_undo_window(
    as_user, author, rejected, journal_a
):
    AuditEntry.objects.filter(action="comment.reject").update(
        created_at=timezone.now() - timedelta(days=10)
    )
    created = appeal(as_user(author), comment=rejected.pk)
    decision = created.json()["decision"]["id"]
    # The ordinary undo keeps its 24 hours.
    with pytest.raises(services.NotAllowed) as refused:
        services.undo(moderator=journal_a.owner, entry_id=decision)
    assert refused.value.code == "undo.too_late"

    granted = as_user(journal_a.owner).post(
        decide_url(created.json()["id"]),
        {"outcome": "grant", "answer": "Yes"},
        format="json",
    )

    assert granted.status_code == 200
    rejected.refresh_from_db()
    assert rejected.state == CommentState.PUBLISHED
    assert AuditEntry.objects.filter(undoes_id=decision).exists()


def test_a_lone_owner_decides_appeals_of_their_own_decisions(as_user, post, reader):
    owner = post.journal.owner
    comment = CommentFactory(post=post, author=reader)
    services.decide(
        moderator=owner,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason="spam",
    )
    created = appeal(as_user(reader), comment=comment.pk)

    answered = as_user(owner).post(
        decide_url(created.json()["id"]),
        {"outcome": "deny", "answer": "Still spam"},
        format="json",
    )

    assert answered.status_code == 200 and answered.json()["state"] == "denied"


def test_a_moderator_never_answers_their_own_appeal(as_user, journal_a, post_a, mod_a):
    comment = CommentFactory(post=post_a, author=mod_a)
    services.decide(
        moderator=journal_a.owner,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason="other",
    )
    created = appeal(as_user(mod_a), comment=comment.pk).json()
    assert created["may_decide"] is False

    own = as_user(mod_a).post(
        decide_url(created["id"]), {"outcome": "grant", "answer": "Mine"}, format="json"
    )

    assert own.status_code == 403 and own.json()["code"] == "appeal.own_appeal"
    comment.refresh_from_db()
    assert comment.state == CommentState.REJECTED
    # The owner made the decision and the journal's only other moderator
    # appealed it: nobody else could, so the owner answers.
    answered = as_user(journal_a.owner).post(
        decide_url(created["id"]), {"outcome": "deny", "answer": "No"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["state"] == "denied"


# Who sees what ---------------------------------------------------------------------


def test_only_the_author_and_that_journals_moderators_see_an_appeal(
    as_user, author, rejected, journal_a, mod_a, mod_b
):
    created = appeal(as_user(author), comment=rejected.pk).json()

    assert [a["id"] for a in as_user(mod_a).get(APPEALS).json()["results"]] == [
        created["id"]
    ]
    assert as_user(mod_b).get(APPEALS).json()["results"] == []
    assert as_user(UserFactory()).get(APPEALS).json()["results"] == []
    assert as_user(mod_b).get(f"{APPEALS}?journal=alpha").json()["results"] == []
    # Deciding another journal's appeal looks like deciding a missing one.
    for who in (mod_b, author, UserFactory()):
        response = as_user(who).post(
            decide_url(created["id"]),
            {"outcome": "grant", "answer": "x"},
            format="json",
        )
        assert response.status_code == 404
    missing = as_user(mod_b).post(
        decide_url(created["id"] + 99),
        {"outcome": "grant", "answer": "x"},
        format="json",
    )
    assert missing.status_code == 404
    assert Appeal.objects.get().state == "open"


def test_listing_appeals_costs_the_same_queries_however_many(
    as_user, journal_a, post_a, mod_a, django_assert_num_queries
):
    for _ in range(5):
        author = UserFactory()
        comment = CommentFactory(post=post_a, author=author)
        services.decide(
            moderator=mod_a,
            items=[services.Seen.parse(token(comment))],
            decision="reject",
            reason="other",
        )
        appeal(as_user(author), comment=comment.pk)
    api = as_user(journal_a.owner)

    # The token and its user, the page's count, the page, the journals the
    # viewer moderates, and their moderators.
    with django_assert_num_queries(6):
        response = api.get(APPEALS)

    assert len(response.json()["results"]) == 5


def test_the_state_filter_lists_open_or_answered_appeals(
    as_user, author, rejected, journal_a
):
    created = appeal(as_user(author), comment=rejected.pk).json()
    api = as_user(journal_a.owner)

    assert len(api.get(f"{APPEALS}?state=open").json()["results"]) == 1
    assert api.get(f"{APPEALS}?state=denied").json()["results"] == []
    assert api.get(f"{APPEALS}?state=lost").status_code == 400
    assert created["state"] == "open"


# Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"text": "Why"},
        {"text": "Why", "comment": 1, "journal": "alpha", "restriction": "ban"},
        {"text": "Why", "journal": "alpha"},
        {"text": "Why", "restriction": "ban"},
        {"text": "Why", "journal": "alpha", "restriction": "mute"},
        {"text": "", "comment": 1},
        {"text": "x" * 2001, "comment": 1},
        {"text": 12, "comment": 1},
        {"text": "Why", "comment": "1"},
        {"text": "Why", "comment": 1, "colour": "red"},
    ],
)
def test_bad_appeals_are_a_400_and_store_nothing(as_user, author, rejected, body):
    if body.get("comment") == 1:
        body["comment"] = rejected.pk

    response = as_user(author).post(APPEALS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Appeal.objects.exists()


def test_blank_text_is_refused_by_the_service_too(as_user, author, rejected):
    response = appeal(as_user(author), comment=rejected.pk, text="   \n ")

    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_refused_appeals_say_why_and_store_nothing(
    as_user, author, rejected, post_a, journal_a, mod_a
):
    api = as_user(author)
    published = CommentFactory(post=post_a, author=author)
    theirs = CommentFactory(post=post_a)

    assert appeal(api, comment=published.pk).status_code == 403
    assert appeal(api, comment=theirs.pk).status_code == 404
    assert appeal(api, comment=rejected.pk + 999).status_code == 404
    assert appeal(api, journal="nowhere", restriction="ban").status_code == 404
    assert appeal(api, journal="alpha", restriction="ban").status_code == 403
    assert not Appeal.objects.exists()

    assert appeal(api, comment=rejected.pk).status_code == 201
    second = appeal(api, comment=rejected.pk)
    assert second.status_code == 409 and second.json()["code"] == "appeal.duplicate"
    assert Appeal.objects.count() == 1


def test_a_late_appeal_and_appeals_turned_off_are_403(
    as_user, author, rejected, journal_a
):
    api = as_user(author)
    journal_a.appeal_days = 0
    journal_a.save()
    off = appeal(api, comment=rejected.pk)

    journal_a.appeal_days = 3
    journal_a.save()
    AuditEntry.objects.filter(action="comment.reject").update(
        created_at=timezone.now() - timedelta(days=4)
    )
    late = appeal(api, comment=rejected.pk)

    assert (off.status_code, off.json()["code"]) == (403, "appeal.off")
    assert (late.status_code, late.json()["code"]) == (403, "appeal.too_late")
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "grant"},
        {"outcome": "grant", "answer": ""},
        {"outcome": "grant", "answer": "  "},
        {"outcome": "maybe", "answer": "Why"},
        {"outcome": "grant", "answer": "x" * 2001},
        {"outcome": "grant", "answer": "Why", "extra": 1},
    ],
)
def test_a_bad_answer_is_a_400_and_changes_nothing(
    as_user, author, rejected, journal_a, body
):
    created = appeal(as_user(author), comment=rejected.pk).json()

    response = as_user(journal_a.owner).post(
        decide_url(created["id"]), body, format="json"
    )

    assert response.status_code == 400
    assert Appeal.objects.get().state == "open"
    rejected.refresh_from_db()
    assert rejected.state == CommentState.REJECTED
    assert not AuditEntry.objects.filter(action__startswith="appeal.").exists()


def test_a_decision_changed_since_makes_granting_a_409_that_changes_nothing(
    as_user, author, banned, journal_a, mod_a
):
    created = appeal(as_user(author), journal="alpha", restriction="ban").json()
    # The ban renewed with a new end: the entry appealed no longer holds it.
    services.restrict_author(
        journal=journal_a,
        user=author,
        kind="ban",
        by=mod_a,
        until=timezone.now() + timedelta(days=3),
    )

    response = as_user(journal_a.owner).post(
        decide_url(created["id"]), {"outcome": "grant", "answer": "ok"}, format="json"
    )

    assert response.status_code == 409 and response.json()["code"] == "undo.changed"
    assert Appeal.objects.get().state == "open"
    assert not AuditEntry.objects.filter(action__startswith="appeal.").exists()


def test_a_decision_undone_in_the_queue_meanwhile_is_granted_without_a_second_undo(
    as_user, author, rejected, journal_a, mod_a
):
    created = appeal(as_user(author), comment=rejected.pk).json()
    services.undo(moderator=mod_a, entry_id=created["decision"]["id"])

    response = as_user(journal_a.owner).post(
        decide_url(created["id"]), {"outcome": "grant", "answer": "Done"}, format="json"
    )

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="undo").count() == 1
    outcome = AuditEntry.objects.get(action="appeal.grant")
    assert "undone_before" in outcome.data


# Notes -----------------------------------------------------------------------------


def test_a_moderator_writes_reads_and_takes_back_a_note(as_user, author, mod_a):
    api = as_user(mod_a)

    written = api.post(
        NOTES,
        {"journal": "alpha", "author": "writer", "text": "Warned by mail on Monday."},
        format="json",
    )

    assert written.status_code == 201
    data = written.json()
    assert (data["author"], data["written_by"], data["retired"]) == (
        "writer",
        "mod_a",
        None,
    )
    assert data["created"]
    listed = api.get(f"{NOTES}?journal=alpha&author=writer").json()
    assert [note["text"] for note in listed] == ["Warned by mail on Monday."]
    entry = AuditEntry.objects.get(action="note.write")
    assert entry.actor == mod_a and "Warned" not in entry.note + str(entry.data)

    retired = api.post(f"{NOTES}{data['id']}/retire/")
    assert retired.status_code == 200 and retired.json()["retired"]
    assert api.get(f"{NOTES}?journal=alpha").json() == []
    assert AuthorNote.objects.count() == 1  # the row stays
    again = api.post(f"{NOTES}{data['id']}/retire/")
    assert again.status_code == 409


def test_notes_never_reach_the_author_or_another_journal(
    as_user, author, mod_a, mod_b, journal_b, rejected
):
    AuthorNote.objects.create(
        journal=rejected.journal, author=author, text="SECRET-NOTE", written_by=mod_a
    )
    note = AuthorNote.objects.get()
    outsider = UserFactory()

    for who in (author, mod_b, outsider):
        api = as_user(who)
        assert api.get(f"{NOTES}?journal=alpha").status_code == 404
        assert api.post(f"{NOTES}{note.pk}/retire/").status_code == 404
        written = api.post(
            NOTES, {"journal": "alpha", "author": "writer", "text": "x"}, format="json"
        )
        assert written.status_code == 404
    # Beta's moderator writes in beta; alpha's notes stay out of beta's list.
    as_user(mod_b).post(
        NOTES, {"journal": "beta", "author": "writer", "text": "beta's"}, format="json"
    )
    assert [n["text"] for n in as_user(mod_b).get(f"{NOTES}?journal=beta").json()] == [
        "beta's"
    ]
    # Nothing the author can reach carries a note.
    api = as_user(author)
    created = appeal(api, comment=rejected.pk)
    for url in (
        APPEALS,
        f"/api/comments/{rejected.pk}/",
        f"/api/posts/{rejected.post_id}/comments/",
    ):
        assert "SECRET-NOTE" not in api.get(url).content.decode(), url
    assert "SECRET-NOTE" not in created.content.decode()
    assert AuthorNote.objects.get(pk=note.pk).retired_at is None


def test_bad_notes_are_a_400_and_store_nothing(as_user, mod_a, author):
    api = as_user(mod_a)

    assert api.get(NOTES).status_code == 400
    for body in (
        {"journal": "alpha", "author": "writer", "text": ""},
        {"journal": "alpha", "author": "writer", "text": "   "},
        {"journal": "alpha", "author": "writer", "text": "x" * 2001},
        {"journal": "alpha", "author": "writer"},
        {"journal": "alpha", "author": "writer", "text": "x", "colour": "red"},
    ):
        assert api.post(NOTES, body, format="json").status_code == 400, body
    nobody = api.post(
        NOTES, {"journal": "alpha", "author": "nobody", "text": "x"}, format="json"
    )
    assert nobody.status_code == 404
    assert not AuthorNote.objects.exists()


def test_a_named_moderator_of_one_journal_cannot_note_in_another_they_do_not(
    as_user, author
):
    elsewhere = JournalFactory(name="gamma")
    PostFactory(journal=elsewhere)
    moderator = UserFactory()
    JournalFactory(name="delta").moderators.add(moderator)

    response = as_user(moderator).post(
        NOTES, {"journal": "gamma", "author": "writer", "text": "x"}, format="json"
    )

    assert response.status_code == 404
    assert not AuthorNote.objects.exists()


def test_the_owner_sets_the_appeal_days_in_the_settings_api(as_user, journal_a):
    api = as_user(journal_a.owner)
    url = "/api/journals/alpha/settings/"

    assert api.get(url).json()["appeal_days"] == 14
    changed = api.patch(url, {"appeal_days": 0}, format="json")
    too_many = api.patch(url, {"appeal_days": 366}, format="json")

    assert changed.status_code == 200 and changed.json()["appeal_days"] == 0
    assert too_many.status_code == 400 and "appeal_days" in too_many.json()["errors"]
    journal_a.refresh_from_db()
    assert journal_a.appeal_days == 0
    assert as_user(journal_a.moderators.get()).get(url).status_code == 404
