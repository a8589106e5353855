"""A pool of worker processes for CPU-bound work (extraction, feed parsing) with hard time limits.

A pathological page or feed can make lxml or a regex run for minutes; a thread cannot be stopped,
so the work runs in processes (pebble) and a task over its limit has its worker killed and
replaced. Workers start from a fork server, not by forking the flow's process: Prefect's
threads and event loops are running there and a plain fork could copy a held lock.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import multiprocessing.forkserver
import resource
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from pebble import ProcessExpired, ProcessPool

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Address-space cap per worker: a decompression or entity bomb that slips past the size caps
# fails with MemoryError in its worker instead of exhausting the machine.
WORKER_MEMORY_LIMIT = 3 * 1024**3
PRELOAD_MODULES = ["tasks.runtime.worker_preload"]
# A worker's heap keeps the peak of its largest pages: glibc returns freed memory in the middle
# of the heap only when asked. Asking takes ~1 ms, so a worker asks after every TRIM_EVERY tasks
# (on 990 dev pages: +43 MB per worker without, +10 MB with, 0.13 ms per page).
TRIM_EVERY = 8
_MALLOC_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only
# Tasks run by this worker process; a one-element list so the counter needs no `global`.
_tasks_run = [0]


def trim_heap() -> None:
    """Hand the heap's free pages back to the OS (glibc only; elsewhere nothing to do)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _run_task(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """One task in a worker; every TRIM_EVERY tasks the worker's freed heap goes back."""
    try:
        return function(*args, **kwargs)
    finally:
        _tasks_run[0] += 1
        if _tasks_run[0] % TRIM_EVERY == 0:
            trim_heap()


def _limit_memory() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = (
        WORKER_MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_LIMIT, hard)
    )
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _fork_server_context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD_MODULES)
    return context


def start_fork_server() -> None:
    """Start the fork server now; it loads PRELOAD_MODULES in its own process, in the background.

    That takes ~2 s (the extractor, the language model, the warm-up extraction), which the first
    worker would otherwise wait for. Returns at once; a run that never needs a worker (nothing
    new to parse) neither waits for it nor has workers to stop.
    """
    _fork_server_context()
    multiprocessing.forkserver.ensure_running()


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """Why a task produced no result: timeout (worker killed), crash, or an exception."""

    error_class: str  # timeout | worker_crashed | error
    error: str


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """One finished task: its key and either a value or a TaskFailure."""

    key: Any
    value: T | None = None
    failure: TaskFailure | None = None


class WorkerPool:
    """Process pool running plain functions with a per-task time limit."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # The workers are forked on the first call, from the fork server start_fork_server()
        # started as the run began.
        self._pool = ProcessPool(
            max_workers=workers, initializer=_limit_memory, context=_fork_server_context()
        )

    def run(
        self, function: Callable[..., T], args: tuple, timeout_s: float, kwargs: dict | None = None
    ) -> Done[T]:
        """Run one call in a worker and wait for it."""
        future = self._pool.schedule(
            _run_task, args=(function, *args), kwargs=kwargs or {}, timeout=timeout_s
        )
        return _collect(None, future, timeout_s)

    def map_unordered(
        self, function: Callable[..., T], keyed_args: Iterable[tuple[Any, tuple]], timeout_s: float
    ) -> Iterator[Done[T]]:
        """Run function(*args) for every (key, args); yield Done records as they finish."""
        futures = {
            self._pool.schedule(_run_task, args=(function, *args), timeout=timeout_s): key
            for key, args in keyed_args
        }
        for future in as_completed(futures):
            yield _collect(futures[future], future, timeout_s)

    def close(self) -> None:
        """Stop the workers now.

        Callers close the pool once they have every result they need, so there is no queued work
        to wait for.
        """
        self._pool.stop()
        self._pool.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _collect(key: Any, future: Any, timeout_s: float) -> Done:
    try:
        return Done(key, value=future.result())
    except FutureTimeout:
        return Done(
            key, failure=TaskFailure("timeout", f"took longer than {timeout_s:g} s; worker killed")
        )
    except ProcessExpired as exc:
        return Done(key, failure=TaskFailure("worker_crashed", f"worker died ({exc})"))
    except CancelledError:
        return Done(key, failure=TaskFailure("error", "cancelled"))
    except MemoryError:
        return Done(key, failure=TaskFailure("too_large", "ran out of the worker's memory limit"))
    except Exception as exc:  # noqa: BLE001 - a bug on one page must not unwind the batch
        return Done(key, failure=TaskFailure("error", f"{type(exc).__name__}: {exc}"))


class InlinePool:
    """The WorkerPool interface, run in the calling process: for processes that may not fork.

    Exceptions still become TaskFailures; the time limit cannot be enforced.
    """

    workers = 1

    def run(
        self,
        function: Callable[..., T],
        args: tuple,
        timeout_s: float,
        kwargs: dict | None = None,
    ) -> Done[T]:
        """function(*args, **kwargs) here and now."""
        del timeout_s  # a limit cannot be enforced on the calling process itself
        return _call(None, function, args, kwargs or {})

    def map_unordered(
        self, function: Callable[..., T], keyed_args: Iterable[tuple[Any, tuple]], timeout_s: float
    ) -> Iterator[Done[T]]:
        """function(*args) for every (key, args), one after the other, here."""
        del timeout_s  # a limit cannot be enforced on the calling process itself
        for key, args in keyed_args:
            yield _call(key, function, args, {})

    def close(self) -> None:
        """Nothing to release."""


def _call(key: Any, function: Callable[..., T], args: tuple, kwargs: dict) -> Done[T]:
    try:
        return Done(key, value=function(*args, **kwargs))
    except MemoryError:
        return Done(key, failure=TaskFailure("too_large", "ran out of memory"))
    except Exception as exc:  # noqa: BLE001 - a bug on one page must not unwind the batch
        return Done(key, failure=TaskFailure("error", f"{type(exc).__name__}: {exc}"))
