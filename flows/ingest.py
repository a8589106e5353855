"""The ingest flow: due feeds → fetch and parse → record entries → fetch, extract and load pages.

Tasks are per feed and per batch of pages, never per article (a Prefect task run costs ~12 ms).
Page batches are pipelined: while one batch is being extracted on every core, the next is
being fetched and the previous one loaded, so the CPU-bound extraction never waits for I/O.
"""

# No `from __future__ import annotations` here: a deployment's flow run validates its parameters
# against ingest_flow's annotations after loading this file by path, where string annotations
# (`Settings`) cannot be resolved and every run failed before it started.
import functools
import gc
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run, task_run
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner

from config.settings import Settings, load_settings
from config.sources import DEFAULT_FEEDS_FILE, load_sources
from flows import observe
from tasks import rows, stages
from tasks.dedup import StoryClusterer
from tasks.fetcher.client import RequestLog
from tasks.records import (
    FeedOutcome,
    FeedState,
    FetchResult,
    PageJob,
    PageOutcome,
    RunSummary,
    Source,
)
from tasks.runtime import resources
from tasks.runtime.workers import start_fork_server, trim_heap
from tasks.schedule import is_due
from warehouse import load, query
from warehouse.db import RunLock, WarehouseError, connect
from warehouse.retention import apply_retention
from warehouse.search import rebuild_search_index

logger = logging.getLogger(__name__)

# Batches in flight at once: one loading, one extracting, one fetching.
PIPELINE_DEPTH = 3
# The writer's statements are small and the extraction workers have the cores: more DuckDB
# threads only added CPU (bench/writer.py: 4.7-4.8 CPU ms per page; --threads 0: 5.2-5.4).
WRITER_THREADS = 1
# A page batch whose extraction worker died is tried again this many times (the pages whose
# worker died only); then those pages are recorded as `worker_died`.
BATCH_RETRIES = 1
# Near-duplicate stories are looked for among articles fetched this many days back.
STORY_WINDOW_DAYS = 7


def _now() -> datetime:
    return datetime.now(UTC)


@task(name="fetch-feed", cache_policy=NO_CACHE)
def fetch_feed_task(
    source: Source, state: FeedState | None, settings: Settings, now: datetime
) -> tuple[FeedOutcome, list[FetchResult]]:
    """Fetch and parse one source; also hand back the requests made for it, for the fetch log."""
    log = RequestLog()
    fetcher = resources.fetcher(settings)
    pool = functools.partial(resources.pool, settings)
    outcome = stages.fetch_feed(source, state, fetcher, pool, settings, now, log=log)
    return outcome, log.results


def _worker_died(_task: Any, _task_run: Any, state: State) -> bool:
    return isinstance(state.result(raise_on_failure=False), stages.WorkerDiedError)


@task(
    name="process-batch",
    cache_policy=NO_CACHE,
    retries=BATCH_RETRIES,
    retry_condition_fn=_worker_died,
)
def process_batch_task(
    jobs: list[PageJob], settings: Settings, templates: dict[str, frozenset[str]]
) -> tuple[list[PageOutcome], list[FetchResult]]:
    """Fetch a batch of pages and extract them on every core; also hand back the requests made.

    Several batches are in flight at once, so one batch's fetching overlaps another's extraction.
    An extraction worker that died under a page fails the attempt (WorkerDiedError) and Prefect
    retries it: the retry fetches nothing again and extracts only the pages whose worker died.
    """
    progress = resources.batch_progress(jobs)
    outcomes = stages.process_batch(
        jobs,
        progress,
        resources.fetcher(settings),
        resources.pool(settings),
        templates,
        settings,
        last_attempt=task_run.run_count > BATCH_RETRIES,
    )
    resources.forget_batch(jobs)
    return outcomes, progress.requests


class Ingestion:
    """The state of one run: its resources, counters and the writer's view of the warehouse."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.settings = settings
        self.summary = RunSummary(run_id=run_id)
        self.source_by_url: dict[str, str] = {}
        self.errors: Counter[str] = Counter()
        self.clusterer = StoryClusterer()  # the last days' stories, loaded when pages are due
        self.templates: dict[str, frozenset[str]] = {}
        self.sites_touched: set[str] = set()
        self.tasks_submitted = 0
        # Checkpointing at every close (every stage and batch) rewrote the row groups each one
        # touched and left a new, never merged, row group per batch; in the WAL, the batches
        # are replayed by the next open and written together, when the WAL reaches DuckDB's
        # checkpoint_threshold (16 MiB) or by the run's last connections (_finish_articles).
        self.checkpoint_on_close = False
        self.unreachable: WarehouseError | None = None
        self.report = observe.RunReport()

    @contextmanager
    def db(self, *, publish: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's connection, held for one stage or one batch.

        `publish`: readers see what was loaded once the block ends (warehouse.publish). Each
        batch and the run's end publish; the stages between leave theirs queued for the next,
        as a publish costs ~0.1-0.3 s whatever it carries (the catalog is rewritten).

        Once the file could not be opened (locked past the wait, unreachable), later stages,
        such as recording the failed run, fail at once with that error instead of waiting again.
        """
        if self.unreachable is not None:
            raise self.unreachable
        try:
            with connect(
                self.settings.db_path,
                threads=WRITER_THREADS,
                checkpoint=self.checkpoint_on_close,
                publish=publish,
            ) as con:
                yield con
        except WarehouseError as exc:
            self.unreachable = exc
            raise

    def write_fetch_log(self, con: duckdb.DuckDBPyConnection, results: list[FetchResult]) -> None:
        """Append requests to the fetch log, counting the failures of feeds and robots.txt."""
        for result in results:
            # Page failures are counted from their outcomes, which include extraction errors.
            if result.kind != "page" and not result.succeeded:
                self.errors[f"{result.kind}:{result.status}"] += 1
        load.append_fetch_log(
            con, rows.fetch_log_rows(results, self.summary.run_id, self.source_by_url, _now())
        )


def _plan(
    run: Ingestion, sources: Sequence[Source], force: bool
) -> tuple[list[Source], dict[str, FeedState]]:
    with run.db() as con:
        load.sync_sources(con, sources)
        states = query.feed_states(con)
        load.start_run(con, run.summary.run_id, run.summary.flow_run_id, _now())
    now = _now()
    due = [s for s in sources if s.enabled and is_due(states.get(s.name), now, force=force)]
    for source in due:
        state = states.get(source.name)
        run.source_by_url[state.url if state else source.url] = source.name
    run.summary.feeds_total = len(sources)
    run.summary.feeds_skipped = len(sources) - len(due)
    return due, states


def _record_feeds(
    run: Ingestion, results: Sequence[tuple[FeedOutcome, list[FetchResult]]]
) -> list[PageJob]:
    summary = run.summary
    outcomes = [outcome for outcome, _ in results]
    entries = {outcome.source.name: rows.entry_rows(outcome) for outcome in outcomes}
    now = _now()
    with run.db() as con:
        run.write_fetch_log(con, [request for _, requests in results for request in requests])
        new = load.record_feeds(
            con,
            [rows.feed_state_row(outcome, now) for outcome in outcomes],
            [row for source_entries in entries.values() for row in source_entries],
            summary.run_id,
            now,
        )
        for outcome in outcomes:
            summary.entries_seen += len(entries[outcome.source.name])
            summary.entries_new += new.get(outcome.source.name, 0)
            failed = outcome.failed
            summary.feeds_failed += failed
            summary.feeds_not_modified += outcome.unchanged
            summary.feeds_fetched += not failed
            if failed:
                reason = (
                    outcome.parsed.error
                    if outcome.parsed and outcome.parsed.error
                    else outcome.fetch.error
                )
                logger.warning("feed %s failed: %s", outcome.source.name, reason)
        load.link_known_articles(con, _now())
        jobs = query.pending_jobs(con, run.settings.max_attempts)
        if jobs:  # a run with no page to fetch needs neither the story index nor the templates
            run.clusterer = StoryClusterer.from_stored(
                query.recent_signatures(con, STORY_WINDOW_DAYS)
            )
            # Every site's: a page's site is known only once it is fetched (feed links redirect).
            run.templates = query.template_fingerprints(con)
    for job in jobs:
        run.source_by_url[job.entry.url] = job.source_name
    return jobs


def _load_batch(run: Ingestion, outcomes: list[PageOutcome], requests: list[FetchResult]) -> None:
    summary = run.summary
    with run.db(publish=True) as con:
        now = _now()
        stored = query.stored_articles(con, *rows.article_keys(outcomes))
        batch, counts = rows.page_rows(outcomes, stored, run.clusterer, now)
        load.load_pages(
            con, batch, run_id=summary.run_id, now=now, max_attempts=run.settings.max_attempts
        )
        run.write_fetch_log(con, requests)
    summary.articles_new += counts.new
    summary.articles_updated += counts.updated
    summary.pages_fetched += sum(1 for o in outcomes if o.fetch is not None and o.fetch.ok)
    summary.pages_failed += counts.failed
    run.sites_touched |= counts.sites
    for outcome in outcomes:
        if outcome.error_class:
            run.errors[f"page:{outcome.error_class}"] += 1


def _process_pages(run: Ingestion, jobs: list[PageJob]) -> None:
    batches = stages.page_batches(jobs, run.settings.batch_size)
    in_flight: deque[PrefectFuture] = deque()
    done_pages = 0
    run.tasks_submitted += len(batches)
    for number, batch in enumerate(batches):
        in_flight.append(process_batch_task.submit(batch, run.settings, run.templates))
        # The small first batch goes through alone: submitted beside the next ones, its pages
        # reached the workers' queue behind theirs (first articles stored 2-5 s after the feeds
        # were read at N=1,000, not ~1.3 s).
        if number == 0 or len(in_flight) >= PIPELINE_DEPTH:
            done_pages += _finish(run, in_flight.popleft(), done_pages, len(jobs))
    while in_flight:
        done_pages += _finish(run, in_flight.popleft(), done_pages, len(jobs))


def _finish(run: Ingestion, future: PrefectFuture, done_before: int, total: int) -> int:
    outcomes, requests = future.result()
    _load_batch(run, outcomes, requests)
    run.report.note_pages(outcomes)
    done = len(outcomes)
    # Prefect keeps a finished task's result (here every page body of the batch) in reference
    # cycles, which only a full collection frees; left to the collector's own schedule they
    # piled up to ~0.2 MB per page (bench/README.md, memory). The freed heap then goes back to
    # the OS rather than staying at the high-water mark of the largest batch.
    del outcomes, requests
    gc.collect()
    trim_heap()
    logger.info(
        "pages %d/%d: %d new, %d updated, %d failed",
        done_before + done,
        total,
        run.summary.articles_new,
        run.summary.articles_updated,
        run.summary.pages_failed,
    )
    return done


def _finish_articles(run: Ingestion) -> None:
    """Strip templates learned since the stored texts were cleaned, then update the search index.

    Only the articles holding a template not applied yet are read (each is cleaned of every
    template of its site), so articles cleaned already are not read again. The run's last
    connections then checkpoint what its stages and batches left in the WAL.
    """
    run.checkpoint_on_close = True
    if not run.sites_touched:
        return
    changed = 0
    with run.db() as con:
        learned = query.unapplied_templates(con)
        if learned:
            templates = query.template_fingerprints(con, learned)
            changed = load.apply_cleaned_texts(
                con, rows.cleaned_texts(query.site_texts(con, learned), templates)
            )
        rebuild_search_index(con)
    if changed:
        logger.info("removed learned site templates from %d stored articles", changed)


def _apply_retention(run: Ingestion) -> None:
    """Delete what the keep_*_days settings no longer keep (warehouse.retention).

    A day's rows go together, so most runs find nothing due and read one column per table.
    """
    with run.db() as con:
        apply_retention(con, run.settings, _now())


@contextmanager
def claim_run(settings: Settings, lock_wait_s: float = 0.0) -> Iterator[None]:
    """Hold the database's run lock and start the fork server, for one run.

    Raises WarehouseError when another run holds the lock after lock_wait_s. flows.runner
    claims its runs before Prefect starts, so that refusal comes at once and the fork server's
    loading overlaps Prefect's start-up; ingest_flow claims the runs a deployment starts.
    """
    lock = RunLock(settings.db_path)
    lock.acquire(lock_wait_s)
    try:
        if not settings.distributed:  # Dask workers run their own pools
            start_fork_server()
        yield
    finally:
        lock.release()


def ingest(
    settings: Settings, sources: Sequence[Source], *, force: bool = False
) -> tuple[RunSummary, int]:
    """One claimed ingestion run inside a Prefect flow; returns its summary and task runs made."""
    started = time.monotonic()
    run = Ingestion(settings, run_id=uuid.uuid4().hex[:16])
    run.report.sources = sources
    run.summary.flow_run_id = flow_run.get_id()
    status, error = "failed", None
    try:
        due, states = _plan(run, sources, force)
        run.report.due = {source.name for source in due}
        logger.info("%d of %d sources due", len(due), len(sources))
        run.tasks_submitted += len(due)
        futures = fetch_feed_task.map(
            due, [states.get(s.name) for s in due], unmapped(settings), unmapped(_now())
        )
        feeds = [f.result() for f in futures]
        run.report.feeds = {outcome.source.name: outcome for outcome, _ in feeds}
        observe.emit_source_events(run.report.feeds.values(), states)
        jobs = _record_feeds(run, feeds)
        logger.info("%d new entries; %d pages to fetch", run.summary.entries_new, len(jobs))
        # What is alive now (modules, Prefect's state, the story index) is left out of the
        # per-batch collections, which then scan only this run's new objects.
        gc.freeze()
        _process_pages(run, jobs)
        _finish_articles(run)
        _apply_retention(run)
        status = "completed"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    except BaseException:
        # Ctrl-C, or SIGTERM (Prefect raises TerminationSignal in the flow, the CLI turns it
        # into KeyboardInterrupt outside): committed batches stay, the rest is resumed next run.
        status = "interrupted"
        raise
    finally:
        gc.unfreeze()  # a long-lived `newsflow serve` process collects this run's leftovers
        resources.close_all()
        run.summary.duration_s = round(time.monotonic() - started, 3)
        run.summary.errors_by_class = dict(run.errors)
        with run.db(publish=True) as con:
            load.finish_run(con, run.summary, status, _now(), error)
        # An interrupted run reports nothing more: the server may be stopping with it.
        if status != "interrupted":
            observe.publish_artifacts(run.summary, status, run.report)
            observe.emit_run_events(run.summary, len(run.report.due), error)
    return run.summary, run.tasks_submitted


def _flow_run_name() -> str:
    """What ran: the feeds file and the start time (UTC), e.g. `feeds.toml 2026-12-04 00:50:12`."""
    feeds = flow_run.parameters.get("feeds_file") or DEFAULT_FEEDS_FILE
    return f"{Path(feeds).name} {_now():%Y-%m-%d %H:%M:%S}"


@flow(
    name="ingest",
    flow_run_name=_flow_run_name,
    task_runner=ThreadPoolTaskRunner(max_workers=16),
    persist_result=False,
)
def ingest_flow(
    feeds_file: str | None = None,
    settings_file: str | None = None,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    lock_wait_s: float = 0.0,
    settings: Settings | None = None,
    sources: list[Source] | None = None,
) -> dict[str, Any]:
    """Ingest every due source of a feeds file into the warehouse; returns the run summary.

    flows.runner passes the settings and sources it built and checked before Prefect started,
    having claimed the run (and the feeds file, which names the flow run); a deployment passes
    files (JSON parameters), read here, and the run is claimed here. Prefect's history of the
    flow is pruned to prefect_history_days after every run.
    """
    if settings is None:
        settings = load_settings(settings_file, overrides)
    if sources is None:
        sources = load_sources(feeds_file)
    # The runner's process holds the lock of the run it claimed; no other process can.
    claimed = RunLock(settings.db_path).held
    with nullcontext() if claimed else claim_run(settings, lock_wait_s):
        summary, tasks_submitted = ingest(settings, sources, force=force)
    if settings.prefect_history_days:
        history_start = _now() - timedelta(days=settings.prefect_history_days)
        observe.prune_history(ingest_flow.name, before=history_start)
    return {**asdict(summary), "tasks_submitted": tasks_submitted}
