"""Rule-set versions, IP logging and the anti-bot form, through the real doors."""

import re
import time

import pytest

from journal.models import Comment, IpLogging, Journal
from moderation import antibot
from moderation import services as moderation_services
from moderation.models import RuleSetVersion
from tests.factories import UserFactory, human_form_fields
from tests.journal.test_admin import journal_form_data

pytestmark = pytest.mark.django_db


def comment_url(post):
    return f"/{post.journal.name}/{post.pk}/comment/"


def test_each_settings_change_in_the_admin_adds_a_version_saying_who_and_what(
    client, owner, journal
):
    client.force_login(owner)
    url = f"/admin/journal/journal/{journal.pk}/change/"

    client.post(url, journal_form_data(journal, link_limit=4))
    client.post(url, journal_form_data(journal, link_limit=4))  # nothing changed
    journal.refresh_from_db()
    client.post(
        url,
        journal_form_data(
            journal, words=[{"phrase": "casino", "kind": "block", "substring": True}]
        ),
    )

    versions = list(journal.rule_set_versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].changes["link_limit"] == [None, 4]
    assert versions[1].changes == {"words": [[], [["casino", "block", True]]]}
    assert versions[1].created_by == owner and versions[1].created_by_name == "owner"
    page = client.get(url).content.decode()
    assert "Rule-set versions" in page and "casino" in page


def test_each_comment_records_the_rule_set_version_it_was_judged_under(
    reader_client, journal, post
):
    reader_client.post(comment_url(post), {"body": "under the first rules"})
    journal.link_limit = 9
    journal.save()
    reader_client.post(comment_url(post), {"body": "under the second rules"})

    first, second = Comment.objects.order_by("pk")
    assert first.rule_set_version.number == 1
    assert second.rule_set_version.number == 2
    assert second.rule_set_version.snapshot["link_limit"] == 9
    assert RuleSetVersion.objects.filter(journal=journal).count() == 2


def test_comments_never_add_versions_while_the_rules_stand_still(
    reader_client, journal, post, owner
):
    moderation_services.update_rule_settings(
        journal=journal, by=owner, changes={"link_limit": 4}
    )
    for n in range(3):
        reader_client.post(comment_url(post), {"body": f"comment {n}"})

    versions = RuleSetVersion.objects.filter(journal=journal)
    assert versions.count() == 1
    assert versions.get().created_by == owner
    assert set(Comment.objects.values_list("rule_set_version", flat=True)) == {
        versions.get().pk
    }


def test_a_change_made_behind_every_door_is_recorded_once_from_the_database(
    reader_client, journal, post, owner
):
    moderation_services.update_rule_settings(
        journal=journal, by=owner, changes={"link_limit": 4}
    )
    # Say, an operator in a shell: no door recorded it.
    Journal.objects.filter(pk=journal.pk).update(link_limit=7)

    reader_client.post(comment_url(post), {"body": "first after"})
    reader_client.post(comment_url(post), {"body": "second after"})

    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert (latest.number, latest.created_by, latest.snapshot["link_limit"]) == (
        2,
        None,
        7,
    )
    assert latest.changes == {"link_limit": [4, 7]}
    assert {c.rule_set_version_id for c in Comment.objects.all()} == {latest.pk}


@pytest.mark.parametrize(
    ("logging", "anonymous_stored", "registered_stored"),
    [
        (IpLogging.NONE, False, False),
        (IpLogging.ANONYMOUS, True, False),
        (IpLogging.ALL, True, True),
    ],
)
def test_only_logged_ip_addresses_are_stored(
    client, journal, post, logging, anonymous_stored, registered_stored
):
    journal.ip_logging = logging
    journal.save()

    client.post(
        comment_url(post),
        {"body": "anon", **human_form_fields(post)},
        REMOTE_ADDR="203.0.113.9",
    )
    client.force_login(UserFactory())
    client.post(comment_url(post), {"body": "registered"}, REMOTE_ADDR="203.0.113.10")

    anon = Comment.objects.get(body_source="anon")
    registered = Comment.objects.get(body_source="registered")
    assert (anon.ip_address == "203.0.113.9") is anonymous_stored
    assert (registered.ip_address == "203.0.113.10") is registered_stored
    assert anon.ip_address is not None or not anonymous_stored


def test_only_moderators_of_the_journal_see_logged_ip_addresses(
    client, journal, post, owner
):
    journal.ip_logging = IpLogging.ALL
    journal.save()
    client.post(
        comment_url(post),
        {"body": "anon", **human_form_fields(post)},
        REMOTE_ADDR="198.51.100.7",
    )
    from tests.factories import JournalFactory

    other_owner = JournalFactory().owner
    moderator = UserFactory()
    journal.moderators.add(moderator)

    def page_for(user):
        client.logout()
        if user:
            client.force_login(user)
        return client.get(post.get_absolute_url()).content.decode()

    assert "198.51.100.7" not in page_for(None)
    assert "198.51.100.7" not in page_for(UserFactory())
    assert "198.51.100.7" not in page_for(other_owner)
    assert "198.51.100.7" in page_for(moderator)
    assert "198.51.100.7" in page_for(owner)


def test_anonymous_form_carries_a_hidden_honeypot_and_a_signed_timestamp(client, post):
    page = client.get(post.get_absolute_url()).content.decode()

    assert 'class="hp-field" aria-hidden="true"' in page
    assert 'name="website"' in page and 'name="started"' in page


@pytest.mark.parametrize(
    ("honeypot", "age", "sentence"),
    [
        ("http://bot.example", 30, "clear the field labelled “Leave this empty”"),
        ("", 0.5, "Wait a few seconds"),
        ("", 5 * 3600, "more than 4 hours ago"),
        ("", "forged", "Reload the page"),
        ("", None, "Reload the page"),
    ],
)
def test_bot_like_anonymous_posts_are_refused_with_advice_and_keep_the_text(
    client, post, honeypot, age, sentence
):
    fields = {"body": "typed by hand?", "website": honeypot}
    if age == "forged":
        fields["started"] = "forged:token"
    elif age is not None:
        fields["started"] = antibot.issue(post.pk, time.time() - age)

    response = client.post(comment_url(post), fields)
    page = client.get(response["Location"]).content.decode()

    assert response.status_code == 303
    assert sentence in page
    assert "typed by hand?" in page
    assert not Comment.objects.exists()
    # The form comes back with a fresh challenge, so the person can send it on.
    shown = re.search(r'name="started" value="([^"]+)"', page).group(1)
    assert shown != fields.get("started")
    assert 0 <= antibot.check(token=shown, post_id=post.pk).age_seconds < 5


def test_an_anonymous_author_is_told_a_held_comment_waits_and_still_sees_it(
    client, journal, post
):
    response = client.post(
        comment_url(post),
        {
            "body": "see https://a.example.org https://b.example.org https://c.example.org",
            **human_form_fields(post),
        },
    )

    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation: The comment has 3 links" in page
    assert "https://c.example.org" in page and "Awaiting moderation." in page
    client.cookies.clear()
    assert (
        "https://c.example.org"
        not in client.get(post.get_absolute_url()).content.decode()
    )


def test_a_reader_is_told_when_a_comment_is_published(reader_client, post):
    response = reader_client.post(comment_url(post), {"body": "hello"}, follow=True)

    assert "Your comment was posted." in response.content.decode()
