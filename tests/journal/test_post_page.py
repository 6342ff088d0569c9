"""The post page as a reader, a moderator and a screen reader meet it (issue 15):
a refused comment comes back in view with its text, frozen threads look
frozen, replies keep their context, a deleted thread can be undone from where
the moderator lands, a report shows, a preview shows what will be stored, and
the lists say who answers whom."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from journal import plugins, threads
from journal.models import Comment, CommentState
from moderation.models import AuditEntry, Report, WordRule
from tests.factories import CommentFactory, UserFactory, human_form_fields
from tests.journal.html_tree import parse

pytestmark = pytest.mark.django_db

FROZEN_SENTENCE = "This thread is frozen: no new replies."


def comment_url(post):
    return f"/{post.journal.name}/{post.pk}/comment/"


def page_tree(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return parse(response.content.decode())


def title(tree) -> str:
    return tree.find("title").text()


def typed_body(tree) -> str:
    return tree.find("textarea", name="body").text()


@pytest.fixture
def blocked(journal):
    WordRule.objects.create(journal=journal, phrase="casino", kind="block")


# 1. A refused comment: in view, reloadable, the text kept ---------------------


def test_a_refused_comment_comes_back_with_the_reason_first_and_the_text_kept(
    reader_client, post, blocked
):
    response = reader_client.post(
        comment_url(post), {"subject": "Tonight", "body": "Meet me at the CASINO"}
    )

    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#error-summary"
    tree = page_tree(reader_client, response["Location"])
    assert title(tree).startswith("Error: ")
    form_area = tree.by_id("add-comment")
    summary = tree.by_id("error-summary")
    # The summary comes first in the form's section, ready to take focus.
    assert summary.closest("section") is form_area
    first = [node for node in form_area.elements() if node.tag in ("div", "form")][0]
    assert first is summary
    assert summary.attrs["role"] == "alert"
    assert summary.attrs["tabindex"] == "-1" and "autofocus" in summary.attrs
    assert "“CASINO” is not allowed in this journal" in summary.text()
    assert typed_body(tree) == "Meet me at the CASINO"
    assert tree.find("input", name="subject").attrs["value"] == "Tonight"
    # post.js moves focus to the summary (autofocus does not, with a #target).
    assert "defer" in tree.find("script", src="/static/js/post.js").attrs
    assert not Comment.objects.exists()


def test_reloading_the_refused_comment_shows_it_again(reader_client, post, blocked):
    response = reader_client.post(comment_url(post), {"body": "CASINO nights"})

    first = reader_client.get(response["Location"]).content.decode()
    again = reader_client.get(response["Location"]).content.decode()

    for page in (first, again):
        tree = parse(page)
        assert "“CASINO” is not allowed" in tree.by_id("error-summary").text()
        assert typed_body(tree) == "CASINO nights"
        assert title(tree).startswith("Error: ")


@pytest.mark.parametrize(
    ("setup", "sentence"),
    [
        ("rate", "You are commenting too fast: try again in"),
        ("frozen", "This thread is frozen"),
        ("empty", "Write something before posting."),
    ],
)
def test_a_refused_reply_comes_back_right_under_the_comment_it_answers(
    reader_client, post, setup, sentence
):
    parent = CommentFactory(post=post, body_source="the comment answered")
    CommentFactory(post=post, parent=parent, body_source="an earlier reply")
    body = "my reply"
    if setup == "rate":
        post.journal.rate_limit_per_minute = 1
        post.journal.save()
        reader_client.post(comment_url(post), {"body": "first, which counts"})
    elif setup == "frozen":
        Comment.objects.filter(pk=parent.pk).update(frozen=True)
    else:
        body = ""

    response = reader_client.post(
        comment_url(post), {"body": body, "parent": parent.pk}
    )

    assert response.status_code == 303
    assert response["Location"] == (
        f"{post.get_absolute_url()}?replyto={parent.pk}#error-summary"
    )
    tree = page_tree(reader_client, response["Location"])
    form_area = tree.by_id("add-comment")
    assert form_area.closest("li") is tree.by_id(f"t{parent.pk}")
    assert sentence in tree.by_id("error-summary").text()
    assert tree.find("input", name="parent").attrs["value"] == str(parent.pk)
    assert typed_body(tree) == body
    assert not Comment.objects.filter(body_source="my reply").exists()


def test_posting_the_kept_text_clears_the_draft(reader_client, post):
    refused = reader_client.post(comment_url(post), {"subject": "Hi", "body": " "})
    assert "error-summary" in reader_client.get(refused["Location"]).content.decode()

    posted = reader_client.post(comment_url(post), {"subject": "Hi", "body": "Now!"})

    assert posted.status_code == 302
    tree = page_tree(reader_client, post.get_absolute_url())
    assert tree.by_id("error-summary") is None
    assert not title(tree).startswith("Error")
    assert typed_body(tree) == ""
    assert tree.find("input", name="subject").attrs.get("value") is None
    assert tree.find("button", name="discard") is None


def test_discard_drops_the_draft(reader_client, post, blocked):
    refused = reader_client.post(comment_url(post), {"body": "CASINO"})
    tree = page_tree(reader_client, refused["Location"])
    assert tree.find("button", name="discard").text() == "Discard"

    response = reader_client.post(comment_url(post), {"body": "CASINO", "discard": "1"})

    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#add-comment"
    tree = page_tree(reader_client, response["Location"])
    assert "Your draft was discarded." in tree.find(cls="messages").text()
    assert tree.by_id("error-summary") is None and typed_body(tree) == ""
    assert not Comment.objects.exists()


def test_a_draft_shows_only_in_the_form_it_was_written_in(
    reader_client, post, make_comment
):
    other_comment = make_comment(post=post)
    refused = reader_client.post(comment_url(post), {"subject": "typed", "body": ""})
    assert refused["Location"] == f"{post.get_absolute_url()}#error-summary"

    reply_form = page_tree(
        reader_client, f"{post.get_absolute_url()}?replyto={other_comment.pk}"
    )
    new_comment_form = page_tree(reader_client, post.get_absolute_url())

    assert reply_form.by_id("error-summary") is None
    assert reply_form.find("input", name="subject").attrs.get("value") is None
    assert new_comment_form.by_id("error-summary") is not None
    assert new_comment_form.find("input", name="subject").attrs["value"] == "typed"


def test_another_visitor_never_sees_a_draft(reader_client, post, blocked):
    reader_client.post(comment_url(post), {"body": "CASINO secrets"})

    page = Client().get(post.get_absolute_url()).content.decode()

    assert "CASINO secrets" not in page and "error-summary" not in page


def test_an_anonymous_visitor_gets_a_fresh_challenge_and_can_then_post(client, post):
    fields = {"body": "Too quick", **human_form_fields(post, seconds_ago=0)}
    refused = client.post(comment_url(post), fields)

    tree = page_tree(client, refused["Location"])
    fresh = tree.find("input", name="started").attrs["value"]

    assert fresh != fields["started"]
    assert "faster than a person can type" in tree.by_id("error-summary").text()
    assert typed_body(tree) == "Too quick"
    # Posting what the form now holds works once a person's few seconds passed.
    posted = client.post(
        comment_url(post),
        {"body": "Too quick", **human_form_fields(post, seconds_ago=10)},
    )
    assert posted.status_code == 302
    assert Comment.objects.get().body_source == "Too quick"


def test_the_comment_box_is_required_and_says_how_long_it_may_be(reader_client, post):
    tree = page_tree(reader_client, post.get_absolute_url())

    box = tree.find("textarea", name="body")
    assert "required" in box.attrs
    assert box.attrs["maxlength"] == "20000"
    hint = tree.by_id(box.attrs["aria-describedby"])
    assert hint.text().startswith("Up to 20,000 characters.")


def test_the_json_api_keeps_its_own_status_codes(reader, post, as_user, blocked):
    api = as_user(reader)

    response = api.post(
        f"/api/posts/{post.pk}/comments/", {"body": "CASINO"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "words.blocked"


# 2. Help and errors tied to their fields -----------------------------------------


def assert_descriptions_resolve(tree) -> list:
    """Every aria-describedby names elements on the page; invalid fields say so
    and name their error. Returns the described controls."""
    described = [node for node in tree.elements() if node.attrs.get("aria-describedby")]
    for control in described:
        for ref in control.attrs["aria-describedby"].split():
            assert tree.by_id(ref) is not None, f"{control}: no element #{ref}"
    for control in tree.elements():
        if control.attrs.get("aria-invalid") == "true":
            assert f"{control.attrs['id']}_error" in control.attrs["aria-describedby"]
    return described


def test_the_comment_forms_help_and_errors_are_tied_to_their_fields(
    reader_client, post
):
    refused = reader_client.post(comment_url(post), {"body": "", "subject": "x" * 200})
    tree = page_tree(reader_client, refused["Location"])

    assert_descriptions_resolve(tree)
    body = tree.find("textarea", name="body")
    subject = tree.find("input", name="subject")
    assert body.attrs["aria-invalid"] == "true"
    assert body.attrs["aria-describedby"] == "id_body_helptext id_body_error"
    assert tree.by_id("id_body_error").text() == "Write something before posting."
    assert subject.attrs["aria-invalid"] == "true"
    assert "at most 100 characters" in tree.by_id("id_subject_error").text()
    # The summary's entries lead to the fields.
    links = {a.attrs["href"] for a in tree.by_id("error-summary").find_all("a")}
    assert links == {"#id_body", "#id_subject"}


def test_signup_and_login_tie_help_and_errors_to_their_fields(client, reader):
    signup = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "not an address",
            "password1": "a-long-pass-phrase-2026",
            "password2": "something else",
        },
    )
    tree = parse(signup.content.decode())

    described = assert_descriptions_resolve(tree)
    assert title(tree).startswith("Error: ")
    assert {node.attrs["name"] for node in described} >= {"email", "password2"}
    email = tree.find("input", name="email")
    assert email.attrs["aria-invalid"] == "true"
    assert tree.by_id("id_email_error").text() == "Enter a valid email address."
    assert tree.by_id("id_password1_helptext") is not None

    login = client.post(
        "/accounts/login/", {"username": "reader", "password": "wrong-password"}
    )
    tree = parse(login.content.decode())
    assert_descriptions_resolve(tree)
    assert title(tree).startswith("Error: ")
    assert "correct username and password" in tree.find(cls="form-errors").text()


def test_the_account_page_ties_help_text_to_its_fields(reader_client):
    tree = page_tree(reader_client, "/accounts/me/")

    described = assert_descriptions_resolve(tree)

    assert described  # the e-mail address and the userpic have help
    assert not title(tree).startswith("Error")


# 3. Frozen threads look frozen ---------------------------------------------------


@pytest.fixture
def frozen_thread(post):
    root = CommentFactory(post=post, body_source="root")
    frozen = CommentFactory(post=post, parent=root, body_source="frozen here")
    below = CommentFactory(post=post, parent=frozen, body_source="below it")
    sibling = CommentFactory(post=post, parent=root, body_source="open sibling")
    Comment.objects.filter(pk=frozen.pk).update(frozen=True)
    return {"root": root, "frozen": frozen, "below": below, "sibling": sibling}


def reply_link(tree, comment):
    return (
        tree.by_id(f"t{comment.pk}")
        .find(cls="comment-actions")
        .find(
            "a",
            href=f"{comment.post.get_absolute_url()}?replyto={comment.pk}#add-comment",
        )
    )


@pytest.mark.parametrize("query", ["", "?thread={frozen}", "?thread={below}"])
def test_a_frozen_thread_is_marked_and_offers_no_reply(
    reader_client, post, frozen_thread, query
):
    url = post.get_absolute_url() + query.format(
        **{name: c.pk for name, c in frozen_thread.items()}
    )
    tree = page_tree(reader_client, url)

    for name in ("frozen", "below"):
        comment = frozen_thread[name]
        item = tree.by_id(f"t{comment.pk}")
        if item is None:  # above the focus of a thread view
            continue
        assert "Frozen" in item.find(cls="comment-head").text()
        assert reply_link(tree, comment) is None
    for name in ("root", "sibling"):
        item = tree.by_id(f"t{frozen_thread[name].pk}")
        if item is not None:
            assert "Frozen" not in item.find(cls="comment-head").text()
            assert reply_link(tree, frozen_thread[name]) is not None


@pytest.mark.parametrize("name", ["frozen", "below"])
def test_replying_under_a_frozen_thread_says_why_instead_of_a_form(
    reader_client, post, frozen_thread, name
):
    target = frozen_thread[name]

    tree = page_tree(reader_client, f"{post.get_absolute_url()}?replyto={target.pk}")

    form_area = tree.by_id("add-comment")
    assert FROZEN_SENTENCE in form_area.text()
    assert form_area.find("textarea") is None and form_area.find("form") is None
    assert form_area.closest("li") is tree.by_id(f"t{target.pk}")


def test_replying_in_an_open_branch_beside_a_frozen_one_shows_the_form(
    reader_client, post, frozen_thread
):
    target = frozen_thread["sibling"]

    tree = page_tree(reader_client, f"{post.get_absolute_url()}?replyto={target.pk}")

    assert FROZEN_SENTENCE not in tree.text()
    assert tree.by_id("add-comment").find("textarea", name="body") is not None


def test_the_frozen_state_above_a_focus_costs_no_query(
    client, post, frozen_thread, django_assert_num_queries
):
    below = frozen_thread["below"]
    with django_assert_num_queries(4):
        page = client.get(f"{post.get_absolute_url()}?replyto={below.pk}")
    assert FROZEN_SENTENCE in page.content.decode()


# 4. Replies keep their context ---------------------------------------------------


def test_the_reply_form_sits_right_under_the_comment_answered(
    reader_client, post, make_comment
):
    parent = make_comment(post=post, body_source="answer me")
    earlier = make_comment(post=post, parent=parent, body_source="earlier reply")

    tree = page_tree(reader_client, f"{post.get_absolute_url()}?replyto={parent.pk}")

    item = tree.by_id(f"t{parent.pk}")
    form_area = tree.by_id("add-comment")
    assert form_area.closest("li") is item
    children = [node for node in item.children if not isinstance(node, str)]
    replies = item.find("ol", cls="comment-replies")
    # After the comment itself, before its replies.
    assert children.index(form_area) < children.index(replies)
    assert tree.by_id(f"t{earlier.pk}").closest("ol") is replies
    assert "Reply to" in form_area.find("h3").text()
    assert len(tree.find_all(id="add-comment")) == 1


def test_after_posting_a_reply_the_thread_view_shows_what_it_answers(
    reader_client, post, make_comment
):
    root = make_comment(post=post, body_source="the root")
    parent = make_comment(
        post=post,
        parent=root,
        author=UserFactory(display_name="Mira Okafor"),
        subject="Lanterns",
        body_source="the <b>parent</b>",
    )

    posted = reader_client.post(
        comment_url(post), {"body": "my answer", "parent": parent.pk}
    )
    reply = Comment.objects.get(body_source="my answer")
    assert posted["Location"] == reply.get_absolute_url()
    tree = page_tree(reader_client, posted["Location"])

    context = tree.find(cls="thread-context")
    assert "In reply to Mira Okafor: “Lanterns”" in context.text()
    assert context.find(cls="comment-body").text() == "the parent"
    links = {a.text(): a.attrs["href"] for a in context.find_all("a")}
    assert links == {
        "Parent": f"{post.get_absolute_url()}?thread={parent.pk}#t{parent.pk}",
        "Thread": f"{post.get_absolute_url()}?thread={root.pk}#t{root.pk}",
    }
    # The context sits above the focus, which heads the list.
    page = str(reader_client.get(posted["Location"]).content.decode())
    assert page.index("thread-context") < page.index(f'id="t{reply.pk}"')


def test_a_parent_the_viewer_may_not_read_shows_as_its_placeholder(
    client, post, make_comment
):
    parent = make_comment(post=post, body_source="held words")
    reply = make_comment(post=post, parent=parent, body_source="visible reply")
    Comment.objects.filter(pk=parent.pk).update(state=CommentState.HELD)

    tree = page_tree(client, reply.get_absolute_url())

    context = tree.find(cls="thread-context")
    assert "Comment awaiting moderation" in context.text()
    assert "held words" not in tree.text()


def test_a_top_level_focus_has_no_parent_to_show(client, post, make_comment):
    root = make_comment(post=post)

    tree = page_tree(client, root.get_absolute_url())

    assert tree.find(cls="thread-context") is None


@pytest.mark.parametrize("view", ["thread", "replyto"])
def test_a_deep_focus_with_its_parent_costs_the_same_queries(
    reader_client, post, make_comment, django_assert_num_queries, view
):
    parent = None
    for depth in range(5):
        parent = make_comment(post=post, parent=parent, body_source=f"depth {depth}")
    url = f"{post.get_absolute_url()}?{view}={parent.pk}"

    with django_assert_num_queries(4):
        assert Client().get(url).status_code == 200
    with django_assert_num_queries(6):
        assert reader_client.get(url).status_code == 200


# 5. Moderators after "Delete thread" --------------------------------------------


@pytest.fixture
def moderator_client(client, journal):
    moderator = UserFactory(username="mod", display_name="Dan Moderator")
    journal.moderators.add(moderator)
    client.force_login(moderator)
    return client


def test_a_moderator_who_deletes_a_thread_lands_on_the_post_with_undo(
    moderator_client, post, make_comment
):
    root = make_comment(post=post, body_source="doomed root")
    make_comment(post=post, parent=root, body_source="doomed reply")
    survivor = make_comment(post=post, body_source="survivor")
    landing = f"{post.get_absolute_url()}#comments"

    response = moderator_client.post(f"/moderation/thread/{root.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == landing
    entry = AuditEntry.objects.get(action="thread.delete")
    tree = page_tree(moderator_client, landing)
    # Where the page lands: first in the comments, the sentence and its Undo.
    done = tree.find(cls="follow-up")
    assert done.closest("section") is tree.by_id("comments")
    assert done.attrs["role"] == "status"
    assert "Thread deleted: 2 comments removed from view." in done.text()
    undo = done.find("form")
    assert undo.attrs["action"] == f"/moderation/log/{entry.pk}/undo/"
    assert undo.find("input", name="next").attrs["value"] == landing
    button = undo.find("button")
    assert button.text() == "Undo"
    assert "Thread deleted" in tree.by_id(button.attrs["aria-describedby"]).text()
    # Moderators still see what was removed, marked so.
    removed = tree.by_id(f"t{root.pk}")
    assert removed.attrs["data-state"] == "removed"
    assert "Removed by a moderator." in removed.own_text()
    assert "doomed root" in removed.own_text()
    assert tree.by_id(f"t{survivor.pk}") is not None
    # Shown once, like a message.
    assert page_tree(moderator_client, landing).find(cls="follow-up") is None

    undone = moderator_client.post(undo.attrs["action"], {"next": landing})

    assert undone["Location"] == landing
    assert set(post.comments.values_list("state", flat=True)) == {"published"}
    tree = page_tree(moderator_client, landing)
    assert tree.by_id(f"t{root.pk}").attrs["data-state"] == "published"


def test_readers_see_only_a_placeholder_where_a_removed_thread_keeps_a_reply(
    moderator_client, post, make_comment
):
    root = make_comment(post=post, body_source="removed words")
    make_comment(post=post, parent=root, body_source="also removed")
    moderator_client.post(f"/moderation/thread/{root.pk}/delete/")
    kept = make_comment(post=post, parent=root, body_source="written later")

    page = Client().get(post.get_absolute_url()).content.decode()

    assert "Removed by a moderator" in page and "written later" in page
    assert "removed words" not in page and "also removed" not in page
    assert f'id="t{kept.pk}"' in page


def test_an_undo_offered_for_one_post_does_not_show_on_another(
    moderator_client, post, make_comment
):
    from tests.factories import PostFactory

    other = PostFactory(journal=post.journal)
    root = make_comment(post=post)
    moderator_client.post(f"/moderation/thread/{root.pk}/delete/")

    elsewhere = page_tree(moderator_client, other.get_absolute_url())

    assert elsewhere.find(cls="follow-up") is None


def test_freezing_a_thread_lands_on_that_thread_with_undo(
    moderator_client, post, make_comment
):
    root = make_comment(post=post)

    response = moderator_client.post(f"/moderation/thread/{root.pk}/freeze/")

    assert response["Location"] == (
        f"{post.get_absolute_url()}?thread={root.pk}#comments"
    )
    tree = page_tree(moderator_client, response["Location"])
    done = tree.find(cls="follow-up")
    assert "Thread frozen" in done.text()
    assert done.find("button").text() == "Undo"
    assert "Frozen" in tree.by_id(f"t{root.pk}").find(cls="comment-head").text()

    moderator_client.post(
        done.find("form").attrs["action"],
        {"next": done.find("input", name="next").attrs["value"]},
    )

    assert not Comment.objects.get(pk=root.pk).frozen


def test_a_thread_action_that_cannot_be_done_says_so_at_the_top(
    moderator_client, post, make_comment
):
    root = make_comment(post=post)
    Comment.objects.filter(pk=root.pk).update(frozen=True)

    response = moderator_client.post(f"/moderation/thread/{root.pk}/freeze/")

    assert response["Location"] == f"{post.get_absolute_url()}?thread={root.pk}"
    tree = page_tree(moderator_client, response["Location"])
    assert "already frozen" in tree.find(cls="messages").text()
    assert tree.find(cls="follow-up") is None


# 6. Report becomes "Reported" ----------------------------------------------------


def test_after_reporting_the_report_link_reads_reported(
    reader_client, post, make_comment
):
    reported = make_comment(post=post, author=UserFactory(display_name="Mira Okafor"))
    other = make_comment(post=post)

    response = reader_client.post(
        f"/moderation/report/{reported.pk}/", {"reason": "off_topic"}
    )
    tree = page_tree(reader_client, response["Location"])

    actions = tree.by_id(f"t{reported.pk}").find(cls="comment-actions")
    assert "Reported" in actions.text()
    assert actions.find("a", href=f"/moderation/report/{reported.pk}/") is None
    full = page_tree(reader_client, post.get_absolute_url())
    other_actions = full.by_id(f"t{other.pk}").find(cls="comment-actions")
    report = other_actions.find("a", href=f"/moderation/report/{other.pk}/")
    assert report.text().startswith("Report")


def test_another_reader_still_sees_report(client, post, make_comment):
    comment = make_comment(post=post)
    Report.objects.create(
        comment=comment,
        journal=post.journal,
        reporter=UserFactory(username="someone"),
        reason="spam",
    )
    client.force_login(UserFactory(username="another"))

    tree = page_tree(client, post.get_absolute_url())

    actions = tree.by_id(f"t{comment.pk}").find(cls="comment-actions")
    assert actions.find("a", href=f"/moderation/report/{comment.pk}/") is not None
    assert "Reported" not in actions.text()


def test_reported_costs_no_extra_query(
    reader_client, reader, post, make_comment, django_assert_num_queries
):
    comments = [make_comment(post=post) for _ in range(3)]
    for comment in comments[:2]:
        Report.objects.create(
            comment=comment, journal=post.journal, reporter=reader, reason="spam"
        )

    # User (the session comes from the cache), post, the page of comments (with
    # whether the viewer reported each), tags, and the top bar's Queue count.
    with django_assert_num_queries(5):
        page = reader_client.get(post.get_absolute_url()).content.decode()

    assert page.count('class="reader-note">Reported<') == 2


def test_without_the_plugin_the_page_asks_for_no_comment_annotations(
    monkeypatch, reader_client, post, make_comment
):
    monkeypatch.setattr(plugins, "installed", plugins.Unmoderated)
    make_comment(post=post)

    page = reader_client.get(post.get_absolute_url()).content.decode()

    assert "Report" not in page and "Reported" not in page
    assert plugins.Unmoderated().comment_annotations(AnonymousUser()) == {}


# 7. Layout -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/harbour/"])
def test_the_byline_has_no_spaces_inside_its_brackets(client, post, url):
    tree = page_tree(client, url)

    byline = tree.find(cls="post-byline")
    # One flex item, so the byline's gap cannot fall inside the brackets.
    names = [child for child in byline.children if not isinstance(child, str)]
    assert [child.tag for child in names] == ["img", "span"]
    assert names[1].text() == "Olga Owner (harbour)"


# 8. Preview ------------------------------------------------------------------------


def test_preview_shows_the_cleaned_comment_above_the_form_and_stores_nothing(
    reader_client, post
):
    typed = "<b>bold</b><script>alert(1)</script> and <a href='javascript:x'>a</a>"

    response = reader_client.post(comment_url(post), {"body": typed, "preview": "1"})

    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#preview"
    for _ in range(2):  # and again on reload
        page = reader_client.get(response["Location"]).content.decode()
        tree = parse(page)
        preview = tree.by_id("preview").find(cls="comment-body")
        assert preview.find("b").text() == "bold"
        assert preview.find("script") is None and "alert" not in preview.text()
        assert "javascript" not in str(preview.find("a").attrs)
        assert typed_body(tree) == typed
        assert tree.by_id("error-summary") is None
        assert not title(tree).startswith("Error")
        # Above the form, in the form's section.
        assert page.index('id="preview"') < page.index('name="body"')
    assert not Comment.objects.exists()
    # What was shown is what the write path then stores.
    posted = reader_client.post(comment_url(post), {"body": typed})
    assert posted.status_code == 302
    stored = Comment.objects.get().body_html
    assert f'<div class="comment-body">{stored}</div>' in page


def test_a_reply_preview_shows_under_its_comment(reader_client, post, make_comment):
    parent = make_comment(post=post)

    response = reader_client.post(
        comment_url(post), {"body": "*draft*", "parent": parent.pk, "preview": "1"}
    )

    assert response["Location"].endswith(f"?replyto={parent.pk}#preview")
    tree = page_tree(reader_client, response["Location"])
    assert tree.by_id("preview").closest("li") is tree.by_id(f"t{parent.pk}")


def test_an_anonymous_preview_keeps_its_challenge(client, post):
    fields = {"body": "a thought", **human_form_fields(post)}

    response = client.post(comment_url(post), {**fields, "preview": "1"})
    tree = page_tree(client, response["Location"])

    # Nothing was judged, so the challenge is still good: no new wait.
    assert tree.find("input", name="started").attrs["value"] == fields["started"]
    posted = client.post(comment_url(post), fields)
    assert posted.status_code == 302


def test_preview_runs_no_rule(reader_client, post, blocked):
    response = reader_client.post(comment_url(post), {"body": "CASINO", "preview": "1"})

    tree = page_tree(reader_client, response["Location"])
    assert tree.by_id("preview").text().endswith("CASINO")
    assert tree.by_id("error-summary") is None


# 9. Nested lists, names, skip links ----------------------------------------------


@pytest.mark.parametrize("query", ["", "?replyto={comment}", "?thread={comment}"])
def test_skip_links_lead_to_the_comments_and_the_form(client, post, query):
    comment = CommentFactory(post=post)
    tree = page_tree(client, post.get_absolute_url() + query.format(comment=comment.pk))

    skip = tree.find("nav", cls="skip-links")
    body = tree.find("body")
    assert [c for c in body.children if not isinstance(c, str)][0] is skip
    links = {a.text(): a.attrs["href"] for a in skip.find_all("a")}
    assert links == {
        "Skip to comments": "#comments",
        "Skip to the comment form": "#add-comment",
    }
    for target in links.values():
        assert tree.by_id(target[1:]) is not None


def test_every_comment_keeps_its_anchor_and_depth_in_the_nested_lists(
    client, post, make_comment
):
    root = make_comment(post=post)
    reply = make_comment(post=post, parent=root)
    deeper = make_comment(post=post, parent=reply)
    next_root = make_comment(post=post)

    tree = page_tree(client, post.get_absolute_url())

    items = tree.find_all("li", cls="comment")
    assert [(li.attrs["id"], li.attrs["data-depth"]) for li in items] == [
        (f"t{root.pk}", "0"),
        (f"t{reply.pk}", "1"),
        (f"t{deeper.pk}", "2"),
        (f"t{next_root.pk}", "0"),
    ]
    for li in items:
        depth = int(li.attrs["data-depth"])
        assert sum(1 for node in li.ancestors() if node.tag == "li") == depth


def test_layout_marks_frozen_comments_from_the_order_alone():
    class Row:
        def __init__(self, path, frozen=False):
            self.path, self.frozen = path, frozen

        @property
        def depth(self):
            return len(self.path) // 10 - 1

    seg = "{:010d}".format
    rows = [
        Row(seg(1)),
        Row(seg(1) + seg(2), frozen=True),
        Row(seg(1) + seg(2) + seg(3)),
        Row(seg(1) + seg(4)),
        Row(seg(5)),
    ]

    threads.annotate_layout(rows, 0)

    assert [row.thread_frozen for row in rows] == [False, True, True, False, False]
    assert [row.has_visible_replies for row in rows] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert [row.close_lists for row in rows] == [0, 0, 1, 1, 0]
