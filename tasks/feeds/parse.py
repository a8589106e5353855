"""Feed parsing entry point: sniffs the format, dispatches to its adapter, finishes the entries."""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from tasks.dates import checked_date
from tasks.dedup import normalize_text
from tasks.encoding import decode_feed
from tasks.feeds.jsonfeed import parse_json_feed
from tasks.feeds.model import (
    CONTENT_MAX_CHARS,
    EMPTY,
    FIELD_MAX_CHARS,
    GUID_MAX_CHARS,
    LIST_MAX,
    NOT_A_FEED,
    PARSE_ERROR,
    UNSAFE_XML,
    ParseContext,
    RawEntry,
    clip,
    failure,
    plain_text,
)
from tasks.feeds.rss import parse_rss
from tasks.feeds.sitemaps import SITEMAP_ROOTS, parse_sitemap
from tasks.feeds.xmlguard import (
    as_utf8_xml,
    cut_items,
    cut_long_text,
    legal_char_references,
    root_name,
    unsafe_xml_reason,
)
from tasks.records import FeedEntry, ParsedFeed
from tasks.urls import resolve_link

logger = logging.getLogger(__name__)


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    content_type: str | None = None,
    max_entries: int = 2000,
    extra_tracking_params: Sequence[str] = (),
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.x) or an XML sitemap / sitemap index.

    Pure and picklable: no network, no files, no global state; run it in a worker process to
    bound its time. The format is detected from the content; content_type only supplies a
    charset and tells JSON from garbage. Entity declarations that could expand (billion laughs,
    quadratic blowup) or reach outside the document (XXE) are refused before any parser
    expands them. Entries get normalised absolute URLs, UTC dates checked for plausibility,
    plain-text titles and summaries, and a stable entry_key; duplicates within the document
    (same entry_key) are dropped, first one kept.

    Args:
        body: the document as fetched.
        feed_url: its final URL, used to resolve relative links.
        content_type: the HTTP Content-Type, if any.
        max_entries: keep at most this many entries (or child sitemaps); truncated=True if cut.
        extra_tracking_params: more query keys removed from entry URLs.
        now: reference time for the future-date check (default: the current time).

    Returns:
        A ParsedFeed. Never raises: on failure error_class is "empty", "not_a_feed",
        "unsafe_xml" or "parse_error" with a readable error. A document read leniently has
        malformed=True and its entries kept, and error says what was wrong with it.

    """
    ctx = ParseContext(
        feed_url, max_entries, tuple(extra_tracking_params), now or datetime.now(UTC)
    )
    started = time.perf_counter()
    try:
        parsed = _parse_document(body, content_type, ctx)
    except Exception as exc:  # the contract is "never raises": a bug must not unwind a batch
        logger.exception("feeds: unexpected failure feed_url=%s", feed_url)
        return failure(PARSE_ERROR, f"feeds: unexpected {type(exc).__name__}: {exc}")
    logger.debug(
        "feeds: parsed feed_url=%s format=%s entries=%s error_class=%s in %.3fs",
        feed_url, parsed.format, len(parsed.entries), parsed.error_class, time.perf_counter() - started,
    )  # fmt: skip
    return parsed


def entry_key(
    guid: str | None,
    link: str | None,
    title: str | None,
    published: str | None,
    *,
    guid_shared: bool = False,
) -> str:
    """The stable identity of an entry: sha256 hex of its guid, else its link, else title + date.

    The guid is the publisher's own identity for an item and outlives link edits (tracking
    parameters, a slug fixed after publication), so it alone is the key. A feed that gives one
    guid to items with different links contradicts itself (a template bug, a guid per category):
    those items are told apart by guid and link together (guid_shared).

    Args:
        guid: RSS guid / Atom id / JSON Feed id.
        link: the entry's normalised URL (so tracking-parameter churn keeps the key).
        title: compared case- and white-space-insensitively.
        published: the date exactly as the feed wrote it.
        guid_shared: the document gives this guid to several different links.

    """
    if guid and guid.strip():
        basis = f"guid\x1f{guid.strip()}"
        if guid_shared and link:
            basis += f"\x1flink\x1f{link.strip()}"
    elif link and link.strip():
        basis = f"link\x1f{link.strip()}"
    else:
        basis = f"title\x1f{normalize_text(title or '')}\x1f{(published or '').strip()}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _parse_document(body: bytes, content_type: str | None, ctx: ParseContext) -> ParsedFeed:
    """Decode, sniff, dispatch to the adapter for the format and finish the entries it read."""
    text = decode_feed(body, content_type).lstrip("\ufeff \t\r\n")
    if not text:
        return failure(EMPTY, "feeds: empty document")
    if text.startswith(("{", "[")) or ("json" in (content_type or "") and not text.startswith("<")):
        return _with_entries(*parse_json_feed(text, ctx), ctx)
    return _parse_xml(text, ctx)


def _parse_xml(text: str, ctx: ParseContext) -> ParsedFeed:
    """Sniff the root, cut and screen the document, then read it as a sitemap or with feedparser."""
    root = root_name(text) if text.startswith("<") else None
    if root is None:
        return failure(NOT_A_FEED, "feeds: neither XML nor JSON")
    if root.lower() == "html":
        return failure(NOT_A_FEED, "feeds: an HTML page, not a feed")
    truncated = False
    if root not in SITEMAP_ROOTS:
        text, truncated = cut_items(text, ctx.max_entries)
        text = cut_long_text(text, ctx.feed_url)
    xml = as_utf8_xml(legal_char_references(text))
    reason = unsafe_xml_reason(xml)
    if reason:
        logger.warning("feeds: refused unsafe XML feed_url=%s: %s", ctx.feed_url, reason)
        return failure(UNSAFE_XML, reason)
    if root in SITEMAP_ROOTS:
        return _with_entries(*parse_sitemap(xml, root, ctx), ctx)
    return _with_entries(*parse_rss(xml, root, truncated, ctx), ctx)


def _with_entries(parsed: ParsedFeed, raws: Iterable[RawEntry], ctx: ParseContext) -> ParsedFeed:
    return replace(parsed, entries=_finish_entries(raws, ctx))


# --- entries -----------------------------------------------------------------------------------


def _finish_entries(raws: Iterable[RawEntry], ctx: ParseContext) -> tuple[FeedEntry, ...]:
    """Finished entries, duplicates (same entry_key) dropped with the first one kept."""
    finished = [entry for raw in raws if (entry := _finish_entry(raw, ctx)) is not None]
    links_by_guid: dict[str, set[str | None]] = defaultdict(set)
    for entry in finished:
        if entry.guid:
            links_by_guid[entry.guid].add(entry.url)
    entries: dict[str, FeedEntry] = {}
    for entry in finished:
        if entry.guid and len(links_by_guid[entry.guid]) > 1:
            key = entry_key(
                entry.guid, entry.url, entry.title, entry.published_raw, guid_shared=True
            )
            entry = replace(entry, entry_key=key)  # noqa: PLW2901 - the entry under its own key
        entries.setdefault(entry.entry_key, entry)
    return tuple(entries.values())


def _finish_entry(raw: RawEntry, ctx: ParseContext) -> FeedEntry | None:
    """Resolve the link, check the dates, bound the fields and compute the key.

    Returns None for an entry with no guid, no link and no title: it cannot be told apart
    from the next one, so it cannot be tracked across fetches.
    """
    url, link_problem = resolve_link(raw.link, ctx.feed_url, ctx.extra_tracking_params)
    guid = clip((raw.guid or "").strip() or None, GUID_MAX_CHARS)
    if not (guid or url or raw.title):
        return None
    published_raw = clip(_strip(raw.published_raw), FIELD_MAX_CHARS)
    updated_raw = clip(_strip(raw.updated_raw), FIELD_MAX_CHARS)
    published_at, published_problem = checked_date(published_raw, ctx.now, raw.published_at)
    updated_at, updated_problem = checked_date(updated_raw, ctx.now, raw.updated_at)
    content = raw.content_html
    content_problem = "content_truncated" if content and len(content) > CONTENT_MAX_CHARS else None
    problems = (link_problem, published_problem, updated_problem, content_problem)
    return FeedEntry(
        entry_key=entry_key(guid, url, raw.title, published_raw),
        url=url,
        guid=guid,
        title=raw.title,
        summary=raw.summary,
        content_html=content[:CONTENT_MAX_CHARS] if content else None,
        authors=_short_list(raw.authors),
        categories=_short_list(raw.categories),
        published_raw=published_raw,
        published_at=published_at,
        updated_raw=updated_raw,
        updated_at=updated_at,
        image_url=resolve_link(raw.image, ctx.feed_url)[0] if raw.image else None,
        language=raw.language,
        problems=tuple(dict.fromkeys(p for p in problems if p)),
    )


# --- text helpers ------------------------------------------------------------------------------


def _short_list(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated and bounded names (authors, categories)."""
    cleaned = (plain_text(value, FIELD_MAX_CHARS) for value in values)
    return tuple(itertools.islice(dict.fromkeys(v for v in cleaned if v), LIST_MAX))


def _strip(value: str | None) -> str | None:
    return (value.strip() or None) if value else None
