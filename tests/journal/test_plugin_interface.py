"""The platform asks the moderation plugin through journal.plugins, and only
there: explicitly from the write path and the pages, whatever the door."""

import pytest
from django.core.exceptions import ValidationError

from journal import checks, plugins, services
from journal.models import Comment, CommentAccess, CommentState
from moderation.plugin import ModerationPlugin
from tests.factories import JournalFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


class Spy:
    """The real plugin, with every call noted."""

    def __init__(self, real):
        self.real = real
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.real, name)

        def noted(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return method(*args, **kwargs)

        return noted

    def names(self):
        return [name for name, *_ in self.calls]


@pytest.fixture
def spy(monkeypatch):
    spy = Spy(plugins.installed())
    monkeypatch.setattr(plugins, "installed", lambda: spy)
    return spy


def test_installing_the_moderation_app_installs_its_plugin():
    assert isinstance(plugins.installed(), ModerationPlugin)
    assert plugins.plugin_paths() == ["moderation.plugin.ModerationPlugin"]


def test_two_plugins_fail_the_system_check(monkeypatch):
    monkeypatch.setattr(checks, "plugin_paths", lambda: ["one.Plugin", "two.Plugin"])
    assert [error.id for error in checks.one_plugin()] == ["journal.E004"]


def test_a_new_comment_is_judged_then_the_plugin_hears_it_was_stored(spy, post, reader):
    parent = services.submit_comment(post=post, author=UserFactory(), body="Hi")
    spy.calls.clear()

    comment = services.submit_comment(
        post=post, author=reader, body="Hello <b>you</b>", parent_id=parent.pk
    )

    assert spy.names() == ["judge", "comment_stored"]
    draft = spy.calls[0][1][0]
    assert (draft.post, draft.author, draft.editing) == (post, reader, None)
    assert draft.body_html == comment.body_html and draft.text == "Hello you"
    assert spy.calls[1][1][0] == comment
    assert spy.calls[1][2] == {
        "created": True,
        "was_held": False,
        "origin": plugins.Origin(),
    }


def test_a_comment_whose_judgement_leaves_no_work_is_not_announced(spy, post, reader):
    # A published top-level comment: the plugin has no mail, heat or shadow
    # verdict to write for it (moderation.judging.work_after_storing).
    comment = services.submit_comment(post=post, author=reader, body="Hello")

    assert comment.state == CommentState.PUBLISHED
    assert spy.names() == ["judge"]


def test_an_edit_is_judged_as_an_edit_of_that_comment(spy, post, reader):
    comment = services.submit_comment(post=post, author=reader, body="First")
    spy.calls.clear()

    services.edit_comment(comment=comment, editor=reader, body="Second")

    assert spy.names() == ["judge", "comment_stored"]
    assert spy.calls[0][1][0].editing.pk == comment.pk
    assert spy.calls[1][2] == {"created": False, "was_held": False}


def test_bad_input_never_reaches_the_plugin(spy, post, reader):
    with pytest.raises(ValidationError):
        services.submit_comment(post=post, author=reader, body="<script></script>")
    assert spy.names() == []


def test_a_refusal_stores_nothing_and_says_why(monkeypatch, post, reader):
    class Refusing(plugins.Unmoderated):
        def judge(self, draft):
            return plugins.Judgement(
                refusal=plugins.Refusal("test.no", "Not today.", retry_after=7)
            )

    monkeypatch.setattr(plugins, "installed", Refusing)
    with pytest.raises(services.CommentRefused) as refused:
        services.submit_comment(post=post, author=reader, body="Hello")

    assert (refused.value.code, refused.value.message) == ("test.no", "Not today.")
    assert refused.value.retry_after == 7
    assert not Comment.objects.exists()


def test_the_post_page_asks_who_may_comment_and_what_to_show(spy, client, post):
    services.store_comment(post=post, parent=None, body_source="Hello")

    client.get(post.get_absolute_url())

    assert spy.names()[:3] == ["viewer_annotations", "may_comment", "tools"]
    # And what it wants to know of each comment, for the page's comment query.
    assert "comment_annotations" in spy.names()


def test_moving_a_post_tells_the_plugin_how_many_comments_moved(spy, post, reader):
    services.submit_comment(post=post, author=reader, body="Hello")
    other = JournalFactory(owner=post.journal.owner)
    spy.calls.clear()

    post.journal = other
    services.save_post(post=post, by=post.journal.owner)

    assert spy.names() == ["post_moved"]
    assert spy.calls[0][2]["comment_count"] == 1
    assert spy.calls[0][2]["from_journal_id"] != other.pk


def test_without_a_plugin_the_platform_publishes_everything_and_shows_no_tools(
    monkeypatch, client
):
    monkeypatch.setattr(plugins, "installed", plugins.Unmoderated)
    post = PostFactory(
        journal=JournalFactory(comment_access=CommentAccess.NOBODY),
        screen_all_comments=True,
    )
    response = client.post(
        f"/{post.journal.name}/{post.pk}/comment/",
        {"body": "http://a.example http://b.example http://c.example"},
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.state == CommentState.PUBLISHED and comment.reasons == []
    # Not even the owner sees moderation tools, nor a reader a Report link.
    for viewer in (post.journal.owner, UserFactory(username="someone")):
        client.force_login(viewer)
        page = client.get(post.get_absolute_url()).content.decode()
        assert "Report</a>" not in page and "Moderate:" not in page
        assert "Moderation queue" not in page
