"""Anonymous readers' pages come from the cache, and every kind of change shows
on the next anonymous read: a stale page is a bug (journal.pagecache)."""

import re
import time

import pytest
from django.test import Client

from journal import services as journal_services
from journal.models import Comment, CommentState
from moderation import services
from moderation.services import Seen
from tests.factories import PASSWORD, CommentFactory, human_form_fields
from tests.two_journals import hold, token

# Changes reach the cache once their transaction commits: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.JOURNAL = {**settings.JOURNAL, "PAGE_CACHE": True}


def read(url: str) -> tuple[str, bool]:
    """The page as a new anonymous visitor sees it, and whether it was cached."""
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode(), response.get("X-Page-Cache") == "hit"


def warm(url: str) -> str:
    read(url)
    page, cached = read(url)
    assert cached, "the second anonymous read comes from the cache"
    return page


def test_a_post_page_is_served_from_the_cache_to_the_next_visitor(post):
    CommentFactory(post=post, body_source="already here")
    page = warm(post.get_absolute_url())
    assert "already here" in page


def test_a_new_comment_shows_on_the_next_read(post, reader):
    url = post.get_absolute_url()
    warm(url)
    warm(post.journal.get_absolute_url())

    journal_services.submit_comment(post=post, author=reader, body="fresh words")

    page, cached = read(url)
    assert "fresh words" in page and not cached
    listing, _ = read(post.journal.get_absolute_url())
    assert "1 comment" in listing


def test_an_edited_comment_shows_on_the_next_read(post, reader):
    comment = journal_services.submit_comment(post=post, author=reader, body="first")
    warm(post.get_absolute_url())

    journal_services.edit_comment(comment=comment, editor=reader, body="second")

    page, _ = read(post.get_absolute_url())
    assert "second" in page and ">first<" not in page


def test_a_decision_and_its_undo_show_on_the_next_read(post, owner):
    held = hold(CommentFactory(post=post, body_source="waiting words"))
    warm(post.get_absolute_url())
    assert "waiting words" not in read(post.get_absolute_url())[0]

    services.decide(
        moderator=owner, items=[Seen.parse(token(held))], decision="approve"
    )
    assert "waiting words" in read(post.get_absolute_url())[0]

    entry = held.audit_entries.get()
    services.undo(moderator=owner, entry_id=entry.pk)
    assert "waiting words" not in read(post.get_absolute_url())[0]


def test_thread_actions_show_on_the_next_read(post, owner):
    root = CommentFactory(post=post, body_source="the root")
    CommentFactory(post=post, parent=root, body_source="a reply")
    warm(post.get_absolute_url())

    services.freeze_thread(moderator=owner, comment_id=root.pk, frozen=True)
    assert "Frozen" in read(post.get_absolute_url())[0]

    services.delete_thread(moderator=owner, comment_id=root.pk)
    page, _ = read(post.get_absolute_url())
    assert "the root" not in page and "a reply" not in page


def test_a_post_edit_shows_on_its_page_its_journal_and_the_home_page(post):
    for url in (post.get_absolute_url(), post.journal.get_absolute_url(), "/"):
        warm(url)

    post.title = "A better title"
    journal_services.save_post(post=post)

    for url in (post.get_absolute_url(), post.journal.get_absolute_url(), "/"):
        assert "A better title" in read(url)[0], url


def test_a_settings_change_shows_the_new_notice(post, owner, as_user):
    warm(post.get_absolute_url())

    as_user(owner).patch(
        f"/api/journals/{post.journal.name}/settings/",
        {"comment_access": "registered"},
        format="json",
    )

    page, _ = read(post.get_absolute_url())
    assert "Anonymous comments are disabled in this journal" in page


def test_a_new_display_name_shows_on_cached_pages(post, reader):
    CommentFactory(post=post, author=reader)
    warm(post.get_absolute_url())
    client = Client()
    client.login(username=reader.username, password=PASSWORD)

    client.post(
        "/accounts/me/", {"display_name": "Renamed Reader", "email": reader.email}
    )

    assert "Renamed Reader" in read(post.get_absolute_url())[0]


def test_each_visitor_of_a_cached_page_gets_their_own_token_and_challenge(post):
    url = post.get_absolute_url()
    warm(url)
    first, second = Client(), Client()
    pages = [client.get(url).content.decode() for client in (first, second)]

    challenges = [re.search(r'name="started" value="([^"]+)"', p)[1] for p in pages]
    assert challenges[0] != challenges[1]
    # Each visitor's form posts (the challenge is theirs, spent once), after
    # the few seconds a person takes.
    time.sleep(3.2)
    for client, challenge in zip((first, second), challenges, strict=True):
        fields = {**human_form_fields(post), "body": f"from a cached page {challenge}"}
        fields["started"] = challenge
        response = client.post(f"/{post.journal.name}/{post.pk}/comment/", fields)
        assert response.status_code == 302


def test_a_visitor_with_a_session_or_a_login_is_never_served_a_cached_page(
    post, reader
):
    url = post.get_absolute_url()
    warm(url)
    visitor = Client()
    visitor.post(f"/{post.journal.name}/{post.pk}/comment/", {"body": ""})  # a draft
    assert visitor.get(url).get("X-Page-Cache") is None
    member = Client()
    member.login(username=reader.username, password=PASSWORD)
    assert member.get(url).get("X-Page-Cache") is None


def test_the_cache_serves_held_comments_to_nobody(post):
    held = hold(CommentFactory(post=post, body_source="only for moderators"))
    page = warm(post.get_absolute_url())
    assert "only for moderators" not in page
    assert Comment.objects.get(pk=held.pk).state == CommentState.HELD


def counted(client: Client, url: str) -> int:
    page = client.get(url).content.decode()
    return int(re.search(r"<h2[^>]*>\s*(\d+) comments?", page)[1])


def test_comment_counts_kept_in_the_cache_follow_every_change(post, owner, reader):
    """The count a page shows is kept in the cache under the post's version,
    also for a logged-in reader, whose page is drawn afresh: each change shows."""
    url = post.get_absolute_url()
    member = Client()
    member.force_login(reader)
    assert counted(member, url) == 0

    mine = journal_services.submit_comment(post=post, author=reader, body="one")
    assert counted(member, url) == 1
    held = hold(CommentFactory(post=post, body_source="waiting"))
    assert counted(member, url) == 1
    services.decide(
        moderator=owner, items=[Seen.parse(token(held))], decision="approve"
    )
    assert counted(member, url) == 2
    services.undo(moderator=owner, entry_id=held.audit_entries.get().pk)
    assert counted(member, url) == 1
    journal_services.delete_own_comment(comment=mine, user=reader)
    assert counted(member, url) == 0
    listing = member.get(post.journal.get_absolute_url()).content.decode()
    assert "0 comments" in listing


def test_a_kept_count_spares_the_page_counting_the_post(post, reader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CommentFactory(post=post)
    member = Client()
    member.force_login(reader)
    member.get(post.get_absolute_url())  # counts once, and keeps the count

    with CaptureQueriesContext(connection) as queries:
        assert counted(member, post.get_absolute_url()) == 1
    post_queries = [q["sql"] for q in queries if 'FROM "journal_post"' in q["sql"]]
    assert post_queries and not any("journal_comment" in q for q in post_queries)


def test_readers_who_miss_a_page_at_once_wait_for_one_drawing_of_it():
    """Right after a change, one request draws the page; those arriving while
    it does are served what it stored instead of drawing it again."""
    import threading

    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from journal.pagecache import anonymous_pages

    drawn = []
    address = f"/?page={time.monotonic_ns()}"  # a page no other test stored

    @anonymous_pages("home")
    def slow_page(request):
        drawn.append(1)
        time.sleep(0.3)
        return HttpResponse(f"<p>drawn {len(drawn)}</p>")

    def visitor(pages: list) -> None:
        request = RequestFactory().get(address)
        request.user = AnonymousUser()
        pages.append(slow_page(request).content.decode())

    pages: list[str] = []
    readers = [threading.Thread(target=visitor, args=(pages,)) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()

    assert len(drawn) == 1
    assert pages == ["<p>drawn 1</p>"] * 4


def test_each_language_has_its_own_cached_page(post):
    """A page drawn in Russian is never served to an English reader."""
    url = post.get_absolute_url()
    for _ in range(2):
        Client().get(url, headers={"accept-language": "ru"})
    english = Client().get(url, headers={"accept-language": "en"})
    russian = Client().get(url, headers={"accept-language": "ru"})

    assert english.get("X-Page-Cache") is None and russian.get("X-Page-Cache") == "hit"
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="ru">' in russian.content.decode()
