"""Running the ingest flow from the CLI or a schedule, and leaving Prefect's history complete.

Prefect 3's embedded server records task runs from events asynchronously; a process that
exits right after its flow returns stops the server mid-write, which loses the last task
runs' final states and prints `task_run_recorder - Error flushing` tracebacks. Waiting until
the server has recorded every task run of the flow (usually well under a second) fixes both
without turning the recorder, and with it the task-run history, off.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cronsim import CronSim
from prefect import tags
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.settings import PREFECT_API_URL

from config.settings import Settings, load_settings
from config.sources import Source, load_sources
from flows.cli.errors import hide_interrupted_run_errors
from flows.dask_runner import dask_task_runner
from flows.ingest import claim_run, ingest_flow

logger = logging.getLogger(__name__)

HISTORY_WAIT_S = 15.0
# A scheduled run waits this long for a previous run that is still writing.
SCHEDULED_LOCK_WAIT_S = 60.0
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _path(path: Path | None) -> str | None:
    return str(Path(path).resolve()) if path else None


def run_ingest_flow(
    settings: Settings,
    sources: list[Source],
    *,
    feeds_file: Path | None = None,
    force: bool = False,
    lock_wait_s: float = 0.0,
) -> dict[str, Any]:
    """Run the ingest flow once and return its summary, with the Prefect task runs it made.

    The run is claimed here, before Prefect starts: a database another run is writing is
    reported at once as a WarehouseError, and the fork server's loading (the extractor, the
    language model) overlaps Prefect's start-up instead of delaying the first feeds.
    feeds_file, where the sources came from, names the flow run.
    """
    flow = (
        ingest_flow.with_options(task_runner=dask_task_runner(settings))
        if settings.distributed
        else ingest_flow
    )
    with claim_run(settings, lock_wait_s), tags(*settings.prefect_tags):
        _start_embedded_server()
        try:
            state = flow(
                feeds_file=_path(feeds_file),
                settings=settings,
                sources=sources,
                force=force,
                return_state=True,
            )
        except KeyboardInterrupt:
            logger.warning("run interrupted: its loaded batches are kept, the next run resumes")
            raise
    summary = state.result()
    summary["task_runs"] = wait_for_task_run_history(
        state.state_details.flow_run_id, summary["tasks_submitted"]
    )
    return summary


def _start_embedded_server() -> None:
    """Start Prefect's embedded server, detached from a signal to newsflow's process group.

    Only without PREFECT_API_URL (a Prefect server of the user's needs none) and only here, in
    the main thread, so the server lives exactly as long as the process (flows.embedded_server).
    """
    if PREFECT_API_URL.value():
        return
    # Imported here: Prefect's server code takes ~2.5 s to import, for nothing with a server.
    from flows import embedded_server

    embedded_server.start()


def wait_for_task_run_history(
    flow_run_id: Any, expected: int, timeout_s: float = HISTORY_WAIT_S
) -> int:
    """Block until the server has recorded `expected` task runs of the flow run, all final.

    Returns the number recorded (less than expected only if the wait timed out).
    """
    deadline = time.monotonic() + timeout_s
    flow_filter = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        while True:
            runs, offset = [], 0
            while page := client.read_task_runs(
                flow_run_filter=flow_filter, limit=200, offset=offset
            ):
                runs.extend(page)
                offset += len(page)
            final = sum(1 for r in runs if r.state_type and r.state_type.value in TERMINAL)
            if final >= expected or time.monotonic() >= deadline:
                if final < expected:
                    logger.debug(
                        "task-run history incomplete after %.0f s: %d of %d",
                        timeout_s,
                        final,
                        expected,
                    )
                return len(runs)
            time.sleep(0.1)


def serve_ingest_flow(
    feeds_file: Path | None,
    settings_file: Path | None,
    overrides: dict[str, Any],
    settings: Settings,
) -> None:
    """Run ingestion on the configured schedule until interrupted (Ctrl-C or SIGTERM).

    With a Prefect server (PREFECT_API_URL set) the flow is served as a deployment whose
    schedule the server keeps. Prefect's embedded server cannot schedule, so without one the
    schedule is kept here and each run is still a Prefect flow run, recorded as usual.
    """
    if PREFECT_API_URL.value():
        schedule: dict[str, Any] = (
            {"cron": settings.schedule_cron}
            if settings.schedule_cron
            else {"interval": settings.schedule_interval_s}
        )
        logger.info("serving deployment newsflow-ingest on schedule %s; Ctrl-C stops", schedule)
        parameters = {
            "feeds_file": _path(feeds_file),
            "settings_file": _path(settings_file),
            "overrides": overrides,
            "lock_wait_s": SCHEDULED_LOCK_WAIT_S,
        }
        # Prefect's runner stops on SIGTERM and Ctrl-C itself, cancelling a run in progress.
        ingest_flow.serve(
            name="newsflow-ingest",
            parameters=parameters,
            tags=list(settings.prefect_tags),
            **schedule,
        )
        return
    try:
        _serve_embedded(feeds_file, settings_file, overrides, settings)
    except KeyboardInterrupt:
        logger.info("stopped")


def _serve_embedded(
    feeds_file: Path | None,
    settings_file: Path | None,
    overrides: dict[str, Any],
    settings: Settings,
) -> None:
    for when in run_times(settings):
        logger.info("next run at %s; Ctrl-C stops", when.isoformat(timespec="seconds"))
        time.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))
        try:
            # Read each time: edits to the files apply from the next run on.
            summary = run_ingest_flow(
                load_settings(settings_file, overrides),
                load_sources(feeds_file),
                feeds_file=feeds_file,
                lock_wait_s=SCHEDULED_LOCK_WAIT_S,
            )
            logger.info(
                "run %s: %d new articles in %.1f s",
                summary["run_id"],
                summary["articles_new"],
                summary["duration_s"],
            )
        except Exception as exc:  # noqa: BLE001 - one failed run must not stop the schedule
            # One line, as the command line reports a failed run: tracebacks would bury the log.
            logger.error("run failed: %s: %s", type(exc).__name__, exc)  # noqa: TRY400


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Make SIGTERM (systemd, containers, `timeout`) stop the process as Ctrl-C does.

    Python's default for SIGTERM is to die at once: no `finally`, no atexit, so the run stays
    `running` in ingest_runs and Prefect's embedded server process is orphaned, holding the
    caller's output pipe open. Raised as KeyboardInterrupt, it unwinds like Ctrl-C instead.
    Inside a flow run Prefect's own handler raises TerminationSignal first (the run is marked
    interrupted and crashed); Prefect then re-sends the signal to the handler it replaced, this
    one. Prefect's console ERROR lines for that crash are left out (flows.cli.errors).
    """
    hide_interrupted_run_errors()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_times(settings: Settings, start: datetime | None = None) -> Iterator[datetime]:
    """The schedule's run times from now on: cron (schedule_cron) or a fixed interval."""
    now = start or datetime.now(UTC)
    if settings.schedule_cron:
        yield from CronSim(settings.schedule_cron, now)
        return
    while True:
        yield now
        now += timedelta(seconds=settings.schedule_interval_s)
