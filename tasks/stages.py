"""The pipeline's units of work as plain functions.

Fetch and parse one feed, fetch a batch of pages, extract a batch. The network, the worker pool
and the log of the requests made are passed in; nothing here touches the database or Prefect,
so tests call these directly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import TypeVar

from config.settings import Settings
from tasks.article.page import process_page
from tasks.article.templates import site_key
from tasks.feeds.parse import parse_feed
from tasks.fetcher.client import Fetcher, RequestLog
from tasks.records import (
    FeedEntry,
    FeedOutcome,
    FeedState,
    FetchResult,
    FetchStatus,
    PageJob,
    PageOutcome,
    ParsedFeed,
    Source,
)
from tasks.runtime.workers import InlinePool, WorkerPool
from tasks.schedule import next_fetch_at

logger = logging.getLogger(__name__)

T = TypeVar("T")
WORKER_DIED = "worker_died"

# Feed parsing gets its own, shorter limit than page extraction: a feed that makes the parser
# run this long is hostile or broken.
FEED_PARSE_TIMEOUT_S = 20.0
# Child sitemaps read from one sitemap index per run; news sites list the freshest first.
MAX_CHILD_SITEMAPS = 20
# The first batch of pages is small: its articles are stored, and queryable, seconds after the
# feeds are read, instead of after the first three full batches have shared the workers.
FIRST_BATCH_SIZE = 20
# Worker failures as page outcomes. A page over its time limit is that page's doing; a worker
# that died (the OOM killer, a crash in a C extension) may be another page's or nobody's.
FAILURE_CLASSES = {"timeout": "extraction_timeout", "worker_crashed": WORKER_DIED}


def fetch_feed(
    source: Source,
    state: FeedState | None,
    fetcher: Fetcher,
    worker_pool: Callable[[], WorkerPool | InlinePool],
    settings: Settings,
    now: datetime,
    *,
    log: RequestLog,
) -> FeedOutcome:
    """Fetch one source conditionally and parse it in a worker unless its body is unchanged.

    worker_pool is called only when there is something to parse, so a run of unchanged feeds
    never waits for the workers to start. Every request made (the feed, a sitemap index's
    children) is recorded in `log`. Never raises: HTTP and parse failures are recorded in the
    outcome.
    """
    url = state.url if state else source.url
    fetch = fetcher.fetch(
        url,
        kind="feed",
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        log=log,
    )
    earlier_failures = state.consecutive_failures if state else 0
    disabled = "410 Gone: the feed was removed" if fetch.http_status == HTTPStatus.GONE else None
    if fetch.status != FetchStatus.OK:
        failures = 0 if fetch.succeeded else earlier_failures + 1
        when = next_fetch_at(now, source, settings.feed_min_interval_s, fetch, None, failures)
        return FeedOutcome(
            source,
            fetch,
            None,
            None,
            when,
            failures,
            unchanged=fetch.status == FetchStatus.NOT_MODIFIED,
            disabled_reason=disabled,
        )
    body_hash = hashlib.sha256(fetch.body).hexdigest()
    if state and state.body_hash == body_hash:
        when = next_fetch_at(now, source, settings.feed_min_interval_s, fetch, None, 0)
        return FeedOutcome(source, fetch, None, body_hash, when, 0, unchanged=True)
    pool = worker_pool()
    parsed = _parse_in_worker(fetch, pool, settings, now)
    if parsed.child_urls:
        parsed = _merge_child_sitemaps(parsed, fetcher, pool, settings, now, log)
    failures = earlier_failures + 1 if parsed.error_class else 0
    when = next_fetch_at(now, source, settings.feed_min_interval_s, fetch, parsed, failures)
    return FeedOutcome(
        source, fetch, parsed, None if parsed.error_class else body_hash, when, failures
    )


def _parse_in_worker(
    fetch: FetchResult, pool: WorkerPool, settings: Settings, now: datetime
) -> ParsedFeed:
    done = pool.run(
        parse_feed,
        (fetch.body, fetch.final_url),
        FEED_PARSE_TIMEOUT_S,
        kwargs={
            "content_type": fetch.content_type,
            "max_entries": settings.max_entries_per_feed,
            "extra_tracking_params": settings.extra_tracking_params,
            "now": now,
        },
    )
    if done.failure:
        error_class = "parse_timeout" if done.failure.error_class == "timeout" else "parse_error"
        return ParsedFeed(
            format="unknown", error_class=error_class, error=f"feed parser: {done.failure.error}"
        )
    return done.value


def _merge_child_sitemaps(
    index: ParsedFeed,
    fetcher: Fetcher,
    pool: WorkerPool,
    settings: Settings,
    now: datetime,
    log: RequestLog,
) -> ParsedFeed:
    """A sitemap index: fetch its first MAX_CHILD_SITEMAPS children and gather their entries."""
    entries: dict[str, FeedEntry] = {}
    children = index.child_urls[:MAX_CHILD_SITEMAPS]
    for result in fetcher.fetch_many(children, kind="feed", log=log):
        child = _parse_in_worker(result, pool, settings, now) if result.ok else None
        for entry in child.entries if child else ():
            entries.setdefault(entry.entry_key, entry)
    kept = list(entries.values())[: settings.max_entries_per_feed]
    truncated = len(entries) > len(kept) or len(index.child_urls) > len(children)
    return dataclasses.replace(index, entries=tuple(kept), child_urls=(), truncated=truncated)


def page_batches(jobs: Sequence[T], size: int) -> list[Sequence[T]]:
    """The jobs in batches of `size` (the first of at most FIRST_BATCH_SIZE), in order."""
    first = min(size, FIRST_BATCH_SIZE)
    rest = [jobs[i : i + size] for i in range(first, len(jobs), size)]
    return [jobs[:first], *rest] if jobs else []


class WorkerDiedError(Exception):
    """Extraction workers died under some pages of a batch; the batch's other work is kept."""


@dataclasses.dataclass
class BatchProgress:
    """What one batch of pages has done so far, kept across its attempts."""

    fetched: list[tuple[PageJob, FetchResult]] | None = None
    requests: list[FetchResult] = dataclasses.field(default_factory=list)
    outcomes: list[PageOutcome] = dataclasses.field(default_factory=list)


def process_batch(
    jobs: Sequence[PageJob],
    progress: BatchProgress,
    fetcher: Fetcher,
    pool: WorkerPool | InlinePool,
    templates: dict[str, frozenset[str]],
    settings: Settings,
    *,
    last_attempt: bool,
) -> list[PageOutcome]:
    """Fetch a batch of pages (once) and extract those without an outcome in `progress` yet.

    Raises WorkerDiedError when a worker died under a page, unless this is the last attempt:
    then those pages are `worker_died` outcomes. A new attempt with the same `progress`
    fetches nothing again and extracts only the pages whose worker died.
    """
    if progress.fetched is None:
        log = RequestLog()
        progress.fetched = fetch_pages(jobs, fetcher, log=log)
        progress.requests = log.results
    done = {outcome.job.entry.url for outcome in progress.outcomes}
    todo = [(job, fetch) for job, fetch in progress.fetched if job.entry.url not in done]
    outcomes = extract_pages(todo, pool, templates, settings)
    died = [outcome for outcome in outcomes if outcome.error_class == WORKER_DIED]
    progress.outcomes += [outcome for outcome in outcomes if outcome.error_class != WORKER_DIED]
    if died and not last_attempt:
        raise WorkerDiedError(
            f"an extraction worker died under {len(died)} of {len(jobs)} pages: "
            + ", ".join(outcome.job.entry.url or "" for outcome in died[:3])
        )
    progress.outcomes += died
    return progress.outcomes


def fetch_pages(
    jobs: Sequence[PageJob], fetcher: Fetcher, *, log: RequestLog
) -> list[tuple[PageJob, FetchResult]]:
    """Fetch the pages of a batch concurrently (within the fetcher's politeness limits).

    Every request made (the pages, robots.txt files fetched for them) is recorded in `log`.
    """
    by_url = {job.entry.url: job for job in jobs}
    fetched = fetcher.fetch_many(list(by_url), kind="page", log=log)
    return [(by_url[result.url], result) for result in fetched]


def extract_pages(
    fetched: Sequence[tuple[PageJob, FetchResult]],
    pool: WorkerPool,
    templates: dict[str, frozenset[str]],
    settings: Settings,
) -> list[PageOutcome]:
    """Extract every successfully fetched page in the worker pool; failures become outcomes."""
    outcomes: list[PageOutcome] = []
    work = {}
    for index, (job, fetch) in enumerate(fetched):
        if not fetch.ok:
            outcomes.append(PageOutcome(job, fetch, error_class=fetch.status, error=fetch.error))
            continue
        fingerprints = templates.get(site_key(fetch.final_url) or "", frozenset())
        work[index] = (
            fetch.body,
            fetch.content_type,
            fetch.final_url,
            job.entry,
            fingerprints,
            settings.max_html_bytes,
            settings.extra_tracking_params,
        )
    for done in pool.map_unordered(process_page, work.items(), settings.extraction_timeout_s):
        job, fetch = fetched[done.key]
        if done.failure:
            error_class = FAILURE_CLASSES.get(done.failure.error_class, "extraction_error")
            outcomes.append(
                PageOutcome(job, fetch, error_class=error_class, error=done.failure.error)
            )
            continue
        extraction = done.value
        outcomes.append(
            PageOutcome(
                job,
                fetch,
                article=extraction.article,
                error_class=extraction.error_class,
                error=extraction.error,
                story_signature=extraction.story_signature,
            )
        )
    return outcomes
