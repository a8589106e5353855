"""Full-text search over articles: a BM25 index (DuckDB fts extension) with a substring fallback."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import connect
from warehouse.sql import run, transaction

logger = logging.getLogger(__name__)

FTS_DISTRIBUTION = "duckdb-ext-fts"
FTS_FILE = "fts.duckdb_extension"
# Articles tokenised per transaction: the update holds every token of a chunk at once
# (~1,000 rows per article), and one unbounded update was the largest allocation of a run.
SEARCH_CHUNK_ARTICLES = 500
# Postings are sorted by term in blocks of this many documents (search_index_update.sql), so a
# query reads about one row group per block and query term, not every posting: 4.7 s -> 0.37 s
# for three common words at 1M articles. The price: the run that completes a block sorts its
# ~5.5M postings (~2.5 s, ~0.5 GB), and taking a changed article out reads its block.
SEARCH_BLOCK_DOCS = 8192
WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 240
RESULT_COLUMNS = [
    "article_id",
    "dated_at",
    "source_name",
    "title",
    "score",
    "snippet",
    "flags",
    "canonical_url",
]


@functools.cache
def fts_extension_path(platform: str) -> Path | None:
    """The fts extension file the duckdb-ext-fts wheel ships for this DuckDB and platform.

    Returns:
        The file's path, or None when the package is not installed or has no build for them.

    """
    try:
        files = metadata.distribution(FTS_DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    wanted = (f"v{duckdb.__version__}", platform, FTS_FILE)
    for file in files:
        if tuple(file.parts[-3:]) == wanted:
            return Path(file.locate()).resolve()
    return None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load the fts extension from the installed wheel into con.

    Returns:
        True when loaded; False (logged) when the wheel is missing or the file cannot be loaded.

    """
    # DuckDB would otherwise try to download a missing extension from the internet by itself.
    con.execute("SET autoinstall_known_extensions = false")
    platform = con.execute("SELECT platform FROM pragma_platform()").fetchone()[0]
    path = fts_extension_path(platform)
    if path is None:
        logger.warning(
            "no fts extension for duckdb %s on %s: pip install %s",
            duckdb.__version__,
            platform,
            FTS_DISTRIBUTION,
        )
        return False
    try:
        con.execute("LOAD '" + str(path).replace("'", "''") + "'")
    except duckdb.Error as exc:
        logger.warning("cannot load the fts extension from %s: %s", path, exc)
        return False
    return True


def rebuild_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the BM25 index up to date with articles: index what search_queue holds.

    Every statement that writes an article's title or text, or deletes an article, queues its
    id (search_queue) in the same transaction, so this reads the queued articles only, whatever
    the size of the warehouse, and a no-op costs one count of a small table. The fts index is a
    snapshot (it does not follow inserts), so the ingest flow calls this at the end of every run
    that changed articles. create_fts_index runs once, on no documents, for the index schema,
    its macros and stopwords, and queues every article; each call then tokenises the queued
    ones from articles, SEARCH_CHUNK_ARTICLES per transaction, which also takes them off the
    queue, so memory and each write-lock hold are bounded whatever the run's size. A run killed
    halfway leaves whole chunks indexed and the rest queued for the next call. Without the
    extension any old index is dropped and the queue emptied (search then falls back to
    substring matching, and a later index is created with every article).

    Args:
        con: a writable connection (migrations applied).

    """
    has_index = bool(run(con, "search_index_state").fetchone()[1])
    queued = run(con, "search_behind").fetchone()[0]
    if has_index and not queued:
        return
    fts = load_fts(con)
    if not fts:
        with transaction(con):
            run(con, "search_drop_index")
    else:
        if not has_index:
            with transaction(con):
                run(con, "search_create_index")
            queued = run(con, "search_behind").fetchone()[0]
        now = datetime.now(UTC)
        # Each chunk takes up to SEARCH_CHUNK_ARTICLES ids off the queue; nothing else writes
        # to it meanwhile (one writer), so this many chunks empty it.
        for _ in range(-(-queued // SEARCH_CHUNK_ARTICLES)):
            with transaction(con):
                run(
                    con,
                    "search_index_update",
                    now=now,
                    chunk=SEARCH_CHUNK_ARTICLES,
                    block=SEARCH_BLOCK_DOCS,
                )
    logger.info(
        "search index: %s articles queued (bm25=%s, incremental=%s)",
        queued,
        fts,
        fts and has_index,
    )


def query_terms(query: str) -> list[str]:
    """The distinct lower-case words of a query, in order."""
    return list(dict.fromkeys(WORD.findall(query.lower())))


def make_snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of text around the first query word found, "…" where cut.

    A word matches by its first letters (roughly its stem), so "closing" finds "closed".
    Returns the start of the text when no word is found (a headline-only match).
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    position = _first_match(flat, terms)
    start = 0 if position < width // 3 else flat.find(" ", position - width // 3) + 1
    if start + width >= len(flat):
        return "…" + flat[start:]
    end = flat.rfind(" ", start, start + width)
    end = end if end > start else start + width
    return ("…" if start else "") + flat[start:end] + "…"


def _first_match(text: str, terms: Sequence[str]) -> int:
    """Offset of the first word starting like one of terms, 0 when none does."""
    prefixes = [term[: max(4, len(term) - 3)] for term in terms]
    found = re.search(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")", text, re.IGNORECASE)
    return found.start() if found else 0


def _search_mode(con: duckdb.DuckDBPyConnection) -> tuple[str, str | None]:
    """("bm25", staleness notice or None) when the index is usable, else ("substring", why)."""
    has_queue, has_index = run(con, "search_index_state").fetchone()
    if not has_index:
        return (
            "substring",
            "no search index yet (built at the end of each ingest run); ranking by substring matches",
        )
    if not load_fts(con):
        return (
            "substring",
            f"full-text extension unavailable (pip install {FTS_DISTRIBUTION}); ranking by substring matches",
        )
    # A warehouse not migrated since search_queue came (0005) cannot say; its next run will.
    behind = run(con, "search_behind").fetchone()[0] if has_queue else 0
    if behind:
        return (
            "bm25",
            (
                f"the search index is behind on {behind} new, changed or deleted articles "
                "(the next run brings it up to date)"
            ),
        )
    return "bm25", None


def _as_timestamp(since: date | datetime | None) -> datetime | None:
    """A UTC timestamp: a date means its midnight, a naive datetime is taken as UTC."""
    if since is None:
        return None
    if not isinstance(since, datetime):
        return datetime(since.year, since.month, since.day, tzinfo=UTC)
    return since if since.tzinfo else since.replace(tzinfo=UTC)


def search(
    db_path: Path,
    query: str,
    since: date | datetime | None = None,
    source: str | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    """Articles matching a query, best first, with a snippet of text around the match.

    Opens the database read-only (waiting, bounded, while an ingest batch is being written).

    Args:
        db_path: the DuckDB file.
        query: words to look for; BM25 over title and text, stemmed, English stopwords ignored.
        since: only articles dated (published, else fetched) at or after this; a date means 00:00 UTC.
        source: only articles listed by this source.
        limit: at most this many rows.

    Returns:
        Columns article_id, dated_at, source_name, title, score, snippet, flags, canonical_url.
        `frame.attrs["mode"]` is "bm25" or "substring" (fallback) and `frame.attrs["notice"]`
        says why results may be incomplete (None when they are not). A query without words
        returns an empty frame with a notice.

    Raises:
        WarehouseError: the database is missing or stays locked.

    """
    terms = query_terms(query)
    if not terms:
        frame = pd.DataFrame(columns=RESULT_COLUMNS)
        frame.attrs.update(mode="none", notice="the query has no words to search for")
        return frame
    with connect(db_path, read_only=True) as con:
        mode, notice = _search_mode(con)
        frame = run(
            con,
            f"search_{mode}",
            query=query,
            terms=terms,
            since=_as_timestamp(since),
            source=source,
            limit=limit,
        ).df()
    frame["snippet"] = [make_snippet(text, terms) for text in frame["text"]]
    frame = frame[RESULT_COLUMNS]
    frame.attrs.update(mode=mode, notice=notice)
    if notice:
        logger.info("search: %s", notice)
    return frame
