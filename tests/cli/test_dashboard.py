"""The Streamlit dashboard, driven by streamlit.testing.v1.AppTest, and `newsflow dashboard` serving it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from tests.analytics_data import ARTICLES, copy_warehouse, make_analytics_db, writer_holding
from tests.paths import REPO
from warehouse.db import connect
from warehouse.search import rebuild_search_index

# No proxy: an HTTP(S)_PROXY from the environment must not see loopback requests.
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
APP = REPO / "flows" / "cli" / "dashboard.py"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    db = make_analytics_db(tmp_path_factory.mktemp("dashboard") / "news.duckdb")
    with connect(db) as con:
        rebuild_search_index(con)
    return db


@pytest.fixture
def db(template, tmp_path, monkeypatch) -> Path:
    """A copy of the test data, named to the dashboard by NEWSFLOW_DB_PATH as `newsflow dashboard` does."""
    path = copy_warehouse(template, tmp_path / "news.duckdb")
    monkeypatch.setenv("NEWSFLOW_DB_PATH", str(path))
    return path


@pytest.fixture
def app(db) -> AppTest:
    test = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not test.exception, test.exception
    return test


def test_overview_and_failing_sources_are_shown(app):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["articles"] == str(len(ARTICLES)) and metrics["sources failing"] == "2"
    errors = [e.value for e in app.error]
    assert any("**wire** is failing (3 in a row)" in e and "503" in e for e in errors)
    assert any("**old-radio**" in e and "410 Gone" in e for e in errors)
    health = next(d.value for d in app.dataframe if "consecutive_failures" in d.value.columns)
    assert health["source_name"].tolist()[:2] == ["old-radio", "wire"]


def test_search_finds_articles_and_the_article_view_shows_text_and_flags(app):
    app.text_input(key="query").input("mortgage payments").run()
    assert not app.exception
    results = next(d.value for d in app.dataframe if "snippet" in d.value.columns)
    assert results["title"].iloc[0] == "Mortgage holders face higher payments despite rates hold"
    article = app.selectbox(key="article")
    article.select(article.options[0]).run()
    assert "Mortgage holders face higher payments despite rates hold" in [
        s.value for s in app.subheader
    ]
    assert any("paywall, too_short" in w.value for w in app.warning)
    assert any("Subscribe to read the full story" in m.value for m in app.markdown)


def test_latest_articles_filtered_by_source(app):
    app.selectbox(key="source").select("tech-blog").run()
    latest = next(d.value for d in app.dataframe if "word_count" in d.value.columns)
    assert set(latest["source_name"]) == {"tech-blog"} and len(latest) == 2


def test_story_clusters_list_their_articles(app):
    labels = [e.label for e in app.expander]
    assert labels == [
        "Freight strike called off after overnight deal on pay — 2 articles from daily-planet, gazette"
    ]


def test_the_dashboard_leaves_the_database_free_for_the_writer(app, db):
    app.text_input(key="query").input("bridge").run()
    # every read closed its connection, so an ingest batch gets the file without waiting
    with connect(db, wait_s=0) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(ARTICLES)


def test_the_dashboard_waits_while_a_batch_is_being_written(db):
    with writer_holding(db):
        test = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not test.exception
    assert {m.label: m.value for m in test.metric}["articles"] == str(len(ARTICLES))


def test_a_missing_database_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DB_PATH", str(tmp_path / "nothing.duckdb"))
    test = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not test.exception
    assert "does not exist yet" in test.error[0].value


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dashboard_command_serves_the_app_on_loopback(template, tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import typer; from flows.cli import analysis; app = typer.Typer(); "
                "analysis.register(app); app()"
            ),
            "dashboard",
            "--db",
            str(template),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with LOOPBACK.open(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as response:
                    assert response.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "dashboard did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
