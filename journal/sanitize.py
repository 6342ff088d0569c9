"""The one place user HTML is cleaned, with a named policy per kind of text.

Cleaning happens when text is written; the cleaned copy is stored beside the raw
input and pages render only the cleaned copy. Bleach is in maintenance mode
upstream, so nothing outside this module imports it: a later switch of sanitizer
touches one file.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import (
    TAG_TOKEN_TYPE_START,
    BleachHTMLParser,
    Filter,
    HTMLTokenizer,
)
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import BleachSanitizerFilter
from django.utils.safestring import SafeString, mark_safe
from publicsuffixlist import PublicSuffixList

from .confusables import INVISIBLE

LINK_REL = "nofollow ugc noopener"

# Hosts whose embedded players may appear in posts, with the path their embed
# URLs start with. Only https is accepted.
VIDEO_EMBED_PREFIXES: dict[str, str] = {
    "www.youtube.com": "/embed/",
    "www.youtube-nocookie.com": "/embed/",
    "player.vimeo.com": "/video/",
}


def _is_http_or_relative(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme:
        return parts.scheme.lower() in {"http", "https"}
    # Scheme-less: a path on this site, never a protocol-relative other host.
    return not url.strip().startswith("//")


def is_allowed_embed(url: str) -> bool:
    parts = urlsplit(url.strip())
    prefix = VIDEO_EMBED_PREFIXES.get((parts.hostname or "").lower())
    return (
        parts.scheme.lower() == "https"
        and prefix is not None
        and parts.path.startswith(prefix)
        and parts.username is None
        and parts.port is None
    )


def _post_attributes(tag: str, name: str, value: str) -> bool:
    allowed = {
        "a": {"href", "title"},
        "img": {"src", "alt", "title", "width", "height"},
        "iframe": {"src", "width", "height", "title", "allowfullscreen"},
    }
    if name not in allowed.get(tag, set()):
        return False
    if tag == "img" and name == "src":
        return _is_http_or_relative(value)
    if tag == "iframe" and name == "src":
        return is_allowed_embed(value)
    return True


def _comment_attributes(tag: str, name: str, value: str) -> bool:
    return tag == "a" and name in {"href", "title"}


def _set_link_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = LINK_REL
    return attrs


# Text that may be a link: an optional scheme, then a host (names ending in
# something shaped like a top-level domain, or a dotted IPv4 address, or an IPv6
# literal after a scheme), a port and a path. Whether the top-level domain is
# real is checked against the Public Suffix List by ``_real_host``: bleach's own
# pattern lists about 300 domains and misses .xyz, .top, .click and hundreds more.
LINK_TEXT = re.compile(
    r"""
    # Only where a run of name characters starts: after anything but a letter,
    # digit, "-", "_", "." or "@". A match can then start once per run, which
    # keeps the search linear (a pattern free to start at every letter scans
    # "a-a-a-..." once per letter).
    (?<![\w@.\-])
    (?:
        (?:(?:https?|ftp):/{0,3}(?:(?:\w+:)?\w+@)?)?
        (?:
            (?:[\w-]+\.)+(?:xn--[a-z0-9-]{1,59}|[^\W\d_]{2,63})
          | (?:\d{1,3}\.){3}\d{1,3}
        )
        (?::[0-9]{1,5})?(?!\.\w)\b
      | (?:https?|ftp)://\[[0-9a-f:.]+\](?::[0-9]{1,5})?
    )
    (?:[/?][^\s\{\}\|\\\^`<>"]*)?
    """,
    re.IGNORECASE | re.VERBOSE | re.UNICODE,
)


@cache
def _public_suffixes() -> PublicSuffixList:
    # The ICANN section only (the IANA root zone's domains), from the list the
    # package ships: no download, and an unknown ending is not a domain.
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def is_real_host(host: str) -> bool:
    """Whether ``host`` is an IP address or a name under a real top-level domain."""
    host = host.strip("[]").rstrip(".").lower()
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    return _public_suffixes().is_public(host.rsplit(".", 1)[-1])


def _real_host(attrs: dict, new: bool = False) -> dict | None:
    """Keep a link found in plain text only if its host is real (see above)."""
    if not new:
        return attrs
    try:
        host = urlsplit(attrs.get((None, "href"), "")).hostname or ""
    except ValueError:
        return None
    return attrs if is_real_host(host) else None


class DropUnreadableContent(Filter):
    """Drop script, style and template elements together with what they hold.

    Bleach keeps the text of stripped elements, which is right for a stray <font>
    but turns a pasted <style> block into visible garbage. Runs before sanitizing.
    """

    DROPPED = {"script", "style", "template"}

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            if token.get("name") in self.DROPPED:
                if token["type"] == "StartTag":
                    depth += 1
                elif token["type"] == "EndTag" and depth:
                    depth -= 1
                continue
            if not depth:
                yield token


class DropMediaWithoutSource(Filter):
    """Remove images and iframes whose src did not pass the policy, and what
    an iframe holds: a browser never shows it, and the parser reads it as
    text, so it would change each time the body was cleaned again."""

    def __iter__(self):
        open_iframes = 0
        inside_embed = False
        for token in super().__iter__():
            name, kind = token.get("name"), token["type"]
            has_src = kind in {"StartTag", "EmptyTag"} and any(
                key[1] == "src" for key in token["data"]
            )
            if name == "img" and not has_src:
                continue
            if name == "iframe":
                if kind == "StartTag" and (open_iframes or not has_src):
                    open_iframes += 1
                    continue
                if kind == "EndTag" and open_iframes:
                    open_iframes -= 1
                    continue
                if kind == "StartTag":
                    inside_embed = True
                elif kind == "EndTag":
                    inside_embed = False
                yield token
                continue
            if open_iframes or inside_embed:
                continue
            yield token


class LineBreaks(Filter):
    """Turn typed newlines into <br>, the way a comment box is expected to work.

    Newlines stay as they are inside <pre>; whitespace between list items and a
    newline right after or before a block (list, quote, pre) are dropped, since
    the block already breaks the line. The newline characters themselves are not
    kept, so cleaning the output again gives the same output.
    """

    BLOCKS = {"ul", "ol", "li", "blockquote", "pre"}
    LISTS = {"ul", "ol"}

    def __iter__(self):
        tokens = list(super().__iter__())
        open_elements: list[str] = []
        for index, token in enumerate(tokens):
            kind, name = token["type"], token.get("name")
            if kind == "StartTag":
                open_elements.append(name)
            elif kind == "EndTag" and name in open_elements:
                del open_elements[
                    len(open_elements) - 1 - open_elements[::-1].index(name)
                ]
            if kind not in {"Characters", "SpaceCharacters"} or "pre" in open_elements:
                yield token
                continue
            text = token["data"].replace("\r\n", "\n").replace("\r", "\n")
            if open_elements and open_elements[-1] in self.LISTS and not text.strip():
                continue
            if self._is_block_edge(tokens, index - 1):
                text = text.removeprefix("\n")
            if self._is_block_edge(tokens, index + 1):
                text = text.removesuffix("\n")
            yield from self._split_lines(text)

    def _is_block_edge(self, tokens, index: int) -> bool:
        return (
            0 <= index < len(tokens)
            and tokens[index]["type"] in {"StartTag", "EndTag"}
            and tokens[index].get("name") in self.BLOCKS
        )

    @staticmethod
    def _split_lines(text: str):
        for index, line in enumerate(text.split("\n")):
            if index:
                yield {"type": "EmptyTag", "name": "br", "data": {}}
            if line:
                yield {"type": "Characters", "data": line}


class KeepPreNewline(Filter):
    """Write the extra newline HTML needs after <pre> when its text starts with one.

    A parser drops a newline right after <pre>; without this, cleaning the output
    again would lose one newline each time.
    """

    def __iter__(self):
        after_pre = False
        for token in super().__iter__():
            if (
                after_pre
                and token["type"] in {"Characters", "SpaceCharacters"}
                and token["data"].startswith("\n")
            ):
                token = {**token, "data": "\n" + token["data"]}
            after_pre = token["type"] == "StartTag" and token.get("name") == "pre"
            yield token


class _Cleaner(bleach.Cleaner):
    """bleach.Cleaner with a filter that runs before its sanitizer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Bleach's tokenizer discards disallowed tags before any filter runs; let
        # the dropped ones through the parser so DropUnreadableContent sees them.
        self.parser = BleachHTMLParser(
            tags=self.tags | DropUnreadableContent.DROPPED,
            strip=self.strip,
            consume_entities=False,
            namespaceHTMLElements=False,
        )

    def clean(self, text: str) -> str:
        if not text:
            return ""
        dom = self.parser.parseFragment(text)
        filtered = BleachSanitizerFilter(
            source=DropUnreadableContent(self.walker(dom)),
            allowed_tags=self.tags,
            attributes=self.attributes,
            strip_disallowed_tags=self.strip,
            strip_html_comments=self.strip_comments,
            css_sanitizer=self.css_sanitizer,
            allowed_protocols=self.protocols,
        )
        for filter_class in self.filters:
            filtered = filter_class(source=filtered)
        return self.serializer.render(filtered)


@dataclass(frozen=True)
class Policy:
    name: str
    tags: frozenset[str]
    attributes: object
    protocols: frozenset[str] = frozenset({"http", "https", "mailto"})
    extra_filters: tuple = field(default=())


POST = Policy(
    name="post",
    tags=frozenset(
        {
            "p",
            "br",
            "hr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "s",
            "sub",
            "sup",
            "small",
            "mark",
            "ul",
            "ol",
            "li",
            "blockquote",
            "q",
            "cite",
            "code",
            "pre",
            "a",
            "img",
            "figure",
            "figcaption",
            "iframe",
        }
    ),
    attributes=_post_attributes,
    extra_filters=(DropMediaWithoutSource,),
)

COMMENT = Policy(
    name="comment",
    tags=frozenset(
        {
            "b",
            "strong",
            "i",
            "em",
            "u",
            "s",
            "a",
            "blockquote",
            "ul",
            "ol",
            "li",
            "code",
            "pre",
            "br",
        }
    ),
    attributes=_comment_attributes,
    extra_filters=(LineBreaks,),
)

POLICIES = {policy.name: policy for policy in (POST, COMMENT)}


@cache
def _cleaner(policy_name: str) -> bleach.Cleaner:
    policy = POLICIES[policy_name]
    linkify = _linkify_filter()
    return _Cleaner(
        tags=policy.tags,
        attributes=policy.attributes,
        protocols=policy.protocols,
        strip=True,
        strip_comments=True,
        filters=[linkify, *policy.extra_filters, KeepPreNewline],
    )


def _linkify_filter():
    def build(source):
        return LinkifyFilter(
            source,
            callbacks=[_real_host, _set_link_rel],
            skip_tags={"pre", "code"},
            parse_email=False,
            url_re=LINK_TEXT,
        )

    return build


# C0 control characters other than tab and line breaks, and DEL: never meaningful
# in user HTML (NUL is refused by some databases; others turn into "?" only on a
# second cleaning, which would make cleaning unstable).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# html5lib checks each new element against the elements still open, one by
# one, so thousands of nested lists, quotes or bold tags make parsing quadratic
# (a 20,000-character comment of "<ul>" took 0.7 s); and after each list item
# it re-creates every bold, italic or link still open, attributes and all. Past
# MAX_NESTING open elements, or MAX_FORMATTING open formatting ones, an opening
# tag is kept as the text it is; a closing tag counts only when it closes one.
MAX_NESTING = 32
MAX_FORMATTING = 8
_TAG = re.compile(r"<!--.*?(?:-->|$)|<(/?)([a-zA-Z][a-zA-Z0-9]*)", re.DOTALL)
_EMPTY_ELEMENTS = frozenset({"br", "hr", "img", "iframe", "li", "p"})
# Elements html5lib re-creates after a block ends ("active formatting elements").
FORMATTING = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong"}
    | {"tt", "u", "nobr"}
)


def limit_nesting(text: str, tags: frozenset[str]) -> str:
    """``text`` with allowed opening tags past the bounds above escaped."""
    if text.count("<") <= MAX_FORMATTING:
        return text
    open_tags: list[str] = []
    pieces, start = [], 0
    for tag in _TAG.finditer(text):
        name = (tag.group(2) or "").lower()
        if not name or name not in tags or name in _EMPTY_ELEMENTS:
            continue  # a comment, or a tag that never stays open
        if tag.group(1):
            if name in open_tags:  # closes the innermost open one of its name
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
            continue
        formatting = sum(1 for open_tag in open_tags if open_tag in FORMATTING)
        if len(open_tags) < MAX_NESTING and (
            name not in FORMATTING or formatting < MAX_FORMATTING
        ):
            open_tags.append(name)
        else:
            pieces += [text[start : tag.start()], "&lt;"]
            start = tag.start() + 1
    return "".join([*pieces, text[start:]]) if pieces else text


# What one comment's markup may hold: more is refused before it is cleaned
# (markup_problem), and a cleaned copy many times its source is refused after
# (the write path). No genuine comment comes near these.
MAX_TAGS = 500
MAX_ATTRIBUTE_LENGTH = 2_000
MAX_GROWTH = 3


def markup_problem(text: str, policy: Policy) -> str | None:
    """Why ``text`` holds more markup than a comment may ("tags" or
    "attribute"), or None. One pass of the tokenizer: linear in the text."""
    started = 0
    for token in HTMLTokenizer(text):
        if token["type"] != TAG_TOKEN_TYPE_START or token["name"] not in policy.tags:
            continue
        started += 1
        if started > MAX_TAGS:
            return "tags"
        attributes = token["data"]
        values = attributes.values() if isinstance(attributes, dict) else ()
        if any(len(value) > MAX_ATTRIBUTE_LENGTH for value in values):
            return "attribute"
    return None


def grew_too_much(source: str, cleaned: str) -> bool:
    """Whether cleaning made far more than it was given (formatting re-created
    after every list item, say)."""
    return len(cleaned) > MAX_GROWTH * len(source) + 2_000


def clean_html(text: str, policy: Policy) -> str:
    """Return ``text`` cleaned under ``policy``; safe to store and render."""
    text = limit_nesting(CONTROL_CHARACTERS.sub("", text), policy.tags)
    return _cleaner(policy.name).clean(text).strip()


def clean_post_body(text: str) -> str:
    return clean_html(text, POST)


def clean_comment_body(text: str) -> str:
    return clean_html(text, COMMENT)


def stored_html(cleaned: str) -> SafeString:
    """Mark a stored ``body_html`` (cleaned by this module on write) as safe.

    For code that builds HTML in Python; templates use ``|safe`` on the same
    fields. Never pass anything that did not come out of ``clean_html``.
    """
    return mark_safe(cleaned)  # noqa: S308 (cleaned on write, see above)


@dataclass(frozen=True)
class HtmlSummary:
    """What the rules look at in cleaned HTML: its words and its links."""

    text: str
    links: tuple[str, ...]
    # Addresses a reader could still follow that are not links: dots written
    # as "。", "．" or "[.]", invisible characters inside, a scheme spelled
    # "hxxp:" or a numeric host, or a host inside <code>.
    link_like: tuple[str, ...] = ()

    @property
    def link_count(self) -> int:
        return len(self.links) + len(self.link_like)


class _Summarizer(HTMLParser):
    # Elements that separate words; inline ones (<b>sp</b>am) do not.
    BREAKING = {
        "br",
        "p",
        "li",
        "blockquote",
        "pre",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "tr",
        "td",
        "hr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.outside_links: list[str] = []
        self.anchors = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKING:
            self.parts.append("\n")
            self.outside_links.append("\n")
        if tag == "a":
            self.anchors += 1
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
                # A blocked domain in a link counts as if it were written out.
                self.parts.append(f" {href} ")

    def handle_endtag(self, tag):
        if tag in self.BREAKING:
            self.parts.append("\n")
            self.outside_links.append("\n")
        if tag == "a" and self.anchors:
            self.anchors -= 1

    def handle_data(self, data):
        self.parts.append(data)
        if not self.anchors:
            self.outside_links.append(data)


# Dots a reader puts back: "[.]", "(dot)", "{.}".
_WRITTEN_DOTS = re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*", re.IGNORECASE)
# Anything that starts like a URL: "http:", "https://", "hxxp://", "ftp:/".
_SCHEME_LIKE = re.compile(r"\b(?:h[tx]{2}ps?|ftp):/*[^\s<>\"']+", re.IGNORECASE)


def _link_like(text: str) -> tuple[str, ...]:
    """Addresses in text that is not a link (see HtmlSummary.link_like)."""
    plain = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    plain = _WRITTEN_DOTS.sub(".", plain.replace("\u3002", "."))
    found = [match.group() for match in _SCHEME_LIKE.finditer(plain)]
    rest = _SCHEME_LIKE.sub(" ", plain)
    for match in LINK_TEXT.finditer(rest):
        host = re.split(r"[/?:]", match.group().lstrip("("), maxsplit=1)[0]
        if is_real_host(host):
            found.append(match.group())
    return tuple(found)


def plain_text(cleaned_html: str) -> str:
    """``summarize(cleaned_html).text`` alone, without looking for addresses
    (a replay of many comments' rules reads only their text)."""
    parser = _Summarizer()
    parser.feed(cleaned_html)
    parser.close()
    return "".join(parser.parts)


def summarize(cleaned_html: str) -> HtmlSummary:
    parser = _Summarizer()
    parser.feed(cleaned_html)
    parser.close()
    return HtmlSummary(
        text="".join(parser.parts),
        links=tuple(parser.links),
        link_like=_link_like("".join(parser.outside_links)),
    )
