"""`newsflow reextract`: run extraction again over stored raw pages.

The pages are extracted with the site templates learned since they were fetched, and loaded
the way the ingest flow loads a batch. No network: the HTML comes from raw_pages.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from config.settings import Settings
from tasks import rows, stages
from tasks.dedup import StoryClusterer
from tasks.records import FeedEntry, FetchResult, FetchStatus, PageJob
from tasks.rows import LoadCounts
from tasks.runtime.workers import WorkerPool
from warehouse import load, query
from warehouse.db import RunLock, connect
from warehouse.search import rebuild_search_index

logger = logging.getLogger(__name__)

# Re-extracted articles keep their story unless they now match a story of this many days.
STORY_WINDOW_DAYS = 30


def _fetched(row: tuple) -> tuple[PageJob, FetchResult]:
    article_id, url, final_url, content_type, html, codec, fetched_at, source_name, entry_json = row
    entry = (
        FeedEntry.from_json(entry_json) if entry_json else FeedEntry(entry_key=article_id, url=url)
    )
    fetch = FetchResult(
        url=url,
        final_url=final_url,
        status=FetchStatus.OK,
        http_status=200,
        body=rows.raw_page_html(html, codec),
        content_type=content_type,
        started_at=fetched_at,
    )
    return PageJob(source_name=source_name, entry=entry), fetch


def reextract(settings: Settings, *, source: str | None = None) -> LoadCounts:
    """Re-extract every stored page (of one source, if given); changed texts become new versions."""
    total = LoadCounts()
    run_id = f"reextract-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    after = ""
    lock = RunLock(settings.db_path)
    lock.acquire()
    try:
        with connect(settings.db_path) as con:
            templates = query.template_fingerprints(con)
            clusterer = StoryClusterer.from_stored(query.recent_signatures(con, STORY_WINDOW_DAYS))
        with WorkerPool(settings.workers) as pool:
            while True:
                with connect(settings.db_path) as con:
                    pages = query.raw_pages(
                        con, after=after, source=source, limit=settings.batch_size
                    )
                if not pages:
                    with connect(settings.db_path) as con:
                        rebuild_search_index(con)
                    return total
                after = pages[-1][0]
                outcomes = stages.extract_pages(
                    [_fetched(page) for page in pages], pool, templates, settings
                )
                with connect(settings.db_path) as con:
                    now = datetime.now(UTC)
                    stored = query.stored_articles(con, *rows.article_keys(outcomes))
                    batch, counts = rows.page_rows(outcomes, stored, clusterer, now)
                    load.load_pages(
                        con, batch, run_id=run_id, now=now, max_attempts=settings.max_attempts
                    )
                _add(total, counts)
                logger.info(
                    "re-extracted %d pages: %d changed",
                    total.updated + total.unchanged,
                    total.updated,
                )
    finally:
        lock.release()


def _add(total: LoadCounts, counts: LoadCounts) -> None:
    total.new += counts.new
    total.updated += counts.updated
    total.unchanged += counts.unchanged
    total.failed += counts.failed
