"""Errors the command line prints as one readable line, and Prefect lines it leaves out."""

from __future__ import annotations

import logging
import sys
import threading

from config.settings import ConfigError
from warehouse.db import WarehouseError


class UserError(Exception):
    """A problem the user can fix: a busy port, an unknown source, a missing file."""


# What a user can cause and fix; `newsflow` prints them as one line (flows.cli.app.main).
EXPECTED_ERRORS = (ConfigError, WarehouseError, UserError)


class _ExpectedErrorFilter(logging.Filter):
    """Drops Prefect's log record of a flow that raised an expected error, traceback included."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, EXPECTED_ERRORS)


def hide_expected_tracebacks() -> None:
    """Keep Prefect from logging a traceback for an expected error a flow raised.

    The flow engine logs every exception of a flow with its traceback before handing it back;
    the command line then prints the expected ones as one line, so their record says nothing
    more (unexpected errors keep theirs).
    """
    logger = logging.getLogger("prefect.flow_runs")
    if not any(isinstance(f, _ExpectedErrorFilter) for f in logger.filters):
        logger.addFilter(_ExpectedErrorFilter())


def _main_thread_interrupted(interrupts: tuple[type[BaseException], ...]) -> bool:
    """Whether the main thread is unwinding Ctrl-C or SIGTERM (or an error raised from it)."""
    # Private but documented (sys module); exc_info tuples in 3.11, exceptions from 3.12 on.
    current = sys._current_exceptions().get(threading.main_thread().ident)  # noqa: SLF001
    error = current[1] if isinstance(current, tuple) else current
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, interrupts):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class _InterruptedRunFilter(logging.Filter):
    """Drops Prefect's console ERROR lines about flow and task runs while a run is being stopped."""

    def __init__(self, interrupts: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.interrupts = interrupts

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and record.name in {"prefect.flow_runs", "prefect.task_runs"}
            and _main_thread_interrupted(self.interrupts)
        )


def hide_interrupted_run_errors() -> None:
    """Keep Prefect's console from printing a stopped run as ERROR lines.

    Ctrl-C or SIGTERM stops a run in the main thread. Prefect then records the flow run as
    crashed, its queued task runs as crashed and those still running as failed (their extraction
    pool is closed under them), and its engine logs each as an ERROR, from whichever thread ran
    it. For newsflow that is a normal stop: the run is marked `interrupted` and the next run
    resumes it. So while the main thread unwinds a stop, those lines stay in the runs' logs on
    the Prefect server but are left out of the console. Call once Prefect is imported: that sets
    up the console handler.
    """
    from prefect.exceptions import TerminationSignal
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not any(
            isinstance(f, _InterruptedRunFilter) for f in handler.filters
        ):
            handler.addFilter(_InterruptedRunFilter((KeyboardInterrupt, TerminationSignal)))
