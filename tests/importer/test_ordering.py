"""Placing comments in their threads: pure, no database."""

from importer.ordering import Anchor, Node, place


def node(comment_id, parent=None, *, post=1, deleted=False, usable=True):
    return Node(comment_id, post, parent, deleted, usable and not deleted)


def placed_as(nodes, anchors=None, max_depth=60):
    placed, issues = place({n.id: n for n in nodes}, anchors or {}, max_depth=max_depth)
    return (
        {p.id: (p.parent, p.depth) for p in placed},
        [(issue.id, issue.code) for issue in issues],
        [p.id for p in placed],
    )


def test_parents_come_before_their_replies_whatever_the_file_order():
    places, issues, order = placed_as([node(3, 2), node(1), node(2, 1)])

    assert places == {1: (None, 0), 2: (1, 1), 3: (2, 2)}
    assert order == [1, 2, 3] and issues == []


def test_a_reply_to_a_missing_or_refused_comment_is_top_level():
    places, issues, _order = placed_as([node(2, 99), node(3, 4), node(4, usable=False)])

    assert places == {2: (None, 0), 3: (None, 0)}
    assert ("2", "parent_missing") in issues and ("3", "parent_missing") in issues


def test_a_parent_on_another_post_is_no_parent():
    places, issues, _order = placed_as([node(1, post=1), node(2, 1, post=2)])

    assert places[2] == (None, 0)
    assert issues == [("2", "parent_missing")]


def test_deleted_comments_stay_only_above_a_kept_reply():
    places, issues, _order = placed_as(
        [
            node(1, deleted=True),
            node(2, 1, deleted=True),
            node(3, 2),
            node(4, deleted=True),
            node(5, 4, deleted=True),
        ]
    )

    assert set(places) == {1, 2, 3}
    assert sorted(issues) == [
        ("4", "deleted_without_replies"),
        ("5", "deleted_without_replies"),
    ]


def test_a_cycle_is_broken_at_its_smallest_id():
    places, issues, _order = placed_as([node(1, 3), node(2, 1), node(3, 2)])

    assert places == {1: (None, 0), 2: (1, 1), 3: (2, 2)}
    assert issues == [("1", "cycle")]


def test_a_cycle_of_deleted_comments_ends():
    places, issues, _order = placed_as(
        [node(1, 2, deleted=True), node(2, 1, deleted=True)]
    )

    assert places == {}
    assert len(issues) == 2


def test_replies_past_the_deepest_level_answer_the_deepest_comment_allowed():
    chain = [node(1)] + [node(n, n - 1) for n in range(2, 8)]

    places, issues, _order = placed_as(chain, max_depth=3)

    assert places[4] == (3, 3)
    assert places[5] == (3, 3) and places[7] == (3, 3)
    assert ("5", "too_deep") in issues


def test_a_thread_of_a_hundred_thousand_levels_needs_no_recursion():
    chain = [node(1)] + [node(n, n - 1) for n in range(2, 100_001)]

    places, _issues, _order = placed_as(chain, max_depth=60)

    assert max(depth for _parent, depth in places.values()) == 60


def test_new_replies_go_below_comments_imported_before():
    anchors = {10: Anchor(post=1, depth=2, parent=9)}

    places, issues, _order = placed_as([node(11, 10), node(12, 11)], anchors)

    assert places == {11: (10, 3), 12: (11, 4)}
    assert issues == []


def test_a_new_reply_below_an_anchor_at_the_deepest_level_moves_up():
    anchors = {10: Anchor(post=1, depth=3, parent=9)}

    places, issues, _order = placed_as([node(11, 10)], anchors, max_depth=3)

    assert places == {11: (9, 3)}
    assert issues == [("11", "too_deep")]
