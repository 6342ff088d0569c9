"""The admin for blog owners: their own journals only, writes through services."""

import pytest
from django.db import connection
from django.test.html import Element, parse_html
from django.test.utils import CaptureQueriesContext

from journal.models import Comment, CommentAccess, Journal, Post
from tests.factories import JournalFactory, PostFactory, UserFactory
from tests.two_journals import hold

pytestmark = pytest.mark.django_db


def journal_form_data(
    journal, words=(), restrictions=(), windows=(), follows=(), **changes
) -> dict:
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
        # Shared lists to follow, by id (moderation.shared_lists).
        ("subscriptions", [{"shared_list": pk} for pk in follows], ("shared_list",)),
        (
            "scheduled_modes",
            windows,
            (
                "name",
                "mode",
                "days",
                "starts_at",
                "ends_at",
                "ends_after_days",
                "rate_per_minute",
            ),
        ),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = 0
        for index, row in enumerate(rows):
            for field in fields:
                if field in row and row[field] is not False:
                    data[f"{prefix}-{index}-{field}"] = (
                        "on" if row[field] is True else row[field]
                    )
            if prefix == "scheduled_modes":  # weekdays are ticked boxes
                data[f"{prefix}-{index}-days"] = list(row.get("days", "0123456"))
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


# The owner's admin, issue 15: readable, labelled, linked to the queue. --------


def elements(node):
    """Every element of a page parsed by django.test.html, depth first."""
    yield node
    for child in node.children:
        if isinstance(child, Element):
            yield from elements(child)


def by_id(root, element_id):
    return next(e for e in elements(root) if dict(e.attributes).get("id") == element_id)


def text_of(node) -> str:
    return " ".join(
        child if isinstance(child, str) else text_of(child) for child in node.children
    ).strip()


@pytest.fixture
def journal_page(owner_client, journal):
    def get():
        url = f"/admin/journal/journal/{journal.pk}/change/"
        return owner_client.get(url).content.decode()

    return get


def test_the_name_help_text_shows_the_address_pattern_escaped(
    client, owner_client, journal, journal_page
):
    # It used to read "Part of the journal's address: //.": "<name>" was a tag.
    assert "address: /&lt;name&gt;/." in journal_page()  # read-only for owners
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in (
        f"/admin/journal/journal/{journal.pk}/change/",
        "/admin/journal/journal/add/",
    ):
        page = client.get(url).content.decode()
        assert "address: /&lt;name&gt;/." in page
        assert "address: //." not in page and "/<name>/" not in page


def test_every_input_of_the_word_and_ban_rows_has_a_label_naming_its_row(
    journal, journal_page
):
    from moderation.models import WordRule

    WordRule.objects.create(journal=journal, phrase="casino", kind="block")
    WordRule.objects.create(journal=journal, phrase="free money", kind="hold")
    page = parse_html(journal_page())
    labels = {
        dict(e.attributes).get("for"): text_of(e)
        for e in elements(page)
        if e.name == "label"
    }
    grouped = {
        id(inner): dict(e.attributes)["aria-label"]
        for e in elements(page)
        if dict(e.attributes).get("role") == "group"
        for inner in elements(e)
    }
    unnamed = []
    for prefix in ("word_rules", "restrictions"):
        for e in elements(by_id(page, f"{prefix}-group")):
            attrs = dict(e.attributes)
            if e.name not in ("input", "select", "textarea"):
                continue
            if attrs.get("type") == "hidden":
                continue
            if attrs.get("id") not in labels and id(e) not in grouped:
                unnamed.append(attrs.get("name"))

    assert unnamed == []
    assert labels["id_word_rules-1-phrase"] == "Word or phrase, row 2"
    assert labels["id_word_rules-0-DELETE"] == "Delete, row 1"
    assert labels["id_word_rules-__prefix__-kind"] == "Action, new row"
    assert labels["id_restrictions-0-user"] == "Username, row 1"
    assert labels["id_restrictions-0-until_1"] == "Time:"
    assert "Until, row 1" in grouped.values()


def test_inline_tables_have_no_empty_header(journal, journal_page):
    from moderation.services import record_rule_set

    record_rule_set(journal)
    page = parse_html(journal_page())

    for prefix in ("word_rules", "restrictions", "rule_set_versions"):
        headers = [
            text_of(e)
            for e in elements(by_id(page, f"{prefix}-group"))
            if e.name == "th"
        ]
        assert headers and all(headers), (prefix, headers)


def test_the_owner_sees_a_comments_earlier_versions_with_named_headers_only(
    owner_client, post, make_comment
):
    from journal.models import CommentRevision

    comment = make_comment(post=post, body_source="now")
    CommentRevision.objects.create(
        comment=comment,
        number=1,
        body_source="before",
        body_html="before",
        state="published",
        written_at=comment.created_at,
    )

    response = owner_client.get(f"/admin/journal/comment/{comment.pk}/change/")

    assert response.status_code == 200
    page = parse_html(response.content.decode())
    table = by_id(page, "revisions-group")
    headers = [text_of(e) for e in elements(table) if e.name == "th"]
    assert headers == ["Number", "Written at", "Subject", "Body source", "State"]
    assert "before" in text_of(table)
    assert f"{comment.pk} r1" not in text_of(table)  # the row's __str__


def test_word_list_rows_do_not_repeat_their_entry_above_its_fields(
    journal, journal_page
):
    from moderation.models import WordRule

    WordRule.objects.create(journal=journal, phrase="casino", kind="block")

    page = journal_page()

    assert 'value="casino"' in page
    # The row's __str__ ("Blocked: refuse the comment: casino") printed over it.
    assert "refuse the comment: casino" not in page


def test_rule_set_changes_read_field_old_new_not_json(
    owner_client, owner, journal, journal_page
):
    from moderation.models import AuditEntry
    from moderation.services import record_rule_set

    record_rule_set(journal, by=owner)
    response = owner_client.post(
        f"/admin/journal/journal/{journal.pk}/change/",
        journal_form_data(
            journal,
            link_limit=5,
            words=[{"phrase": "<b>loud</b>", "kind": "block", "substring": True}],
        ),
    )
    assert response.status_code == 302

    page = journal_page()
    entry = AuditEntry.objects.filter(action="settings.change").first()
    audit = owner_client.get(f"/admin/moderation/auditentry/{entry.pk}/change/")

    for html in (page, audit.content.decode()):
        assert "<li>Hold comments with this many links: 3 → 5</li>" in html
        assert (
            "<li>Word lists: added: &lt;b&gt;loud&lt;/b&gt; (blocked, inside words)"
            "</li>" in html
        )
        assert "<b>loud</b>" not in html
        assert '"link_limit": [3, 5]' not in html and "[3, 5]" not in html


def test_readable_changes_name_settings_by_their_label_and_words_by_change():
    from moderation.admin import readable_changes

    lines = readable_changes(
        {
            "words": [
                [["spam", "hold", False], ["x", "block", True]],
                [["x", "block", True], ["y", "block", False]],
            ],
            "queue_claims": [True, False],
            "comment_access": ["registered", "anyone"],
            "link_limit": [3, 5],
            "some_old_setting": [1, 2],
        }
    )

    assert lines == [
        (
            "Who may comment",
            "Registered users only → Everyone, including anonymous visitors",
        ),
        ("Hold comments with this many links", "3 → 5"),
        ("Show who is looking at a queue item", "on → off"),
        ("some_old_setting", "1 → 2"),
        ("Word lists", "added: y (blocked) / retired: spam (held)"),
    ]


def test_the_journal_page_links_to_its_own_queue_with_the_held_count(
    owner_client, journal, post, other_journal, make_comment, journal_page
):
    hold(make_comment(post=post, body_source="waiting here"))
    hold(make_comment(post=PostFactory(journal=other_journal), body_source="not mine"))

    page = journal_page()
    changelist = owner_client.get("/admin/journal/journal/").content.decode()
    queue = owner_client.get("/moderation/?journal=harbour").content.decode()

    assert (
        '<a href="/moderation/?journal=harbour">Moderation queue (1 held)</a>' in page
    )
    assert '<a href="/moderation/?journal=harbour">1 held</a>' in changelist
    assert "journal=elsewhere" not in page + changelist
    assert "waiting here" in queue and "not mine" not in queue


def test_the_journal_changelist_counts_held_comments_without_a_query_per_journal(
    owner_client, owner, post, make_comment
):
    hold(make_comment(post=post))
    owner_client.get("/admin/journal/journal/")  # warm the session
    with CaptureQueriesContext(connection) as one_journal:
        owner_client.get("/admin/journal/journal/")
    for number in range(3):
        second = JournalFactory(name=f"second{number}", owner=owner)
        hold(make_comment(post=PostFactory(journal=second)))

    with CaptureQueriesContext(connection) as four_journals:
        page = owner_client.get("/admin/journal/journal/").content.decode()

    assert page.count(">1 held</a>") == 4
    assert len(four_journals) == len(one_journal)


def test_every_rule_setting_is_on_the_journal_page(journal_page):
    from moderation.models import RULE_SETTING_FIELDS

    page = journal_page()

    assert "Moderation queue" in page
    missing = [n for n in RULE_SETTING_FIELDS if f'name="{n}"' not in page]
    assert missing == []


def test_owner_turns_queue_claims_off_and_a_new_rule_set_version_records_it(
    owner_client, owner, journal
):
    from moderation.models import RuleSetVersion
    from moderation.services import record_rule_set

    before = record_rule_set(journal, by=owner)

    response = owner_client.post(
        f"/admin/journal/journal/{journal.pk}/change/",
        journal_form_data(journal, queue_claims=False),
    )

    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.queue_claims is False
    latest = RuleSetVersion.objects.filter(journal=journal).latest()
    assert latest.number == before.number + 1
    assert latest.changes == {"queue_claims": [True, False]}
    assert latest.created_by == owner
