"""The post page and the moderators' queue in Russian, in Chromium: a browser
set to Russian gets them in Russian, with Russian dates and plural forms, and
the switcher at the foot of the page changes the language back and forth."""

import re

import pytest

from journal import services as journal_services
from tests.factories import PASSWORD, JournalFactory, PostFactory, UserFactory
from tests.journal.test_russian import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def russian_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="ru-RU",  # Accept-Language: ru-RU
        viewport={"width": 1100, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def harbour(transactional_db):
    owner = UserFactory(username="olga", display_name="Ольга Петрова", is_staff=True)
    journal = JournalFactory(name="gavan", title="Гавань", owner=owner)
    post = PostFactory(
        journal=journal,
        title="Паром ходит по новому расписанию",
        body_source="<p>С понедельника паром отходит в 7:40.</p>",
    )
    journal_services.save_post(post=post)
    reader = UserFactory(username="mira", display_name="Мира Окафор")
    for text in ("Спасибо!", "Удобно.", "А в выходные?", "Тоже по новому."):
        journal_services.submit_comment(post=post, author=reader, body=text)
    held = journal_services.submit_comment(
        post=post,
        author=UserFactory(username="newbie", display_name="Новичок"),
        body="Смотрите https://one.example/ https://two.example/ https://three.example/",
    )
    assert held.is_held
    return journal, post, owner


def visible_english(page, own_names: set[str]) -> list[str]:
    return english_left(page.content(), own_names)


def test_the_post_page_and_the_queue_in_russian(russian_page, harbour):
    journal, post, owner = harbour
    page = russian_page
    page.goto(post.get_absolute_url())

    assert page.locator("html").get_attribute("lang") == "ru"
    # Four comments: Russian's "few" form.
    assert page.get_by_role("heading", name="4 комментария").is_visible()
    # Dates the Russian way: the day, then the month's name in the genitive.
    assert re.search(
        r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
        r"октября|ноября|декабря)",
        page.locator("#comments").inner_text(),
    )
    assert visible_english(page, {journal.name, "mira", "olga"}) == []

    page.goto("/accounts/login/?next=/moderation/")
    page.get_by_label("Имя пользователя").fill(owner.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Войти").click()
    page.wait_for_url("**/moderation/")
    assert page.get_by_text("Смотрите").is_visible()
    assert visible_english(page, {journal.name, "olga", "newbie"}) == []


def test_the_switcher_turns_a_russian_browser_to_english(russian_page, harbour):
    _, post, _ = harbour
    page = russian_page
    page.goto(post.get_absolute_url())
    page.get_by_label("Язык").select_option("en")
    page.get_by_role("button", name="Сменить").click()

    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="4 comments").is_visible()
