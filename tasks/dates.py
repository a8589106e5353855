"""Dates of feed entries and pages: one parser for date strings, one rule for a plausible date.

The rule is the same for a feed's date and a page's: both are compared to the clock of the
machine that fetched them, and a page's date is picked among many sources (structured data, meta
tags, the URL, the feed entry, the page body), so a wrong one only gives the next source its turn.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

# dateutil warns on stderr about every zone name it does not know ("2020-01-10T00:59:47ZZ" in a
# page's meta); parse_datetime reads such a time as UTC like any naive one, so in an unattended
# run the warning is only noise, printed from a worker process without the page's URL.
warnings.filterwarnings("ignore", category=dateutil_parser.UnknownTimezoneWarning)

# Why a date was not kept, recorded on feed entries (FeedEntry.problems).
FUTURE_DATE = "future_date"
ANCIENT_DATE = "ancient_date"
UNPARSABLE_DATE = "unparsable_date"
# News on the web starts in the 1990s; an earlier date is an unset one as software prints it:
# Unix time 0 (1970-01-01), the DOS epoch (1980-01-01), a 1900 default.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
# Nothing was published after it was fetched; the tolerance covers clocks that disagree a little
# and an offset wrong by a daylight-saving hour. A local time read as UTC (up to 14 hours ahead)
# is a wrong date, and the page's next source or the page itself dates the article instead.
FUTURE_TOLERANCE = timedelta(hours=1)
URL_DATE = re.compile(
    r"/((?:19|20)\d{2})([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?=/|[-_.]|$)"
)
YEAR = re.compile(r"(?:19|20)\d{2}")


def parse_datetime(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from an ISO 8601, RFC 2822 or free-form date string.

    Returns:
        None when the string is not a date with a year and a day; naive values are taken as UTC.

    """
    if not value or not YEAR.search(value):
        return None
    value = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = _parse_free_form(value)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_free_form(value: str) -> datetime | None:
    """Dateutil's reading of the string, None unless it names a full day ("2022" is not one)."""
    day_first = "." in value  # 03.05.2022 is the 3rd of May wherever dots are used
    try:
        first, second = (
            dateutil_parser.parse(value, default=default, dayfirst=day_first)
            for default in (datetime(1900, 1, 1, tzinfo=UTC), datetime(1904, 2, 2, tzinfo=UTC))
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return first if first == second else None


def url_date(url: str | None) -> datetime | None:
    """The date written in a URL path (/2022/05/03/, /2022-05-03-, /20220503/), midnight UTC."""
    match = URL_DATE.search(url or "")
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[3]), int(match[4]), tzinfo=UTC)
    except ValueError:
        return None


def implausibility(when: datetime, now: datetime) -> str | None:
    """Why the date cannot be a publication date (FUTURE_DATE, ANCIENT_DATE), None if it can be."""
    if when > now + FUTURE_TOLERANCE:
        return FUTURE_DATE
    if when < EARLIEST_PLAUSIBLE:
        return ANCIENT_DATE
    return None


def first_plausible(candidates: Iterable[datetime | None], now: datetime) -> datetime | None:
    """The first candidate that is a plausible publication date."""
    for candidate in candidates:
        if candidate is not None and implausibility(candidate, now) is None:
            return candidate
    return None


def checked_date(
    raw: str | None, now: datetime, parsed: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """The date a raw string gives, or None and why (UNPARSABLE_DATE or an implausibility).

    Args:
        raw: the date as the document wrote it.
        now: the time the document was fetched.
        parsed: a reading of raw already made (feedparser's), used instead of parsing it again.

    """
    when = parsed or parse_datetime(raw)
    if when is None:
        return None, UNPARSABLE_DATE if raw else None
    problem = implausibility(when, now)
    return (None, problem) if problem else (when, None)
