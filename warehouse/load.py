"""Writing the pipeline's records into DuckDB: sources, discoveries, articles, logs, runs.

Each function takes an open connection and does its work in one transaction, so a run killed
at any moment leaves every batch either fully loaded or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from tasks.article.page import article_id
from tasks.article.templates import paragraph_fingerprints, remove_template_paragraphs, site_key
from tasks.dedup import StoryClusterer, content_hash
from tasks.records import (
    FeedEntry,
    FeedOutcome,
    FeedState,
    FetchResult,
    PageJob,
    PageOutcome,
    RunSummary,
    Source,
)
from warehouse.sql import run, transaction

logger = logging.getLogger(__name__)

# A paragraph in this many distinct stories of one site is template, not article.
TEMPLATE_MIN_PAGES = 3
SITE_TEXTS_CHUNK = 500  # article texts read at once by the template clean-up
TS = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())


def _register(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema
) -> None:
    con.register(name, pa.Table.from_pylist(rows, schema=schema))


# --- sources -------------------------------------------------------------------------------

SOURCE_SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("url", pa.string()),
        ("tags", STRINGS),
        ("language", pa.string()),
        ("min_interval_s", pa.int32()),
        ("enabled", pa.bool_()),
    ]
)


def sync_sources(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> dict[str, FeedState]:
    """Add or refresh the configured sources; return every source's remembered state by name."""
    rows = [
        {
            "name": s.name,
            "url": s.url,
            "tags": list(s.tags),
            "language": s.language,
            "min_interval_s": s.min_interval_s,
            "enabled": s.enabled,
        }
        for s in sources
    ]
    with transaction(con):
        _register(con, "batch_sources", rows, SOURCE_SCHEMA)
        run(con, "sync_sources")
        con.unregister("batch_sources")
    return feed_states(con)


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    """Every stored source's HTTP state and schedule, by name."""
    return {row[0]: FeedState(*row) for row in run(con, "feed_states").fetchall()}


# --- feeds and discoveries -----------------------------------------------------------------

ENTRY_SCHEMA = pa.schema(
    [
        ("source_name", pa.string()),
        ("entry_key", pa.string()),
        ("url", pa.string()),
        ("guid", pa.string()),
        ("title", pa.string()),
        ("published_raw", pa.string()),
        ("published_at", TS),
        ("updated_raw", pa.string()),
        ("updated_at", TS),
        ("problems", STRINGS),
        ("state", pa.string()),
        ("entry_json", pa.string()),
    ]
)


def entry_to_json(entry: FeedEntry) -> str:
    """A FeedEntry as JSON, to rebuild it when its page is fetched in a later run."""
    data = dataclasses.asdict(entry)
    for key in ("published_at", "updated_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(text: str) -> FeedEntry:
    data = json.loads(text)
    for key in ("published_at", "updated_at"):
        data[key] = datetime.fromisoformat(data[key]) if data[key] else None
    for key in ("authors", "categories", "problems"):
        data[key] = tuple(data[key])
    return FeedEntry(**data)


def _entry_rows(source_name: str, entries: Iterable[FeedEntry]) -> list[dict]:
    rows, seen = [], set()
    for entry in entries:
        if entry.entry_key in seen:
            continue
        seen.add(entry.entry_key)
        rows.append(
            {
                "source_name": source_name,
                "entry_key": entry.entry_key,
                "url": entry.url,
                "guid": entry.guid,
                "title": entry.title,
                "published_raw": entry.published_raw,
                "published_at": entry.published_at,
                "updated_raw": entry.updated_raw,
                "updated_at": entry.updated_at,
                "problems": list(entry.problems),
                "state": "pending" if entry.url else "skipped",
                "entry_json": entry_to_json(entry),
            }
        )
    return rows


FEED_STATE_SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("ok", pa.bool_()),
        ("fetched_at", TS),
        ("moved_to", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("body_hash", pa.string()),
        ("feed_title", pa.string()),
        ("feed_format", pa.string()),
        ("feed_interval_s", pa.int32()),
        ("next_fetch_at", TS),
        ("error_class", pa.string()),
        ("error", pa.string()),
        ("disabled_reason", pa.string()),
    ]
)


def _feed_state(outcome: FeedOutcome, now: datetime) -> dict:
    fetch, parsed = outcome.fetch, outcome.parsed
    ok = not outcome.failed
    return {
        "name": outcome.source.name,
        "ok": ok,
        "fetched_at": now,
        "moved_to": fetch.permanent_redirect,
        "etag": fetch.etag,
        "last_modified": fetch.last_modified,
        "body_hash": outcome.body_hash,
        "feed_title": parsed.title if parsed else None,
        "feed_format": parsed.format if parsed else None,
        "feed_interval_s": parsed.min_interval_s if parsed else None,
        "next_fetch_at": outcome.next_fetch_at,
        "error_class": (
            parsed.error_class if parsed and parsed.error_class else (None if ok else fetch.status)
        ),
        "error": parsed.error if parsed and parsed.error_class else fetch.error,
        "disabled_reason": outcome.disabled_reason,
    }


def record_feeds(
    con: duckdb.DuckDBPyConnection, outcomes: Sequence[FeedOutcome], run_id: str, now: datetime
) -> list[tuple[int, int]]:
    """Store the sources' fetch results and their entries; per outcome (entries seen, new).

    Every feed of a run lands in one transaction, together or not at all, and the sources'
    states are one statement, not a statement and a commit per feed.
    """
    states = [_feed_state(outcome, now) for outcome in outcomes]
    with transaction(con):
        _register(con, "batch_feed_states", states, FEED_STATE_SCHEMA)
        run(con, "record_feeds")
        con.unregister("batch_feed_states")
        return [_record_entries(con, outcome, run_id, now) for outcome in outcomes]


def _record_entries(
    con: duckdb.DuckDBPyConnection, outcome: FeedOutcome, run_id: str, now: datetime
) -> tuple[int, int]:
    rows = _entry_rows(outcome.source.name, outcome.parsed.entries if outcome.parsed else ())
    if not rows:
        return 0, 0
    _register(con, "batch_entries", rows, ENTRY_SCHEMA)
    new = run(con, "count_new_entries").fetchone()[0]
    run(con, "upsert_discoveries", now=now, run_id=run_id)
    con.unregister("batch_entries")
    return len(rows), new


def pending_jobs(con: duckdb.DuckDBPyConnection, max_attempts: int, now: datetime) -> list[PageJob]:
    """Pages still to fetch, one per URL: this run's new entries and any an earlier run left."""
    with transaction(con):
        run(con, "link_known_articles", now=now)
    rows = run(con, "pending_jobs", max_attempts=max_attempts).fetchall()
    return [
        PageJob(source_name=source, entry=entry_from_json(entry_json))
        for _url, source, entry_json in rows
    ]


# --- articles ------------------------------------------------------------------------------

ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("canonical_url", pa.string()),
        ("url", pa.string()),
        ("job_url", pa.string()),
        ("site", pa.string()),
        ("source_name", pa.string()),
        ("title", pa.string()),
        ("authors", STRINGS),
        ("published_at", TS),
        ("updated_at", TS),
        ("language", pa.string()),
        ("declared_language", pa.string()),
        ("site_name", pa.string()),
        ("categories", STRINGS),
        ("tags", STRINGS),
        ("image_url", pa.string()),
        ("summary", pa.string()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("content_hash", pa.string()),
        ("flags", STRINGS),
        ("story_id", pa.string()),
        ("story_signature", pa.binary()),
        ("fetched_at", TS),
        ("extractor_version", pa.string()),
        ("content_type", pa.string()),
        ("html_compressed", pa.binary()),
        ("html_codec", pa.string()),
        ("html_bytes", pa.int32()),
    ]
)
LINK_SCHEMA = pa.schema([("job_url", pa.string()), ("article_id", pa.string())])
FAILURE_SCHEMA = pa.schema(
    [
        ("job_url", pa.string()),
        ("error_class", pa.string()),
        ("error", pa.string()),
        ("retryable", pa.bool_()),
    ]
)
PARAGRAPH_SCHEMA = pa.schema(
    [("site", pa.string()), ("fingerprint", pa.string()), ("article_id", pa.string())]
)


@dataclasses.dataclass(slots=True)
class LoadCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    sites: set[str] = dataclasses.field(default_factory=set)  # sites whose paragraph counts grew


def _article_row(
    outcome: PageOutcome, aid: str, story_id: str | None, now: datetime
) -> dict[str, Any]:
    article, fetch = outcome.article, outcome.fetch
    return {
        "article_id": aid,
        "canonical_url": article.canonical_url,
        "url": article.url or fetch.final_url,
        "job_url": outcome.job.entry.url,
        "site": site_key(article.url),
        "source_name": outcome.job.source_name,
        "title": article.title or outcome.job.entry.title,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "language": article.language,
        "declared_language": article.declared_language,
        "site_name": article.site_name,
        "categories": list(article.categories),
        "tags": list(article.tags),
        "image_url": article.image_url,
        "summary": article.summary,
        "text": article.text,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "flags": list(article.flags),
        "story_id": story_id,
        "story_signature": outcome.story_signature,
        "fetched_at": fetch.started_at or now,
        "extractor_version": article.extractor_version,
        "content_type": fetch.content_type,
        # The server's gzip stream as it came, else zlib level 1 (2.5x faster than 6, ~17% larger).
        "html_compressed": fetch.body_gzip or zlib.compress(fetch.body, 1),
        "html_codec": "gzip" if fetch.body_gzip else "zlib",
        "html_bytes": len(fetch.body),
    }


# raw_pages.html_codec -> zlib's wbits for it (_article_row writes both).
RAW_PAGE_WBITS = {"zlib": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}


def raw_page_html(compressed: bytes, codec: str) -> bytes:
    """A stored raw page's HTML, from raw_pages.html_compressed and html_codec."""
    return zlib.decompress(compressed, RAW_PAGE_WBITS[codec])


def _stored(con: duckdb.DuckDBPyConnection, ids: list[str], hashes: list[str]) -> tuple[dict, dict]:
    by_id = dict(run(con, "stored_articles", ids=ids).fetchall())
    by_hash = dict(run(con, "stories_by_hash", hashes=hashes).fetchall())
    return by_id, by_hash


def load_pages(
    con: duckdb.DuckDBPyConnection,
    outcomes: Sequence[PageOutcome],
    *,
    run_id: str,
    now: datetime,
    clusterer: StoryClusterer,
    max_attempts: int,
) -> LoadCounts:
    """Store one batch of page outcomes atomically.

    New articles are inserted, changed ones get a version row and are updated, unchanged ones
    are only linked; every pending entry of a fetched URL is settled; failures are counted
    against their entries. Story ids come from the clusterer (near-duplicates) or from an
    article with the same content hash.
    """
    counts = LoadCounts()
    good = [o for o in outcomes if o.article is not None]
    ids = [article_id(o.article.canonical_url) for o in good]
    by_id, by_hash = _stored(con, ids, [o.article.content_hash for o in good])
    articles, links, paragraphs, seen = [], [], [], set()
    for aid, outcome in zip(ids, good):
        links.append({"job_url": outcome.job.entry.url, "article_id": aid})
        if aid in seen or by_id.get(aid) == outcome.article.content_hash:
            counts.unchanged += aid not in seen
            seen.add(aid)
            continue
        seen.add(aid)
        counts.updated += aid in by_id
        counts.new += aid not in by_id
        story = by_hash.get(outcome.article.content_hash) or clusterer.assign(
            aid, outcome.story_signature
        )
        articles.append(_article_row(outcome, aid, story, now))
        # By the page's own URL, the key extraction looks templates up by (tasks/stages.py).
        site = site_key(outcome.article.url)
        if site:
            for fp in set(paragraph_fingerprints(outcome.article.paragraphs)):
                paragraphs.append({"site": site, "fingerprint": fp, "article_id": aid})
            counts.sites.add(site)
    failures = [
        {
            "job_url": o.job.entry.url,
            "error_class": o.error_class,
            "error": o.error,
            "retryable": o.retryable,
        }
        for o in outcomes
        if o.article is None
    ]
    counts.failed = len(failures)
    with transaction(con):
        _register(con, "batch_articles", articles, ARTICLE_SCHEMA)
        _register(con, "batch_links", links, LINK_SCHEMA)
        _register(con, "batch_failures", failures, FAILURE_SCHEMA)
        _register(con, "batch_paragraphs", paragraphs, PARAGRAPH_SCHEMA)
        if articles:
            run(con, "store_articles", run_id=run_id)
        run(con, "store_paragraphs")
        run(con, "settle_pages", now=now, max_attempts=max_attempts)
        for name in ("batch_articles", "batch_links", "batch_failures", "batch_paragraphs"):
            con.unregister(name)
    return counts


# --- site templates and stories ------------------------------------------------------------


def template_fingerprints(
    con: duckdb.DuckDBPyConnection, sites: Iterable[str] | None = None
) -> dict[str, frozenset[str]]:
    """Per site, the paragraph fingerprints seen in at least TEMPLATE_MIN_PAGES distinct stories."""
    rows = run(
        con,
        "template_fingerprints",
        all_sites=sites is None,
        sites=list(sites or []),
        min_pages=TEMPLATE_MIN_PAGES,
    ).fetchall()
    return {site: frozenset(fps) for site, fps in rows}


def remove_learned_templates(
    con: duckdb.DuckDBPyConnection, templates: dict[str, frozenset[str]]
) -> int:
    """Strip template paragraphs from stored articles of these sites; returns articles changed.

    Pages loaded before a site's template was learned still carry it: this cleans them.
    """
    changed = []
    for site, fingerprints in templates.items():
        texts = run(con, "site_texts", site=site, fingerprints=sorted(fingerprints))
        while rows := texts.fetchmany(SITE_TEXTS_CHUNK):
            for aid, text in rows:
                cleaned = remove_template_paragraphs(text, fingerprints)
                if cleaned != text:
                    changed.append(
                        {"article_id": aid, "text": cleaned, "content_hash": content_hash(cleaned)}
                    )
    if changed:
        with transaction(con):
            con.register("batch_cleaned", pa.Table.from_pylist(changed))
            run(con, "apply_cleaned_texts")
            con.unregister("batch_cleaned")
    return len(changed)


def story_clusterer(con: duckdb.DuckDBPyConnection, days: int) -> StoryClusterer:
    """A clusterer indexing the signatures of articles fetched in the last `days` days."""
    clusterer = StoryClusterer()
    for aid, story_id, signature in run(con, "recent_signatures", days=days).fetchall():
        clusterer.add_existing(aid, story_id, signature)
    return clusterer


# --- fetch log and runs --------------------------------------------------------------------

FETCH_LOG_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("source_name", pa.string()),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("http_status", pa.int32()),
        ("error_class", pa.string()),
        ("error", pa.string()),
        ("bytes", pa.int64()),
        ("elapsed_ms", pa.float64()),
        ("attempts", pa.int32()),
        ("requested_at", TS),
    ]
)


def append_fetch_log(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[FetchResult],
    run_id: str,
    source_by_url: dict[str, str],
    now: datetime,
) -> None:
    """Append one fetch_log row per request made."""
    if not results:
        return
    rows = [
        {
            "run_id": run_id,
            "kind": r.kind,
            "source_name": source_by_url.get(r.url),
            "url": r.url,
            "final_url": r.final_url,
            "http_status": r.http_status,
            "error_class": None if r.succeeded else r.status,
            "error": r.error,
            "bytes": len(r.body),
            "elapsed_ms": r.elapsed_ms,
            "attempts": r.attempts,
            "requested_at": r.started_at or now,
        }
        for r in results
    ]
    with transaction(con):
        _register(con, "batch_fetch_log", rows, FETCH_LOG_SCHEMA)
        run(con, "append_fetch_log")
        con.unregister("batch_fetch_log")


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, now: datetime
) -> None:
    run(con, "start_run", run_id=run_id, flow_run_id=flow_run_id, now=now)


def finish_run(
    con: duckdb.DuckDBPyConnection,
    summary: RunSummary,
    status: str,
    now: datetime,
    error: str | None = None,
) -> None:
    run(con, "finish_run", **dataclasses.asdict(summary), status=status, now=now, error=error)
