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


def roots_range_bounds(first_root_path: str, last_root_path: str) -> tuple[str, str]:
    """Range of paths covering whole threads from the first root to the last."""
    return first_root_path, subtree_bounds(last_root_path)[1]


def ancestor_ids(path: str) -> list[int]:
    """Ids of every comment on the way down to (and including) this one."""
    return [int(path[start : start + STEP]) for start in range(0, len(path), STEP)]
