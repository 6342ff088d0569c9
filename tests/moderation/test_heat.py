"""The heat trigger: a sub-thread that gets N replies within M minutes is screened
for H hours by the system, audited with its figures, once; it ends on its own,
a moderator can lift it early (audited, undoable), and the queue shows it."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import heat, services
from moderation.models import AuditEntry, HeatScreening
from tests.factories import (
    CommentFactory,
    JournalFactory,
    PostFactory,
    UserFactory,
)
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The time as the site (timezone.now) and the cache counters (time.time)
    see it, moved only by the test."""
    now = [START]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    monkeypatch.setattr(time, "time", lambda: now[0].timestamp())
    return now


@pytest.fixture
def hot(journal):
    """Three replies within ten minutes screen a sub-thread for two hours."""
    journal.heat_replies, journal.heat_minutes, journal.heat_hours = 3, 10, 2
    journal.rate_limit_per_minute = 0
    journal.save()
    return journal


@pytest.fixture
def thread(post):
    return CommentFactory(post=post, body_source="The top-level comment")


@pytest.fixture
def readers(db):
    return [UserFactory(username=f"heated{n}") for n in range(6)]


def reply(post, author, parent, body="A reply.") -> Comment:
    return journal_services.submit_comment(
        post=post, author=author, body=body, parent_id=parent.pk
    )


def test_the_third_reply_in_ten_minutes_screens_the_sub_thread(
    clock, hot, post, thread, readers
):
    first = reply(post, readers[0], thread)
    clock[0] += timedelta(minutes=4)
    # Deeper down the same sub-thread counts too.
    reply(post, readers[1], first)
    clock[0] += timedelta(minutes=4)
    third = reply(post, readers[2], thread)

    screening = HeatScreening.objects.get()
    assert third.state == CommentState.PUBLISHED  # judged before it tripped
    assert screening.thread == thread
    assert (screening.replies, screening.minutes) == (3, 10)
    assert screening.until == clock[0] + timedelta(hours=2)
    entry = AuditEntry.objects.get(action="heat.screened")
    assert entry.actor is None and entry.actor_name == ""
    assert entry.comment == thread
    assert entry.data == {
        "code": "heat.screened",
        "screening": screening.pk,
        "replies": 3,
        "minutes": 10,
        "hours": 2,
        "until": screening.until.isoformat(),
    }

    held = reply(post, readers[3], first, "Fourth.")

    assert held.state == CommentState.HELD
    assert held.rule_codes.strip() == "heat.screened"
    # 16:08 UTC by the journal's clock (UTC).
    assert held.reasons[0]["message"] == (
        "This thread got many replies in a short time; replies wait for a "
        "moderator until 16:08"
    )


def test_replies_spread_over_more_than_the_window_do_not_trip_it(
    clock, hot, post, thread, readers
):
    for author in readers[:4]:
        reply(post, author, thread)
        clock[0] += timedelta(minutes=6)

    assert not HeatScreening.objects.exists()


def test_other_sub_threads_and_new_top_level_comments_stay_open(
    clock, hot, post, thread, readers
):
    other = CommentFactory(post=post, body_source="Another thread")
    for author in readers[:3]:
        reply(post, author, thread)

    elsewhere = reply(post, readers[3], other)
    top = journal_services.submit_comment(post=post, author=readers[4], body="New.")

    assert elsewhere.state == CommentState.PUBLISHED
    assert top.state == CommentState.PUBLISHED
    assert HeatScreening.objects.get().thread == thread


def test_heat_is_off_by_default(clock, post, thread, readers):
    post.journal.rate_limit_per_minute = 0
    post.journal.save()

    replies = [reply(post, author, thread) for author in readers]

    assert not HeatScreening.objects.exists()
    assert {r.state for r in replies} == {CommentState.PUBLISHED}


def test_it_trips_once_while_it_runs(clock, hot, post, thread, readers):
    for author in readers:
        reply(post, author, thread)

    assert HeatScreening.objects.count() == 1
    assert AuditEntry.objects.filter(action="heat.screened").count() == 1
    assert heat.screen_thread(journal=hot, thread_id=thread.pk) is None


def test_a_moderators_reply_in_a_heated_sub_thread_is_published(
    clock, hot, post, thread, readers, owner
):
    for author in readers[:3]:
        reply(post, author, thread)

    answer = reply(post, owner, thread, "Calm down, everyone.")

    assert answer.state == CommentState.PUBLISHED


def test_the_screening_ends_on_its_own(clock, hot, post, thread, readers):
    for author in readers[:3]:
        reply(post, author, thread)
    screening = HeatScreening.objects.get()

    clock[0] = screening.until + timedelta(seconds=1)
    later = reply(post, readers[3], thread)

    assert later.state == CommentState.PUBLISHED
    screening.refresh_from_db()
    assert screening.lifted_at is None  # the row stays as it was


def test_the_heat_trips_through_the_api_too(clock, hot, post, thread, readers, as_user):
    url = f"/api/posts/{post.pk}/comments/"
    for author in readers[:3]:
        response = as_user(author).post(
            url, {"body": "Via the API.", "parent": thread.pk}, format="json"
        )
        assert response.status_code == 201

    response = as_user(readers[3]).post(
        url, {"body": "Too late.", "parent": thread.pk}, format="json"
    )

    assert HeatScreening.objects.filter(thread=thread).exists()
    assert response.json()["state"] == "held"
    assert [r["code"] for r in response.json()["reasons"]] == ["heat.screened"]


def test_the_heat_trips_through_the_web_form(clock, hot, post, thread, readers):
    client = Client()
    for author in readers[:4]:
        client.force_login(author)
        client.post(
            f"/{post.journal.name}/{post.pk}/comment/",
            {"body": f"Form reply by {author.username}.", "parent": thread.pk},
        )

    last = Comment.objects.filter(parent=thread).latest("pk")
    assert HeatScreening.objects.filter(thread=thread).exists()
    assert last.state == CommentState.HELD and "heat.screened" in last.rule_codes


# Lifting -------------------------------------------------------------------------


@pytest.fixture
def screening(clock, hot, post, thread, readers):
    for author in readers[:3]:
        reply(post, author, thread)
    return HeatScreening.objects.get()


def test_a_moderator_lifts_it_from_the_queue_and_replies_flow_again(
    client, screening, post, thread, readers, owner
):
    client.force_login(owner)

    response = client.post(
        f"/moderation/heat/{screening.pk}/lift/", {"next": "/moderation/"}
    )

    assert response.status_code == 302 and response["Location"] == "/moderation/"
    screening.refresh_from_db()
    assert screening.lifted_at is not None and screening.lifted_by == owner
    entry = AuditEntry.objects.get(action="heat.lifted")
    assert (entry.actor, entry.comment) == (owner, thread)
    assert reply(post, readers[3], thread).state == CommentState.PUBLISHED
    # The count starts afresh: the replies before the lifting do not trip it.
    reply(post, readers[4], thread)
    assert HeatScreening.objects.count() == 1
    reply(post, readers[5], thread)
    assert HeatScreening.objects.count() == 2


def test_lifting_can_be_undone_while_the_screening_would_still_run(
    screening, post, thread, readers, owner
):
    heat.lift_heat(moderator=owner, screening_id=screening.pk)
    entry = AuditEntry.objects.get(action="heat.lifted")

    services.undo(moderator=owner, entry_id=entry.pk)

    screening.refresh_from_db()
    assert screening.lifted_at is None
    assert reply(post, readers[3], thread).state == CommentState.HELD
    with pytest.raises(services.NotAllowed):
        services.undo(moderator=owner, entry_id=entry.pk)


def test_lifting_an_ended_screening_is_refused(clock, screening, owner, client):
    clock[0] = screening.until
    client.force_login(owner)

    with pytest.raises(services.NotAllowed):
        heat.lift_heat(moderator=owner, screening_id=screening.pk)
    response = client.post(f"/moderation/heat/{screening.pk}/lift/", follow=True)

    assert "This screening has already ended." in response.content.decode()
    screening.refresh_from_db()
    assert screening.lifted_at is None


def test_another_journals_owner_and_a_reader_get_a_404_and_change_nothing(
    screening, client, readers
):
    stranger = UserFactory(username="stranger")
    JournalFactory(owner=stranger)
    for user in (stranger, readers[0]):
        client.force_login(user)

        response = client.post(f"/moderation/heat/{screening.pk}/lift/")

        assert response.status_code == 404
        with pytest.raises(services.NotFound):
            heat.lift_heat(moderator=user, screening_id=screening.pk)
    screening.refresh_from_db()
    assert screening.lifted_at is None
    assert not AuditEntry.objects.filter(action="heat.lifted").exists()


def test_lifting_needs_the_forms_csrf_token(screening, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(f"/moderation/heat/{screening.pk}/lift/")

    assert response.status_code == 403
    screening.refresh_from_db()
    assert screening.lifted_at is None


def test_lifting_is_a_post_only(screening, owner, client):
    client.force_login(owner)

    assert client.get(f"/moderation/heat/{screening.pk}/lift/").status_code == 405


# The queue ---------------------------------------------------------------------


def test_the_queue_shows_a_banner_with_lift_on_a_heated_sub_threads_items(
    screening, post, thread, readers, owner, client
):
    held = reply(post, readers[3], thread, "Heated words.")
    client.force_login(owner)

    page = client.get("/moderation/").content.decode()

    assert "Heated words." in page
    assert (
        "This thread is screened for heat until 16:00: 3 replies in 10 minutes" in page
    )
    assert f'form="lift-heat-{screening.pk}"' in page
    lift_form = page.split(f'id="lift-heat-{screening.pk}"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in lift_form
    assert f'action="/moderation/heat/{screening.pk}/lift/"' in page
    assert held.pk


def test_the_banner_goes_once_the_screening_is_lifted(
    screening, post, thread, readers, owner, client
):
    reply(post, readers[3], thread, "Heated words.")
    heat.lift_heat(moderator=owner, screening_id=screening.pk)
    client.force_login(owner)

    page = client.get("/moderation/").content.decode()

    assert "Heated words." in page  # still held, for a moderator to decide
    assert "screened for heat" not in page


def test_the_banner_costs_one_query_and_only_when_such_an_item_is_shown(
    screening, post, thread, readers, owner, client
):
    client.force_login(owner)
    other = PostFactory(journal=post.journal)
    hold(CommentFactory(post=other, body_source="Held for links."))
    with CaptureQueriesContext(connection) as plain:
        client.get("/moderation/")
    for author in readers[3:]:
        reply(post, author, thread, "Heated.")

    with CaptureQueriesContext(connection) as heated:
        page = client.get("/moderation/").content.decode()

    assert page.count('class="heat-banner"') == 3
    assert len(heated.captured_queries) == len(plain.captured_queries) + 1


def test_the_queue_filters_by_the_heat_code(
    screening, post, thread, readers, owner, client
):
    reply(post, readers[3], thread, "Heated words.")
    hold(CommentFactory(post=post, body_source="Held for links."))
    client.force_login(owner)

    page = client.get("/moderation/?rule=heat.screened").content.decode()

    assert "Heated words." in page and "Held for links." not in page
    assert 'value="heat.screened"' in page


def test_the_lifting_shows_in_the_decided_tab_with_undo(screening, owner, client):
    heat.lift_heat(moderator=owner, screening_id=screening.pk)
    client.force_login(owner)

    page = client.get("/moderation/?tab=decided").content.decode()

    assert "heat.lifted" in page and "heat.screened" in page
    entry = AuditEntry.objects.get(action="heat.lifted")
    assert f'action="/moderation/log/{entry.pk}/undo/"' in page


# The admin -----------------------------------------------------------------------


def test_the_owner_lists_and_lifts_screenings_in_the_admin(screening, owner, client):
    client.force_login(owner)
    url = "/admin/moderation/heatscreening/"

    listing = client.get(url).content.decode()
    response = client.post(
        url, {"action": "lift_selected", "_selected_action": [screening.pk]}
    )

    assert f"#{screening.thread_id}" in listing
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.lifted_by == owner


def test_another_owner_sees_no_screening_in_the_admin_and_cannot_lift_it(
    screening, client
):
    stranger = UserFactory(username="stranger", is_staff=True)
    JournalFactory(owner=stranger)
    client.force_login(stranger)
    url = "/admin/moderation/heatscreening/"

    listing = client.get(url).content.decode()
    client.post(url, {"action": "lift_selected", "_selected_action": [screening.pk]})

    assert f"#{screening.thread_id}<" not in listing
    assert client.get(f"{url}{screening.pk}/change/").status_code in (302, 404)
    screening.refresh_from_db()
    assert screening.lifted_at is None


def test_owner_sets_the_heat_figures_in_the_admin(client, journal, owner):
    from tests.journal.test_admin import journal_form_data

    client.force_login(owner)

    response = client.post(
        f"/admin/journal/journal/{journal.pk}/change/",
        journal_form_data(journal, heat_replies=12, heat_minutes=10, heat_hours=6),
    )

    assert response.status_code == 302
    journal.refresh_from_db()
    assert (journal.heat_replies, journal.heat_minutes, journal.heat_hours) == (
        12,
        10,
        6,
    )
    assert journal.rule_set_versions.latest().snapshot["heat_replies"] == 12


def test_out_of_range_heat_figures_are_refused_in_the_admin(client, journal, owner):
    from tests.journal.test_admin import journal_form_data

    client.force_login(owner)

    response = client.post(
        f"/admin/journal/journal/{journal.pk}/change/",
        journal_form_data(journal, heat_replies=5, heat_minutes=0, heat_hours=999),
    )

    assert response.status_code == 200
    journal.refresh_from_db()
    assert journal.heat_replies == 0
