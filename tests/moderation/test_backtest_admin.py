"""The journal settings page's "Preview this change" and "Save as shadow", and a
long backtest's page in the admin: owner-scoped, validated, never saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation import backtest, proposals
from moderation.models import (
    AuditEntry,
    Backtest,
    RuleSetVersion,
    ShadowRuleSet,
    WordRule,
)
from moderation.services import record_rule_set
from tests.factories import JournalFactory, PostFactory, UserFactory
from tests.journal.test_admin import journal_form_data
from tests.moderation.test_backtest import judged, registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged_journal(journal):
    """Four comments judged under the journal's rules: one with two links and
    one that mentions the ferry (published), one held for three links that a
    moderator approved, one a moderator rejected."""
    version = record_rule_set(journal)
    post = PostFactory(journal=journal)
    judged(post, version, registered(link_count=2))
    judged(post, version, registered(), body="the ferry is late")
    judged(post, version, registered(link_count=3), approved_revision=1)
    judged(post, version, registered(), body="ferry spam", state="rejected")
    return journal


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def change_url(journal) -> str:
    return reverse("admin:journal_journal_change", args=[journal.pk])


def nothing_saved(journal, *, versions=1, link_limit=3) -> None:
    journal.refresh_from_db()
    assert journal.link_limit == link_limit
    assert not WordRule.objects.filter(journal=journal).exists()
    assert RuleSetVersion.objects.filter(journal=journal).count() == versions
    changes = AuditEntry.objects.filter(journal=journal, action="settings.change")
    assert changes.count() == versions


def test_the_page_offers_preview_and_save_as_shadow_beside_save(
    owner_client, judged_journal
):
    page = owner_client.get(change_url(judged_journal)).content.decode()

    assert 'name="_preview"' in page and 'name="_shadow"' in page
    assert 'name="backtest_limit"' in page
    assert page.index('name="_save"') < page.index('name="_preview"')


def test_preview_shows_the_counts_and_keeps_the_proposed_values_unsaved(
    owner_client, judged_journal
):
    data = journal_form_data(
        judged_journal, words=[{"phrase": "ferry", "kind": "hold"}], link_limit=2
    )

    response = owner_client.post(
        change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": 100}
    )

    assert response.status_code == 200
    result = response.context["backtest"]
    # Two links, "the ferry is late" and the rejected "ferry spam": published
    # then, held now; the approved one with three links held both times.
    assert result["changes"]["publish_to_hold"] == 3
    assert result["agreement"]["rejected_held"] == 1
    assert result["agreement"]["approved_held"] == 1
    page = response.content.decode()
    assert 'id="backtest-result"' in page
    assert "Published then, held now" in page
    # The form still holds the proposal, ready to save or save as a shadow.
    assert 'name="link_limit" value="2"' in page
    assert 'value="ferry"' in page
    nothing_saved(judged_journal)


def test_a_bad_value_shows_the_form_errors_and_previews_nothing(
    owner_client, judged_journal
):
    data = journal_form_data(judged_journal, link_limit=-3)

    response = owner_client.post(
        change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": 100}
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert "backtest" not in response.context
    nothing_saved(judged_journal)


@pytest.mark.parametrize("limit", ["0", "50001", "many", ""])
def test_a_bad_number_of_comments_is_a_form_error(owner_client, judged_journal, limit):
    data = journal_form_data(judged_journal, link_limit=2)

    response = owner_client.post(
        change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": limit}
    )

    assert response.status_code == 200
    assert response.context["backtest_form"].errors
    assert "backtest" not in response.context
    nothing_saved(judged_journal)


def test_a_duplicate_word_is_refused_as_saving_would_refuse_it(
    owner_client, judged_journal
):
    WordRule.objects.create(journal=judged_journal, phrase="ferry", kind="hold")
    record_rule_set(judged_journal)
    data = journal_form_data(
        judged_journal, words=[{"phrase": "FERRY", "kind": "hold"}]
    )

    response = owner_client.post(
        change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": 100}
    )

    assert "backtest" not in response.context
    assert "already on the lists" in response.content.decode()


def test_save_as_shadow_starts_one_and_opens_its_page(owner_client, judged_journal):
    data = journal_form_data(
        judged_journal, words=[{"phrase": "ferry", "kind": "hold"}], link_limit=2
    )

    response = owner_client.post(
        change_url(judged_journal), {**data, "_shadow": "1", "backtest_limit": 100}
    )

    shadow = ShadowRuleSet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:moderation_shadowruleset_change", args=[shadow.pk]
    )
    assert shadow.snapshot["link_limit"] == 2
    assert shadow.snapshot["words"] == [["ferry", "hold", False]]
    assert shadow.state == ShadowRuleSet.State.SHADOW
    assert AuditEntry.objects.filter(action="shadow.start").exists()
    nothing_saved(judged_journal)


def test_the_preview_keeps_the_words_a_post_leaves_out(owner_client, judged_journal):
    """A form that does not send the rows already on the list leaves them, as
    saving does: the preview judges with them."""
    WordRule.objects.create(journal=judged_journal, phrase="ferry", kind="hold")
    record_rule_set(judged_journal)
    data = journal_form_data(judged_journal)  # no word rows sent at all

    response = owner_client.post(
        change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": 100}
    )

    # Both comments with "ferry" were judged before it was on the list.
    assert response.context["backtest"]["changes"]["publish_to_hold"] == 2
    assert WordRule.objects.active().filter(journal=judged_journal).count() == 1


@pytest.mark.parametrize("intent", ["_preview", "_shadow"])
def test_another_owners_journal_is_not_found_and_nothing_happens(
    owner_client, judged_journal, intent
):
    other = JournalFactory(name="elsewhere")
    record_rule_set(other)
    data = journal_form_data(other, link_limit=1)

    response = owner_client.post(
        change_url(other), {**data, intent: "1", "backtest_limit": 100}
    )

    # The admin's answer for a journal that does not exist.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    other.refresh_from_db()
    assert other.link_limit == 3
    assert not ShadowRuleSet.objects.exists() and not Backtest.objects.exists()


def test_a_named_moderator_who_does_not_own_the_journal_cannot_preview(
    client, judged_journal
):
    """Rules are the owner's: a moderator decides comments, not the rules
    (the API's settings say so too)."""
    moderator = UserFactory(username="helper", is_staff=True)
    judged_journal.moderators.add(moderator)
    client.force_login(moderator)
    data = journal_form_data(judged_journal, link_limit=1)

    response = client.post(
        change_url(judged_journal), {**data, "_shadow": "1", "backtest_limit": 100}
    )

    assert response.status_code in (302, 403)
    assert not ShadowRuleSet.objects.exists()
    nothing_saved(judged_journal)


def test_plain_save_still_saves(owner_client, judged_journal):
    data = journal_form_data(judged_journal, link_limit=2)

    response = owner_client.post(change_url(judged_journal), data)

    assert response.status_code == 302
    judged_journal.refresh_from_db()
    assert judged_journal.link_limit == 2


# A long run ---------------------------------------------------------------------------


def test_a_long_preview_runs_in_the_queue_and_its_page_shows_the_result(
    owner_client, judged_journal, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(proposals, "DIRECT_MOST", 2)
    data = journal_form_data(
        judged_journal, words=[{"phrase": "ferry", "kind": "hold"}], link_limit=2
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            change_url(judged_journal), {**data, "_preview": "1", "backtest_limit": 50}
        )

    job = Backtest.objects.get()
    page_url = reverse("admin:moderation_backtest_change", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    assert job.proposal["link_limit"] == 2 and job.limit == 50
    page = owner_client.get(page_url).content.decode()
    assert "Done: 4 comments read." in page
    assert 'id="backtest-result"' in page
    assert 'data-finished="true"' in page
    status = owner_client.get(
        reverse("admin:moderation_backtest_status", args=[job.pk])
    ).json()
    assert status["finished"] and status["state"] == "done"
    nothing_saved(judged_journal)


def test_a_queued_backtest_page_polls_with_the_script(owner_client, judged_journal):
    job = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={"link_limit": 2}),
    )

    page = owner_client.get(
        reverse("admin:moderation_backtest_change", args=[job.pk])
    ).content.decode()

    assert "Waiting for a worker to start the backtest." in page
    assert "/static/js/progress.js" in page and 'data-finished="false"' in page
    assert "3 → 2" in page  # the change, beside the rules in force


def test_save_as_shadow_from_a_backtest_uses_its_proposal(owner_client, judged_journal):
    job = Backtest.objects.create(
        journal=judged_journal,
        state=Backtest.State.DONE,
        proposal=proposals.snapshot_with(judged_journal, changes={"link_limit": 2}),
    )

    response = owner_client.post(
        reverse("admin:moderation_backtest_shadow", args=[job.pk])
    )

    shadow = ShadowRuleSet.objects.get()
    assert response["Location"].endswith(f"/shadowruleset/{shadow.pk}/change/")
    assert shadow.snapshot["link_limit"] == 2


def test_another_owners_backtest_is_a_404_everywhere(owner_client, judged_journal):
    other = JournalFactory(name="elsewhere")
    job = Backtest.objects.create(
        journal=other, proposal=proposals.snapshot_with(other, changes={})
    )

    for name in ("change", "status"):
        url = reverse(f"admin:moderation_backtest_{name}", args=[job.pk])
        assert owner_client.get(url).status_code == 404, name
    shadow_url = reverse("admin:moderation_backtest_shadow", args=[job.pk])
    assert owner_client.post(shadow_url).status_code == 404
    assert owner_client.get("/admin/moderation/backtest/99999/change/").status_code == (
        404
    )
    listing = owner_client.get("/admin/moderation/backtest/").content.decode()
    assert "elsewhere" not in listing
    assert not ShadowRuleSet.objects.exists()


def test_the_shadow_door_takes_only_a_post(owner_client, judged_journal):
    job = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={}),
    )

    response = owner_client.get(
        reverse("admin:moderation_backtest_shadow", args=[job.pk])
    )

    assert response.status_code == 405
    assert not ShadowRuleSet.objects.exists()


def test_the_backtest_page_and_status_take_as_many_queries_whatever_the_result(
    owner_client, judged_journal, django_assert_num_queries
):
    """The page draws its examples from the stored result: ten or none, the
    same queries."""
    none = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={}),
    )
    many = Backtest.objects.create(
        journal=judged_journal,
        proposal=proposals.snapshot_with(judged_journal, changes={"screening": "all"}),
    )
    backtest.run(none.pk)
    backtest.run(many.pk)
    many.refresh_from_db()
    assert many.result["changes"]["publish_to_hold"] == 3
    pages = [
        reverse("admin:moderation_backtest_change", args=[job.pk])
        for job in (none, many)
    ]
    owner_client.get(pages[0])
    with CaptureQueriesContext(connection) as first:
        owner_client.get(pages[0])
    with django_assert_num_queries(len(first)):
        owner_client.get(pages[1])
    with django_assert_num_queries(3):  # the session, the user, the backtest
        owner_client.get(reverse("admin:moderation_backtest_status", args=[many.pk]))
