"""Every moderation view and action, tried by a moderator of another journal."""

import pytest

from journal.models import Comment
from moderation import services
from moderation.models import AuditEntry, Report
from tests.factories import CommentFactory, UserFactory
from tests.two_journals import token

pytestmark = pytest.mark.django_db


@pytest.fixture
def beta_items(mod_b, post_b, held_b, author):
    published = CommentFactory(post=post_b, author=author, body_source="beta published")
    services.report_comment(comment=published, reporter=UserFactory(), reason="spam")
    services.decide(
        moderator=mod_b, items=[services.Seen(held_b.pk, "held", 1)], decision="approve"
    )
    held_b.refresh_from_db()
    return {
        "held": held_b,
        "published": published,
        "entry": AuditEntry.objects.get(action="comment.approve"),
    }


def requests_for(items, post_b):
    published, entry = items["published"], items["entry"]
    yield "get", f"/moderation/?journal={post_b.journal.name}", None
    yield "get", f"/moderation/?tab=reported&post={post_b.pk}", None
    yield "post", "/moderation/act/", {"act": f"approve:{token(published)}"}
    yield (
        "post",
        "/moderation/act/",
        {"act": f"reject:{token(published)}", f"reason-{published.pk}": "spam"},
    )
    yield "post", "/moderation/act/", {"act": f"spam:{token(published)}"}
    yield "post", "/moderation/act/", {"act": f"dismiss:{token(published)}"}
    yield "post", "/moderation/act/", {"bulk": "spam", "selected": [token(published)]}
    yield "post", f"/moderation/log/{entry.pk}/undo/", {}
    for action in ("freeze", "unfreeze", "delete", "screen", "unscreen"):
        yield "get", f"/moderation/thread/{published.pk}/{action}/", None
        yield "post", f"/moderation/thread/{published.pk}/{action}/", {}


def test_a_moderator_of_journal_a_gets_404_on_everything_of_journal_b(
    client, mod_a, held_a, post_b, beta_items
):
    client.force_login(mod_a)
    before = (
        list(Comment.objects.order_by("pk").values_list("pk", "state", "frozen")),
        AuditEntry.objects.count(),
        list(Report.objects.values_list("pk", "dismissed_at")),
    )

    for method, url, data in requests_for(beta_items, post_b):
        response = (
            getattr(client, method)(url, data) if data is not None else client.get(url)
        )
        assert response.status_code == 404, (method, url)

    after = (
        list(Comment.objects.order_by("pk").values_list("pk", "state", "frozen")),
        AuditEntry.objects.count(),
        list(Report.objects.values_list("pk", "dismissed_at")),
    )
    assert after == before


def test_the_owner_of_journal_b_can_do_all_of_it(client, post_b, beta_items):
    client.force_login(post_b.journal.owner)

    assert client.get(f"/moderation/?journal={post_b.journal.name}").status_code == 200
    published = beta_items["published"]
    response = client.get(f"/moderation/thread/{published.pk}/freeze/")
    assert response.status_code == 200
