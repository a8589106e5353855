"""Prefect settings newsflow runs with, applied by flows/__init__.py before prefect is imported.

Each is a default: an explicit environment variable of the user's wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    # No telemetry from an unattended pipeline.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect's own INFO lines (task run created/finished) would drown newsflow's progress.
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_SERVER_LEVEL": "WARNING",
    # The embedded server takes ~10 s to start on an idle 2-core machine and far longer on a
    # busy one; Prefect's 20 s default then fails the whole run before it begins.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def configure() -> None:
    """Apply newsflow's Prefect defaults to this process's environment."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
