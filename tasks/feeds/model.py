"""The model the feed format adapters fill: raw entries, their bounds, failures and clean text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tasks.dedup import WHITESPACE
from tasks.records import ParsedFeed

PARSE_ERROR = "parse_error"
UNSAFE_XML = "unsafe_xml"
NOT_A_FEED = "not_a_feed"
EMPTY = "empty"

# Bounds on what one entry may carry, so a hostile feed cannot push megabytes into every row.
# Plain-text summary: a snippet, the article itself comes from the page. Text helpers read at most
# 4 x their limit of markup, so a 20 MB description costs what 256 KB cost.
SUMMARY_MAX_CHARS = 65_536
CONTENT_MAX_CHARS = 1_000_000  # content_html beyond this is cut (problem "content_truncated")
TITLE_MAX_CHARS = 1_000
GUID_MAX_CHARS = 2_048
FIELD_MAX_CHARS = 256  # raw dates, author names, categories, language
LIST_MAX = 50  # authors / categories per entry

SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.DOTALL | re.IGNORECASE)
COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# A tag ends at the first ">" outside quotes (<a title="a > b">). Neither a quoted value nor the
# rest of a tag may cross a "<", so every scan stops at the next "<" and the pass stays linear.
TAG = re.compile(r"""<(?:[^<>"']|"[^<"]*(?:"|$)|'[^<']*(?:'|$))*(?:>|$)""")


@dataclass(frozen=True, slots=True)
class ParseContext:
    """The caller's arguments to parse_feed that the adapters and entry building need."""

    feed_url: str
    max_entries: int
    extra_tracking_params: tuple[str, ...]
    now: datetime


@dataclass(slots=True)
class RawEntry:
    """One item as a format adapter read it, before links, dates and identity are settled."""

    guid: str | None = None
    link: str | None = None
    title: str | None = None
    summary: str | None = None
    content_html: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published_raw: str | None = None
    published_at: datetime | None = None
    updated_raw: str | None = None
    updated_at: datetime | None = None
    image: str | None = None
    language: str | None = None


def failure(error_class: str, error: str, fmt: str = "unknown") -> ParsedFeed:
    """A ParsedFeed that records why the document yielded nothing."""
    return ParsedFeed(format=fmt, error_class=error_class, error=error)


def html_text(markup: str | None, limit: int) -> str | None:
    """Visible text of an HTML fragment, white space collapsed; reads at most 4 x limit chars."""
    if not markup:
        return None
    snippet = COMMENT.sub(" ", SCRIPT_OR_STYLE.sub(" ", markup[: 4 * limit]))
    return plain_text(html.unescape(TAG.sub(" ", snippet)), limit)


def plain_text(text: str | None, limit: int) -> str | None:
    """The text with white space collapsed, cut to limit; None when nothing is left."""
    if not text:
        return None
    return WHITESPACE.sub(" ", text[: 4 * limit]).strip()[:limit] or None


def clip(value: str | None, limit: int) -> str | None:
    """The value cut to limit; None when empty."""
    return value[:limit] if value else None


def nonblank(value: Any) -> str | None:
    """The value when it is a non-blank string (feed data is untyped), else None."""
    if isinstance(value, str) and value.strip():
        return value
    return None


def as_list(value: Any) -> list[Any]:
    """The value when it is a list, else an empty list."""
    return value if isinstance(value, list) else []
