"""Retention: delete what the settings no longer keep, and articles only when asked.

Each kind of data is kept for its `keep_*_days` setting (0: forever), counted in whole UTC
days, so a day's rows go together once a day. A run that finds nothing due reads one timestamp
(or id) column per table; the tables pruned by age then hold only their window, so the cost
follows the daily volume, not the size of the warehouse. Deleting rows does not shrink the
DuckDB file: the blocks they free are reused by later writes once a checkpoint has run, except
in tables with a primary key (raw_pages, article_versions), whose row groups DuckDB 1.4 never
vacuums.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from config.settings import Settings
from warehouse.sql import run, transaction

logger = logging.getLogger(__name__)

# Table pruned by age -> the setting that says how many days of it are kept.
KEEP_DAYS_SETTING = {
    "raw_pages": "keep_raw_pages_days",
    "fetch_log": "keep_fetch_log_days",
    "article_versions": "keep_article_versions_days",
    "site_paragraphs": "keep_site_paragraphs_days",
}


@dataclass(frozen=True)
class RetentionReport:
    """What a prune deleted (a dry run: would delete), in rows per table, and why.

    `deleted`: rows deleted by age per table, before its instant in `cutoffs` (tables kept
    forever are in neither). `articles_deleted`: with `articles_before`, the articles first
    stored before that day and the rows about them, per table, articles first.
    """

    cutoffs: dict[str, datetime]
    deleted: dict[str, int]
    articles_before: date | None = None
    articles_deleted: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total(self) -> int:
        """Rows deleted over every table."""
        return sum(self.deleted.values()) + sum(self.articles_deleted.values())


def retention_cutoffs(settings: Settings, now: datetime) -> dict[str, datetime]:
    """Per table pruned by age, the midnight (UTC) before which its rows go.

    `keep_*_days = N` keeps today and the N days before it; 0 keeps the table forever.
    """
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    cutoffs = {}
    for table, setting in KEEP_DAYS_SETTING.items():
        days = getattr(settings, setting)
        if days:
            cutoffs[table] = today - timedelta(days=days)
    return cutoffs


def apply_retention(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    now: datetime,
    *,
    articles_before: date | None = None,
    dry_run: bool = False,
) -> RetentionReport:
    """Delete the rows older than the retention settings keep, in one transaction of its own.

    Raw pages, fetch_log rows and article versions go by their fetch or request time, site
    paragraphs by their article's last fetch; the fetch_log days that lose rows are queued for
    publishing. Articles go only when `articles_before` is given: those first stored before
    that day, with their sources, versions, raw pages and paragraphs; their days are queued
    for publishing and their ids for the search index, which drops them at its next update
    (warehouse.search.rebuild_search_index). Their feed entries (discoveries) stay, so feeds
    still listing them do not bring them back.

    Args:
        con: a writable connection, not inside a transaction.
        settings: the keep_*_days settings.
        now: the current time; cutoffs are whole UTC days before its day.
        articles_before: also delete the articles whose stored_on is before this day.
        dry_run: count what would be deleted, then roll back.

    Returns:
        The rows deleted per table and the cutoffs used.

    """
    cutoffs = retention_cutoffs(settings, now)
    articles_deleted = {}
    with transaction(con, commit=not dry_run):
        if articles_before is not None:
            counts = run(con, "prune_articles_select", before=articles_before)
            names = [column[0] for column in counts.description]
            articles_deleted = dict(zip(names, counts.fetchone(), strict=True))
            run(con, "prune_articles_delete")
        deleted = {
            table: run(con, f"prune_{table}", cutoff=cutoff).fetchone()[0]
            for table, cutoff in cutoffs.items()
        }
    found = RetentionReport(cutoffs, deleted, articles_before, articles_deleted, dry_run)
    if any(deleted.values()):
        logger.info(
            "retention: %s %s",
            "would delete" if dry_run else "deleted",
            " ".join(f"{table}={rows}" for table, rows in deleted.items()),
        )
    if articles_before is not None:
        logger.info(
            "prune: %s %d articles stored before %s",
            "would delete" if dry_run else "deleted",
            articles_deleted["articles"],
            articles_before,
        )
    return found
