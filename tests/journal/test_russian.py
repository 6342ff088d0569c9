"""The interface in Russian: chosen from Accept-Language or the switcher, and
nothing of it left in English on the post page and the moderators' queue."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from journal import services as journal_services
from tests.factories import PASSWORD, JournalFactory, PostFactory, UserFactory

# What the page may show in Latin letters in Russian: the people's and
# journals' own names (usernames are Latin), names of formats and products.
NOT_ENGLISH = {"RSS", "Atom", "HTML", "YouTube", "Vimeo", "API", "English", "URL"}
# HTML's own element names and attribute values, which the comment form's help
# shows as code.
NOT_ENGLISH |= {"blockquote", "code", "a", "b", "i", "em", "strong", "p", "nofollow"}
# Rule codes (like "links.too_many"), shown to moderators as identifiers.
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# Attributes people read (screen readers, tooltips, placeholders).
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


class _ReadableText(HTMLParser):
    """Text a person reads on the page: its text and the attributes read
    aloud or shown; not scripts, styles or the stored user content."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        # The element being skipped, and how many of its kind are open in it.
        self._skipped_tag = ""
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._skipping:
            self._skipping += tag == self._skipped_tag
            return
        if tag in ("script", "style") or (
            # What people wrote: shown as they wrote it, in any language.
            tag == "div" and attributes.get("class") == "comment-body"
        ):
            self._skipped_tag, self._skipping = tag, 1
            return
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and not CODE.match(value):
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipped_tag:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def english_left(html: str, own_names: set[str]) -> list[str]:
    reader = _ReadableText()
    reader.feed(html)
    words = re.findall(r"[A-Za-z][A-Za-z'’]+", " ".join(reader.parts))
    allowed = NOT_ENGLISH | own_names
    return sorted({word for word in words if word not in allowed})


@pytest.fixture
def russian_journal(db):
    owner = UserFactory(
        username="olga", display_name="Ольга Петрова", is_staff=True, email=""
    )
    journal = JournalFactory(
        name="gavan", title="Гавань", owner=owner, description="Новости гавани"
    )
    post = PostFactory(
        journal=journal,
        title="Паром ходит по новому расписанию",
        body_source="<p>С понедельника паром отходит в 7:40.</p>",
    )
    journal_services.save_post(post=post)
    reader = UserFactory(username="mira", display_name="Мира Окафор")
    root = journal_services.submit_comment(
        post=post, author=reader, body="Спасибо, очень удобно."
    )
    journal_services.submit_comment(
        post=post, author=owner, body="Пожалуйста!", parent_id=root.pk
    )
    return journal, post, owner, reader


def russian(client: Client, url: str) -> str:
    response = client.get(url, headers={"accept-language": "ru,en;q=0.5"})
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    return response.content.decode()


def test_accept_language_chooses_russian_and_the_page_says_so(russian_journal):
    _, post, _, _ = russian_journal
    page = russian(Client(), post.get_absolute_url())
    assert '<html lang="ru">' in page
    english = Client().get(post.get_absolute_url()).content.decode()
    assert '<html lang="en">' in english


def test_the_switcher_keeps_the_chosen_language(russian_journal):
    _, post, _, _ = russian_journal
    client = Client()
    response = client.post(
        "/i18n/setlang/", {"language": "ru", "next": post.get_absolute_url()}
    )
    assert response.status_code == 302
    assert '<html lang="ru">' in client.get(post.get_absolute_url()).content.decode()


def test_the_post_page_in_russian_has_no_english_left(russian_journal):
    journal, post, owner, reader = russian_journal
    names = {journal.name, owner.username, reader.username}
    visitor, member = Client(), Client()
    member.login(username=reader.username, password=PASSWORD)
    for client in (visitor, member):
        page = russian(client, post.get_absolute_url())
        assert english_left(page, names) == []
        assert "комментари" in page  # "2 комментария"


def test_the_queue_in_russian_has_no_english_left(russian_journal):
    journal, post, owner, reader = russian_journal
    held = journal_services.submit_comment(
        post=post,
        author=UserFactory(username="newbie", display_name="Новичок"),
        body=(
            "Смотрите https://one.example/ и https://two.example/ "
            "и https://three.example/"
        ),
    )
    assert held.is_held, "three links wait for a moderator"
    client = Client()
    client.login(username=owner.username, password=PASSWORD)
    page = russian(client, "/moderation/")
    assert "Смотрите" in page
    assert english_left(page, {journal.name, owner.username, "newbie"}) == []
