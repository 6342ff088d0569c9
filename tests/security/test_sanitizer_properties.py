"""Property-based tests of the sanitizer: whatever HTML comes in."""

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.sanitize import clean_comment_body, clean_post_body

TAGS = [
    "a",
    "b",
    "i",
    "em",
    "p",
    "div",
    "img",
    "svg",
    "math",
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "textarea",
    "template",
    "noscript",
    "xmp",
    "title",
    "base",
    "link",
    "meta",
    "blockquote",
    "pre",
    "code",
    "ul",
    "li",
    "figure",
    "figcaption",
    "mglyph",
    "mtext",
    "table",
    "select",
    "option",
    "details",
    "video",
    "audio",
    "source",
    "frameset",
]
ATTRIBUTES = [
    "href",
    "src",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "style",
    "formaction",
    "action",
    "xlink:href",
    "srcdoc",
    "data",
    "title",
    "alt",
    "rel",
    "width",
    "background",
    "dynsrc",
    "lowsrc",
    "poster",
    "ONERROR",
]
DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "javascript&colon;alert(1)",
    "https://www.youtube.com/embed/x",
    "/ok.png",
    "http://example.org/",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)

attribute = st.tuples(
    st.sampled_from(ATTRIBUTES), st.one_of(st.sampled_from(DANGEROUS_URLS), TEXT)
)


@st.composite
def html_fragments(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "element", "raw"]))
        if kind == "text":
            parts.append(draw(TEXT))
        elif kind == "raw":
            parts.append(
                draw(
                    st.sampled_from(
                        [
                            "<",
                            ">",
                            "&",
                            '"',
                            "'",
                            "<!--",
                            "-->",
                            "</",
                            "<![CDATA[",
                            "]]>",
                            "\n",
                            "`",
                        ]
                    )
                )
            )
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = " ".join(
                f'{name}="{value}"'
                for name, value in draw(st.lists(attribute, max_size=3))
            )
            inner = draw(html_fragments(depth=depth + 1)) if depth < 3 else ""
            closing = draw(st.booleans())
            parts.append(f"<{tag} {attrs}>{inner}" + (f"</{tag}>" if closing else ""))
    return "".join(parts)


SCRIPT_CAPABLE = {
    "script",
    "style",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "template",
    "base",
    "link",
    "meta",
    "frame",
    "frameset",
    "noscript",
    "xmp",
    "textarea",
    "select",
    "applet",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "srcdoc",
    "background",
    "poster",
    "dynsrc",
    "lowsrc",
}


class Elements(HTMLParser):
    """Collects the elements and attributes a browser would build."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _assert_safe(cleaned: str) -> None:
    parser = Elements()
    parser.feed(cleaned)
    parser.close()
    for tag, attrs in parser.found:
        assert tag not in SCRIPT_CAPABLE, cleaned
        if tag == "iframe":
            assert attrs.get("src", "").startswith("https://"), cleaned
        for name, value in attrs.items():
            assert not name.startswith("on"), cleaned
            assert name != "style", cleaned
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), (
                    cleaned
                )


FAST = settings(
    max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", 300)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(html_fragments())
def test_comment_policy_output_is_safe_and_stable(source):
    cleaned = clean_comment_body(source)

    _assert_safe(cleaned)
    assert clean_comment_body(cleaned) == cleaned


@FAST
@given(html_fragments())
def test_post_policy_output_is_safe_and_stable(source):
    cleaned = clean_post_body(source)

    _assert_safe(cleaned)
    assert clean_post_body(cleaned) == cleaned


@FAST
@given(st.text(max_size=200))
def test_any_text_at_all_comes_out_safe_and_stable(source):
    for clean in (clean_comment_body, clean_post_body):
        cleaned = clean(source)
        _assert_safe(cleaned)
        assert clean(cleaned) == cleaned
