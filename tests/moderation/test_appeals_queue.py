"""The queue's Appeals tab: each open appeal with the decision (what, when, who
and why), the comment's revisions, the author's record and notes; Grant and
Deny only for a moderator who did not make the decision; only that journal's
moderators see it; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from journal import services as journal_services
from journal.models import CommentRevision, CommentState
from moderation import appeals, notes, services
from moderation.models import Appeal, AuditEntry
from tests.factories import CommentFactory, UserFactory
from tests.journal.html_tree import parse
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db


def reject(moderator, comment, reason="personal_attack", note="Name-calling"):
    [outcome] = services.decide(
        moderator=moderator,
        items=[services.Seen.parse(token(comment))],
        decision="reject",
        reason=reason,
        note=note,
    )
    assert outcome.done
    comment.refresh_from_db()


@pytest.fixture
def appealed(post_a, author, mod_a):
    comment = CommentFactory(post=post_a, author=author, body_source="first words")
    journal_services.edit_comment(comment=comment, editor=author, body="new words")
    comment.refresh_from_db()
    reject(mod_a, comment)
    return appeals.file_appeal(
        author=author, comment_id=comment.pk, text="I only quoted them."
    )


def tab(client):
    response = client.get("/moderation/?tab=appeals")
    assert response.status_code == 200
    return response.content.decode()


def test_the_tab_shows_the_decision_revisions_record_and_notes(
    client, appealed, journal_a, mod_a, author
):
    notes.write_note(
        moderator=mod_a, journal=journal_a, author=author, text="Second warning"
    )
    client.force_login(journal_a.owner)

    page = tab(client)
    item = parse(page).by_id(f"a{appealed.pk}")

    text = item.text()
    assert 'Appeals <span class="count" data-count="appeals">1</span>' in page
    assert "I only quoted them." in text
    assert "comment.reject" in text and "by mod_a" in text
    assert "Reason: Personal attack" in text and "Name-calling" in text
    revisions = item.find("ol", cls="appeal-revisions").text()
    assert "first words" in revisions and "new words" in revisions
    assert CommentRevision.objects.filter(comment=appealed.comment).count() == 1
    record = item.find(cls="author-record").text()
    assert "1 rejected" in record and "1 strike" in record
    assert "Second warning" in item.find(cls="author-notes").text()
    assert item.find("button", value="grant") is not None
    assert item.find("button", value="deny") is not None


def test_the_moderator_who_decided_gets_no_buttons_and_cannot_post_one(
    client, appealed, mod_a
):
    client.force_login(mod_a)

    item = parse(tab(client)).by_id(f"a{appealed.pk}")
    response = client.post(
        f"/moderation/appeals/{appealed.pk}/decide/",
        {"outcome": "grant", "answer": "I was wrong"},
        follow=True,
    )

    assert item.find("button", value="grant") is None
    assert "another of the journal" in item.text()
    assert "You made this decision" in response.content.decode()
    appealed.refresh_from_db()
    assert appealed.state == "open"
    assert appealed.comment.state == CommentState.REJECTED


def test_a_decision_by_the_system_may_be_answered_by_any_moderator(
    client, journal_a, author, mod_a
):
    journal_a.ban_after_strikes = 1
    journal_a.ban_for_days = 3
    journal_a.save()
    comment = CommentFactory(post__journal=journal_a, author=author)
    reject(journal_a.owner, comment)
    ban = AuditEntry.objects.get(action="author.ban")
    assert ban.actor is None  # the ladder's
    appeal = appeals.file_appeal(
        author=author, journal=journal_a, restriction="ban", text="Too harsh"
    )
    client.force_login(mod_a)

    item = parse(tab(client)).by_id(f"a{appeal.pk}")
    assert item.find("button", value="grant") is not None
    client.post(
        f"/moderation/appeals/{appeal.pk}/decide/",
        {"outcome": "grant", "answer": "Lifted"},
    )

    appeal.refresh_from_db()
    assert appeal.state == "granted"
    assert AuditEntry.objects.filter(undoes=ban).exists()


def test_only_that_journals_moderators_see_its_appeals(
    client, appealed, mod_b, held_b, author
):
    client.force_login(mod_b)
    page = tab(client)
    assert "I only quoted them." not in page
    assert 'data-count="appeals">0<' in page
    response = client.post(
        f"/moderation/appeals/{appealed.pk}/decide/",
        {"outcome": "deny", "answer": "No"},
    )
    assert response.status_code == 404

    for someone in (author, UserFactory()):
        client.force_login(someone)
        assert client.get("/moderation/?tab=appeals").status_code == 404
        assert (
            client.post(
                f"/moderation/appeals/{appealed.pk}/decide/",
                {"outcome": "grant", "answer": "Yes"},
            ).status_code
            == 404
        )
    appealed.refresh_from_db()
    assert appealed.state == "open"


def test_deciding_needs_csrf_and_an_answer(appealed, journal_a):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(journal_a.owner)
    refused = strict.post(
        f"/moderation/appeals/{appealed.pk}/decide/",
        {"outcome": "grant", "answer": "Yes"},
    )
    assert refused.status_code == 403

    client = Client()
    client.force_login(journal_a.owner)
    blank = client.post(
        f"/moderation/appeals/{appealed.pk}/decide/",
        {"outcome": "grant", "answer": " "},
        follow=True,
    )
    damaged = client.post(
        f"/moderation/appeals/{appealed.pk}/decide/", {"answer": "Yes"}, follow=True
    )
    assert "Write a sentence for the author" in blank.content.decode()
    assert "The form was damaged" in damaged.content.decode()
    appealed.refresh_from_db()
    assert appealed.state == "open"
    assert not AuditEntry.objects.filter(action__startswith="appeal.").exists()


def test_an_answered_appeal_leaves_the_tab_and_cannot_be_answered_twice(
    client, appealed, journal_a
):
    client.force_login(journal_a.owner)
    url = f"/moderation/appeals/{appealed.pk}/decide/"
    client.post(url, {"outcome": "deny", "answer": "It stands"})

    again = client.post(url, {"outcome": "grant", "answer": "Oh, well"}, follow=True)

    assert "already answered" in again.content.decode()
    assert f'id="a{appealed.pk}"' not in tab(client)
    appealed.refresh_from_db()
    assert appealed.state == "denied"
    assert AuditEntry.objects.filter(action__startswith="appeal.").count() == 1


def test_granting_an_appeal_of_a_comment_rejected_while_held_publishes_it(
    client, post_a, author, mod_a, journal_a, django_capture_on_commit_callbacks
):
    comment = hold(CommentFactory(post=post_a, author=author))
    reject(mod_a, comment)
    appeal = appeals.file_appeal(author=author, comment_id=comment.pk, text="Why?")
    client.force_login(journal_a.owner)

    client.post(
        f"/moderation/appeals/{appeal.pk}/decide/",
        {"outcome": "grant", "answer": "Fine after all"},
    )

    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    approve = AuditEntry.objects.get(action="comment.approve")
    assert approve.actor == journal_a.owner
    assert AuditEntry.objects.get(action="appeal.grant").data["approve"] == approve.pk


def test_the_tab_costs_the_same_queries_however_many_appeals(
    client, journal_a, post_a, mod_a, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            author = UserFactory()
            comment = CommentFactory(post=post_a, author=author)
            reject(mod_a, comment)
            notes.write_note(
                moderator=mod_a, journal=journal_a, author=author, text="noted"
            )
            appeals.file_appeal(author=author, comment_id=comment.pk, text="why")

    client.force_login(journal_a.owner)
    add(2)
    tab(client)
    # The user, the journals with their counts, the appeals, their moderators,
    # the revisions, the authors' records, and their notes.
    with django_assert_num_queries(7):
        tab(client)
    add(8)
    with django_assert_num_queries(7):
        page = tab(client)
    assert page.count('class="queue-appeal"') == 10


def test_the_live_counts_carry_the_appeals_tab(client, appealed, journal_a):
    client.force_login(journal_a.owner)

    data = client.get("/moderation/counts/").json()

    assert data["tabs"]["appeals"] == "1"


def test_appeals_days_are_a_rule_setting_recorded_in_the_rule_set(journal_a):
    version = services.record_rule_set(journal_a)
    assert version.snapshot["appeal_days"] == 14

    services.update_rule_settings(
        journal=journal_a, by=journal_a.owner, changes={"appeal_days": 3}
    )

    latest = services.latest_rule_set(journal_a)
    assert latest.changes["appeal_days"] == [14, 3]


def test_an_old_appeal_and_a_fresh_one_show_oldest_first(
    client, journal_a, post_a, mod_a
):
    first_author, second_author = UserFactory(), UserFactory()
    made = []
    for author in (first_author, second_author):
        comment = CommentFactory(post=post_a, author=author)
        reject(mod_a, comment)
        made.append(appeals.file_appeal(author=author, comment_id=comment.pk, text="x"))
    Appeal.objects.filter(pk=made[0].pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(journal_a.owner)

    page = tab(client)

    assert page.index(f'id="a{made[0].pk}"') < page.index(f'id="a{made[1].pk}"')


def test_owners_read_their_journals_appeals_in_the_admin_and_no_one_elses(
    client, appealed, journal_a, journal_b
):
    for owner in (journal_a.owner, journal_b.owner):
        owner.is_staff = True
        owner.save()
    client.force_login(journal_a.owner)
    listed = client.get("/admin/moderation/appeal/").content.decode()
    assert "comment.reject" in listed and "writer" in listed.lower()
    page = client.get(f"/admin/moderation/appeal/{appealed.pk}/change/")
    assert page.status_code == 200 and 'name="text"' not in page.content.decode()

    client.force_login(journal_b.owner)
    assert (
        "comment.reject" not in client.get("/admin/moderation/appeal/").content.decode()
    )
    assert (
        client.get(f"/admin/moderation/appeal/{appealed.pk}/change/").status_code == 302
    )


def test_appeal_answer_and_note_texts_are_shown_as_text_not_markup(
    client, journal_a, post_a, author, mod_a
):
    comment = CommentFactory(post=post_a, author=author)
    reject(mod_a, comment)
    appeal = appeals.file_appeal(
        author=author, comment_id=comment.pk, text="<script>alert(1)</script>"
    )
    notes.write_note(
        moderator=mod_a, journal=journal_a, author=author, text="<img src=x>"
    )
    client.force_login(journal_a.owner)

    page = tab(client)
    client.post(
        f"/moderation/appeals/{appeal.pk}/decide/",
        {"outcome": "deny", "answer": "<b>no</b>"},
    )
    client.force_login(author)
    post_page = client.get(post_a.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "<b>no</b>" not in post_page and "&lt;b&gt;no&lt;/b&gt;" in post_page
