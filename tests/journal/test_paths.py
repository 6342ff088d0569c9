from journal import paths


def test_paths_sort_replies_under_their_parent_in_creation_order():
    root_a, root_b = paths.child_path("", 7), paths.child_path("", 12)
    reply_a1 = paths.child_path(root_a, 20)
    reply_a2 = paths.child_path(root_a, 300)
    reply_a1_x = paths.child_path(reply_a1, 4000)

    assert sorted([root_b, reply_a2, reply_a1_x, root_a, reply_a1]) == [
        root_a,
        reply_a1,
        reply_a1_x,
        reply_a2,
        root_b,
    ]
    assert [paths.depth_of(p) for p in (root_a, reply_a1, reply_a1_x)] == [0, 1, 2]


def test_subtree_bounds_contain_exactly_the_comment_and_its_descendants():
    root = paths.child_path("", 9)
    child = paths.child_path(root, 10)
    grandchild = paths.child_path(child, 99)
    sibling = paths.child_path(root, 11)
    next_root = paths.child_path("", 10)
    lower, upper = paths.subtree_bounds(child)

    inside = [
        p for p in (root, child, grandchild, sibling, next_root) if lower <= p < upper
    ]

    assert inside == [child, grandchild]
