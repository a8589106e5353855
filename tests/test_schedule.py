"""When feeds are due: intervals the feed asks for, per-source overrides, failure backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.sources import Source
from tasks.records import FeedState, FetchResult, ParsedFeed
from tasks.schedule import is_due, next_fetch_at

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SOURCE = Source(name="s", url="http://x/feed")


def fetch(max_age=None, retry_after=None) -> FetchResult:
    return FetchResult(
        url="u", final_url="u", status="ok", max_age_s=max_age, retry_after_s=retry_after
    )


@pytest.mark.parametrize(
    ("state", "force", "due"),
    [
        (None, False, True),
        (FeedState("s", "u", next_fetch_at=NOW + timedelta(minutes=5)), False, False),
        (FeedState("s", "u", next_fetch_at=NOW + timedelta(minutes=5)), True, True),
        (FeedState("s", "u", next_fetch_at=NOW - timedelta(seconds=1)), False, True),
        (FeedState("s", "u", enabled=False), True, False),
    ],
    ids=["new", "not-yet", "forced", "past", "disabled"],
)
def test_is_due(state, force, due):
    assert is_due(state, NOW, force=force) is due


def test_the_longest_interval_asked_for_wins():
    parsed = ParsedFeed(format="rss", min_interval_s=3600)
    assert next_fetch_at(NOW, SOURCE, 900, fetch(max_age=1800), parsed, 0) == NOW + timedelta(
        hours=1
    )
    assert next_fetch_at(NOW, SOURCE, 900, fetch(max_age=7200), parsed, 0) == NOW + timedelta(
        hours=2
    )


def test_per_source_override_wins():
    source = Source(name="s", url="u", min_interval_s=60)
    assert next_fetch_at(NOW, source, 900, fetch(max_age=7200), None, 0) == NOW + timedelta(
        minutes=1
    )


def test_failures_back_off_exponentially_up_to_a_day():
    waits = [next_fetch_at(NOW, SOURCE, 900, fetch(), None, n) - NOW for n in (1, 2, 3, 20)]
    assert waits[0] == timedelta(seconds=900)
    assert waits[1] == timedelta(seconds=1800)
    assert waits[2] == timedelta(seconds=3600)
    assert waits[3] == timedelta(days=1)


def test_retry_after_is_a_floor_for_a_failing_feed():
    assert next_fetch_at(NOW, SOURCE, 60, fetch(retry_after=5000), None, 1) == NOW + timedelta(
        seconds=5000
    )


def test_serve_runs_on_cron_or_at_a_fixed_interval():
    from itertools import islice

    from config.settings import Settings
    from flows.runner import run_times

    start = datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    cron = list(islice(run_times(Settings(schedule_cron="*/15 * * * *"), start), 2))
    assert cron == [start.replace(minute=15), start.replace(minute=30)]
    interval = list(islice(run_times(Settings(schedule_interval_s=600), start), 2))
    assert interval == [start, start + timedelta(minutes=10)]


def test_a_bad_cron_expression_is_a_config_error():
    from config.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match=r"schedule_cron: .*not a cron expression"):
        load_settings(overrides={"schedule_cron": "every tuesday"})
