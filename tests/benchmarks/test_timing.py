"""The benchmark's timer measures the function, not the size of the process."""

from __future__ import annotations

import gc

from benchmarks.common import WRITE, timed


def test_the_timer_freezes_what_was_alive_and_leaves_the_heap_as_it_found_it():
    frozen_while_timing = []

    def sample():
        frozen_while_timing.append(gc.get_freeze_count())

    timed(sample, repeat=3, warmup=1)

    assert frozen_while_timing[0] == 0  # the warm-up runs before the freeze
    assert all(count > 0 for count in frozen_while_timing[1:])
    assert gc.get_freeze_count() == 0


def test_the_timer_walks_the_whole_heap_when_asked_and_keeps_a_freeze_made_before(
    monkeypatch,
):
    monkeypatch.setenv("BENCH_GC_FREEZE", "0")
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        timed(lambda: None, repeat=2, warmup=1)
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_a_write_is_counted_alone_or_after_a_with():
    writes = [
        "INSERT INTO journal_comment (id) VALUES (%s)",
        "  update journal_post SET title = %s",
        "WITH reserved(n) AS (SELECT 1) INSERT INTO journal_comment (id) VALUES (1)",
        "DELETE FROM journal_tag",
    ]
    reads = [
        "SELECT updated_at FROM journal_post",
        "WITH counted AS (SELECT 1) SELECT * FROM counted",
    ]
    assert all(WRITE.match(sql) for sql in writes)
    assert not any(WRITE.match(sql) for sql in reads)
