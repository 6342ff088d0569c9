"""The reproductions of issue 12: hostile input that answered 500 (and sometimes
stored data anyway) now gets a clear 4xx and changes nothing."""

from __future__ import annotations

import json
import logging

import pytest
from django.core import mail

from accounts.models import ApiToken
from journal import services
from journal.models import Comment, CommentState
from moderation import notifications
from moderation.models import AuditEntry, Report
from tests.factories import CommentFactory, UserFactory, human_api_fields
from tests.two_journals import hold, token

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


def refused_for_nul(response) -> bool:
    text = response.content.decode()
    return response.status_code == 400 and "null character" in text


# NUL bytes, refused in one place


@pytest.mark.parametrize("tab", ["held", "reported"])
def test_nul_in_the_queues_author_filter(client, api, mod_a, tab):
    client.force_login(mod_a)
    api.force_authenticate(mod_a)

    page = client.get(f"/moderation/?tab={tab}&author=%00")
    endpoint = api.get(f"/api/moderation/queue/?tab={tab}&author=%00")

    assert refused_for_nul(page)
    assert endpoint.status_code == 400 and endpoint.json()["code"] == "bad_request"


def test_nul_in_a_tag_address(client, journal):
    assert refused_for_nul(client.get(f"/{journal.name}/tag/%00/"))


def test_nul_in_the_queues_notes_changes_nothing(client, mod_a, held_a):
    client.force_login(mod_a)

    one = client.post(
        "/moderation/act/",
        {
            "act": f"reject:{token(held_a)}",
            f"reason-{held_a.pk}": "spam",
            f"note-{held_a.pk}": NUL,
        },
    )
    bulk = client.post(
        "/moderation/act/",
        {
            "bulk": "reject",
            "selected": [token(held_a)],
            "bulk-reason": "spam",
            "bulk-note": NUL,
        },
    )

    assert refused_for_nul(one) and refused_for_nul(bulk)
    held_a.refresh_from_db()
    assert held_a.state == CommentState.HELD
    assert not AuditEntry.objects.exists()


def test_nul_in_a_thread_delete_note_and_a_report_note(client, mod_a, post_a, author):
    comment = CommentFactory(post=post_a, author=author)
    client.force_login(mod_a)
    deleted = client.post(f"/moderation/thread/{comment.pk}/delete/", {"note": NUL})
    client.force_login(UserFactory(username="flagger"))
    reported = client.post(
        f"/moderation/report/{comment.pk}/", {"reason": "spam", "note": NUL}
    )

    assert refused_for_nul(deleted) and refused_for_nul(reported)
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED
    assert not Report.objects.exists()


def test_nul_in_an_api_token_name(client, reader):
    client.force_login(reader)

    assert refused_for_nul(client.post("/accounts/me/tokens/", {"name": NUL}))
    assert not ApiToken.objects.exists()


def test_nul_in_an_admin_filter(client, journal_a, held_a):
    journal_a.owner.is_staff = True
    journal_a.owner.save()
    client.force_login(journal_a.owner)

    assert refused_for_nul(client.get("/admin/journal/comment/?state__exact=%00"))


# Deep JSON

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/posts/{post}/comments/"),
        ("patch", "/api/comments/{comment}/"),
        ("post", "/api/comments/{comment}/flag/"),
        ("patch", "/api/journals/{journal}/settings/"),
        ("post", "/api/moderation/decisions/"),
        ("post", "/api/moderation/dismissals/"),
        ("post", "/api/moderation/restrictions/"),
    ],
)
@pytest.mark.parametrize("shape", ["list", "object"])
def test_deeply_nested_json_is_a_400_on_every_json_endpoint(
    api, post, owner, method, url, shape
):
    comment = CommentFactory(post=post, author=owner)
    api.force_authenticate(owner)
    body = DEEP if shape == "list" else '{"a":' * 1000 + "1" + "}" * 1000
    address = url.format(post=post.pk, comment=comment.pk, journal=post.journal.name)

    response = getattr(api, method)(address, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert Comment.objects.count() == 1


# Duplicate decision items


def test_the_same_comment_twice_in_one_api_decision_is_decided_once(api, mod_a, held_a):
    api.force_authenticate(mod_a)
    item = {"comment": held_a.pk, "state_seen": "held", "revision_seen": 1}

    response = api.post(
        "/api/moderation/decisions/",
        {"items": [item, item], "action": "reject", "reason": "spam"},
        format="json",
    )

    assert response.status_code == 200
    assert [o["code"] for o in response.json()["outcomes"]] == ["done"]
    assert AuditEntry.objects.filter(action="comment.reject").count() == 1


def test_the_same_comment_twice_in_the_bulk_form_is_decided_once(client, mod_a, held_a):
    client.force_login(mod_a)

    response = client.post(
        "/moderation/act/",
        {"bulk": "approve", "selected": [token(held_a), token(held_a)]},
        follow=True,
    )

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="comment.approve").count() == 1


# Line breaks in names, and mail that cannot be built


@pytest.mark.parametrize(
    "name", ["Ada\nBcc: victim@example.com", "Eve\r\nX-Spoof: 1", "A\u2028B"]
)
def test_a_name_with_a_line_break_is_refused_at_every_door(
    client, api, post, reader, name
):
    form = client.post(
        f"/{post.journal.name}/{post.pk}/comment/",
        {"body": "hello", "author_name": name, **_human_form(post)},
    )
    endpoint = api.post(
        f"/api/posts/{post.pk}/comments/",
        {"body": "hello", "name": name, **human_api_fields(post)},
        format="json",
    )
    # The form sends the visitor back to the post page, which says why.
    form_page = client.get(form["Location"]).content.decode()
    client.force_login(reader)
    account = client.post("/accounts/me/", {"display_name": name, "email": ""})

    assert form.status_code == 303 and "one line of text" in form_page
    assert endpoint.status_code == 400 and "name" in endpoint.json()["errors"]
    assert account.status_code == 200
    assert "one line of text" in account.content.decode()
    assert not Comment.objects.exists()
    reader.refresh_from_db()
    assert "\n" not in reader.display_name


def _human_form(post):
    from tests.factories import human_form_fields

    return human_form_fields(post)


def test_a_mail_that_cannot_be_built_is_logged_and_the_batch_still_goes(
    post, mod_a, caplog, django_capture_on_commit_callbacks
):
    parent = CommentFactory(
        post=post, author=UserFactory(username="parent", email="p@example.org")
    )
    broken = UserFactory(username="broken", email="b@example.org")
    fine = UserFactory(username="fine", email="f@example.org")
    replies = [
        CommentFactory(post=post, author=broken, parent=parent),
        CommentFactory(post=post, author=fine, parent=parent),
    ]
    # A name stored before names were checked, say.
    broken.display_name = "Broken\nBcc: victim@example.com"
    type(broken).objects.filter(pk=broken.pk).update(display_name=broken.display_name)
    for reply in replies:
        hold(reply)
    mail.outbox.clear()

    with (
        caplog.at_level(logging.ERROR, logger="moderation.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        from moderation import services as moderation

        moderation.decide(
            moderator=post.journal.owner,
            items=[moderation.Seen(r.pk, "held", 1) for r in replies],
            decision="approve",
        )

    # Every mail went; the name was flattened into one line in the subject.
    subjects = sorted(m.subject for m in mail.outbox)
    assert "Broken Bcc: victim@example.com replied to your comment" in subjects
    assert any(m.to == ["f@example.org"] for m in mail.outbox)
    assert notifications.REPLY_MAILS_PER_HOUR >= 2


# Comments that clean to nothing, strict booleans, readable errors


@pytest.mark.parametrize("body", ["<script>alert(1)</script>", "<br><br>", "<b></b>"])
def test_a_comment_that_cleans_to_nothing_is_refused_like_an_empty_one(
    reader_client, as_user, post, reader, body
):
    form = reader_client.post(
        f"/{post.journal.name}/{post.pk}/comment/", {"body": body}
    )
    endpoint = as_user(reader).post(
        f"/api/posts/{post.pk}/comments/", {"body": body}, format="json"
    )

    assert form.status_code == 303
    shown = reader_client.get(form["Location"]).content.decode()
    assert "Write something before posting." in shown
    assert endpoint.status_code == 400
    assert endpoint.json()["errors"]["body"] == ["Write something before posting."]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("value", ["True", "null", "yes", ""])
def test_a_preview_flag_that_is_not_true_or_false_is_a_400_and_nothing_happens(
    as_user, post, owner, value
):
    comment = CommentFactory(post=post)

    response = as_user(owner).post(
        f"/api/comments/{comment.pk}/delete-thread/?preview={value}"
    )

    if value == "True":  # any case of true is true: a preview
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.json()["errors"] == {"preview": ["Use true or false."]}
    comment.refresh_from_db()
    assert comment.state == CommentState.PUBLISHED


def test_nested_errors_are_readable_paths_and_sentences(api, mod_a):
    api.force_authenticate(mod_a)

    response = api.post(
        "/api/moderation/decisions/",
        {
            "items": [{"comment": 1, "state_seen": "held", "revision_seen": 1}, {}],
            "action": "approve",
        },
        format="json",
    )

    errors = response.json()["errors"]
    assert response.status_code == 400
    assert errors["items.1.comment"] == ["This field is required."]
    assert "ErrorDetail" not in json.dumps(response.json())


def test_services_refuse_a_name_with_a_line_break_whatever_the_door(post):
    with pytest.raises(services.ValidationError):
        services.submit_comment(
            post=post, author=None, body="hi", author_name="two\nlines"
        )
