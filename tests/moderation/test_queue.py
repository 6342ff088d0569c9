"""The queue page: tabs, counts, filters, what each item shows, paging, access."""

import pytest

from journal.models import Comment, CommentState
from moderation import services
from moderation.models import AuthorRestriction, Report
from moderation.services import Seen
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.two_journals import WORD_REASON, hold, token

pytestmark = pytest.mark.django_db


def test_held_tab_lists_oldest_first_with_counts_per_tab_and_journal(
    client, mod_a, post_a, author
):
    first = hold(CommentFactory(post=post_a, author=author, body_source="older one"))
    second = hold(CommentFactory(post=post_a, author=author, body_source="newer one"))
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert page.index("older one") < page.index("newer one")
    assert (
        'aria-current="page" class="current">Held '
        '<span class="count" data-count="held">2</span>'
    ) in page
    assert "<td>alpha</a></td><td>2</td><td>0</td>" in page.replace(
        '<td><a href="?tab=held&amp;journal=alpha">', "<td>"
    )
    assert f'value="{token(first)}"' in page and f'value="{token(second)}"' in page


def test_each_item_shows_the_comment_its_context_reasons_and_author_record(
    client, mod_a, post_a, author, journal_a
):
    parent = CommentFactory(post=post_a, body_source="the parent says hello")
    CommentFactory(post=post_a, author=author)  # a published one on record
    comment = hold(
        CommentFactory(
            post=post_a,
            parent=parent,
            author=author,
            subject="Subj",
            body_source="Get FREE money now",
        ),
        WORD_REASON,
    )
    AuthorRestriction.objects.create(journal=journal_a, user=author, kind="screen")
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert "Get FREE money now" in page and "Subj" in page and "Wendy Writer" in page
    assert "Post in alpha" in page and "the parent says hello" in page
    assert "The comment contains “FREE money”, which a moderator reviews first" in page
    assert (
        "matched <mark>FREE money</mark> ↔ list entry <mark>free money</mark>" in page
    )
    assert "Wendy Writer in this journal: 1 published, 0 rejected, 0 spam" in page
    assert "<strong>screened</strong>" in page
    assert f"#{comment.pk}" in page


def test_filters_by_journal_post_rule_and_author(client, journal_a, post_a, author):
    other_post = PostFactory(journal=journal_a, title="Second post")
    by_link = hold(CommentFactory(post=post_a, author=author, body_source="link one"))
    by_word = hold(
        CommentFactory(post=other_post, author=author, body_source="word one"),
        WORD_REASON,
    )
    stranger = hold(
        CommentFactory(
            post=post_a, author=UserFactory(username="zed"), body_source="zed one"
        )
    )
    client.force_login(journal_a.owner)

    def shown(query):
        page = client.get(f"/moderation/?{query}").content.decode()
        return {
            c.body_source for c in (by_link, by_word, stranger) if c.body_source in page
        }

    assert shown("journal=alpha") == {"link one", "word one", "zed one"}
    assert shown(f"post={other_post.pk}") == {"word one"}
    assert shown("rule=words.held") == {"word one"}
    assert shown("rule=links.too_many") == {"link one", "zed one"}
    assert shown("author=zed") == {"zed one"}
    assert shown("rule=not.a.rule") == {"link one", "word one", "zed one"}


def test_keyset_pages_of_fifty_in_both_directions(client, mod_a, post_a, author):
    comments = CommentFactory.create_batch(120, post=post_a, author=author)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(
        state=CommentState.HELD
    )
    ids = sorted(c.pk for c in comments)
    client.force_login(mod_a)

    first = client.get("/moderation/").content.decode()
    second = client.get(f"/moderation/?tab=held&after={ids[49]}").content.decode()
    back = client.get(f"/moderation/?tab=held&before={ids[50]}").content.decode()

    def listed(page):
        return [i for i in ids if f'id="q{i}"' in page]

    assert listed(first) == ids[:50]
    assert listed(second) == ids[50:100]
    assert listed(back) == ids[:50]
    assert f"after={ids[49]}" in first and f"before={ids[50]}" in second


@pytest.mark.parametrize("count", [10, 60])
def test_a_queue_page_costs_the_same_queries_however_many_items(
    client, mod_a, post_a, django_assert_num_queries, count
):
    authors = [UserFactory() for _ in range(count)]
    for author in authors:
        hold(
            CommentFactory(
                post=post_a, author=author, parent=CommentFactory(post=post_a)
            )
        )
    client.force_login(mod_a)

    # The user (the session is read from the cache), journals with their
    # held/reported/decided counts, the page of items (with post, journal,
    # author, parent), and the authors' records. The top bar's Queue badge
    # reuses the page's own count.
    with django_assert_num_queries(4):
        response = client.get("/moderation/")

    assert response.content.decode().count('class="queue-item"') == min(count, 50)


def test_queue_counts_are_exact_up_to_the_cap_then_say_more(
    client, mod_a, post_a, monkeypatch
):
    from moderation import queue

    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    for _ in range(3):
        hold(CommentFactory(post=post_a))
    client.force_login(mod_a)
    page = client.get("/moderation/").content.decode()
    assert 'Held <span class="count" data-count="held">3</span>' in page

    hold(CommentFactory(post=post_a))
    page = client.get("/moderation/").content.decode()
    assert 'Held <span class="count" data-count="held">3+</span>' in page
    # Every held comment is still in the list; only the count stops.
    assert page.count('class="queue-item"') == 4


def test_reported_tab_lists_flagged_published_comments_with_the_reports(
    client, mod_a, post_a, author
):
    comment = CommentFactory(post=post_a, author=author, body_source="rude words")
    for reason in ("offensive", "personal_attack"):
        services.report_comment(
            comment=comment, reporter=UserFactory(), reason=reason, note="please look"
        )
    client.force_login(mod_a)

    page = client.get("/moderation/?tab=reported").content.decode()

    assert "rude words" in page
    assert "Reported as <strong>offensive</strong>" in page
    assert "Reported as <strong>personal attack</strong>" in page
    assert 'Reported <span class="count" data-count="reported">1</span>' in page


def test_dismissing_reports_keeps_them_and_empties_the_tab(
    client, mod_a, post_a, author
):
    comment = CommentFactory(post=post_a, author=author, body_source="fine words")
    services.report_comment(comment=comment, reporter=UserFactory(), reason="spam")
    client.force_login(mod_a)

    response = client.post(
        "/moderation/act/",
        {"act": f"dismiss:{token(comment)}", "next": "/moderation/?tab=reported"},
        follow=True,
    )

    assert "1 report dismissed." in response.content.decode()
    assert "fine words" not in response.content.decode()
    report = Report.objects.get()
    assert report.dismissed_by == mod_a and report.dismissed_at is not None
    assert comment.audit_entries.get().action == "report.dismiss"


def test_decided_tab_shows_recent_decisions_newest_first_with_undo(
    client, mod_a, post_a, author
):
    first = hold(CommentFactory(post=post_a, author=author))
    second = hold(CommentFactory(post=post_a, author=author))
    services.decide(
        moderator=mod_a, items=[Seen.parse(token(first))], decision="approve"
    )
    services.decide(moderator=mod_a, items=[Seen.parse(token(second))], decision="spam")
    client.force_login(mod_a)

    page = client.get("/moderation/?tab=decided").content.decode()

    assert page.index("comment.spam") < page.index("comment.approve")
    assert page.count(">Undo<span") == 2
    assert "held → spam" in page


@pytest.mark.parametrize(
    "url",
    [
        "/moderation/?journal=beta",
        "/moderation/?post={post_b}",
        "/moderation/?tab=decided&journal=beta",
    ],
)
def test_a_moderator_of_one_journal_gets_404_for_anothers_queue(
    client, mod_a, post_b, url
):
    client.force_login(mod_a)

    assert client.get(url.format(post_b=post_b.pk)).status_code == 404


def test_other_journals_items_never_appear(client, mod_a, held_a, held_b):
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert "held in alpha" in page and "held in beta" not in page


def test_people_who_moderate_nothing_get_404_and_visitors_must_log_in(client, held_a):
    anonymous = client.get("/moderation/")
    client.force_login(UserFactory())
    reader = client.get("/moderation/")

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert reader.status_code == 404


def test_superusers_see_every_journal(client, held_a, held_b):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    page = client.get("/moderation/").content.decode()

    assert "held in alpha" in page and "held in beta" in page


def test_bad_numbers_in_the_address_are_404(client, mod_a):
    client.force_login(mod_a)

    for query in ("post=abc", "after=-1", "before=9" * 30):
        assert client.get(f"/moderation/?{query}").status_code == 404


def test_keyboard_script_is_a_static_file_and_the_page_has_no_inline_script(
    client, mod_a, held_a
):
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert '<script src="/static/js/queue.js" defer></script>' in page
    assert "<script>" not in page
    assert 'data-action="approve"' in page and 'data-action="reject"' in page


def test_queue_items_escape_what_people_wrote(client, mod_a, post_a):
    author = UserFactory(display_name='<img src=x onerror="alert(1)">Eve')
    parent = CommentFactory(post=post_a, author=UserFactory(display_name="<b>Pa</b>"))
    comment = hold(
        CommentFactory(
            post=post_a, author=author, parent=parent, subject="<script>s()</script>"
        )
    )
    client.force_login(mod_a)

    page = client.get("/moderation/").content.decode()

    assert f'id="q{comment.pk}"' in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Eve" in page
    assert "Replying to &lt;b&gt;Pa&lt;/b&gt;:" in page
    assert "&lt;script&gt;s()&lt;/script&gt;" in page
    assert "<script>s()" not in page and 'onerror="alert(1)"' not in page
