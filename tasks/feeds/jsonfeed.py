"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) read into raw entries."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tasks.feeds.model import (
    FIELD_MAX_CHARS,
    NOT_A_FEED,
    PARSE_ERROR,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    ParseContext,
    RawEntry,
    as_list,
    clip,
    failure,
    html_text,
    nonblank,
    plain_text,
)
from tasks.records import ParsedFeed
from tasks.urls import resolve_link

JSONFEED_VERSION = "jsonfeed.org/version/1"


def parse_json_feed(text: str, ctx: ParseContext) -> tuple[ParsedFeed, Iterable[RawEntry]]:
    """Read a JSON Feed; wrongly typed fields count as missing.

    Args:
        text: the decoded document.
        ctx: the parse_feed call's arguments.

    Returns:
        The ParsedFeed without entries, and the raw entries of its first max_entries items.
        On failure error_class is "parse_error" (not JSON) or "not_a_feed" (no JSON Feed version).

    """
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return failure(PARSE_ERROR, f"feeds: invalid JSON: {exc}"), ()
    if not isinstance(doc, dict) or JSONFEED_VERSION not in (nonblank(doc.get("version")) or ""):
        return failure(
            NOT_A_FEED, "feeds: JSON without a jsonfeed.org version: not a JSON Feed"
        ), ()
    items = as_list(doc.get("items"))
    language = clip(nonblank(doc.get("language")), FIELD_MAX_CHARS)
    raws = (
        _raw_from_json(item, language)
        for item in items[: ctx.max_entries]
        if isinstance(item, dict)
    )
    parsed = ParsedFeed(
        format="jsonfeed",
        title=plain_text(nonblank(doc.get("title")), TITLE_MAX_CHARS),
        site_url=resolve_link(
            nonblank(doc.get("home_page_url")), ctx.feed_url, ctx.extra_tracking_params
        )[0],
        language=language,
        truncated=len(items) > ctx.max_entries,
    )
    return parsed, raws


def _raw_from_json(item: dict[str, Any], feed_language: str | None) -> RawEntry:
    content_html = nonblank(item.get("content_html"))
    summary = plain_text(
        nonblank(item.get("summary")) or nonblank(item.get("content_text")), SUMMARY_MAX_CHARS
    )
    authors = as_list(item.get("authors")) or [item.get("author")]
    guid = item.get("id")
    return RawEntry(
        guid=str(guid) if isinstance(guid, str | int) and not isinstance(guid, bool) else None,
        link=nonblank(item.get("url")) or nonblank(item.get("external_url")),
        title=plain_text(nonblank(item.get("title")), TITLE_MAX_CHARS),
        summary=summary or html_text(content_html, SUMMARY_MAX_CHARS),
        content_html=content_html,
        authors=[nonblank(a.get("name")) or "" for a in authors if isinstance(a, dict)],
        categories=[tag for tag in as_list(item.get("tags")) if isinstance(tag, str)],
        published_raw=nonblank(item.get("date_published")) or nonblank(item.get("date_modified")),
        updated_raw=nonblank(item.get("date_modified")),
        image=nonblank(item.get("image")) or nonblank(item.get("banner_image")),
        language=clip(nonblank(item.get("language")), FIELD_MAX_CHARS) or feed_language,
    )
