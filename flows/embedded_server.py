"""Prefect's embedded API server, started so that a signal to newsflow's group leaves it running.

Without PREFECT_API_URL, Prefect 3 starts a temporary server (uvicorn) for a process's first flow
run as a plain child: in newsflow's process group, stopped by SIGTERM and Ctrl-C. A signal sent
to the whole group (`kill -TERM -PGID`, `timeout`, Ctrl-C in a terminal) or control group
(systemd's default KillMode=control-group) then stopped the server under the run, whose last
state changes retried against it for ~70 s before the command failed with exit code 1.

Started here instead, in a session of its own and with SIGTERM blocked, the server outlives that
signal; newsflow stops it at exit with SIGINT (Prefect's atexit hook, once the run has reported),
and the kernel does if newsflow dies first (PR_SET_PDEATHSIG). Linux only: elsewhere Prefect
starts its server as usual.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

import prefect
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import get_current_settings

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _detach() -> None:
    """In the server process, before exec: hold SIGTERM back, and stop when newsflow dies."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    _prctl(PR_SET_PDEATHSIG, signal.SIGINT)


class DetachedServer(SubprocessASGIServer):
    """Prefect's embedded server, started detached from newsflow's process group."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        # Prefect 3.9.1's command and environment (SubprocessASGIServer._run_uvicorn_command),
        # with the process detached; prefect is pinned in pyproject.toml.
        return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect.__module_path__.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            },
            start_new_session=True,
            # Two system calls in the child; the server is started before the run's threads.
            preexec_fn=_detach,  # noqa: PLW1509
        )

    def stop(self) -> None:
        """Stop the server as Ctrl-C would (SIGTERM is blocked in it), then let Prefect reap it."""
        if self.server_process is not None and self.server_process.poll() is None:
            self.server_process.send_signal(signal.SIGINT)
        super().stop()


def start() -> None:
    """Start the embedded server for this process's flow runs, once.

    It is registered as Prefect's embedded server (the one Prefect keys by port None), so
    Prefect's clients use it instead of starting their own. Does nothing off Linux.
    """
    if _prctl is not None:
        DetachedServer().start()  # the registered one, started already after the first call
