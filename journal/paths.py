"""Materialized paths for threaded comments.

A comment's path is its parent's path followed by its own id, zero-padded to a
fixed width of digits. Ordering by path then gives display order (each thread in
creation order, every reply right under its parent) in one indexed query, and a
sub-thread is one contiguous range of paths. Digits only, so every database
collation sorts the paths the same way.
"""

STEP = 10
# Larger than any segment: every descendant's path sorts below path + this.
LAST_SEGMENT = "9" * STEP


def segment(comment_id: int) -> str:
    return f"{comment_id:0{STEP}d}"


def child_path(parent_path: str, comment_id: int) -> str:
    return parent_path + segment(comment_id)


def depth_of(path: str) -> int:
    """Depth of a comment: 0 for a top-level comment."""
    return max(len(path) // STEP - 1, 0)


def subtree_bounds(path: str) -> tuple[str, str]:
    """Paths p of the comment and its descendants satisfy lower <= p < upper."""
    own_id = int(path[-STEP:])
    return path, path[:-STEP] + segment(own_id + 1)


def end_of_subtree(path: str) -> str:
    """The lowest path after the comment's own sub-thread."""
    return subtree_bounds(path)[1]


def after_reply(parent_path: str, reply_id: int) -> str:
    """The lowest path after reply ``reply_id`` of ``parent_path`` and all below it.

    ``parent_path`` "" stands for the post, whose replies are the top-level
    comments. Replies sort by id, so whatever ``reply_id`` is (a reply that was
    since hidden, or no reply at all), the paths from here on are the later
    replies with their sub-threads: a keyset cursor that needs no lookup.
    """
    return parent_path + segment(min(reply_id + 1, int(LAST_SEGMENT)))


def ancestor_ids(path: str) -> list[int]:
    """Ids of every comment on the way down to (and including) this one."""
    return [int(path[start : start + STEP]) for start in range(0, len(path), STEP)]
