"""Shared fixtures: a clean environment, one Prefect test server per session, settings for loopback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from config.settings import Settings
from tests.analytics_data import make_analytics_db
from tests.httpserver import local_server_fixture  # noqa: F401 - the `local_server` fixture


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's NEWSFLOW_* variables must not change what a test sees."""
    for name in list(os.environ):
        if name.startswith("NEWSFLOW_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect API (~10 s to start) for every flow run of the session."""
    from prefect.testing.utilities import prefect_test_harness

    import flows  # noqa: F401 - quiet, telemetry-free Prefect defaults

    with prefect_test_harness(server_startup_timeout=None):
        yield


def loopback_settings(tmp_path: Path, **overrides) -> Settings:
    """Settings for tests against 127.0.0.1: allow-listed, impolite, quick to give up."""
    values = {
        "db_path": tmp_path / "news.duckdb",
        "allow_private_hosts": ("127.0.0.1",),
        "per_host_delay_s": 0.0,
        "per_host_concurrency": 4,
        "backoff_base_s": 0.05,
        "backoff_max_s": 1.0,
        "retries": 1,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 3.0,
        "request_deadline_s": 5.0,
        "extraction_workers": 2,
        "extraction_timeout_s": 20.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def analytics_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The analytics sample warehouse (tests/analytics_data.py), built once per session."""
    return make_analytics_db(tmp_path_factory.mktemp("analytics") / "news.duckdb")


@pytest.fixture
def analytics_db(analytics_template: Path, tmp_path: Path) -> Path:
    """A private copy of the analytics sample warehouse, for a test that may change it."""
    return Path(shutil.copyfile(analytics_template, tmp_path / "news.duckdb"))
