"""The shape of a benchmark thread, shared by our site and the peer's.

Plain Python with no Django import, so the peer's virtualenv can load it too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_DEPTH = 5  # top-level comments are depth 0
TOP_LEVEL_SHARE = 0.2

WORDS = [
    "allotment",
    "council",
    "river",
    "budget",
    "harvest",
    "bridge",
    "library",
    "station",
    "weather",
    "market",
    "festival",
    "school",
    "winter",
    "museum",
    "garden",
    "ferry",
    "orchard",
    "league",
    "tram",
    "archive",
    "theatre",
    "ballot",
    "harbour",
    "forecast",
    "volunteer",
    "meadow",
    "quarry",
    "bakery",
]


@dataclass(frozen=True)
class Node:
    """One comment: its index, its parent's index and who wrote it."""

    index: int
    parent: int | None
    depth: int
    # Index into the thread's registered commenters, or None for anonymous.
    user: int | None
    text: str


def comment_text(rng: random.Random) -> str:
    """A plain comment of one to three short paragraphs, sometimes with a link."""
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 40))]
        paragraphs.append(" ".join(words).capitalize() + ".")
    if rng.random() < 0.2:
        paragraphs[-1] += " See https://example.org/" + rng.choice(WORDS)
    return "\n\n".join(paragraphs)


def thread(size: int, *, registered_share: float = 0.5, seed: int = 7) -> list[Node]:
    """``size`` comments in creation order: about 20% top level, replies up to
    depth 5, ``registered_share`` of them by distinct registered users."""
    rng = random.Random(f"{seed}-{size}-{registered_share}")
    nodes: list[Node] = []
    # Per thread, the comments that may still get a reply (depth below 5).
    # Replies pick a thread first, so threads grow evenly rather than the
    # oldest ones taking everything.
    threads: list[list[int]] = []
    users = 0
    for index in range(size):
        open_threads = [replyable for replyable in threads if replyable]
        if not open_threads or rng.random() < TOP_LEVEL_SHARE:
            parent, depth, replyable = None, 0, []
            threads.append(replyable)
        else:
            replyable = rng.choice(open_threads)
            parent = rng.choice(replyable)
            depth = nodes[parent].depth + 1
        user = None
        if rng.random() < registered_share:
            user, users = users, users + 1
        nodes.append(Node(index, parent, depth, user, comment_text(rng)))
        if depth < MAX_DEPTH:
            replyable.append(index)
    return nodes


def registered_users(nodes: list[Node]) -> int:
    """How many registered commenters the nodes name (indexes from 0)."""
    return max((node.user for node in nodes if node.user is not None), default=-1) + 1


# Big shapes (issue 16): whatever the shape, a page stays bounded. ---------------

# The deepest reply the site stores (journal.conf MAX_COMMENT_DEPTH): a
# materialized path of 61 ids.
CHAIN_DEPTH = 60
BIG_SHAPES = ("giant", "flat", "chains")


def big_shape(name: str, size: int, *, chains: int = 100, seed: int = 5) -> list[Node]:
    """``size`` comments in one of three shapes, half of them by 1,000 regular
    commenters, the texts drawn from a pool of 300 (so that building 100,000
    costs little):

    - ``giant``: one top-level comment and everything below it (a flame war):
      every fourth comment answers it, the others the comment before;
    - ``flat``: every comment top level;
    - ``chains``: ``chains`` top-level comments, each with an equal share of
      the rest below it as chains as deep as the site allows, each reply
      answering the comment before, the next chain starting again at the top.
    """
    rng = random.Random(f"{seed}-{name}-{size}")
    texts = [comment_text(rng) for _ in range(300)]
    per_chain = max(size // chains, 1)
    nodes: list[Node] = []
    for index in range(size):
        if name == "giant":
            parent = None if index == 0 else (0 if index % 4 == 1 else index - 1)
        elif name == "flat":
            parent = None
        elif name == "chains":
            offset = index % per_chain
            top = index - offset
            if offset == 0:
                parent = None
            elif (offset - 1) % CHAIN_DEPTH == 0:
                parent = top
            else:
                parent = index - 1
        else:
            raise ValueError(name)
        depth = 0 if parent is None else nodes[parent].depth + 1
        user = index % 1_000 if index % 2 else None
        nodes.append(Node(index, parent, depth, user, texts[index % len(texts)]))
    return nodes


def display_order(nodes: list[Node]) -> list[int]:
    """Indexes depth-first: each thread in creation order, replies under parents."""
    children: dict[int | None, list[int]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node.index)
    order: list[int] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children.get(index, [])))
    return order
