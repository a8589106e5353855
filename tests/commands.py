"""The installed `newsflow` command, run in a subprocess as a user or cron would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NEWSFLOW = Path(sys.executable).parent / "newsflow"


def newsflow(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `newsflow ARGS` from cwd, with a Prefect home of its own and no NEWSFLOW_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env["PREFECT_HOME"] = str(cwd / "prefect-home")
    return subprocess.run(
        [str(NEWSFLOW), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
