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
HOUR = 3600
# Zone abbreviations news pages print ("Fri Apr 28 19:20:36 CEST 2023"), each with the one meaning
# it has in news; ambiguous ones (IST, CST, BST outside the UK...) keep their commonest reading.
ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": HOUR, "BST": HOUR, "IST": 5 * HOUR + HOUR // 2,
    "CET": HOUR, "CEST": 2 * HOUR, "MEZ": HOUR, "MESZ": 2 * HOUR, "EET": 2 * HOUR,
    "EEST": 3 * HOUR, "MSK": 3 * HOUR, "JST": 9 * HOUR, "KST": 9 * HOUR, "HKT": 8 * HOUR,
    "SGT": 8 * HOUR, "AWST": 8 * HOUR, "AEST": 10 * HOUR, "AEDT": 11 * HOUR, "NZST": 12 * HOUR,
    "NZDT": 13 * HOUR, "EST": -5 * HOUR, "EDT": -4 * HOUR, "CST": -6 * HOUR, "CDT": -5 * HOUR,
    "MST": -7 * HOUR, "MDT": -6 * HOUR, "PST": -8 * HOUR, "PDT": -7 * HOUR,
}  # fmt: skip
# A time without an offset and one with it name the same moment when their clocks agree this well.
SAME_CLOCK = timedelta(minutes=1)


def parse_datetime(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from an ISO 8601, RFC 2822 or free-form date string.

    Returns:
        None when the string is not a date with a year and a day; naive values are taken as UTC.

    """
    return _as_utc(_parse_as_written(value))


def parse_datetimes(values: Iterable[str]) -> list[datetime | None]:
    """parse_datetime of each value, a time without an offset given the offset the page gives it.

    Pages often write one time twice, once with its offset and once without (a meta tag and
    JSON-LD, or datePublished and dateModified); read as UTC, the bare one would be off by the
    offset. A bare time whose clock equals that of one with an offset takes that offset.
    """
    written = [_parse_as_written(value) for value in values]
    aware = [when for when in written if when is not None and when.tzinfo is not None]
    return [_as_utc(_with_offset_of(when, aware)) for when in written]


def _with_offset_of(when: datetime | None, aware: list[datetime]) -> datetime | None:
    if when is None or when.tzinfo is not None:
        return when
    same_clock = (other for other in aware if abs(other.replace(tzinfo=None) - when) < SAME_CLOCK)
    return next(same_clock, when)


def _as_utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _parse_as_written(value: str | None) -> datetime | None:
    """The date as the string gives it: with its offset, or naive when it has none."""
    if not value or not YEAR.search(value):
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return _parse_free_form(value)
    if parsed.tzinfo is None:  # email.utils reads a zone name it does not know ("CEST") as none
        return _parse_free_form(value) or parsed
    return parsed


def _parse_free_form(value: str) -> datetime | None:
    """Dateutil's reading of the string, None unless it names a full day ("2022" is not one)."""
    day_first = "." in value  # 03.05.2022 is the 3rd of May wherever dots are used
    try:
        first, second = (
            dateutil_parser.parse(value, default=default, dayfirst=day_first, tzinfos=_zone_offset)
            # naive on purpose: only the string may give an offset (see parse_datetimes)
            for default in (datetime(1900, 1, 1), datetime(1904, 2, 2))  # noqa: DTZ001
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return first if first == second else None


def _zone_offset(name: str | None, offset: int | None) -> int | None:
    """Dateutil's tzinfos hook: seconds east of UTC for a zone abbreviation it does not know."""
    return offset if offset is not None or name is None else ZONE_OFFSETS.get(name.upper())


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
