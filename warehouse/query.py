"""Reads of the warehouse: what the pipeline looks up, and what people and reports see.

The pipeline's reads take the connection the writer holds for its stage or batch; the readers
for people (`newsflow sql`, `stats`, the report, the dashboard) open the file read-only for
one query or batch and wait (bounded) while an ingestion run is writing one. Search and export
read in their own modules (warehouse/search.py, warehouse/export.py): their reads depend on the
index state and feed the files they write on the same connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from tasks.records import FeedEntry, FeedState, PageJob, StoredArticles
from warehouse.db import LOCK_WAIT_S, WarehouseError, connect
from warehouse.sql import run

SITE_TEXTS_CHUNK = 500  # article texts read at once by the template clean-up
REPORT_QUERIES = ("report_overview", "report_volume", "report_sources", "report_flags")


# --- the pipeline's reads ------------------------------------------------------------------


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    """Every stored source's HTTP state and schedule, by name."""
    return {row[0]: FeedState(*row) for row in run(con, "feed_states").fetchall()}


def pending_jobs(con: duckdb.DuckDBPyConnection, max_attempts: int) -> list[PageJob]:
    """Pages still to fetch, one per URL: this run's new entries and any an earlier run left."""
    rows = run(con, "pending_jobs", max_attempts=max_attempts).fetchall()
    return [
        PageJob(source_name=source, entry=FeedEntry.from_json(entry_json))
        for _url, source, entry_json in rows
    ]


def stored_articles(
    con: duckdb.DuckDBPyConnection, ids: list[str], hashes: list[str]
) -> StoredArticles:
    """The stored content hash of each of these articles, and the story of each of these texts."""
    return StoredArticles(
        content_hash_by_id=dict(run(con, "stored_articles", ids=ids).fetchall()),
        story_by_content_hash=dict(run(con, "stories_by_hash", hashes=hashes).fetchall()),
    )


def recent_signatures(con: duckdb.DuckDBPyConnection, days: int) -> list[tuple[str, str, bytes]]:
    """(article_id, story_id, story signature) of the articles fetched in the last `days` days."""
    return run(con, "recent_signatures", days=days).fetchall()


def template_fingerprints(
    con: duckdb.DuckDBPyConnection, sites: Iterable[str] | None = None
) -> dict[str, frozenset[str]]:
    """Per site (all, or these), the paragraph fingerprints of its learned templates.

    Templates are learned as batches are loaded (warehouse.load.load_pages), so this reads
    only what was learned, whatever the number of stored articles.
    """
    rows = run(
        con, "template_fingerprints", all_sites=sites is None, sites=list(sites or [])
    ).fetchall()
    return {site: frozenset(fps) for site, fps in rows}


def unapplied_templates(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """Per site, the templates learned since the stored texts were last cleaned of templates."""
    return {site: frozenset(fps) for site, fps in run(con, "unapplied_templates").fetchall()}


def site_texts(
    con: duckdb.DuckDBPyConnection, templates: dict[str, frozenset[str]]
) -> Iterator[tuple[str, str, str]]:
    """(site, article_id, text) of the stored articles holding one of these paragraphs of their site.

    Read SITE_TEXTS_CHUNK at a time, so memory stays bounded however many a site has; the
    connection is busy until the iterator is exhausted.
    """
    for site, fingerprints in templates.items():
        texts = run(con, "site_texts", site=site, fingerprints=sorted(fingerprints))
        while rows := texts.fetchmany(SITE_TEXTS_CHUNK):
            for aid, text in rows:
                yield site, aid, text


def raw_pages(
    con: duckdb.DuckDBPyConnection, *, after: str, source: str | None, limit: int
) -> list[tuple]:
    """Stored raw pages with article id after `after` (of one source, if given), with their entry.

    Each row: article_id, url, final_url, content_type, html_compressed, html_codec,
    fetched_at, source_name and the JSON of the feed entry that listed the page (or None).
    """
    return run(con, "raw_pages_batch", after=after, source=source, limit=limit).fetchall()


# --- reads for people, dashboards and reports ----------------------------------------------


def run_query(db_path: Path, query: str) -> pd.DataFrame:
    """Run one read-only query; bad SQL becomes a WarehouseError with DuckDB's message.

    Waits (bounded) while an ingestion run is writing a batch.
    """
    with connect(db_path, read_only=True) as con:
        try:
            return con.execute(query).df()
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            raise WarehouseError(f"SQL error: {message}") from None


def warehouse_stats(db_path: Path) -> dict[str, pd.DataFrame]:
    """Headline numbers, per-source health and recent runs."""
    with connect(db_path, read_only=True) as con:
        return {name: run(con, f"stats_{name}").df() for name in ("overview", "sources", "runs")}


def source_health(db_path: Path) -> pd.DataFrame | None:
    """Per-source health, or None when the database does not exist yet."""
    if not Path(db_path).exists():
        return None
    with connect(db_path, read_only=True) as con:
        return run(con, "stats_sources").df()


def report_data(db_path: Path, since: date | None = None) -> dict[str, pd.DataFrame]:
    """The report's frames (overview, volume, sources, flags), read in one connection.

    Raises:
        WarehouseError: the database is missing or stays locked.

    """
    with connect(db_path, read_only=True) as con:
        return {
            name.removeprefix("report_"): run(con, name, since=since).df()
            for name in REPORT_QUERIES
        }


def latest_articles(
    db_path: Path, *, source: str | None, limit: int, wait_s: float = LOCK_WAIT_S
) -> pd.DataFrame:
    """The newest articles, of one source or all."""
    with connect(db_path, read_only=True, wait_s=wait_s) as con:
        return run(con, "report_latest", source=source, limit=limit).df()


def article(db_path: Path, article_id: str, *, wait_s: float = LOCK_WAIT_S) -> pd.DataFrame:
    """One article with its text, metadata and flags, and the other articles of its story."""
    with connect(db_path, read_only=True, wait_s=wait_s) as con:
        return run(con, "report_article", article_id=article_id).df()


def story_clusters(db_path: Path, *, limit: int, wait_s: float = LOCK_WAIT_S) -> pd.DataFrame:
    """Stories carried by more than one article, newest first, with their articles."""
    with connect(db_path, read_only=True, wait_s=wait_s) as con:
        return run(con, "report_clusters", limit=limit).df()
