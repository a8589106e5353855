"""Errors the command line prints as one readable line instead of a traceback."""

from __future__ import annotations

import logging

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
