"""The XSS suite: payloads through the real comment form and the admin's post
form, then loaded in Chromium with every way to call out trapped."""

import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from journal.models import Post
from tests.factories import JournalFactory, PostFactory, UserFactory
from tests.security.xss_payloads import TEMPLATE_SYNTAX, payloads

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed in every frame before any page script runs.
TRAPS = """
window.__xss = [];
(() => {
  const trap = (name) => function () {
    window.__xss.push(name + '(' + Array.from(arguments).join(',') + ')');
    if (window.top !== window) {
      try { window.top.__xss.push('frame:' + name); } catch (e) {}
    }
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    window[name] = trap(name);
  }
  window.fetch = trap('fetch');
  XMLHttpRequest.prototype.open = trap('xhr');
  navigator.sendBeacon = trap('beacon');
})();
"""

# What must never be in the DOM of user content.
DOM_CHECK = """
() => {
  const bad = [];
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
                         'srcdoc', 'background', 'poster', 'dynsrc', 'lowsrc'];
  const forbidden = ['SCRIPT', 'STYLE', 'OBJECT', 'EMBED', 'BASE', 'META', 'LINK',
                     'FORM', 'SVG', 'MATH', 'TEMPLATE', 'INPUT', 'TEXTAREA', 'SELECT',
                     'FRAME'];
  for (const root of document.querySelectorAll('.comment-body, .post-body')) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (forbidden.includes(el.tagName.toUpperCase())) bad.push(el.tagName);
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        if (name.startsWith('on')) bad.push(el.tagName + ' ' + name);
        if (name === 'style') bad.push(el.tagName + ' style');
        const script = /^(javascript|vbscript|data):/.test(value);
        if (urlAttributes.includes(name) && script) {
          bad.push(el.tagName + ' ' + name + '=' + attr.value);
        }
      }
    }
  }
  return bad;
}
"""


@pytest.fixture
def loaded_payloads(transactional_db):
    owner = UserFactory(username="xss_owner", is_staff=True)
    journal = JournalFactory(
        name="xss",
        owner=owner,
        comment_access="anyone",
        link_limit=0,
        rate_limit_per_minute=0,
    )
    target = PostFactory(journal=journal, title="Comments under attack")
    writer = Client()
    writer.force_login(UserFactory(username="xss_reader"))
    admin = Client()
    admin.force_login(owner)
    items = payloads()
    for payload in items:
        # Words around it: many payloads clean to nothing at all, and a comment
        # with nothing left to read is refused like an empty one.
        response = writer.post(
            f"/xss/{target.pk}/comment/", {"body": f"before {payload} after"}
        )
        assert response.status_code == 302, (payload, response.status_code)
        response = admin.post(
            "/admin/journal/post/add/",
            {
                "journal": journal.pk,
                "title": f"Post body {len(payload)}",
                "body_source": payload,
                "published_at_0": timezone.now().date().isoformat(),
                "published_at_1": "10:00:00",
                "comments_enabled": "on",
            },
        )
        assert response.status_code == 302, (payload, response.status_code)
    posts = list(Post.objects.filter(journal=journal).exclude(pk=target.pk))
    assert len(posts) == len(items)
    return target, posts, items


@override_settings(JOURNAL={"THREADS_PER_PAGE": 1000, "COMMENTS_PER_PAGE": 1000})
def test_no_payload_runs_or_survives_in_the_dom(
    chromium, live_server, loaded_payloads, artifacts_dir
):
    target, posts, items = loaded_payloads
    context = chromium.new_context(base_url=live_server.url)
    context.add_init_script(TRAPS)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    executed, surviving = [], []
    try:
        for post in [target, *posts]:
            page.goto(post.get_absolute_url(), wait_until="load")
            page.wait_for_timeout(30)
            executed += page.evaluate("window.__xss")
            surviving += page.evaluate(DOM_CHECK)
        page.goto(target.get_absolute_url())
        comment_texts = page.locator(".comment-body").all_inner_texts()
        page.screenshot(path=artifacts_dir / "xss-comments.png")
    finally:
        context.close()

    report = {
        "payloads": len(items),
        "pages_loaded": len(posts) + 1,
        "tried": 2 * len(items),
        "executed": len(executed) + len(dialogs),
        "surviving_dangerous_markup": len(surviving),
    }
    (artifacts_dir / "xss-report.json").write_text(json.dumps(report, indent=2))
    assert len(items) >= 150
    assert executed == [] and dialogs == []
    assert surviving == []
    # Template syntax is shown as the text it is, never evaluated.
    for template in TEMPLATE_SYNTAX:
        assert f"before {template.format()} after" in comment_texts
