"""The admin for blog owners: their own journals only, writes through services."""

import pytest

from journal.models import Comment, CommentAccess, Journal, Post
from tests.factories import JournalFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def journal_form_data(journal, words=(), restrictions=(), **changes) -> dict:
    """What the journal's admin change form posts, with ``changes`` applied."""
    from moderation.models import RULE_SETTING_FIELDS

    data = {"title": journal.title, "description": journal.description}
    for name in RULE_SETTING_FIELDS:
        value = getattr(journal, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    # Members and moderators are typed as usernames.
    data["members"] = ", ".join(u.username for u in journal.members.all())
    data["moderators"] = ", ".join(u.username for u in journal.moderators.all())
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    for prefix, rows, fields in (
        ("word_rules", words, ("phrase", "kind", "substring")),
        ("restrictions", restrictions, ("user", "kind", "until", "reason")),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = 0
        for index, row in enumerate(rows):
            for field in fields:
                if field in row and row[field] is not False:
                    data[f"{prefix}-{index}-{field}"] = (
                        "on" if row[field] is True else row[field]
                    )
    data["rule_set_versions-TOTAL_FORMS"] = 0
    data["rule_set_versions-INITIAL_FORMS"] = 0
    return data


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_journal():
    return JournalFactory(name="elsewhere", title="Someone Else's")


def test_owner_sees_only_their_own_journals_posts_and_comments(
    owner_client, journal, post, other_journal, make_comment
):
    other_post = PostFactory(journal=other_journal, title="Not yours")
    make_comment(post=post, body_source="mine to see")
    make_comment(post=other_post, body_source="not mine")

    journals = owner_client.get("/admin/journal/journal/").content.decode()
    posts = owner_client.get("/admin/journal/post/").content.decode()
    comments = owner_client.get("/admin/journal/comment/").content.decode()

    assert journal.title in journals and other_journal.title not in journals
    assert post.title in posts and "Not yours" not in posts
    assert "mine to see" in comments and "not mine" not in comments


def test_owner_cannot_open_another_owners_objects(owner_client, journal, other_journal):
    other_post = PostFactory(journal=other_journal)

    for url in (
        f"/admin/journal/journal/{other_journal.pk}/change/",
        f"/admin/journal/post/{other_post.pk}/change/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"


def test_owner_changes_who_may_comment_in_the_comment_settings_fieldset(
    owner_client, journal
):
    url = f"/admin/journal/journal/{journal.pk}/change/"
    page = owner_client.get(url).content.decode()

    assert "Comment settings" in page
    assert "Anonymous visitors see" in page  # the help text

    response = owner_client.post(
        url, journal_form_data(journal, comment_access=CommentAccess.REGISTERED)
    )

    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.comment_access == CommentAccess.REGISTERED
    assert journal.owner.username == "owner"


def test_owner_writes_a_post_with_tags_and_the_body_is_cleaned_on_save(
    owner_client, journal, other_journal
):
    response = owner_client.post(
        "/admin/journal/post/add/",
        {
            "journal": journal.pk,
            "title": "From the admin",
            "body_source": '<p onclick="x()">Hi</p><script>bad()</script>',
            "tag_names": "city life, editor's choice, city life",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
        },
    )

    assert response.status_code == 302
    post = Post.objects.get(title="From the admin")
    assert post.body_html == "<p>Hi</p>"
    assert sorted(post.tags.values_list("slug", flat=True)) == [
        "city-life",
        "editors-choice",
    ]
    assert post.tags.get(slug="editors-choice").name == "editor's choice"


def test_owner_cannot_post_into_another_owners_journal(
    owner_client, journal, other_journal
):
    response = owner_client.post(
        "/admin/journal/post/add/",
        {
            "journal": other_journal.pk,
            "title": "Sneaky",
            "body_source": "<p>x</p>",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Post.objects.filter(title="Sneaky").exists()


def test_superuser_sees_every_journal(client, journal, other_journal):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get("/admin/journal/journal/").content.decode()

    assert journal.title in page and "Someone Else&#x27;s" in page


def test_staff_without_journals_gets_no_journal_admin(client, journal):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/admin/journal/journal/").status_code == 403
    assert "Journals" not in client.get("/admin/").content.decode()


def test_comment_added_in_the_admin_goes_through_the_service(owner_client, post):
    response = owner_client.post(
        "/admin/journal/comment/add/",
        {
            "post": post.pk,
            "subject": "Owner here",
            "body_source": "Hello <i>all</i>\nbye<script>x</script>",
        },
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author.username == "owner"
    assert comment.body_html == "Hello <i>all</i><br>bye"
    assert comment.path and comment.depth == 0


def test_comment_added_in_the_admin_is_refused_by_the_same_rules(owner_client, post):
    post.comments_enabled = False
    post.save()

    response = owner_client.post(
        "/admin/journal/comment/add/", {"post": post.pk, "body_source": "closed?"}
    )

    assert response.status_code == 200
    assert "Comments are disabled for this post" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["<br>", "<script>x</script>", "x" * 20_001])
def test_a_comment_body_the_service_refuses_is_a_form_error_in_the_admin(
    owner_client, post, body
):
    response = owner_client.post(
        "/admin/journal/comment/add/", {"post": post.pk, "body_source": body}
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_cannot_be_deleted_from_the_admin(owner_client, post, make_comment):
    comment = make_comment(post=post)

    changelist = owner_client.get("/admin/journal/comment/").content.decode()
    response = owner_client.post(
        f"/admin/journal/comment/{comment.pk}/delete/", {"post": "yes"}
    )

    assert "delete_selected" not in changelist
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_journal_with_comments_cannot_lose_them_by_deleting_the_post(
    post, make_comment
):
    from django.db.models import ProtectedError

    make_comment(post=post)

    with pytest.raises(ProtectedError):
        post.delete()
    assert Journal.objects.filter(pk=post.journal.pk).exists()


def test_moving_a_post_takes_its_reports_along_and_logs_the_move_in_both_journals(
    owner_client, owner, journal, post, make_comment
):
    from moderation.models import AuditEntry, Report

    second = JournalFactory(name="second", owner=owner)
    reported = make_comment(post=post, body_source="reported here")
    Report.objects.create(
        comment=reported,
        journal=journal,
        reporter=UserFactory(username="flagger"),
        reason="spam",
    )

    owner_client.post(
        f"/admin/journal/post/{post.pk}/change/",
        {
            "journal": second.pk,
            "title": post.title,
            "body_source": post.body_source,
            "tag_names": "moved",
            "published_at_0": "2026-11-20",
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
        },
    )

    assert Report.objects.get().journal == second
    moves = AuditEntry.objects.filter(action="post.move")
    assert sorted(moves.values_list("journal__name", flat=True)) == [
        "harbour",
        "second",
    ]
    assert moves.first().data == {
        "post": post.pk,
        "from": journal.pk,
        "to": second.pk,
        "comments": 1,
    }
    post.refresh_from_db()
    assert [(t.journal_id, t.slug) for t in post.tags.all()] == [(second.pk, "moved")]
    reported_tab = owner_client.get("/moderation/?tab=reported&journal=second")
    assert "reported here" in reported_tab.content.decode()


def test_owner_lets_comments_that_stood_count_towards_trust(owner_client, journal):
    from moderation.models import RuleSetVersion

    response = owner_client.post(
        f"/admin/journal/journal/{journal.pk}/change/",
        journal_form_data(journal, trust_after_days=30),
    )

    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.trust_after_days == 30
    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert latest.snapshot["trust_after_days"] == 30


def test_owner_names_members_and_moderators_by_exact_username(owner_client, journal):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    data = journal_form_data(journal)
    data["members"] = "alice, bob"
    data["moderators"] = "bob"

    saved = owner_client.post(f"/admin/journal/journal/{journal.pk}/change/", data)
    data["members"] = "alice, nobody_here"
    refused = owner_client.post(f"/admin/journal/journal/{journal.pk}/change/", data)

    assert saved.status_code == 302
    assert set(journal.members.all()) == {alice, bob}
    assert list(journal.moderators.all()) == [bob]
    assert "No account is named “nobody_here”." in refused.content.decode()
    page = owner_client.get(f"/admin/journal/journal/{journal.pk}/change/")
    assert 'value="alice, bob"' in page.content.decode()
