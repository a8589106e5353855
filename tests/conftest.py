"""Shared fixtures: a clean environment, one Prefect test server per session, settings for loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import pytest

from config.settings import Settings
from tests.analytics_data import copy_warehouse, make_analytics_db
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
    """A private copy of the analytics sample warehouse, for a test that may change it.

    The writer's file is copied: its first writable connection publishes it where it now is.
    """
    return copy_warehouse(analytics_template, tmp_path / "news.duckdb")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real `prefect server start` on 127.0.0.1 for the session; yields the env to reach it.

    Its own PREFECT_HOME (database, profiles) in a temporary folder, a free port, no UI, and
    the scheduler looping every second so a deployment's runs are created at once.
    """
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_"))}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    prefect = Path(sys.executable).parent / "prefect"
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(home / "server.log").open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == HTTPStatus.OK:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"prefect server did not start:\n{(home / 'server.log').read_text()}")
            time.sleep(0.5)
    # Clients of this server: only the API URL and a home of their own differ from the server's.
    client_env = {
        "PREFECT_API_URL": api_url,
        "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-client-home")),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    try:
        yield client_env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
