"""The rows a run's records become in the warehouse, as pure functions.

Given the pipeline's records and what the warehouse already holds (read by warehouse.query),
these decide what is written: which articles are new, changed or unchanged, which story each
joins, the paragraph fingerprints that teach site templates, the stored texts a learned
template changes, and the rows of feeds, entries and requests. warehouse.load then writes the
rows as they are.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from tasks.article.page import article_id
from tasks.article.templates import paragraph_fingerprints, remove_template_paragraphs, site_key
from tasks.dedup import StoryClusterer, content_hash
from tasks.records import (
    ArticleRow,
    CleanedText,
    EntryRow,
    FailureRow,
    FeedOutcome,
    FeedStateRow,
    FetchLogRow,
    FetchResult,
    LinkRow,
    PageOutcome,
    PageRows,
    ParagraphsRow,
    StoredArticles,
)

# raw_pages.html_codec -> zlib's wbits for it (_compressed_page writes both).
RAW_PAGE_WBITS = {"zlib": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}


@dataclasses.dataclass(slots=True)
class LoadCounts:
    """What a batch of page outcomes does to the warehouse."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    sites: set[str] = dataclasses.field(default_factory=set)  # sites whose paragraph counts grew


# --- feeds ---------------------------------------------------------------------------------


def feed_state_row(outcome: FeedOutcome, now: datetime) -> FeedStateRow:
    """What `sources` remembers of one source's fetch: validators, health, schedule."""
    fetch, parsed = outcome.fetch, outcome.parsed
    ok = not outcome.failed
    return FeedStateRow(
        name=outcome.source.name,
        ok=ok,
        fetched_at=now,
        moved_to=fetch.permanent_redirect,
        etag=fetch.etag,
        last_modified=fetch.last_modified,
        body_hash=outcome.body_hash,
        feed_title=parsed.title if parsed else None,
        feed_format=parsed.format if parsed else None,
        feed_interval_s=parsed.min_interval_s if parsed else None,
        next_fetch_at=outcome.next_fetch_at,
        consecutive_failures=outcome.consecutive_failures,
        error_class=(
            parsed.error_class if parsed and parsed.error_class else (None if ok else fetch.status)
        ),
        error=parsed.error if parsed and parsed.error_class else fetch.error,
        disabled_reason=outcome.disabled_reason,
    )


def entry_rows(outcome: FeedOutcome) -> list[EntryRow]:
    """A feed's entries as `discoveries` rows, each entry key once (the first listed wins)."""
    rows, seen = [], set()
    for entry in outcome.parsed.entries if outcome.parsed else ():
        if entry.entry_key in seen:
            continue
        seen.add(entry.entry_key)
        rows.append(
            EntryRow(
                source_name=outcome.source.name,
                entry_key=entry.entry_key,
                url=entry.url,
                guid=entry.guid,
                title=entry.title,
                published_raw=entry.published_raw,
                published_at=entry.published_at,
                updated_raw=entry.updated_raw,
                updated_at=entry.updated_at,
                problems=entry.problems,
                state="pending" if entry.url else "skipped",
                entry_json=entry.to_json(),
            )
        )
    return rows


def fetch_log_rows(
    results: Iterable[FetchResult], run_id: str, source_by_url: dict[str, str], now: datetime
) -> list[FetchLogRow]:
    """One `fetch_log` row per request made."""
    return [
        FetchLogRow(
            run_id=run_id,
            kind=r.kind,
            source_name=source_by_url.get(r.url),
            url=r.url,
            final_url=r.final_url,
            http_status=r.http_status,
            error_class=None if r.succeeded else r.status,
            error=r.error,
            bytes=len(r.body),
            elapsed_ms=r.elapsed_ms,
            attempts=r.attempts,
            requested_at=r.started_at or now,
        )
        for r in results
    ]


# --- pages ---------------------------------------------------------------------------------


def article_keys(outcomes: Iterable[PageOutcome]) -> tuple[list[str], list[str]]:
    """The ids and content hashes of a batch's articles: what warehouse.query looks up."""
    articles = [o.article for o in outcomes if o.article is not None]
    return [article_id(a.canonical_url) for a in articles], [a.content_hash for a in articles]


def page_rows(
    outcomes: Sequence[PageOutcome],
    stored: StoredArticles,
    clusterer: StoryClusterer,
    now: datetime,
) -> tuple[PageRows, LoadCounts]:
    """The rows of one batch of page outcomes, and what they amount to.

    New articles and changed ones (another content hash than stored) are written; an
    unchanged one, or one a page earlier in the batch already gave, is only linked to its
    entries. Story ids come from an article with the same content hash, else from the
    clusterer (near-duplicates), which indexes each new article for the ones after it.
    """
    rows, counts, seen = PageRows(), LoadCounts(), set()
    for outcome in outcomes:
        article = outcome.article
        if article is None:
            rows.failures.append(
                FailureRow(
                    job_url=outcome.job.entry.url,
                    error_class=outcome.error_class,
                    error=outcome.error,
                    retryable=outcome.retryable,
                )
            )
            continue
        aid = article_id(article.canonical_url)
        rows.links.append(LinkRow(job_url=outcome.job.entry.url, article_id=aid))
        if aid in seen or stored.content_hash_by_id.get(aid) == article.content_hash:
            counts.unchanged += aid not in seen
            seen.add(aid)
            continue
        seen.add(aid)
        counts.updated += aid in stored.content_hash_by_id
        counts.new += aid not in stored.content_hash_by_id
        story = stored.story_by_content_hash.get(article.content_hash) or clusterer.assign(
            aid, outcome.story_signature
        )
        rows.articles.append(_article_row(outcome, aid, story, now))
        # By the page's own URL, the key extraction looks templates up by (tasks/stages.py).
        site = site_key(article.url)
        if site:
            rows.paragraphs.append(
                ParagraphsRow(
                    site=site,
                    fingerprints=tuple(paragraph_fingerprints(article.paragraphs)),
                    article_id=aid,
                )
            )
            counts.sites.add(site)
    counts.failed = len(rows.failures)
    return rows, counts


def _article_row(outcome: PageOutcome, aid: str, story_id: str | None, now: datetime) -> ArticleRow:
    article, fetch = outcome.article, outcome.fetch
    html, codec = _compressed_page(fetch)
    return ArticleRow(
        article_id=aid,
        canonical_url=article.canonical_url,
        url=article.url or fetch.final_url,
        job_url=outcome.job.entry.url,
        site=site_key(article.url),
        source_name=outcome.job.source_name,
        title=article.title or outcome.job.entry.title,
        authors=article.authors,
        published_at=article.published_at,
        updated_at=article.updated_at,
        language=article.language,
        declared_language=article.declared_language,
        site_name=article.site_name,
        categories=article.categories,
        tags=article.tags,
        image_url=article.image_url,
        summary=article.summary,
        text=article.text,
        word_count=article.word_count,
        content_hash=article.content_hash,
        flags=article.flags,
        story_id=story_id,
        story_signature=outcome.story_signature,
        fetched_at=fetch.started_at or now,
        extractor_version=article.extractor_version,
        content_type=fetch.content_type,
        html_compressed=html,
        html_codec=codec,
        html_bytes=len(fetch.body),
    )


def _compressed_page(fetch: FetchResult) -> tuple[bytes, str]:
    """The page as raw_pages keeps it, and its codec (a RAW_PAGE_WBITS key)."""
    if fetch.body_gzip:
        return fetch.body_gzip, "gzip"  # the server's gzip stream as it came
    # zlib level 1: 2.5x faster than 6, ~17% larger.
    return zlib.compress(fetch.body, 1), "zlib"


def raw_page_html(compressed: bytes, codec: str) -> bytes:
    """A stored raw page's HTML, from raw_pages.html_compressed and html_codec."""
    return zlib.decompress(compressed, RAW_PAGE_WBITS[codec])


# --- stories and site templates ------------------------------------------------------------


def cleaned_texts(
    texts: Iterable[tuple[str, str, str]], templates: dict[str, frozenset[str]]
) -> list[CleanedText]:
    """Stored texts, (site, article_id, text), that lose paragraphs their site's templates hold.

    Pages loaded before a site's template was learned still carry it; only the texts that
    change are returned.
    """
    changed = []
    for site, aid, text in texts:
        cleaned = remove_template_paragraphs(text, templates[site])
        if cleaned != text:
            changed.append(
                CleanedText(article_id=aid, text=cleaned, content_hash=content_hash(cleaned))
            )
    return changed
