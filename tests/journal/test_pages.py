"""The reader's pages: what a visitor sees and where links lead."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journal.models import Comment
from journal.services import save_post
from journal.threads import MAX_INDENT
from tests.factories import CommentFactory, JournalFactory, PostFactory, UserFactory
from tests.journal.html_tree import parse

pytestmark = pytest.mark.django_db


def test_home_lists_recent_posts_across_journals_newest_first(client):
    old = PostFactory(title="Old news", published_at=timezone.now() - timedelta(days=3))
    new = PostFactory(title="Fresh news")

    page = client.get("/").content.decode()

    assert page.index(new.title) < page.index(old.title)
    assert new.journal.name in page and old.journal.name in page


def test_journal_page_lists_its_posts_newest_first_ten_a_page(client, journal):
    now = timezone.now()
    for day in range(12):
        PostFactory(
            journal=journal,
            title=f"Day {day:02d}",
            published_at=now - timedelta(days=day),
        )
    PostFactory(title="Someone else's post")

    first = client.get(f"/{journal.name}/").content.decode()
    second = client.get(f"/{journal.name}/?page=2").content.decode()

    assert first.index("Day 00") < first.index("Day 09")
    assert "Day 10" not in first and "Day 10" in second and "Day 11" in second
    assert "Someone else" not in first + second
    assert "Page 1 of 2" in first


def test_post_page_shows_byline_title_body_tags_comments_then_form(
    client, journal, post, make_comment
):
    post.body_source = "<p>Quay <b>lights</b></p>"
    save_post(post=post, tag_names=["city life", "editor's choice"])
    make_comment(post=post, body_source="First!")

    response = client.get(post.get_absolute_url())
    page = response.content.decode()

    assert response.status_code == 200
    assert "Olga Owner</a>\n    (<a" in page and f">{journal.name}</a>) wrote," in page
    assert "<p>Quay <b>lights</b></p>" in page
    assert 'Tags: <a href="/harbour/tag/city-life/" rel="tag">city life</a>' in page
    assert (
        '<a href="/harbour/tag/editors-choice/" rel="tag">editor&#x27;s choice</a>'
        in page
    )
    assert (
        page.index("wrote,")
        < page.index(f'<h1 class="post-title">{post.title}')
        < page.index("Tags:")
    )
    assert page.index("Tags:") < page.index("First!") < page.index("Post a new comment")


def test_tag_page_lists_only_this_journals_posts_with_the_tag(client, journal):
    tagged = save_post(
        post=PostFactory.build(journal=journal, title="Tagged"),
        tag_names=["editor's choice"],
    )
    save_post(
        post=PostFactory.build(journal=journal, title="Untagged"), tag_names=["other"]
    )
    elsewhere = JournalFactory()
    save_post(
        post=PostFactory.build(journal=elsewhere, title="Elsewhere"),
        tag_names=["editor's choice"],
    )

    response = client.get(f"/{journal.name}/tag/editors-choice/")
    page = response.content.decode()

    assert response.status_code == 200
    assert tagged.title in page
    assert "Untagged" not in page and "Elsewhere" not in page
    assert client.get(f"/{elsewhere.name}/tag/other/").status_code == 404


def test_comments_carry_their_anchor_link_and_reply_action(client, post, make_comment):
    comment = make_comment(post=post, author=UserFactory(display_name="Mira Okafor"))

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    item = tree.by_id(f"t{comment.pk}")
    link = item.find(
        "a", href=f"{post.get_absolute_url()}?thread={comment.pk}#t{comment.pk}"
    )
    reply = item.find(
        "a", href=f"{post.get_absolute_url()}?replyto={comment.pk}#add-comment"
    )
    # Named after their comment for a screen reader; the visible word comes first.
    assert link.text() == "Link to Mira Okafor's comment"
    assert reply.text() == "Reply to Mira Okafor's comment"
    assert (
        reply.find("span", cls="visually-hidden").text() == "to Mira Okafor's comment"
    )


def test_thread_link_shows_only_that_sub_thread_below_its_parent(
    client, post, make_comment
):
    root = make_comment(post=post, body_source="root text")
    branch = make_comment(post=post, parent=root, body_source="branch text")
    leaf = make_comment(post=post, parent=branch, body_source="leaf text")
    sibling = make_comment(post=post, parent=root, body_source="sibling text")
    other_root = make_comment(post=post, body_source="other root text")

    page = client.get(f"{post.get_absolute_url()}?thread={branch.pk}").content.decode()
    tree = parse(page)

    assert "branch text" in page and "leaf text" in page
    for hidden in (sibling, other_root):
        assert hidden.body_source not in page
    # The comment answered is shown above, as context, not as part of the list.
    context = tree.find(cls="thread-context")
    assert "In reply to" in context.text() and "root text" in context.text()
    assert "root text" not in tree.find("ol", cls="comment-list").text()
    assert tree.by_id(f"t{root.pk}") is None
    leaf_item = tree.by_id(f"t{leaf.pk}")
    assert leaf_item.attrs["data-depth"] == "2"
    assert leaf_item.closest("li") is tree.by_id(f"t{branch.pk}")
    assert "Show all comments" in page


def test_replies_are_nested_in_their_parents_item_in_display_order(
    client, post, make_comment
):
    first = make_comment(post=post, body_source="first root")
    second = make_comment(post=post, body_source="second root")
    reply = make_comment(post=post, parent=first, body_source="reply to first")
    nested = make_comment(post=post, parent=reply, body_source="nested reply")

    page = client.get(post.get_absolute_url()).content.decode()
    tree = parse(page)

    order = [page.index(c.body_source) for c in (first, reply, nested, second)]
    assert order == sorted(order)
    top_list = tree.find("ol", cls="comment-list")
    assert [li.attrs["id"] for li in top_list.children if not isinstance(li, str)] == [
        f"t{first.pk}",
        f"t{second.pk}",
    ]
    nested_item = tree.by_id(f"t{nested.pk}")
    assert nested_item.attrs["data-depth"] == "2"
    assert [li.attrs["id"] for li in nested_item.ancestors() if li.tag == "li"] == [
        f"t{reply.pk}",
        f"t{first.pk}",
    ]
    assert (
        nested_item.parent.tag == "ol"
        and "comment-replies" in nested_item.parent.classes
    )


def test_deep_threads_stop_indenting_past_the_maximum(client, post, make_comment):
    parent = None
    chain = []
    for depth in range(MAX_INDENT + 3):
        parent = make_comment(post=post, parent=parent, body_source=f"depth {depth}")
        chain.append(parent)

    tree = parse(client.get(post.get_absolute_url()).content.decode())

    def replies_list_of(comment):
        return tree.by_id(f"t{comment.pk}").find("ol", cls="comment-replies")

    assert "comment-replies-flat" not in replies_list_of(chain[MAX_INDENT - 1]).classes
    for comment in chain[MAX_INDENT:-1]:
        assert "comment-replies-flat" in replies_list_of(comment).classes
    assert tree.by_id(f"t{chain[-1].pk}").attrs["data-depth"] == str(MAX_INDENT + 2)


def test_a_page_holds_25_top_level_threads_and_links_to_the_later_ones(
    client, post, make_comment
):
    roots = [make_comment(post=post, body_source=f"root {i:02d}") for i in range(30)]
    make_comment(post=post, parent=roots[27], body_source="deep reply")

    first = client.get(post.get_absolute_url()).content.decode()
    more = parse(first).find("li", cls="comment-more-threads").find("a")
    second = client.get(more.attrs["href"]).content.decode()

    assert (
        more.attrs["href"] == f"{post.get_absolute_url()}?after={roots[24].pk}#comments"
    )
    assert more.text() == "More threads: 6 more comments — expand"
    assert "root 24" in first and "root 25" not in first
    assert "root 25" in second and "root 29" in second and "root 00" not in second
    assert "deep reply" in second and "deep reply" not in first
    assert first.count('class="comment ') == 25
    assert "comment-more" not in second and "Show the first threads" in second


def test_commenter_without_userpic_gets_the_default_and_anonymous_get_their_name(
    client, post, make_comment
):
    make_comment(post=post, author=UserFactory(display_name="Pat Nopic"))
    make_comment(post=post, author=None, author_name="Visitor Vic")

    page = client.get(post.get_absolute_url()).content.decode()

    assert page.count("/static/img/default-userpic.svg") >= 2
    assert "Pat Nopic" in page and "Visitor Vic" in page


@pytest.mark.parametrize(
    "url",
    [
        "/harbour/999999.html",
        "/harbour/99999999999999999999999999.html",
        "/no_such_journal/",
        "/Harbour News/",
        "/harbour/tag/no-such-tag/",
        "/harbour/{post}.html?thread=abc",
        "/harbour/{post}.html?thread=999999",
        "/harbour/{post}.html?thread=99999999999999999999999",
        "/harbour/{post}.html?replyto=-4",
        "/harbour/{post}.html?thread={other_comment}",
        "/other_journal/{post}.html",
        "/harbour/{post}.htm",
    ],
)
def test_odd_addresses_get_a_plain_404(client, post, url):
    other_post = PostFactory(journal=JournalFactory(name="other_journal"))
    other_comment = CommentFactory(post=other_post)

    response = client.get(url.format(post=post.pk, other_comment=other_comment.pk))

    assert response.status_code == 404


def test_odd_page_numbers_fall_back_to_a_real_page(client, post, make_comment):
    make_comment(post=post, body_source="only comment")

    for page in ("zzz", "0", "-1", "999"):
        response = client.get(f"{post.get_absolute_url()}?page={page}")
        assert response.status_code == 200
        assert "only comment" in response.content.decode()


def test_only_published_comments_are_shown(client, post, make_comment):
    make_comment(post=post, body_source="visible one")
    hidden = make_comment(post=post, body_source="held one")
    Comment.objects.filter(pk=hidden.pk).update(state="held")

    page = client.get(post.get_absolute_url()).content.decode()

    assert "visible one" in page and "held one" not in page
    assert "1 comment<" in page
