"""Where each imported comment goes in its thread: pure, ids in, places out.

An export lists comments in any order (a reply may come before the comment
it answers), may lack a parent (a page of the export not uploaded, a comment
refused here), and a hostile one may hold a cycle or a thread deeper than the
materialized path can hold. ``place`` settles all of it before anything is
written, and says what it did:

- a comment whose parent is not in the export, not importable here, on
  another entry, or in a cycle becomes a top-level comment;
- a deleted comment is kept (as a tombstone, "Deleted comment") only when a
  reply below it is kept, so that the thread keeps its shape;
- a reply deeper than ``max_depth`` answers the deepest comment allowed on
  its way up instead.

Comments imported by an earlier run (``anchors``) stay where they are; new
replies to them go below them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .formats import Issue


@dataclass(frozen=True)
class Node:
    """A comment of the export that is not imported yet."""

    id: int
    post: int  # the post (here) of its entry
    parent: int | None  # the comment it answers, in the export's ids
    deleted: bool
    # Its text was read and accepted (always False for a deleted comment).
    usable: bool


@dataclass(frozen=True)
class Anchor:
    """A comment imported before: where it is."""

    post: int
    depth: int
    parent: int | None  # in the export's ids; None for top level


@dataclass(frozen=True)
class Placed:
    id: int
    parent: int | None  # the export's id of the comment it answers, or None
    depth: int


def place(
    nodes: Mapping[int, Node], anchors: Mapping[int, Anchor], *, max_depth: int
) -> tuple[list[Placed], list[Issue]]:
    """The new comments to store, each after the comment it answers (by
    depth, then id), and the issues: which were left out and which moved."""
    issues: list[Issue] = []
    children: dict[int, list[int]] = {}
    for node in nodes.values():
        if node.parent is not None and node.parent in nodes:
            children.setdefault(node.parent, []).append(node.id)

    kept = _kept(nodes, children)
    for node in nodes.values():
        if node.deleted and node.id not in kept:
            issues.append(Issue("comment", str(node.id), "deleted_without_replies"))

    parent_of: dict[int, int | None] = {}
    for node_id in sorted(kept):
        node = nodes[node_id]
        parent = node.parent
        if parent is None:
            parent_of[node_id] = None
        elif _post_of(parent, kept, nodes, anchors) == node.post:
            parent_of[node_id] = parent
        else:
            parent_of[node_id] = None
            issues.append(
                Issue("comment", str(node_id), "parent_missing", {"parent": parent})
            )

    issues += _break_cycles(parent_of)
    depths, deep_issues = _depths(parent_of, anchors, max_depth)
    issues += deep_issues
    placed = [
        Placed(id=node_id, parent=parent_of[node_id], depth=depths[node_id])
        for node_id in sorted(kept, key=lambda node_id: (depths[node_id], node_id))
    ]
    return placed, issues


def _post_of(comment_id, kept, nodes, anchors) -> int | None:
    """The post of a comment a reply may answer: one kept, or imported
    before; None for any other."""
    if comment_id in kept:
        return nodes[comment_id].post
    if comment_id in anchors:
        return anchors[comment_id].post
    return None


def _kept(nodes: Mapping[int, Node], children: Mapping[int, list[int]]) -> set[int]:
    """Comments to store: readable ones, and deleted ones with a kept reply
    somewhere below. Iterative: a hostile thread may be any depth."""
    kept: set[int] = set()
    settled: set[int] = set()
    visiting: set[int] = set()  # deleted ones whose replies are being looked at
    for root in nodes:
        if root in settled:
            continue
        stack = [(root, False)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in settled:
                continue
            node = nodes[node_id]
            if not node.deleted:
                settled.add(node_id)
                if node.usable:
                    kept.add(node_id)
                continue
            if not expanded:
                if node_id in visiting:  # a cycle of deleted comments
                    continue
                visiting.add(node_id)
                stack.append((node_id, True))
                for child in children.get(node_id, ()):
                    if child not in settled and child not in visiting:
                        stack.append((child, False))
                continue
            settled.add(node_id)
            if any(child in kept for child in children.get(node_id, ())):
                kept.add(node_id)
    return kept


def _break_cycles(parent_of: dict[int, int | None]) -> list[Issue]:
    """Make the smallest id of each cycle top-level."""
    issues = []
    state: dict[int, int] = {}  # 1: on the current walk, 2: known to end
    for start in sorted(parent_of):
        walk = []
        node_id: int | None = start
        while node_id is not None and node_id in parent_of and node_id not in state:
            state[node_id] = 1
            walk.append(node_id)
            node_id = parent_of[node_id]
        if node_id is not None and state.get(node_id) == 1:
            cycle = walk[walk.index(node_id) :]
            first = min(cycle)
            issues.append(
                Issue("comment", str(first), "cycle", {"parent": parent_of[first]})
            )
            parent_of[first] = None
        for walked in walk:
            state[walked] = 2
    return issues


def _depths(
    parent_of: dict[int, int | None], anchors: Mapping[int, Anchor], max_depth: int
) -> tuple[dict[int, int], list[Issue]]:
    """Each comment's depth; replies past ``max_depth`` move up to answer the
    deepest comment allowed above them."""
    depths: dict[int, int] = {}
    issues: list[Issue] = []

    def depth_and_parent(node_id: int) -> tuple[int, int | None]:
        """For a comment already settled or imported before."""
        if node_id in depths:
            return depths[node_id], parent_of[node_id]
        anchor = anchors[node_id]
        return anchor.depth, anchor.parent

    for start in sorted(parent_of):
        walk = []
        node_id: int | None = start
        while node_id is not None and node_id in parent_of and node_id not in depths:
            walk.append(node_id)
            node_id = parent_of[node_id]
        for node_id in reversed(walk):
            parent = parent_of[node_id]
            if parent is None:
                depths[node_id] = 0
                continue
            depth, grandparent = depth_and_parent(parent)
            if depth + 1 > max_depth:
                issues.append(
                    Issue(
                        "comment",
                        str(node_id),
                        "too_deep",
                        {"parent": parent, "depth": max_depth},
                    )
                )
                # The parent sits at max_depth: answer its own parent, beside it.
                parent_of[node_id] = grandparent
                depth -= 1
            depths[node_id] = depth + 1
    return depths, issues
