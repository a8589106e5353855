"""Dates: one parser for feed and page date strings, one rule for a plausible publication date."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tasks.dates import (
    ANCIENT_DATE,
    FUTURE_DATE,
    FUTURE_TOLERANCE,
    UNPARSABLE_DATE,
    checked_date,
    first_plausible,
    implausibility,
    parse_datetime,
    parse_datetimes,
    url_date,
)
from tests.paths import REPO

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-05-03T10:00:00+02:00", datetime(2022, 5, 3, 8, 0, tzinfo=UTC)),
        ("2022-05-03T10:00:00+0200", datetime(2022, 5, 3, 8, 0, tzinfo=UTC)),
        ("2022-05-03T10:00:00Z", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),
        ("2022-05-03 10:00", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),  # naive: taken as UTC
        ("Tue, 03 May 2022 10:00:00 GMT", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),
        ("May 3, 2022", datetime(2022, 5, 3, tzinfo=UTC)),
        ("03.05.2022", datetime(2022, 5, 3, tzinfo=UTC)),  # day first where dots are used
        ("2022", None),  # no day
        ("March 2022", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_datetime_is_timezone_aware_utc(value: str, expected: datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is UTC


def test_unknown_zone_name_is_read_as_utc_without_a_warning_on_stderr() -> None:
    # A fresh interpreter, as an extraction worker is: dateutil's UnknownTimezoneWarning went
    # to the run's output once per worker, with no URL to tell which page it came from.
    script = (
        "from tasks.dates import parse_datetime; print(parse_datetime('2020-01-10T00:59:47ZZ'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "2020-01-10 00:59:47+00:00"
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2022/05/03/story", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/news/2022-05-03-story", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/20220503/story.html", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/2022/13/40/story", None),
        ("https://x.example/story-1582045946_4594", None),
        ("https://x.example/2022/05/story", None),  # no day
        (None, None),
    ],
)
def test_url_date(url: str | None, expected: datetime | None) -> None:
    assert url_date(url) == expected


def test_first_plausible_skips_future_and_ancient_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    future = now + FUTURE_TOLERANCE + timedelta(minutes=1)
    skewed = now + FUTURE_TOLERANCE - timedelta(minutes=1)
    ancient = datetime(1970, 1, 1, tzinfo=UTC)
    assert first_plausible([None, future, ancient, skewed, now], now) == skewed
    assert first_plausible([future, ancient], now) is None


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (NOW + FUTURE_TOLERANCE, None),  # clocks that disagree a little, a daylight-saving slip
        (NOW + FUTURE_TOLERANCE + timedelta(seconds=1), FUTURE_DATE),
        (NOW + timedelta(hours=11), FUTURE_DATE),  # a local time read as UTC; feeds kept a day
        (datetime(1990, 1, 1, tzinfo=UTC), None),
        (datetime(1989, 12, 31, 23, 59, tzinfo=UTC), ANCIENT_DATE),
        (datetime(1980, 1, 1, tzinfo=UTC), ANCIENT_DATE),  # the DOS epoch
        (datetime(1970, 1, 1, tzinfo=UTC), ANCIENT_DATE),  # Unix time 0, which feeds kept
    ],
)
def test_one_plausibility_rule_for_feeds_and_pages(when: datetime, problem: str | None) -> None:
    assert implausibility(when, NOW) == problem
    assert first_plausible([when], NOW) == (None if problem else when)


@pytest.mark.parametrize(
    ("raw", "parsed", "expected"),
    [
        (None, None, (None, None)),
        ("not a date", None, (None, UNPARSABLE_DATE)),
        ("2024-05", None, (None, UNPARSABLE_DATE)),  # no day: not a publication date
        ("01.05.2024 11:30", None, (datetime(2024, 5, 1, 11, 30, tzinfo=UTC), None)),
        ("2024-05-01T14:00:00+02:00", None, (datetime(2024, 5, 1, 12, 0, tzinfo=UTC), None)),
        ("Wed, 01 May 2024 23:00:00 GMT", None, (None, FUTURE_DATE)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None, (None, ANCIENT_DATE)),
        # A reading already made (feedparser's, of a format only it knows) is checked, not redone.
        ("Κυρ, 28 Απρ 2024 08:00:00 GMT", datetime(2024, 4, 28, 8, tzinfo=UTC), (datetime(2024, 4, 28, 8, tzinfo=UTC), None)),
        ("Σαβ, 01 Ιαν 1900 00:00:00 GMT", datetime(1900, 1, 1, tzinfo=UTC), (None, ANCIENT_DATE)),
    ],
)  # fmt: skip
def test_checked_date_says_why_a_date_is_not_kept(
    raw: str | None, parsed: datetime | None, expected: tuple[datetime | None, str | None]
) -> None:
    assert checked_date(raw, NOW, parsed) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri Apr 28 19:20:36 CEST 2023", datetime(2023, 4, 28, 17, 20, 36, tzinfo=UTC)),
        ("28 April 2023 19:20 MESZ", datetime(2023, 4, 28, 17, 20, tzinfo=UTC)),
        ("Tue, 03 May 2022 10:00:00 JST", datetime(2022, 5, 3, 1, 0, tzinfo=UTC)),
    ],
)
def test_zone_names_news_pages_print(value: str, expected: datetime) -> None:
    assert parse_datetime(value) == expected


def test_a_bare_time_takes_the_offset_the_page_gives_the_same_clock() -> None:
    bare, with_offset = "2023-04-28 18:11:01.0", "2023-04-28T18:11:01+02:00"
    expected = datetime(2023, 4, 28, 16, 11, 1, tzinfo=UTC)
    assert parse_datetimes([bare, with_offset]) == [expected, expected]
    # a different clock is a different time: it stays as it is, read as UTC
    assert parse_datetimes(["2023-04-28 09:00", with_offset])[0] == datetime(
        2023, 4, 28, 9, 0, tzinfo=UTC
    )
