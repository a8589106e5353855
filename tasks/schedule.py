"""When a feed is due: intervals it asks for, per-source overrides and failure backoff."""

from __future__ import annotations

from datetime import datetime, timedelta

from config.sources import Source
from tasks.records import FeedState, FetchResult, ParsedFeed

# A failing feed waits interval * 2**failures, at most this long, before the next try.
MAX_BACKOFF_S = 24 * 3600


def is_due(state: FeedState | None, now: datetime, *, force: bool = False) -> bool:
    """True when the source should be fetched now (never for a disabled source)."""
    if state is None:
        return True
    if not state.enabled:
        return False
    return force or state.next_fetch_at is None or state.next_fetch_at <= now


def fetch_interval_s(
    source: Source, default_s: int, fetch: FetchResult, parsed: ParsedFeed | None
) -> int:
    """Seconds until the next fetch after a success.

    The per-source override wins; otherwise the longest of the settings default, the server's
    Cache-Control max-age and the feed's own <ttl> / sy:updatePeriod (a lower bound it asks for).
    """
    if source.min_interval_s is not None:
        return source.min_interval_s
    asked = [default_s, fetch.max_age_s or 0, (parsed.min_interval_s if parsed else None) or 0]
    return max(asked)


def next_fetch_at(
    now: datetime,
    source: Source,
    default_s: int,
    fetch: FetchResult,
    parsed: ParsedFeed | None,
    failures: int,
) -> datetime:
    """When to fetch again: the interval after success, exponential backoff after failures."""
    interval = fetch_interval_s(source, default_s, fetch, parsed)
    if failures:
        base = max(interval, 60)
        wait = max(min(base * 2 ** (failures - 1), MAX_BACKOFF_S), fetch.retry_after_s or 0)
        return now + timedelta(seconds=wait)
    return now + timedelta(seconds=interval)
