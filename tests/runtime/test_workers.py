"""The worker pool: results come back, and a task over its time limit has its worker killed."""

from __future__ import annotations

import os
import time

import pytest

from tasks.runtime.workers import WorkerPool
from tests import workload


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(2) as pool:
        yield pool


def test_workers_start_with_the_extractor_and_its_data_loaded_by_the_fork_server():
    # Loaded once and shared copy-on-write, not once per worker (~70 MB each for the language
    # model, ~27 MB for the stoplists the extractor's jusText fallback loads on first use).
    with WorkerPool(1) as fresh:
        assert fresh.run(workload.preloaded, (), timeout_s=60).value == (True, True, True)


def test_results_come_back_keyed(pool):
    done = {
        d.key: d.value
        for d in pool.map_unordered(workload.square, [(i, (i,)) for i in range(20)], 10)
    }
    assert done == {i: i * i for i in range(20)}


def test_a_task_over_its_limit_is_killed_and_the_pool_goes_on(pool):
    started = time.monotonic()
    done = pool.run(workload.hang, (60,), timeout_s=1.0)
    assert done.failure is not None and done.failure.error_class == "timeout"
    assert time.monotonic() - started < 30  # generous: "does not hang for the full minute"
    assert pool.run(workload.square, (7,), timeout_s=10).value == 49


def test_a_crashing_worker_is_a_recorded_failure(pool):
    done = pool.run(workload.die, (), timeout_s=10)
    assert done.failure is not None and done.failure.error_class == "worker_crashed"
    assert pool.run(workload.square, (3,), timeout_s=10).value == 9


def test_a_memory_bomb_fails_inside_its_worker(pool):
    done = pool.run(workload.allocate, (8 * 1024,), timeout_s=30)  # 8 GB > the worker cap
    assert done.failure is not None and done.failure.error_class in {"too_large", "error"}
    assert pool.run(workload.square, (2,), timeout_s=10).value == 4


def test_workers_are_separate_processes(pool):
    assert pool.run(workload.pid, (), timeout_s=10).value != os.getpid()
