"""Per-process resources for the pipeline's tasks: one HTTP fetcher and one worker pool.

Tasks receive settings (plain, picklable data) instead of live objects, and take the fetcher and
the pool of the process they run in: the flow's own process on the default thread runner (all
tasks share one client, one set of per-host limits, one pool), or each worker process of a Dask
cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Sequence

from config.settings import Settings
from tasks.fetcher.client import Fetcher
from tasks.records import PageJob
from tasks.runtime.workers import InlinePool, WorkerPool
from tasks.stages import BatchProgress

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_fetchers: dict[str, Fetcher] = {}
_pools: dict[int, WorkerPool | InlinePool] = {}
# Progress of page batches between attempts, by the batch's page URLs.
_batches: dict[tuple[str | None, ...], BatchProgress] = {}


def fetcher(settings: Settings) -> Fetcher:
    """The fetcher of this process for these settings, created on first use.

    Every task of the process shares it (one connection pool, one set of per-host limits, one
    robots.txt cache); each task records its own requests in the RequestLog it passes.
    """
    key = settings.model_dump_json()
    with _lock:
        if key not in _fetchers:
            _fetchers[key] = Fetcher(settings)
        return _fetchers[key]


def pool(settings: Settings) -> WorkerPool | InlinePool:
    """The worker pool of this process, created on first use.

    A daemonic process (a Dask worker started with the default `distributed.worker.daemon`)
    may not start children: there, work runs inline, without the per-task kill time limit.
    """
    with _lock:
        if settings.workers not in _pools:
            if multiprocessing.current_process().daemon:
                logger.warning(
                    "daemonic worker process: extraction runs inline, without its time limit"
                )
                _pools[settings.workers] = InlinePool()
            else:
                _pools[settings.workers] = WorkerPool(settings.workers)
        return _pools[settings.workers]


def batch_progress(jobs: Sequence[PageJob]) -> BatchProgress:
    """The progress of this batch of pages in this process: new, or kept from an attempt."""
    with _lock:
        return _batches.setdefault(tuple(job.entry.url for job in jobs), BatchProgress())


def forget_batch(jobs: Sequence[PageJob]) -> None:
    """Drop a finished batch's progress (its page bodies)."""
    with _lock:
        _batches.pop(tuple(job.entry.url for job in jobs), None)


def close_all() -> None:
    """Close every fetcher and pool of this process and drop batch progress (a run's end)."""
    with _lock:
        for item in [*_fetchers.values(), *_pools.values()]:
            item.close()
        _fetchers.clear()
        _pools.clear()
        _batches.clear()
