"""Shadow rule sets through the web doors: the comment form, the queue and the
admin. Each door goes through moderation.shadows; another journal's shadow is
a 404 whichever door is tried."""

import pytest
from django.test import Client
from django.urls import reverse

from journal.models import Comment, CommentState, Screening
from moderation import services as moderation
from moderation import shadows
from moderation.models import AuditEntry, ShadowRuleSet, ShadowVerdict
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db


def casino_shadow(journal):
    snapshot = moderation.rule_set_snapshot(journal)
    return shadows.start_shadow(
        journal=journal,
        proposal={**snapshot, "words": [["casino", "hold", False]]},
        by=journal.owner,
        name="No casinos",
    )


def promote_url(shadow) -> str:
    return reverse("admin:moderation_shadowruleset_promote", args=(shadow.pk,))


def retire_url(shadow) -> str:
    return reverse("admin:moderation_shadowruleset_retire", args=(shadow.pk,))


def change_url(shadow) -> str:
    return reverse("admin:moderation_shadowruleset_change", args=(shadow.pk,))


# The comment form -------------------------------------------------------------


def test_a_comment_posted_with_the_form_is_judged_in_the_shadow_too(
    client, journal_a, post_a, author
):
    casino_shadow(journal_a)
    client.force_login(author)

    client.post(
        f"/{journal_a.name}/{post_a.pk}/comment/", {"body": "casino after dark"}
    )

    comment = Comment.objects.get()
    assert comment.state == CommentState.PUBLISHED
    seen = comment.shadow_verdicts.get()
    assert (seen.live_action, seen.shadow_action) == ("publish", "hold")


# The queue ------------------------------------------------------------------------


def test_the_queue_shows_where_the_shadow_parts_from_live_and_the_counts(
    client, journal_a, mod_a, post_a, author
):
    journal_a.screening = Screening.ALL
    journal_a.save()
    snapshot = moderation.rule_set_snapshot(journal_a)
    shadows.start_shadow(
        journal=journal_a,
        proposal={**snapshot, "screening": Screening.NONE},
        by=journal_a.owner,
    )
    client.force_login(author)
    client.post(f"/{journal_a.name}/{post_a.pk}/comment/", {"body": "hello there"})
    held = Comment.objects.get()
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    item = page[page.index(f'id="q{held.pk}"') :]
    assert "The shadow rule set would publish it." in item
    assert 'class="queue-shadows"' in page
    assert "alpha: 1 comment decided otherwise" in page


def test_the_queue_is_silent_where_the_shadow_agrees_or_has_ended(
    client, journal_a, mod_a, post_a, author
):
    journal_a.screening = Screening.ALL
    journal_a.save()
    shadow = casino_shadow(journal_a)
    client.force_login(author)
    client.post(f"/{journal_a.name}/{post_a.pk}/comment/", {"body": "casino"})
    client.force_login(mod_a)

    agreeing = client.get("/moderation/").content.decode()
    shadows.retire_shadow(shadow=shadow, by=journal_a.owner)
    ended = client.get("/moderation/").content.decode()

    # Live held it for screening, and so would the shadow: nothing to say.
    assert ShadowVerdict.objects.get().disagrees is False
    assert "shadow-verdict" not in agreeing
    assert "queue-shadows" not in ended


def test_another_journals_shadow_never_shows_in_a_moderators_queue(
    client, journal_a, journal_b, mod_a, post_a, post_b, author
):
    casino_shadow(journal_b)
    hold(CommentFactory(post=post_a, author=author))
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert "queue-shadows" not in page
    assert client.get("/moderation/?journal=beta").status_code == 404


def test_a_running_shadow_costs_the_queue_page_two_queries_at_most(
    client, journal_a, mod_a, post_a, django_assert_num_queries
):
    casino_shadow(journal_a)
    for n in range(12):
        author = UserFactory()
        comment = CommentFactory(post=post_a, author=author)
        hold(comment)
        if n % 2:
            ShadowVerdict.objects.create(
                shadow=shadows.running(journal_a),
                journal=journal_a,
                comment=comment,
                live_action="hold",
                shadow_action="publish",
                disagrees=True,
            )
    client.force_login(mod_a)

    # The four of a queue page (test_queue), the shadow's days and the
    # disagreeing verdicts of the page's items.
    with django_assert_num_queries(6):
        page = client.get("/moderation/").content.decode()
    assert page.count('class="shadow-verdict"') == 6


# The admin ------------------------------------------------------------------------


@pytest.fixture
def owner_a(journal_a):
    owner = journal_a.owner
    owner.is_staff = True
    owner.save()
    return owner


def test_the_owner_sees_the_shadow_its_counts_and_its_disagreements_in_the_admin(
    client, journal_a, owner_a, post_a, author
):
    shadow = casino_shadow(journal_a)
    client.force_login(author)
    client.post(f"/{journal_a.name}/{post_a.pk}/comment/", {"body": "casino"})
    comment = Comment.objects.get()
    client.force_login(owner_a)

    listing = client.get(reverse("admin:moderation_shadowruleset_changelist"))
    page = client.get(change_url(shadow)).content.decode()

    assert "No casinos" in listing.content.decode()
    assert 'class="shadow-days"' in page
    assert f'href="{comment.get_absolute_url()}"' in page
    assert "casino (held)" in page  # what it would change, in words
    assert promote_url(shadow) in page and retire_url(shadow) in page


def test_promote_in_the_admin_makes_it_live_once(
    client, journal_a, owner_a, post_a, author
):
    shadow = casino_shadow(journal_a)
    client.force_login(owner_a)

    first = client.post(promote_url(shadow))
    second = client.post(promote_url(shadow), follow=True)

    assert first.status_code == 302
    shadow.refresh_from_db()
    assert shadow.state == ShadowRuleSet.State.PROMOTED
    assert shadow.promoted_to == moderation.latest_rule_set(journal_a)
    assert "already ended" in second.content.decode()
    assert AuditEntry.objects.filter(action="shadow.promote").count() == 1
    # The page no longer offers the buttons.
    assert promote_url(shadow) not in client.get(change_url(shadow)).content.decode()
    client.force_login(author)
    client.post(f"/{journal_a.name}/{post_a.pk}/comment/", {"body": "casino"})
    assert Comment.objects.get().state == CommentState.HELD


def test_retire_in_the_admin_stops_it(client, journal_a, owner_a):
    shadow = casino_shadow(journal_a)
    client.force_login(owner_a)

    client.post(retire_url(shadow))

    shadow.refresh_from_db()
    assert shadow.state == ShadowRuleSet.State.RETIRED
    journal_a.refresh_from_db()
    assert not journal_a.word_rules.exists()


def test_the_admins_buttons_take_a_post_with_its_csrf_token(journal_a, owner_a):
    shadow = casino_shadow(journal_a)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner_a)

    assert browser.get(promote_url(shadow)).status_code == 405
    assert browser.post(promote_url(shadow)).status_code == 403
    assert browser.post(retire_url(shadow)).status_code == 403

    shadow.refresh_from_db()
    assert shadow.state == ShadowRuleSet.State.SHADOW


def test_another_owner_and_a_moderator_cannot_see_or_promote_it_in_the_admin(
    client, journal_a, journal_b, owner_a, mod_a
):
    shadow = casino_shadow(journal_a)
    other_owner = journal_b.owner
    other_owner.is_staff = True
    other_owner.save()
    mod_a.is_staff = True
    mod_a.save()

    missing = ShadowRuleSet(pk=shadow.pk + 1000)
    for user in (other_owner, mod_a):
        client.force_login(user)
        # Exactly what a shadow that does not exist gives them.
        for url in (change_url, promote_url, retire_url):
            method = client.get if url is change_url else client.post
            assert method(url(shadow)).status_code == method(url(missing)).status_code
        assert client.post(promote_url(shadow)).status_code == 404
        listing = client.get(reverse("admin:moderation_shadowruleset_changelist"))
        assert "No casinos" not in listing.content.decode()

    shadow.refresh_from_db()
    assert shadow.state == ShadowRuleSet.State.SHADOW
    assert not AuditEntry.objects.filter(action="shadow.promote").exists()


def test_the_admin_adds_and_deletes_no_shadow_rule_set(client, journal_a, owner_a):
    shadow = casino_shadow(journal_a)
    client.force_login(owner_a)

    assert client.get(reverse("admin:moderation_shadowruleset_add")).status_code == 403
    response = client.post(
        reverse("admin:moderation_shadowruleset_delete", args=(shadow.pk,)),
        {"post": "yes"},
    )
    assert response.status_code == 403
    assert ShadowRuleSet.objects.filter(pk=shadow.pk).exists()
