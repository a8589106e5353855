"""Feed parsing entry point: sniffs the format, dispatches to its adapter, finishes the entries."""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from feedparser.datetimes import _parse_date as feedparser_parse_date

from tasks.dedup import normalize_text
from tasks.feeds.jsonfeed import parse_json_feed
from tasks.feeds.model import (
    CONTENT_MAX_CHARS,
    EMPTY,
    FIELD_MAX_CHARS,
    GUID_MAX_CHARS,
    LIST_MAX,
    NOT_A_FEED,
    PARSE_ERROR,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    UNSAFE_XML,
    ParseContext,
    RawEntry,
    clip,
    failure,
    html_text,
    nonblank,
    plain_text,
)
from tasks.feeds.sitemaps import SITEMAP_ROOTS, parse_sitemap
from tasks.feeds.xmlguard import (
    as_utf8_xml,
    cut_items,
    cut_long_text,
    decode,
    root_name,
    unsafe_xml_reason,
)
from tasks.records import FeedEntry, ParsedFeed
from tasks.urls import resolve_link

logger = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_FEED_INTERVAL_S = 86_400  # a feed may ask to be fetched less often, but at least daily
SY_PERIOD_S = {"hourly": 3_600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000}  # fmt: skip
FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
ABSOLUTE_HTTP = re.compile(r"^\s*https?://", re.IGNORECASE)
IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.IGNORECASE)


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


def entry_key(guid: str | None, link: str | None, title: str | None, published: str | None) -> str:
    """The stable identity of an entry: sha256 hex of its guid, else its link, else title + date.

    Args:
        guid: RSS guid / Atom id / JSON Feed id.
        link: the entry's normalised URL (so tracking-parameter churn keeps the key).
        title: compared case- and white-space-insensitively.
        published: the date exactly as the feed wrote it.

    """
    if guid and guid.strip():
        basis = f"guid\x1f{guid.strip()}"
    elif link and link.strip():
        basis = f"link\x1f{link.strip()}"
    else:
        basis = f"title\x1f{normalize_text(title or '')}\x1f{(published or '').strip()}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _parse_document(body: bytes, content_type: str | None, ctx: ParseContext) -> ParsedFeed:
    """Decode, sniff, dispatch to the adapter for the format and finish the entries it read."""
    text = decode(body, content_type).lstrip("\ufeff \t\r\n")
    if not text:
        return failure(EMPTY, "feeds: empty document")
    if text.startswith(("{", "[")) or ("json" in (content_type or "") and not text.startswith("<")):
        return _with_entries(*parse_json_feed(text, ctx), ctx)
    root = root_name(text) if text.startswith("<") else None
    if root is None:
        return failure(NOT_A_FEED, "feeds: neither XML nor JSON")
    if root.lower() == "html":
        return failure(NOT_A_FEED, "feeds: an HTML page, not a feed")
    truncated = False
    if root not in SITEMAP_ROOTS:
        text, truncated = cut_items(text, ctx.max_entries)
        text = cut_long_text(text, ctx.feed_url)
    xml = as_utf8_xml(text)
    reason = unsafe_xml_reason(xml)
    if reason:
        logger.warning("feeds: refused unsafe XML feed_url=%s: %s", ctx.feed_url, reason)
        return failure(UNSAFE_XML, reason)
    if root in SITEMAP_ROOTS:
        return _with_entries(*parse_sitemap(xml, root, ctx), ctx)
    return _with_entries(*_parse_with_feedparser(xml, root, truncated, ctx), ctx)


def _with_entries(parsed: ParsedFeed, raws: Iterable[RawEntry], ctx: ParseContext) -> ParsedFeed:
    return replace(parsed, entries=_finish_entries(raws, ctx))


# --- RSS / Atom / RDF through feedparser ---------------------------------------------------------


def _parse_with_feedparser(
    xml: bytes, root: str, truncated: bool, ctx: ParseContext
) -> tuple[ParsedFeed, Iterable[RawEntry]]:
    """RSS, Atom and RDF: feedparser reads the screened UTF-8 bytes, we adapt its dicts.

    Always a BytesIO (a str would be opened as a URL or a file name). No Content-Location:
    feedparser would resolve non-URL guids against it, turning "abc-123" into a fake link.
    HTML sanitising and relative-URI rewriting are off: newsflow never renders feed HTML (the
    extractor reads it), and on a 20 MB description they cost minutes (measured: 60-170 s).
    """
    parsed = feedparser.parse(
        io.BytesIO(xml),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.bozo or not version):  # broken before anything was read
        error_class = PARSE_ERROR if version or root in FEED_ROOTS else NOT_A_FEED
        return failure(
            error_class,
            f"feeds: nothing readable in <{root}> document: {parsed.get('bozo_exception')}",
        ), ()
    feed = dict(parsed.feed)  # plain dicts: FeedParserDict maps a missing "updated" to "published"
    language = clip(feed.get("language"), FIELD_MAX_CHARS)
    raws = (_raw_from_feedparser(dict(entry), language) for entry in parsed.entries)
    feed_fields = ParsedFeed(
        format=_format_of(version, root),
        title=_detail_text(feed.get("title_detail"), TITLE_MAX_CHARS),
        site_url=resolve_link(feed.get("link"), ctx.feed_url, ctx.extra_tracking_params)[0],
        language=language,
        min_interval_s=_feed_interval(feed),
        malformed=bool(parsed.bozo),
        truncated=truncated,
        error=f"feeds: read leniently: {parsed.get('bozo_exception')}" if parsed.bozo else None,
    )
    return feed_fields, raws


def _format_of(version: str, root: str) -> str:
    if version.startswith("atom") or (not version and root == "feed"):
        return "atom"
    if version in ("rss090", "rss10") or (not version and root == "RDF"):
        return "rdf"
    return "rss" if version.startswith("rss") or root == "rss" else "unknown"


def _raw_from_feedparser(entry: dict[str, Any], feed_language: str | None) -> RawEntry:
    """Adapt one feedparser entry dict."""
    guid, link = entry.get("id"), entry.get("link")
    if entry.get("guidislink") and link == guid and not ABSOLUTE_HTTP.match(link or ""):
        link = None  # feedparser copies any guid/id into link; only an http(s) one is a permalink
    content = _pick_content(entry.get("content") or [])
    raw = RawEntry(
        guid=guid,
        link=link,
        title=_detail_text(entry.get("title_detail"), TITLE_MAX_CHARS),
        # feedparser copies content into "summary" (without a detail dict) when there is no description
        summary=_detail_text(
            entry.get("summary_detail") or {"type": "html", "value": entry.get("summary")},
            SUMMARY_MAX_CHARS,
        ),
        content_html=content.get("value"),
        authors=[a.get("name") or a.get("email") or "" for a in entry.get("authors") or []]
        or [entry.get("author") or ""],
        categories=[tag.get("term") or tag.get("label") or "" for tag in entry.get("tags") or []],
        # Undated otherwise: Atom entries with only <updated>, RSS 1.0 items with only dc:date.
        published_raw=entry.get("published") or entry.get("updated"),
        published_at=_from_struct(entry.get("published_parsed") or entry.get("updated_parsed")),
        updated_raw=entry.get("updated"),
        updated_at=_from_struct(entry.get("updated_parsed")),
        image=_feedparser_image(entry),
    )
    detail = entry.get("title_detail") or content or entry.get("summary_detail") or {}
    raw.language = clip(detail.get("language"), FIELD_MAX_CHARS) or feed_language
    return raw


def _pick_content(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """The HTML body among content:encoded / Atom content, else {}."""
    return next((c for c in contents if "html" in (c.get("type") or "")), {})


def _feedparser_image(entry: dict[str, Any]) -> str | None:
    """media:content (images), media:thumbnail, an image enclosure, itunes:image - first found."""
    for media in entry.get("media_content") or []:
        medium, mime, url = media.get("medium"), media.get("type") or "", media.get("url") or ""
        if (
            medium == "image"
            or mime.startswith("image/")
            or (not medium and not mime and IMAGE_PATH.search(url))
        ):
            return nonblank(url)
    for thumbnail in entry.get("media_thumbnail") or []:
        if nonblank(thumbnail.get("url")):
            return nonblank(thumbnail.get("url"))
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            return nonblank(link.get("href"))
    return nonblank((entry.get("image") or {}).get("href"))


def _feed_interval(feed: dict[str, Any]) -> int | None:
    """Seconds between fetches the feed asks for: the larger of <ttl> and sy:updatePeriod/Frequency."""
    hints = []
    ttl = _int(feed.get("ttl"))
    if ttl and ttl > 0:
        hints.append(ttl * 60)
    period = SY_PERIOD_S.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period:
        hints.append(period // max(1, _int(feed.get("sy_updatefrequency")) or 1))
    return min(max(hints), MAX_FEED_INTERVAL_S) if hints else None


# --- entries -----------------------------------------------------------------------------------


def _finish_entries(raws: Iterable[RawEntry], ctx: ParseContext) -> tuple[FeedEntry, ...]:
    """Finished entries, duplicates (same entry_key) dropped with the first one kept."""
    entries: dict[str, FeedEntry] = {}
    for raw in raws:
        entry = _finish_entry(raw, ctx)
        if entry is not None and entry.entry_key not in entries:
            entries[entry.entry_key] = entry
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
    published_at, published_problem = _plausible(
        raw.published_at or _parse_date(published_raw), published_raw, ctx.now
    )
    updated_at, updated_problem = _plausible(
        raw.updated_at or _parse_date(updated_raw), updated_raw, ctx.now
    )
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


def _plausible(
    when: datetime | None, raw: str | None, now: datetime
) -> tuple[datetime | None, str | None]:
    """The date, or None and why: more than a day in the future, before 1970, unparsable."""
    if when is None:
        return None, "unparsable_date" if raw else None
    if when > now + FUTURE_TOLERANCE:
        return None, "future_date"
    if when < EPOCH:
        return None, "ancient_date"
    return when, None


def _parse_date(raw: str | None) -> datetime | None:
    """ISO 8601 / W3C-DTF first (JSON Feed, sitemaps), then every format feedparser knows."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return _from_struct(feedparser_parse_date(raw))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """Feedparser's UTC struct_time as an aware datetime; None when absent or out of range."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


# --- text helpers ------------------------------------------------------------------------------


def _detail_text(detail: dict[str, Any] | None, limit: int) -> str | None:
    """Plain text of a feedparser *_detail dict, tags stripped only when its type is (X)HTML."""
    if not detail:
        return None
    value = detail.get("value")
    return (
        html_text(value, limit)
        if "html" in (detail.get("type") or "")
        else plain_text(value, limit)
    )


def _short_list(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated and bounded names (authors, categories)."""
    cleaned = (plain_text(value, FIELD_MAX_CHARS) for value in values)
    return tuple(itertools.islice(dict.fromkeys(v for v in cleaned if v), LIST_MAX))


def _strip(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
