"""The owner of journal A walks the whole admin with the ids of journal B and
finds nothing of B anywhere: not on a page, in a widget's label, a picker, a
redirect or an action's message."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from journal.models import Comment, CommentRevision, Journal, Post
from moderation import services as moderation
from moderation.models import AuditEntry, AuthorRestriction, Report, WordRule
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

SECRETS = (
    "SECRETJOURNAL",
    "SECRET-B-TITLE",
    "SECRET-B-POST",
    "SECRET-B-SUBJECT",
    "SECRET-B-BODY",
    "secretbuser",
    "SECRET-B-BAN",
    "secretbword",
    "SECRET-B-NOTE",
)


@pytest.fixture
def world(db):
    owner_a = UserFactory(username="owner_a", is_staff=True)
    journal_a = JournalFactory(name="alpha", owner=owner_a)
    post_a = PostFactory(journal=journal_a, title="Alpha post")
    CommentFactory(post=post_a, author=UserFactory(username="alpha_reader"))

    owner_b = UserFactory(username="owner_b", is_staff=True)
    stranger = UserFactory(username="secretbuser", display_name="secretbuser")
    journal_b = JournalFactory(
        name="secretjournal", title="SECRET-B-TITLE", owner=owner_b
    )
    post_b = PostFactory(journal=journal_b, title="SECRET-B-POST")
    comment_b = hold(
        CommentFactory(
            post=post_b,
            author=stranger,
            subject="SECRET-B-SUBJECT",
            body_source="SECRET-B-BODY",
        )
    )
    CommentRevision.objects.create(
        comment=comment_b,
        number=1,
        subject="SECRET-B-SUBJECT",
        body_source="SECRET-B-BODY",
        body_html="SECRET-B-BODY",
        state="held",
        written_at=comment_b.created_at,
    )
    published_b = CommentFactory(
        post=post_b, author=stranger, subject="SECRET-B-SUBJECT"
    )
    restriction = AuthorRestriction.objects.create(
        journal=journal_b, user=stranger, kind="ban", reason="SECRET-B-BAN"
    )
    word = WordRule.objects.create(
        journal=journal_b, phrase="secretbword", kind="block"
    )
    report = Report.objects.create(
        comment=published_b,
        journal=journal_b,
        reporter=owner_b,
        reason="spam",
        note="SECRET-B-NOTE",
    )
    moderation.record_rule_set(journal_b, by=owner_b)
    b_ids = {
        Journal: [journal_b.pk],
        Post: [post_b.pk],
        Comment: [comment_b.pk, published_b.pk],
        AuditEntry: list(
            AuditEntry.objects.filter(journal=journal_b).values_list("pk", flat=True)
        ),
        Report: [report.pk],
        AuthorRestriction: [restriction.pk],
        WordRule: [word.pk],
        type(stranger): [stranger.pk, owner_b.pk],
    }
    return owner_a, journal_a, b_ids


def leaks(response) -> list[str]:
    seen = (
        response.content.decode(errors="replace") + response.get("Location", "")
    ).lower()
    return [secret for secret in SECRETS if secret.lower() in seen]


def admin_urls(b_ids) -> list[str]:
    """Every admin page, against every object of journal B."""
    urls = ["/admin/", "/admin/journal/comment/add/"]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        urls += [
            changelist,
            f"{changelist}?_to_field=id&_popup=1",
            # The search box shows the term typed: search for parts of secrets.
            f"{changelist}?q=SECRET-B",
            f"{changelist}?q=secretbus",
            reverse("admin:{}_{}_add".format(*info)),
        ]
        content_type = ContentType.objects.get_for_model(model)
        for pk in b_ids.get(model, ()):
            urls += [
                reverse("admin:{}_{}_change".format(*info), args=[pk]),
                reverse("admin:{}_{}_history".format(*info), args=[pk]),
                reverse("admin:{}_{}_delete".format(*info), args=[pk]),
                f"/admin/r/{content_type.pk}/{pk}/",
            ]
    for pk in b_ids[Comment]:
        urls.append(f"/admin/journal/comment/add/?parent={pk}")
    for field in ("parent", "post", "journal", "user", "members", "moderators"):
        for app, model in (("journal", "comment"), ("journal", "journal")):
            urls.append(
                f"/admin/autocomplete/?app_label={app}&model_name={model}"
                f"&field_name={field}&term=secret"
            )
    return urls


def test_the_owner_of_a_finds_nothing_of_b_anywhere_in_the_admin(client, world):
    owner_a, journal_a, b_ids = world
    client.force_login(owner_a)
    found = {}

    for url in admin_urls(b_ids):
        response = client.get(url)
        assert response.status_code < 500, url
        if leaks(response):
            found[url] = leaks(response)
    journal_page = client.get(f"/admin/journal/journal/{journal_a.pk}/change/")
    if leaks(journal_page):
        found["journal A's page (user pickers)"] = leaks(journal_page)

    assert found == {}


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/journal/comment/", "approve_selected"),
        ("/admin/journal/comment/", "spam_selected"),
        ("/admin/journal/post/", "delete_selected"),
        ("/admin/moderation/auditentry/", "delete_selected"),
    ],
)
def test_actions_with_forged_ids_of_b_change_nothing_and_say_nothing(
    client, world, url, action
):
    owner_a, _journal_a, b_ids = world
    client.force_login(owner_a)
    ids = b_ids[Comment] + b_ids[Post] + b_ids[AuditEntry]
    seen = {f"seen-{pk}": f"{pk}:held:1" for pk in b_ids[Comment]}
    states = dict(Comment.objects.values_list("pk", "state"))

    response = client.post(
        url, {"action": action, "_selected_action": ids, **seen}, follow=True
    )

    assert response.status_code < 500
    assert leaks(response) == []
    assert dict(Comment.objects.values_list("pk", "state")) == states
    assert Post.objects.filter(pk__in=b_ids[Post]).exists()


def test_the_people_pickers_suggest_only_people_the_owner_knows(client, world):
    owner_a, journal_a, _b_ids = world
    client.force_login(owner_a)

    page = client.get(f"/admin/journal/journal/{journal_a.pk}/change/").content.decode()

    assert 'value="alpha_reader"' in page  # commented in A: suggested
    assert "secretbuser" not in page and "owner_b" not in page


def test_the_queue_links_name_and_count_only_the_owners_own_journal(client, world):
    owner_a, journal_a, _b_ids = world
    client.force_login(owner_a)

    page = client.get(f"/admin/journal/journal/{journal_a.pk}/change/")
    changelist = client.get("/admin/journal/journal/")

    # B's held comment is in no count of A's, and A's links open only A's queue.
    for response in (page, changelist):
        content = response.content.decode()
        assert "/moderation/?journal=alpha" in content
        assert "0 held" in content and "1 held" not in content
        assert leaks(response) == []
