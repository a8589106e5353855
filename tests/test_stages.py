"""Pure helpers of the stage functions."""

from __future__ import annotations

from tasks.stages import FIRST_BATCH_SIZE, page_batches


def test_pages_come_in_batches_after_a_small_first_one():
    jobs = list(range(250))
    batches = page_batches(jobs, 100)
    assert [len(batch) for batch in batches] == [FIRST_BATCH_SIZE, 100, 100, 250 - 200 - FIRST_BATCH_SIZE]
    assert [job for batch in batches for job in batch] == jobs


def test_a_batch_size_below_the_first_batch_size_applies_to_every_batch():
    assert [len(batch) for batch in page_batches(list(range(15)), 10)] == [10, 5]
    assert page_batches([], 100) == []
