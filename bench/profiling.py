"""Profiling a whole newsflow run with py-spy: CPU seconds by category, the flow's wall time by step.

`py-spy record --subprocesses --threads --idle` samples every process of the run. Busy samples (a
thread whose innermost frame is not a known blocking call) are grouped by category, and each
process's samples are scaled to its measured CPU seconds, since a thread that is runnable but
waiting for a core looks busy to py-spy.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from bench.measure import measure
from bench.paths import OUT, REPO
from bench.runs import VENV_BIN, fresh_db, newsflow_command, newsflow_env
from bench.site import BenchSite

# Leaf frames of a thread that is blocked (waiting on a lock, a queue, a socket or a pipe).
IDLE_LEAVES = (
    "_worker (concurrent/futures/thread.py",
    "Condition.wait (threading.py",
    "Event.wait (threading.py",
    "_connection_worker_thread (aiosqlite/core.py",
    "EpollSelector.select (selectors.py",
    "_PollLikeSelector.select (selectors.py",
    "unix_poll (pebble/pool/channel.py",
    "main (multiprocessing/resource_tracker.py",
    "heartbeat_loop (prefect/flow_engine.py",
    "pool_manager_loop (pebble/pool/process.py",
    "ThreadLock.__enter__ (httpcore/_synchronization.py",
    "SyncStream.read (httpcore/_backends/sync.py",
    "SubprocessASGIServer.start (prefect/server/api/server.py",
    "read_signed (multiprocessing/forkserver.py",
    "Connection._recv (multiprocessing/connection.py",
    "Connection._send (multiprocessing/connection.py",
    "Thread.join (threading.py",
    "Lock.acquire",
    "BaseSelectorEventLoop.select",
    "sleep (",
    "wait (",
    "_wait_for_tstate_lock (threading.py",
    "task_scheduler_loop (pebble/pool/process.py",
    "message_manager_loop (pebble/pool/process.py",
    "Queue.get (queue.py",
    "SimpleQueue.get",
    "accept (socket.py",
    "_recv_bytes",
)
# (category, markers): the first category with a marker anywhere in the stack wins.
MAIN_CATEGORIES = (
    ("start-up: imports", ("importlib._bootstrap",)),
    (
        "fetching (httpx, decoding bodies)",
        ("tasks/fetcher/", "httpx/", "httpcore/"),
    ),
    ("feed parsing (main process)", ("tasks/feeds/", "feedparser/")),
    ("loading: raw HTML zlib", ("_compressed_page (tasks/rows.py",)),
    ("loading: story clustering (dedup)", ("tasks/dedup.py", "datasketch/")),
    ("loading: DuckDB and the rest", ("warehouse/", "tasks/rows.py")),
    (
        "worker pool (pebble, pickling, forkserver)",
        ("pebble/", "tasks/runtime/workers.py", "multiprocessing/"),
    ),
    ("newsflow flow code", ("flows/ingest.py", "tasks/stages.py")),
    ("Prefect client (engine, events, API calls)", ("prefect/", "anyio/", "asyncio/", "httpx")),
)


def _leaf_idle(frames: list[str]) -> bool:
    leaf = frames[-1]
    return any(marker in leaf for marker in IDLE_LEAVES)


def _process_role(frames: list[str]) -> str:
    processes = [frame for frame in frames if frame.startswith("process ")]
    if any("uvicorn" in frame for frame in processes):
        return "prefect_server"
    if len(processes) > 1:
        return "workers"
    return "main"


def _category(role: str, stack: str) -> str:
    if role == "prefect_server":
        return "Prefect server subprocess (API, event and task-run recording)"
    if role == "workers":
        if "tasks/article/" in stack:
            return "workers: page extraction"
        if "tasks/feeds/" in stack:
            return "workers: feed parsing"
        return "workers: start-up, IPC, idle checks"
    for category, markers in MAIN_CATEGORIES:
        if any(marker in stack for marker in markers):
            return category
    return "main: other"


def _flow_step(frames: list[str]) -> str | None:
    """The innermost flows/ingest.py function of a stack of the flow's thread, with wait/busy."""
    steps = [frame.split(" (")[0] for frame in frames if "(flows/ingest.py" in frame]
    if "ingest" not in steps:
        return None
    step = steps[-1]
    return f"{step} ({'waiting' if _leaf_idle(frames) else 'busy'})"


def summarise_profile(raw: Path, rate: int, cpu_by_role: dict[str, float] | None = None) -> dict:
    """CPU seconds by category and the flow thread's wall time by step.

    A thread that is runnable but waiting for a core still shows as busy to py-spy, so on a
    loaded machine busy samples overstate CPU. With cpu_by_role (measured per process by the
    sampler), each process's busy samples are scaled to its measured CPU seconds.
    """
    busy: dict[str, Counter] = {}
    flow: Counter = Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():  # a frame name with a line break in it continues on the next line
            continue
        frames = stack.split(";")
        samples = int(count)
        step = _flow_step(frames)
        if step:
            flow[step] += samples
        if not _leaf_idle(frames):
            role = _process_role(frames)
            busy.setdefault(role, Counter())[_category(role, stack)] += samples
    cpu: Counter = Counter()
    for role, categories in busy.items():
        total = sum(categories.values())
        scale = (cpu_by_role[role] / total) if cpu_by_role and cpu_by_role.get(role) else 1 / rate
        for category, samples in categories.items():
            cpu[category] += samples * scale
    return {
        "cpu_s_by_category": {k: round(v, 1) for k, v in cpu.most_common()},
        "flow_thread_wall_s_by_step": {k: round(v / rate, 1) for k, v in flow.most_common()},
        "rate_hz": rate,
        "scaled_to_measured_cpu": bool(cpu_by_role),
    }


def profile_run(site: BenchSite, n: int, feeds: int, settings: Path, rate: int = 25) -> dict:
    """One newsflow run of n articles under py-spy (all processes, idle samples kept)."""
    py_spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    if py_spy is None:
        return {"skipped": "py-spy is not installed (pip install py-spy)"}
    name = f"profile{n}"
    site.add_edition(name, feeds, n)
    feeds_file = OUT / f"feeds-{name}.toml"
    feeds_file.write_text(site.feeds_toml(name), encoding="utf-8")
    raw = OUT / f"profile-n{n}.txt"
    command = [
        py_spy,
        "record",
        "--subprocesses",
        "--threads",
        "--idle",
        "--nonblocking",
        "-r",
        str(rate),
        "-f",
        "raw",
        "-o",
        str(raw),
        "--",
        *newsflow_command(feeds_file, settings, fresh_db(OUT / f"{name}.duckdb")),
    ]
    measured = measure(command, newsflow_env())
    if measured.returncode:
        raise RuntimeError(f"profiled run failed:\n{measured.stderr[-4000:]}")
    # The sampler's root is py-spy: newsflow's main process is its "other" child.
    roles = dict(measured.memory.cpu_by_role)
    roles["py_spy"], roles["main"] = roles.get("main", 0.0), roles.pop("other", 0.0)
    summary = summarise_profile(raw, rate, roles)
    summary.update(
        {
            "n": n,
            "raw": str(raw.relative_to(REPO)),
            "wall_s": round(measured.wall_s, 1),
            "cpu_s_by_process": roles,
        }
    )
    return summary
