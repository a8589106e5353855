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
    """Bring search_docs and its BM25 index up to date with articles.

    The fts index is a snapshot (it does not follow inserts), so the ingest flow calls this at
    the end of every run that changed articles. create_fts_index runs once, on no documents,
    for the index schema, its macros and stopwords; every call then tokenises only the new,
    changed and deleted articles, SEARCH_CHUNK_ARTICLES per transaction, so memory and each
    write-lock hold are bounded whatever the run's size (a no-op when nothing changed). A run
    killed halfway leaves whole chunks indexed and the next call does the rest. Without the
    extension, search_docs is still refreshed and any old index is dropped (search then falls
    back to substring matching).

    Args:
        con: a writable connection (migrations applied).

    """
    has_index = bool(run(con, "search_index_state").fetchone()[1])
    changed = run(con, "search_changes").fetchone()[0]
    if has_index and not changed:
        return
    fts = load_fts(con)
    now = datetime.now(UTC)
    if not fts:
        with transaction(con):
            run(con, "search_refresh_docs", now=now)
            if has_index:
                # A stale index would hide new articles and look current to the next call.
                run(con, "search_drop_index")
    else:
        if not has_index:
            # An empty index gives the schema, its macros and stopwords; the updates fill it.
            with transaction(con):
                run(con, "search_clear_docs")
                run(con, "search_create_index")
        # An emptied search_docs makes every article a change; otherwise `changed` still holds.
        remaining = changed if has_index else run(con, "search_changes").fetchone()[0]
        while remaining:
            with transaction(con):
                run(con, "search_index_update", now=now, chunk=SEARCH_CHUNK_ARTICLES)
            left = run(con, "search_changes").fetchone()[0]
            if left >= remaining:  # no progress: stop instead of looping; the next run retries
                logger.warning("search index: %d articles could not be indexed", left)
                break
            remaining = left
    logger.info(
        "search index: %s articles changed (bm25=%s, incremental=%s)",
        changed,
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
    has_docs, has_index = run(con, "search_index_state").fetchone()
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
    behind = run(con, "search_behind").fetchone()[0] if has_docs else 0
    if behind:
        return (
            "bm25",
            f"{behind} new or changed articles are not in the search index yet (next run adds them)",
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
