"""Every moderation view, admin page and API endpoint × every kind of user.

The target is always journal alpha. "Allowed" roles get the success status;
everyone else gets the refusal shown, which for logged-in users is the same 404
as for something that does not exist.
"""

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from moderation import services
from moderation.models import AuditEntry
from tests.factories import CommentFactory, UserFactory, human_api_fields
from tests.two_journals import hold

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "reader",
    "author",
    "other_moderator",
    "moderator",
    "other_owner",
    "owner",
    "superuser",
]
MODERATORS = {"moderator", "owner", "superuser"}
STAFF_OWNERS = {"owner", "superuser"}
STAFF = {"owner", "other_owner", "superuser"}
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}


@dataclass
class Case:
    name: str
    method: str
    url: str  # formatted with the world's ids
    allowed: set
    ok: int
    anonymous: int  # what a visitor who is not logged in gets
    denied: int = 404  # what a logged-in user without the right gets
    data: dict = field(default_factory=dict)
    json: bool = False
    denied_by_role: dict = field(default_factory=dict)


CASES = [
    # The moderators' pages.
    Case("queue page", "get", "/moderation/?journal=alpha", MODERATORS, 200, 302),
    Case(
        "decided tab",
        "get",
        "/moderation/?tab=decided&journal=alpha",
        MODERATORS,
        200,
        302,
    ),
    Case(
        "approve",
        "post",
        "/moderation/act/",
        MODERATORS,
        302,
        302,
        data={"act": "approve:{held}:held:1"},
    ),
    Case(
        "bulk spam",
        "post",
        "/moderation/act/",
        MODERATORS,
        302,
        302,
        data={"bulk": "spam", "selected": "{held}:held:1"},
    ),
    Case("undo", "post", "/moderation/log/{entry}/undo/", MODERATORS, 302, 302),
    Case(
        "freeze preview",
        "get",
        "/moderation/thread/{published}/freeze/",
        MODERATORS,
        200,
        302,
    ),
    Case(
        "delete thread",
        "post",
        "/moderation/thread/{published}/delete/",
        MODERATORS,
        302,
        302,
    ),
    Case(
        "screen", "post", "/moderation/thread/{published}/screen/", MODERATORS, 302, 302
    ),
    # The admin: owners (staff) and superusers; others are sent to log in, and an
    # owner of another journal is sent back to the admin index.
    Case(
        "admin journal",
        "get",
        "/admin/journal/journal/{journal}/change/",
        STAFF_OWNERS,
        200,
        302,
        denied=302,
    ),
    Case(
        "admin post",
        "get",
        "/admin/journal/post/{post}/change/",
        STAFF_OWNERS,
        200,
        302,
        denied=302,
    ),
    Case(
        "admin comment",
        "get",
        "/admin/journal/comment/{published}/change/",
        STAFF_OWNERS,
        200,
        302,
        denied=302,
    ),
    Case(
        "admin audit entry",
        "get",
        "/admin/moderation/auditentry/{entry}/change/",
        STAFF_OWNERS,
        200,
        302,
        denied=302,
    ),
    # The API.
    Case(
        "api queue", "get", "/api/moderation/queue/?journal=alpha", MODERATORS, 200, 401
    ),
    Case(
        "api decide",
        "post",
        "/api/moderation/decisions/",
        MODERATORS,
        200,
        401,
        data={
            "items": [{"comment": "{held}", "state_seen": "held", "revision_seen": 1}],
            "action": "approve",
        },
        json=True,
    ),
    Case("api undo", "post", "/api/moderation/log/{entry}/undo/", MODERATORS, 201, 401),
    Case(
        "api freeze", "post", "/api/comments/{published}/freeze/", MODERATORS, 200, 401
    ),
    Case(
        "api delete thread preview",
        "post",
        "/api/comments/{published}/delete-thread/?preview=1",
        MODERATORS,
        200,
        401,
    ),
    Case(
        "api settings", "get", "/api/journals/alpha/settings/", STAFF_OWNERS, 200, 401
    ),
    Case(
        "api settings change",
        "patch",
        "/api/journals/alpha/settings/",
        STAFF_OWNERS,
        200,
        401,
        data={"link_limit": 3},
        json=True,
    ),
    Case(
        "api held comment",
        "get",
        "/api/comments/{held}/",
        MODERATORS | {"author"},
        200,
        404,
    ),
    Case(
        "api edit own comment",
        "patch",
        "/api/comments/{own}/",
        {"author"},
        200,
        401,
        data={"body": "changed"},
        json=True,
    ),
    Case(
        "api delete own comment", "delete", "/api/comments/{own}/", {"author"}, 204, 401
    ),
    Case(
        "api unfreeze (not frozen)",
        "post",
        "/api/comments/{published}/unfreeze/",
        MODERATORS,
        409,
        401,
    ),
    Case(
        "api log",
        "get",
        "/api/moderation/log/?journal=alpha",
        MODERATORS | {"other_moderator", "other_owner"},
        200,
        401,
    ),
    Case(
        "api flag",
        "post",
        "/api/comments/{published}/flag/",
        LOGGED_IN,
        201,
        401,
        data={"reason": "spam"},
        json=True,
    ),
    Case(
        "api post a comment",
        "post",
        "/api/posts/{post}/comments/",
        EVERYONE,
        201,
        201,
        # Anonymous or not, the same fields: a challenge is ignored when logged in.
        data={"body": "hello from anyone", "challenge": "{challenge}"},
        json=True,
    ),
    # Public reading is the same for everyone.
    Case("api journals", "get", "/api/journals/", EVERYONE, 200, 200),
    Case("api journal", "get", "/api/journals/alpha/", EVERYONE, 200, 200),
    Case("api tags", "get", "/api/journals/alpha/tags/", EVERYONE, 200, 200),
    Case("api posts", "get", "/api/journals/alpha/posts/", EVERYONE, 200, 200),
    Case("api post", "get", "/api/posts/{post}/", EVERYONE, 200, 200),
    Case("api comments", "get", "/api/posts/{post}/comments/", EVERYONE, 200, 200),
    Case(
        "api published comment", "get", "/api/comments/{published}/", EVERYONE, 200, 200
    ),
    # Every admin page: staff owners get in (and see only their journals, checked
    # below); everyone else is sent to the admin login.
    Case("admin index", "get", "/admin/", STAFF, 200, 302, denied=302),
    Case(
        "admin journals", "get", "/admin/journal/journal/", STAFF, 200, 302, denied=302
    ),
    Case("admin posts", "get", "/admin/journal/post/", STAFF, 200, 302, denied=302),
    Case(
        "admin comments", "get", "/admin/journal/comment/", STAFF, 200, 302, denied=302
    ),
    Case(
        "admin add post", "get", "/admin/journal/post/add/", STAFF, 200, 302, denied=302
    ),
    Case(
        "admin audit log",
        "get",
        "/admin/moderation/auditentry/",
        STAFF,
        200,
        302,
        denied=302,
    ),
    Case(
        "admin reports", "get", "/admin/moderation/report/", STAFF, 200, 302, denied=302
    ),
    Case(
        "admin users",
        "get",
        "/admin/accounts/user/",
        {"superuser"},
        200,
        302,
        denied=302,
        denied_by_role={"owner": 403, "other_owner": 403},
    ),
]


@pytest.fixture
def world(journal_a, journal_b, post_a, mod_a, mod_b):
    author = UserFactory(username="the_author")
    owner_b = journal_b.owner
    owner_b.is_staff = True
    owner_b.save()
    journal_a.owner.is_staff = True
    journal_a.owner.save()
    held = hold(CommentFactory(post=post_a, author=author, body_source="held one"))
    published = CommentFactory(post=post_a, body_source="published one")
    own = CommentFactory(post=post_a, author=author, body_source="own one")
    decided = hold(CommentFactory(post=post_a, author=author))
    services.decide(
        moderator=mod_a,
        items=[services.Seen(decided.pk, "held", 1)],
        decision="approve",
    )
    users = {
        "anonymous": None,
        "reader": UserFactory(username="plain_reader"),
        "author": author,
        "other_moderator": mod_b,
        "moderator": mod_a,
        "other_owner": owner_b,
        "owner": journal_a.owner,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    ids = {
        "held": held.pk,
        "published": published.pk,
        "own": own.pk,
        "entry": AuditEntry.objects.get(action="comment.approve").pk,
        "journal": journal_a.pk,
        "post": post_a.pk,
        "challenge": human_api_fields(post_a)["challenge"],
    }
    return users, ids


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _fill_numbers(value):
    if isinstance(value, dict):
        return {k: _fill_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_numbers(v) for v in value]
    return int(value) if isinstance(value, str) and value.isdigit() else value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_permission_matrix(world, case, role):
    users, ids = world
    client = APIClient()
    if users[role] is not None:
        client.force_login(users[role])
    url = _fill(case.url, ids)
    data = _fill(case.data, ids)

    if case.json:
        response = getattr(client, case.method)(url, _fill_numbers(data), format="json")
    else:
        response = getattr(client, case.method)(url, data)

    if role in case.allowed:
        expected = case.ok
    elif role == "anonymous":
        expected = case.anonymous
    else:
        expected = case.denied_by_role.get(role, case.denied)
    assert response.status_code == expected, (case.name, role, response.status_code)
    if case.method != "get" and role not in case.allowed and case.name == "approve":
        from journal.models import Comment

        assert Comment.objects.get(pk=ids["held"]).state == "held"


@pytest.mark.parametrize("role", ["other_owner", "owner", "superuser"])
def test_admin_lists_show_alpha_only_to_its_owner_and_superusers(world, role):
    users, ids = world
    client = APIClient()
    client.force_login(users[role])

    comments = client.get("/admin/journal/comment/").content.decode()
    log = client.get("/admin/moderation/auditentry/").content.decode()

    sees_alpha = role != "other_owner"
    assert ("published one" in comments) is sees_alpha
    assert (f"/admin/moderation/auditentry/{ids['entry']}/change/" in log) is sees_alpha


@pytest.mark.parametrize("role", ["other_moderator", "moderator"])
def test_api_log_lists_only_the_journals_one_moderates(world, role):
    users, _ids = world
    client = APIClient()
    client.force_login(users[role])

    journals = {
        e["journal"] for e in client.get("/api/moderation/log/").json()["results"]
    }

    assert journals == ({"alpha"} if role == "moderator" else set())
