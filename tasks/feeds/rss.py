"""RSS 0.9x/1.0/2.0, Atom and RDF through feedparser, read into raw entries."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import feedparser

from tasks.feeds.model import (
    FIELD_MAX_CHARS,
    NOT_A_FEED,
    PARSE_ERROR,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    ParseContext,
    RawEntry,
    clip,
    failure,
    html_text,
    nonblank,
    plain_text,
)
from tasks.records import ParsedFeed
from tasks.urls import resolve_link

MAX_FEED_INTERVAL_S = 86_400  # a feed may ask to be fetched less often, but at least daily
SY_PERIOD_S = {"hourly": 3_600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000}  # fmt: skip
FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
ABSOLUTE_HTTP = re.compile(r"^\s*https?://", re.IGNORECASE)
IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.IGNORECASE)


def parse_rss(
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
    # Broken before anything was read. A lenient read that found the channel but no items is an
    # empty feed, not a failure (an HTML entity such as &nbsp; in a quiet feed makes expat give up).
    if not parsed.entries and (not version or (parsed.bozo and not parsed.feed)):
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


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """Feedparser's published_parsed / updated_parsed (UTC) as a datetime; None if absent or bad."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


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


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
