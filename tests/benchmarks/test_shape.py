"""The benchmark's threads have the shape the performance targets are set for."""

from benchmarks import shape


def test_a_thread_is_a_fifth_top_level_five_deep_half_by_distinct_users():
    nodes = shape.thread(1_000)

    top_level = sum(1 for node in nodes if node.parent is None)
    assert 150 <= top_level <= 250
    assert max(node.depth for node in nodes) == shape.MAX_DEPTH
    registered = [node.user for node in nodes if node.user is not None]
    assert 450 <= len(registered) <= 550
    assert len(set(registered)) == len(registered)  # each by a different user
    for node in nodes:
        if node.parent is not None:
            parent = nodes[node.parent]
            assert parent.index < node.index and node.depth == parent.depth + 1


def test_an_anonymous_only_thread_has_no_registered_authors():
    assert shape.registered_users(shape.thread(1_000, registered_share=0.0)) == 0


def test_threads_are_the_same_on_every_run():
    assert shape.thread(100) == shape.thread(100)


def test_display_order_puts_every_reply_under_its_parent():
    nodes = shape.thread(500)
    order = shape.display_order(nodes)
    position = {index: place for place, index in enumerate(order)}
    assert sorted(order) == list(range(500))
    for node in nodes:
        if node.parent is not None:
            assert position[node.parent] < position[node.index]
