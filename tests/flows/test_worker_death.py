"""A process-batch task whose extraction worker died is retried by Prefect, fetching nothing twice.

The pool stands in for the worker pool: it reports a dead worker (as pebble's ProcessExpired
becomes in tasks/runtime/workers.py) for chosen pages and extracts the others in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from flows import ingest
from tasks.records import FeedEntry, PageJob
from tasks.runtime import resources
from tasks.runtime.workers import Done, InlinePool, TaskFailure
from tests.conftest import loopback_settings
from tests.httpserver import LocalServer

PAGE = "<html><head><title>{n}</title></head><body><article><h1>Story {n}</h1>{text}</article></body></html>"
TEXT = "<p>" + "A sentence long enough to count as the article's own text. " * 12 + "</p>"


class DyingPool(InlinePool):
    """Its worker dies under the first page of each of the first `deaths` calls."""

    def __init__(self, deaths: int) -> None:
        self.deaths = deaths
        self.calls: list[int] = []  # pages handed over per call

    def map_unordered(
        self,
        function: Callable[..., Any],
        keyed_args: Iterable[tuple[Any, tuple]],
        timeout_s: float,
    ) -> Iterator[Done]:
        items = list(keyed_args)
        self.calls.append(len(items))
        for index, (key, args) in enumerate(items):
            if index == 0 and len(self.calls) <= self.deaths:
                yield Done(key, failure=TaskFailure("worker_crashed", "worker died (signal 9)"))
            else:
                yield from super().map_unordered(function, [(key, args)], timeout_s)


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        for n in range(4):
            server.route(f"/story-{n}.html", PAGE.format(n=n, text=TEXT))
        yield server


def run_batch(site: LocalServer, tmp_path, monkeypatch, pool: DyingPool) -> Any:
    from prefect import flow

    monkeypatch.setattr(resources, "pool", lambda _settings: pool)
    jobs = [
        PageJob("s", FeedEntry(entry_key=str(n), url=site.url(f"/story-{n}.html")))
        for n in range(4)
    ]

    @flow
    def one_batch() -> Any:
        return ingest.process_batch_task(jobs, loopback_settings(tmp_path), {}, return_state=True)

    state = one_batch()
    resources.close_all()
    return state


def test_a_dead_worker_fails_the_attempt_and_the_retry_resumes(
    prefect_server, site, tmp_path, monkeypatch
):
    pool = DyingPool(deaths=1)
    state = run_batch(site, tmp_path, monkeypatch, pool)
    outcomes, requests = state.result()
    assert state.is_completed()
    assert pool.calls == [4, 1]  # the retry extracted only the page whose worker died
    assert sorted(o.error_class or "ok" for o in outcomes) == ["ok"] * 4
    assert all(len(site.requests_for(f"/story-{n}.html")) == 1 for n in range(4))
    assert len([r for r in requests if r.kind == "page"]) == 4


def test_a_page_whose_worker_keeps_dying_is_recorded_after_the_retries(
    prefect_server, site, tmp_path, monkeypatch
):
    pool = DyingPool(deaths=ingest.BATCH_RETRIES + 1)
    state = run_batch(site, tmp_path, monkeypatch, pool)
    outcomes, _ = state.result()
    assert state.is_completed()
    assert pool.calls == [4] + [1] * ingest.BATCH_RETRIES
    assert sorted(o.error_class or "ok" for o in outcomes) == ["ok"] * 3 + ["worker_died"]
    assert all(len(site.requests_for(f"/story-{n}.html")) == 1 for n in range(4))
