"""The spam model's arithmetic: what it sees in a comment, and the score.

Pure: text in, tokens out; token counts in, a probability out. The counts live
in the database (``moderation.models.SpamTokenCount``) and are gathered by
``moderation.learning``, which also trains them from moderators' decisions.

What the model sees (``features``):

- the words, normalized as the word lists normalize them (``moderation.words``):
  case, accents, invisible characters and look-alike letters folded, so
  "cаsinо" with Cyrillic letters is the word "casino"; letters spaced out to
  dodge a list ("c.a.s.i.n.o") are joined again;
- each link's domain ("domain:bit.ly"), and whether it is a known shortener;
- signals beyond words: a word mixing scripts, invisible characters, a contact
  handle or messenger address, a phone number, a sum of money, how many links.

The journal's own data adds two more (``moderation.learning``): a link domain
never seen in an approved comment of the journal, and a near-duplicate of a
comment another account posted in the last day (``shingle_bands``).

The score is naive Bayes over the tokens a comment contains: each token seen
in training weighs log P(token | spam) / P(token | ham), each probability the
share of trained comments of that class containing the token, with add-one
smoothing (``ALPHA``), shrunk for tokens seen in few comments (``STRENGTH``);
the classes start even. Tokens never seen in training weigh nothing.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext_noop

from journal.confusables import INVISIBLE, scripts_of
from journal.sentences import Sentence

from .words import analyse

ALPHA = 1.0
STRENGTH = 3
# Documents of each class: the row every scope keeps beside its tokens.
DOCS = "#docs"
UNSEEN_DOMAIN = "sig:unseen_domain"
NEAR_DUPLICATE = "sig:near_duplicate"
# A journal's own counts replace the site-wide ones from this many decisions
# of each kind.
OWN_MODEL_MIN_DECISIONS = 50
# Words longer than this are noise (a hash, a base64 blob); cut, not dropped.
MAX_WORD = 30
MAX_TOKENS = 400

SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "is.gd",
        "cutt.ly",
        "ow.ly",
        "rebrand.ly",
        "shorturl.at",
        "clck.ru",
        "vk.cc",
        "t.ly",
        "rb.gy",
        "tiny.cc",
        "s.id",
        "buff.ly",
        "bl.ink",
        "short.io",
        "u.to",
        "qps.ru",
        "lnkd.in",
        "v.gd",
    ]
)
MESSENGER_HOSTS = frozenset({"t.me", "wa.me", "telegram.me", "chat.whatsapp.com"})

ADDRESS = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
URL = re.compile(r"\b(?:https?|ftp)://([^\s/?#<>\"']+)", re.IGNORECASE)
# "@handle" with at least four characters: a messenger or social account.
HANDLE = re.compile(r"(?<![\w.])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
PHONE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{7,18}\d(?!\w)")
MONEY = re.compile(
    r"[$€£₽]\s?\d|\d[\d\s.,]*\s?(?:[$€£₽]|usd|usdt|eur|btc|eth|руб|тыс|k\b)",
    re.IGNORECASE,
)
# Single letters strung together: "c.a.s.i.n.o", "c a s i n o", "к-а-з-и-н-о".
SPACED_LETTERS = re.compile(r"(?<!\w)(?:[^\W\d_][\s.\-_*·]){3,}[^\W\d_](?!\w)")


def _domain(host: str) -> str:
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".").casefold()
    return host.removeprefix("www.")


def _mixes_scripts(word: str) -> bool:
    if word.isascii():  # Latin alone: no need to name each letter
        return False
    scripts = scripts_of(word)
    return len(scripts) > 1 and "LATIN" in scripts


def features(text: str) -> list[str]:
    """The distinct tokens of ``text``, in order of first appearance."""
    plain = unicodedata.normalize("NFKC", text)
    tokens: list[str] = []
    # Addresses count by their domain (below), not as words.
    for token in analyse(ADDRESS.sub(" ", plain)).tokens:
        if token.text.isdigit():
            continue
        for form in (token.text, token.alt):
            if len(form) > 1:
                tokens.append(form[:MAX_WORD])
    for match in SPACED_LETTERS.finditer(plain):
        joined = "".join(ch for ch in match.group() if ch.isalpha())
        tokens += ["sig:spaced_letters", *(t.text for t in analyse(joined).tokens)]

    links = [_domain(host) for host in URL.findall(plain)]
    for domain in links:
        tokens.append(f"domain:{domain}")
        if domain in SHORTENERS:
            tokens.append("sig:shortener")
        if domain in MESSENGER_HOSTS:
            tokens.append("sig:contact")
    tokens.append(f"sig:links={min(len(links), 3)}")

    raw_words = re.findall(r"[^\W\d_]{2,}", plain)
    if any(_mixes_scripts(word) for word in raw_words):
        tokens.append("sig:mixed_script")
    if any(ord(char) in INVISIBLE for char in text):
        tokens.append("sig:invisible")
    if HANDLE.search(plain):
        tokens.append("sig:contact")
    if any(sum(c.isdigit() for c in m.group()) >= 9 for m in PHONE.finditer(plain)):
        tokens.append("sig:phone")
    if MONEY.search(plain):
        tokens.append("sig:money")
    return list(dict.fromkeys(tokens))[:MAX_TOKENS]


def link_domains(tokens: Iterable[str]) -> list[str]:
    return [token for token in tokens if token.startswith("domain:")]


@dataclass(frozen=True)
class Counts:
    """How many trained comments of each class contained each token, and how
    many comments of each class were trained (the ``DOCS`` row)."""

    spam_docs: int
    ham_docs: int
    tokens: Mapping[str, tuple[int, int]]  # token -> (spam, ham)

    @property
    def trained(self) -> bool:
        return self.spam_docs > 0 and self.ham_docs > 0


@dataclass(frozen=True)
class SpamScore:
    probability: float
    # The tokens that weighed most towards spam, heaviest first.
    top: tuple[str, ...] = ()

    @property
    def percent(self) -> int:
        return math.floor(self.probability * 100)


def weight(spam: int, ham: int, counts: Counts) -> float:
    """log P(token | spam) / P(token | ham), smoothed, and shrunk towards 0 for
    a token seen in few trained comments (by seen / (seen + ``STRENGTH``)): a
    word met twice is a hint, not proof."""
    p_spam = (spam + ALPHA) / (counts.spam_docs + 2 * ALPHA)
    p_ham = (ham + ALPHA) / (counts.ham_docs + 2 * ALPHA)
    seen = spam + ham
    return math.log(p_spam / p_ham) * seen / (seen + STRENGTH)


def score(tokens: Iterable[str], counts: Counts, *, top: int = 3) -> SpamScore:
    """P(spam | tokens), and the tokens that pushed it most towards spam."""
    if not counts.trained:
        return SpamScore(0.0)
    weights: dict[str, float] = {}
    for token in tokens:
        spam, ham = counts.tokens.get(token, (0, 0))
        if spam or ham:
            weights[token] = weight(spam, ham, counts)
    log_odds = sum(weights.values())
    probability = 1 / (1 + math.exp(-max(min(log_odds, 700), -700)))
    heaviest = sorted(
        (token for token, w in weights.items() if w > 0),
        key=lambda token: -weights[token],
    )
    return SpamScore(probability, tuple(_label(token) for token in heaviest[:top]))


def _label(token: str) -> str | Sentence:
    """A token as a moderator reads it: "bit.ly", "a contact handle" (kept
    untranslated, for each moderator's language: journal.sentences)."""
    if token.startswith("domain:"):
        return token.removeprefix("domain:")
    label = SIGNAL_LABELS.get(token)
    return Sentence(label) if label else token


SIGNAL_LABELS = {
    "sig:shortener": gettext_noop("a shortened link"),
    "sig:contact": gettext_noop("a contact handle"),
    "sig:phone": gettext_noop("a phone number"),
    "sig:money": gettext_noop("a sum of money"),
    "sig:mixed_script": gettext_noop("mixed alphabets"),
    "sig:invisible": gettext_noop("invisible characters"),
    "sig:spaced_letters": gettext_noop("spaced-out letters"),
    "sig:links=1": gettext_noop("one link"),
    "sig:links=2": gettext_noop("two links"),
    "sig:links=3": gettext_noop("three or more links"),
    UNSEEN_DOMAIN: gettext_noop("a link to a site never approved here"),
    NEAR_DUPLICATE: gettext_noop("the same text from other accounts"),
}


# Near-duplicates ---------------------------------------------------------------

SHINGLE_WORDS = 4
MINHASH_ROWS = 4
MINHASH_BANDS = 8
MIN_SHINGLE_WORDS = 6


# Each shingle's MinHash values, one per row of every band: 8 bytes each of
# one SHAKE-128 digest, a hash function per row (the same in every process).
_ROW_VALUES = struct.Struct(f"<{MINHASH_ROWS * MINHASH_BANDS}Q")


def _hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest())


def shingle_bands(text: str) -> list[int]:
    """MinHash of the text's four-word shingles, cut into bands: two texts
    sharing most of their shingles very likely share a band. Empty for texts
    too short to tell apart."""
    return list(_bands(text))


# Cached: the write path asks once to judge a draft and once to store its
# fingerprint, for the same text.
@lru_cache(maxsize=64)
def _bands(text: str) -> tuple[int, ...]:
    words = [token.alt or token.text for token in analyse(text).tokens]
    if len(words) < MIN_SHINGLE_WORDS:
        return ()
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    # Per row, the least value any shingle takes (min and zip run in C: a
    # quarter of the time of one modular permutation per row and shingle).
    values = [
        _ROW_VALUES.unpack(hashlib.shake_128(shingle).digest(_ROW_VALUES.size))
        for shingle in shingles
    ]
    signature = [min(row) for row in zip(*values, strict=True)]
    bands = []
    for band in range(MINHASH_BANDS):
        rows = signature[band * MINHASH_ROWS : (band + 1) * MINHASH_ROWS]
        # Signed 63 bits: fits a BigIntegerField on every database.
        bands.append(_hash(f"{band}:{rows}") >> 1)
    return tuple(bands)


# The site-wide starting point --------------------------------------------------

SEED = Path(__file__).resolve().parent / "data" / "spam_seed.tsv"


def read_examples(path: Path = SEED) -> list[tuple[str, str]]:
    """(label, text) pairs from a file of "spam|ham<TAB>text" lines."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        examples.append((label.strip(), text))
    return examples


def count_examples(examples: Iterable[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Token -> (spam, ham) document counts of labelled texts, the ``DOCS`` row
    included; a link's domain that no "ham" text links to is an unseen one."""
    examples = list(examples)
    approved = {
        domain
        for label, text in examples
        if label == "ham"
        for domain in link_domains(features(text))
    }
    counts: dict[str, tuple[int, int]] = {}
    for label, text in examples:
        tokens = features(text)
        if any(domain not in approved for domain in link_domains(tokens)):
            tokens.append(UNSEEN_DOMAIN)
        for token in (DOCS, *tokens):
            spam, ham = counts.get(token, (0, 0))
            counts[token] = (spam + 1, ham) if label == "spam" else (spam, ham + 1)
    return counts
