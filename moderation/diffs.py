"""What changed between two texts, word by word: for the queue, which shows a
moderator how an edited comment differs from the revision they approved."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Long comments are compared on their first words only: enough to see what an
# edit did, and the cost stays small however long the text.
MAX_TOKENS = 4000
_TOKENS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Change:
    kind: str  # "same", "removed" or "added"
    text: str


def word_changes(before: str, after: str) -> list[Change]:
    """``after`` against ``before`` as runs of unchanged, removed and added text."""
    old = _TOKENS.findall(before)[:MAX_TOKENS]
    new = _TOKENS.findall(after)[:MAX_TOKENS]
    # Compared word for word; the spaces after a word go along with it.
    matcher = difflib.SequenceMatcher(
        a=[token.strip() or token for token in old],
        b=[token.strip() or token for token in new],
        autojunk=False,
    )
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.append(Change("same", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            changes.append(Change("removed", "".join(old[i1:i2])))
        if j2 > j1:
            changes.append(Change("added", "".join(new[j1:j2])))
    return changes
