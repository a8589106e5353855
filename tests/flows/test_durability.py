"""Durability: killed runs, concurrent runs and how a run is claimed.

A run killed with SIGKILL mid-load loses nothing committed, and the next run finishes the work
without duplicates; a second concurrent run is refused with a clear message; each run takes
the run lock and starts the fork server once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from config.settings import load_settings
from config.sources import load_sources
from flows.demo.server import DemoSite, load_expected
from tests.httpserver import LocalServer
from warehouse.db import RunLock, connect
from warehouse.publish import writer_path

NEWSFLOW = Path(sys.executable).parent / "newsflow"
EXPECTED_ARTICLES = len(load_expected()["articles"])


def write_config(tmp_path: Path, site: DemoSite, delay_s: float) -> tuple[Path, Path]:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(site.feeds_toml(), encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'db_path = "news.duckdb"\nallow_private_hosts = ["127.0.0.1"]\nper_host_delay_s = {delay_s}\n'
        "per_host_concurrency = 1\nbatch_size = 3\nretries = 0\n",
        encoding="utf-8",
    )
    return feeds, settings


def newsflow(*args: str, cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    return subprocess.Popen(
        [str(NEWSFLOW), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_line(proc: subprocess.Popen, needle: str, timeout_s: float) -> list[str]:
    deadline, lines = time.monotonic() + timeout_s, []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"never saw {needle!r}:\n{''.join(lines)}")


def test_a_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    with DemoSite() as site:
        feeds, settings = write_config(tmp_path, site, delay_s=0.15)
        proc = newsflow("run", "--feeds", str(feeds), "--settings", str(settings), cwd=tmp_path)
        try:
            wait_for_line(proc, "pages 6/", timeout_s=240)  # two batches committed
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the run, its extraction workers, Prefect's server
            proc.wait()
        db = tmp_path / "news.duckdb"
        with duckdb.connect(str(writer_path(db)), read_only=True) as con:
            landed = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            pending = con.execute(
                "SELECT count(*) FROM discoveries WHERE state = 'pending'"
            ).fetchone()[0]
        assert 0 < landed < EXPECTED_ARTICLES
        assert pending > 0

        rerun = newsflow(
            "run", "--feeds", str(feeds), "--settings", str(settings), "--force", cwd=tmp_path
        )
        output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output
    with duckdb.connect(str(writer_path(db)), read_only=True) as con:
        articles, distinct = con.execute(
            "SELECT count(*), count(DISTINCT canonical_url) FROM articles"
        ).fetchone()
        pending = con.execute(
            "SELECT count(*) FROM discoveries WHERE state = 'pending'"
        ).fetchone()[0]
        statuses = [
            row[0]
            for row in con.execute("SELECT status FROM ingest_runs ORDER BY started_at").fetchall()
        ]
        orphans = con.execute(
            "SELECT count(*) FROM article_sources s ANTI JOIN articles a USING (article_id)"
        ).fetchone()[0]
    assert articles == distinct == EXPECTED_ARTICLES
    assert pending == 0
    assert statuses == ["interrupted", "completed"]
    assert orphans == 0
    assert "Traceback" not in output and "ERROR" not in output


def test_a_second_run_is_refused_while_one_is_writing(tmp_path):
    with DemoSite() as site:
        feeds, settings = write_config(tmp_path, site, delay_s=0)
        holder = RunLock(tmp_path / "news.duckdb")
        holder.acquire()
        try:
            started = time.monotonic()
            proc = newsflow("run", "--feeds", str(feeds), "--settings", str(settings), cwd=tmp_path)
            output, _ = proc.communicate(timeout=120)
        finally:
            holder.release()
    assert proc.returncode == 1
    assert "another newsflow run is writing" in output
    assert "Traceback" not in output
    assert time.monotonic() - started < 60  # refused before Prefect's server start


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "SELEC nonsense", "--db", "{db}"], "SQL error"),
        (["sql", "SELECT 1", "--db", "/nonexistent/dir/x.duckdb"], "does not exist yet"),
        (["run", "--feeds", "/nonexistent/feeds.toml"], "file not found"),
    ],
    ids=["bad-sql", "missing-db", "missing-feeds"],
)
def test_user_errors_are_one_readable_line(tmp_path, args, message):
    db = tmp_path / "x.duckdb"
    with connect(db):
        pass
    proc = newsflow(*(arg.format(db=db) for arg in args), cwd=tmp_path)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert message in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) <= 2


def test_a_mistyped_option_gets_usage_help_not_a_traceback(tmp_path):
    proc = newsflow("reextract", "--no-such-flag", cwd=tmp_path)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "No such option: --no-such-flag" in output and "--help" in output
    assert "Traceback" not in output and "unexpected error" not in output


@pytest.mark.parametrize("started_by", ["runner", "deployment"])
def test_a_run_takes_the_lock_and_starts_the_fork_server_once(
    prefect_server, tmp_path, monkeypatch, started_by
):
    """Whoever starts a run claims it once; the runner claims it before Prefect starts.

    A deployment's flow run has only JSON parameters and no runner around it, so the flow
    claims the run itself; `newsflow run` claims it first, so a database another run is
    writing is refused at once and the fork server loads while Prefect starts up.
    """
    import multiprocessing.forkserver

    import flows.ingest
    import flows.runner

    events = []
    acquire, ensure_running = RunLock.acquire, multiprocessing.forkserver.ensure_running
    ingest, ingest_flow = flows.ingest.ingest, flows.ingest.ingest_flow

    def record(event, call):
        def recorded(*args, **kwargs):
            events.append(event)
            return call(*args, **kwargs)

        return recorded

    monkeypatch.setattr(RunLock, "acquire", record("lock", acquire))
    monkeypatch.setattr(
        multiprocessing.forkserver, "ensure_running", record("fork server", ensure_running)
    )
    monkeypatch.setattr(flows.ingest, "ingest", record("flow body", ingest))
    monkeypatch.setattr(flows.runner, "ingest_flow", record("prefect starts", ingest_flow))
    overrides = {"db_path": str(tmp_path / "news.duckdb"), "allow_private_hosts": "127.0.0.1"}
    with LocalServer() as server:  # the feed is missing (404): nothing to parse or fetch next
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[sources]]\nname = "gone"\nurl = "{server.url("/feed.xml")}"\n')
        if started_by == "runner":
            summary = flows.runner.run_ingest_flow(
                load_settings(None, overrides), load_sources(feeds)
            )
        else:
            events.append("prefect starts")
            summary = ingest_flow(feeds_file=str(feeds), overrides=overrides)
    assert summary["feeds_failed"] == 1
    claim = ["lock", "fork server"]
    if started_by == "runner":
        assert events == [*claim, "prefect starts", "flow body"]
    else:
        assert events == ["prefect starts", *claim, "flow body"]
    assert not RunLock(tmp_path / "news.duckdb").held
