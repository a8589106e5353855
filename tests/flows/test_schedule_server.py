"""Scheduled ingestion against real parts: a `prefect server start`, `newsflow serve`, a worker.

The session's Prefect server (tests/conftest.py, prefect_api_server) runs on 127.0.0.1 with its
own PREFECT_HOME; the feeds are the demo site's plus one that answers 500. Every newsflow
process is a real command in its own session, stopped with SIGTERM as systemd would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.demo.server import DemoSite
from tests.httpserver import LocalServer
from warehouse.db import RunLock

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
INTERVAL_S = 10


@pytest.fixture
def feeds_and_settings(tmp_path: Path) -> Any:
    """The demo site plus a failing source, and settings that make every source due each run."""
    with DemoSite() as site, LocalServer() as broken:
        broken.route("/down.xml", b"oops", status=500)
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            site.feeds_toml()
            + f'\n[[sources]]\nname = "down"\nurl = "{broken.url("/down.xml")}"\n',
            encoding="utf-8",
        )
        settings = tmp_path / "settings.toml"
        settings.write_text(
            'db_path = "news.duckdb"\nallow_private_hosts = ["127.0.0.1"]\nper_host_delay_s = 0\n'
            "per_host_concurrency = 4\nretries = 0\nfeed_min_interval_s = 0\n"
            f"schedule_interval_s = {INTERVAL_S}\nextraction_workers = 2\n"
            'prefect_tags = ["newsflow", "test-schedule"]\n',
            encoding="utf-8",
        )
        yield feeds, settings


def start(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=clean | env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, timeout_s: float = 30) -> int:
    """SIGTERM to the process alone (as `kill PID` or a container runtime sends it)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def wait_for(condition: Callable[[], Any], timeout_s: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-5000:]}")


def client_for(env: dict[str, str]) -> Any:
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(env["PREFECT_API_URL"])


def completed_runs(env: dict[str, str], since: datetime) -> list[Any]:
    """The completed runs of the deployment ingest/newsflow-ingest that started after `since`."""
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with client_for(env) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["newsflow-ingest"])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.COMPLETED])),
                start_time=FlowRunFilterStartTime(after_=since),
            ),
        )


def artifacts_of(env: dict[str, str], flow_run_id: Any) -> dict[str, Any]:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with client_for(env) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact for artifact in artifacts}


def newsflow_events(env: dict[str, str]) -> list[Any]:
    from prefect.events.filters import EventFilter, EventNameFilter

    with client_for(env) as client:
        return client.read_events(
            EventFilter(event=EventNameFilter(prefix=["newsflow."])), limit=50
        ).events


def assert_clean(log: Path) -> None:
    output = log.read_text()
    assert "Traceback" not in output, output
    assert "ERROR" not in output, output


def test_serve_against_a_prefect_server_runs_the_schedule_with_artifacts_and_events(
    prefect_api_server, feeds_and_settings, tmp_path
):
    feeds, settings = feeds_and_settings
    log = tmp_path / "serve.log"
    env = prefect_api_server | {"PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    since = datetime.now(UTC)
    serve = start(
        [str(BIN / "newsflow"), "serve", "--feeds", str(feeds), "--settings", str(settings)],
        tmp_path,
        env,
        log,
    )
    try:
        runs = wait_for(
            lambda: (done := completed_runs(env, since)) and len(done) >= 2 and done,
            180,
            "two completed scheduled runs",
            log,
        )
    finally:
        assert stop(serve) == 0
    assert_clean(log)
    for run in runs:
        assert run.name.startswith("feeds.toml ")
        assert {"newsflow", "test-schedule"} <= set(run.tags)
        artifacts = artifacts_of(env, run.id)
        assert {"ingest-summary", "ingest-sources"} <= set(artifacts)
        assert "# newsflow ingest: completed" in artifacts["ingest-summary"].data
        assert (
            len(json.loads(artifacts["ingest-sources"].data)) == 7
        )  # the six demo sources and "down"
    first_run = min(runs, key=lambda run: run.start_time)
    first = artifacts_of(env, first_run.id)
    assert "## Newest titles" in first["ingest-summary"].data
    rows = json.loads(first["ingest-sources"].data)
    down = next(row for row in rows if row["source"] == "down")
    assert (down["result"], down["error_class"]) == ("failed", "http_error")
    events = newsflow_events(env)
    failing = [e for e in events if e.event == "newsflow.source.failing"]
    assert [e.resource.id for e in failing] == ["newsflow.source.down"]  # once, not every run
    assert "prefect.flow-run." + str(first_run.id) in {r.id for r in failing[0].related}


def test_prefect_deploy_and_a_worker_run_the_flow(prefect_api_server, feeds_and_settings, tmp_path):
    feeds, settings = feeds_and_settings
    log = tmp_path / "deploy.log"
    prefect = str(BIN / "prefect")
    env = prefect_api_server | {"PREFECT_WORKER_QUERY_SECONDS": "1"}

    def run(*args: str) -> None:
        with (tmp_path / "cli.log").open("a") as out:
            subprocess.run(
                [prefect, *args],
                cwd=REPO,
                env={k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=120,
            )

    run("work-pool", "create", "newsflow", "--type", "process")
    run("deploy", "--all")
    since = datetime.now(UTC)
    parameters = {"feeds_file": str(feeds), "settings_file": str(settings)}
    run("deployment", "run", "ingest/newsflow-ingest", "--params", json.dumps(parameters))
    # One poll, then the worker waits for the run it took and exits by itself. Prefect 3.9.1's
    # worker stops on SIGTERM by sending itself SIGINT, which does nothing where SIGINT is ignored
    # (a test session started in the background): the worker would keep polling.
    worker = start(
        [prefect, "worker", "start", "--pool", "newsflow", "--run-once", "--limit", "1"],
        REPO,
        env,
        log,
    )
    try:
        assert worker.wait(timeout=180) == 0, log.read_text()
    finally:
        stop(worker)
    runs = completed_runs(env, since)
    assert runs, log.read_text()
    assert runs[0].work_pool_name == "newsflow"
    assert "ingest-summary" in artifacts_of(env, runs[0].id)
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    assert_clean(log)


def test_embedded_serve_stops_cleanly_on_sigterm(feeds_and_settings, tmp_path):
    feeds, settings = feeds_and_settings
    log = tmp_path / "serve.log"
    serve = start(
        [str(BIN / "newsflow"), "serve", "--feeds", str(feeds), "--settings", str(settings)],
        tmp_path,
        {},
        log,
    )
    try:
        # Three runs have finished once the fourth is announced.
        wait_for(lambda: log.read_text().count("next run at") >= 4, 240, "three runs", log)
    finally:
        code = stop(serve)
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert output.count("new articles in") == 3
    with RunLock(tmp_path / "news.duckdb"):  # released: taken at once
        pass
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        statuses = [row[0] for row in con.execute("SELECT status FROM ingest_runs").fetchall()]
    assert statuses == ["completed"] * 3


def live_descendants(root: int) -> set[int]:
    """The processes descended from `root` that are still running (zombies excluded), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # the process ended meanwhile
            continue
        if state != "Z":
            parents[int(stat.parent.name)] = int(ppid)
    tree, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - tree
        tree |= frontier
    return tree


def still_running(pids: set[int]) -> set[int]:
    """Those of `pids` still running."""
    running = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


@pytest.mark.parametrize(("command", "exit_code"), [("run", 130), ("serve", 0)])
def test_sigterm_to_the_process_group_mid_run_stops_cleanly(command, exit_code, tmp_path):
    """SIGTERM to every process of the group, as `kill -TERM -PGID` or `timeout` sends it.

    The extraction workers get it too, and so would Prefect's embedded server were it in the
    group: the run must still end as on a SIGTERM to the process alone (exit code 130 for
    `newsflow run`, like Ctrl-C; 0 for `newsflow serve`), marked interrupted, with nothing left.
    """
    with DemoSite() as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(site.feeds_toml(), encoding="utf-8")
        settings = tmp_path / "settings.toml"
        settings.write_text(  # slow enough that the signal lands mid-run, between batches
            'db_path = "news.duckdb"\nallow_private_hosts = ["127.0.0.1"]\n'
            "per_host_delay_s = 0.15\nper_host_concurrency = 1\nbatch_size = 3\nretries = 0\n"
            "extraction_workers = 2\n",
            encoding="utf-8",
        )
        log = tmp_path / f"{command}.log"
        proc = start(
            [str(BIN / "newsflow"), command, "--feeds", str(feeds), "--settings", str(settings)],
            tmp_path,
            {},
            log,
        )
        try:
            wait_for(lambda: "pages 3/" in log.read_text(), 240, "the first batch", log)
            # Prefect's server, the fork server and the extraction workers.
            started = live_descendants(proc.pid)
            os.killpg(proc.pid, signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    output = log.read_text()
    assert code == exit_code, output
    assert "Traceback" not in output, output
    assert "ERROR" not in output, output
    assert "run interrupted" in output
    # Each ends on its own once newsflow has gone (multiprocessing's resource tracker a moment
    # after it, when its pipe closes).
    wait_for(lambda: not still_running(started), 30, "newsflow's processes to end", log)
    with RunLock(tmp_path / "news.duckdb"):  # released: taken at once
        pass
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        statuses = [row[0] for row in con.execute("SELECT status FROM ingest_runs").fetchall()]
    assert statuses == ["interrupted"]
