"""Writing the pipeline's rows into DuckDB: sources, discoveries, articles, logs, runs.

The rows come made (tasks.rows decides what they hold); each function here stages them as
Arrow tables and runs the named SQL that writes them, in one transaction, so a run killed at
any moment leaves every batch either fully loaded or not at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import types
import typing
from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa

from tasks.records import (
    ArticleRow,
    CleanedText,
    EntryRow,
    FailureRow,
    FeedStateRow,
    FetchLogRow,
    LinkRow,
    PageRows,
    ParagraphsRow,
    RunSummary,
    Source,
)
from warehouse.sql import registered, run, transaction

# A paragraph in this many distinct stories of one site is template, not article.
TEMPLATE_MIN_STORIES = 3

# A row field's annotation (without `| None`) -> its staging column's Arrow type.
ARROW_TYPES: dict[object, pa.DataType] = {
    str: pa.string(),
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    bytes: pa.binary(),
    datetime: pa.timestamp("us", tz="UTC"),
    tuple[str, ...]: pa.list_(pa.string()),
}


@functools.cache
def arrow_schema(row_type: type) -> pa.Schema:
    """The staging table of a row dataclass: one column per field, typed by its annotation."""
    hints = typing.get_type_hints(row_type)
    return pa.schema(
        (field.name, ARROW_TYPES[_without_none(hints[field.name])])
        for field in dataclasses.fields(row_type)
    )


def _without_none(hint: object) -> object:
    if isinstance(hint, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def _staged(
    con: duckdb.DuckDBPyConnection, name: str, row_type: type, rows: Sequence[object]
) -> contextlib.AbstractContextManager[None]:
    """The rows readable by the SQL as table `name` for the block."""
    schema = arrow_schema(row_type)
    columns = {column: [getattr(row, column) for row in rows] for column in schema.names}
    return registered(con, name, pa.Table.from_pydict(columns, schema=schema))


# --- sources, feeds and discoveries --------------------------------------------------------


def sync_sources(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> None:
    """Add or refresh the configured sources."""
    with transaction(con), _staged(con, "batch_sources", Source, sources):
        run(con, "sync_sources")


def record_feeds(
    con: duckdb.DuckDBPyConnection,
    states: Sequence[FeedStateRow],
    entries: Sequence[EntryRow],
    run_id: str,
    now: datetime,
) -> dict[str, int]:
    """Store the sources' fetch results and their entries; entries not seen before, by source.

    Every feed of a run lands in one transaction, together or not at all, and the sources'
    states are one statement, not a statement and a commit per feed.
    """
    with (
        transaction(con),
        _staged(con, "batch_feed_states", FeedStateRow, states),
        _staged(con, "batch_entries", EntryRow, entries),
    ):
        run(con, "record_feeds")
        new = dict(run(con, "count_new_entries").fetchall())
        run(con, "upsert_discoveries", now=now, run_id=run_id)
    return new


def link_known_articles(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Settle pending entries whose URL is already stored as an article, without a fetch."""
    with transaction(con):
        run(con, "link_known_articles", now=now)


# --- articles ------------------------------------------------------------------------------


def load_pages(
    con: duckdb.DuckDBPyConnection,
    rows: PageRows,
    *,
    run_id: str,
    now: datetime,
    max_attempts: int,
) -> None:
    """Store one batch of pages atomically.

    New and changed articles are upserted (a changed one keeps its previous text as a
    version), with their raw pages and paragraph fingerprints, and the paragraphs they bring to
    TEMPLATE_MIN_STORIES stories become site templates; every pending entry of a fetched URL
    is settled; failures are counted against their entries.
    """
    with (
        transaction(con),
        _staged(con, "batch_articles", ArticleRow, rows.articles),
        _staged(con, "batch_links", LinkRow, rows.links),
        _staged(con, "batch_failures", FailureRow, rows.failures),
        _staged(con, "batch_paragraphs", ParagraphsRow, rows.paragraphs),
    ):
        if rows.articles:
            run(con, "store_articles", run_id=run_id)
        if rows.paragraphs:
            run(con, "store_paragraphs")
            run(con, "learn_templates", now=now, min_stories=TEMPLATE_MIN_STORIES)
        run(con, "settle_pages", now=now, max_attempts=max_attempts)


def learn_templates(
    con: duckdb.DuckDBPyConnection, paragraphs: Sequence[ParagraphsRow], now: datetime
) -> None:
    """Make site templates of these pages' paragraphs that are now in TEMPLATE_MIN_STORIES stories.

    load_pages does this for every batch; the pages' site_paragraphs rows must be stored.
    """
    with transaction(con), _staged(con, "batch_paragraphs", ParagraphsRow, paragraphs):
        run(con, "learn_templates", now=now, min_stories=TEMPLATE_MIN_STORIES)


def apply_cleaned_texts(con: duckdb.DuckDBPyConnection, cleaned: Sequence[CleanedText]) -> int:
    """Replace stored texts with their cleaned versions, flagged template_removed; returns how many.

    Every template learned so far is then applied: the texts it changes are among `cleaned`.
    """
    with transaction(con), _staged(con, "batch_cleaned", CleanedText, cleaned):
        run(con, "apply_cleaned_texts")
    return len(cleaned)


# --- fetch log and runs --------------------------------------------------------------------


def append_fetch_log(con: duckdb.DuckDBPyConnection, rows: Sequence[FetchLogRow]) -> None:
    """Append one fetch_log row per request made."""
    if rows:
        with transaction(con), _staged(con, "batch_fetch_log", FetchLogRow, rows):
            run(con, "append_fetch_log")


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, now: datetime
) -> None:
    """Record a run as started (status running)."""
    run(con, "start_run", run_id=run_id, flow_run_id=flow_run_id, now=now)


def finish_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    status: str,
    now: datetime,
    error: str | None = None,
) -> None:
    """Record a run's end: its status, counts and error."""
    run(con, "finish_run", **dataclasses.asdict(summary), status=status, now=now, error=error)
