"""Measuring a command's process tree: wall and CPU time, peak RSS and PSS by role, its output.

A sampler thread walks the tree every SAMPLE_INTERVAL_S (psutil), so CPU is counted for every
process it saw, workers a parent never reaps included (RUSAGE_CHILDREN misses those).
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

SAMPLE_INTERVAL_S = 0.1
PSS_EVERY = 5  # samples
TIMELINE_EVERY = 10  # samples


@dataclass
class TreeSample:
    """Peak memory of a process tree from periodic samples: RSS sums, and PSS (shared pages split)."""

    peak_rss_mb: float = 0.0
    peak_rss_excl_server_mb: float = 0.0
    peak_pss_mb: float = 0.0
    peak_pss_excl_server_mb: float = 0.0
    peak_processes: int = 0
    samples: int = 0
    roles: dict = field(default_factory=dict)  # role -> peak RSS MB
    pss_roles: dict = field(default_factory=dict)  # role -> peak PSS MB
    # role -> CPU seconds (each process's last sample)
    cpu_by_role: dict = field(default_factory=dict)
    # (seconds since launch, RSS of the tree, RSS of the main process) every TIMELINE_EVERY samples
    timeline: list = field(default_factory=list)


def _role(process: psutil.Process, root: int) -> str:
    if process.pid == root:
        return "main"
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    if "uvicorn" in command:
        return "prefect_server"
    if "forkserver" in command or "multiprocessing" in command:
        return "workers"
    return "other"


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped.

    RSS every SAMPLE_INTERVAL_S; PSS (which reads /proc/PID/smaps, slower) every PSS_EVERY-th
    sample. Summed RSS counts pages shared by forked workers once per process; PSS does not.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid = pid
        self.result = TreeSample()
        self._stop_event = threading.Event()
        self._roles: dict[int, str] = {}
        self._cpu: dict[int, float] = {}
        self._began = time.monotonic()

    def run(self) -> None:
        """Sample until stopped (or until the root process is gone before the first sample)."""
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.wait(SAMPLE_INTERVAL_S):
            self._sample(root, with_pss=self.result.samples % PSS_EVERY == 0)

    def _sample(self, root: psutil.Process, *, with_pss: bool) -> None:
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss: Counter = Counter()
        pss: Counter = Counter()
        for process in processes:
            role = self._roles.setdefault(process.pid, _role(process, self.pid))
            try:
                if with_pss:
                    info = process.memory_full_info()
                    pss[role] += info.pss / 2**20
                else:
                    info = process.memory_info()
                times = process.cpu_times()
            except psutil.Error:
                continue
            rss[role] += info.rss / 2**20
            self._cpu[process.pid] = times.user + times.system
        result = self.result
        if result.samples % TIMELINE_EVERY == 0:
            elapsed = round(time.monotonic() - self._began, 1)
            result.timeline.append((elapsed, round(sum(rss.values())), round(rss["main"])))
        result.samples += 1
        result.peak_processes = max(result.peak_processes, len(processes))
        result.peak_rss_mb, result.peak_rss_excl_server_mb = _peaks(
            rss, result.roles, result.peak_rss_mb, result.peak_rss_excl_server_mb
        )
        if with_pss:
            result.peak_pss_mb, result.peak_pss_excl_server_mb = _peaks(
                pss, result.pss_roles, result.peak_pss_mb, result.peak_pss_excl_server_mb
            )

    def stop(self) -> TreeSample:
        """Stop sampling; the peaks, with CPU seconds per role from each process's last sample."""
        self._stop_event.set()
        self.join()
        cpu: Counter = Counter()
        for pid, seconds in self._cpu.items():
            cpu[self._roles[pid]] += seconds
        self.result.cpu_by_role = {role: round(seconds, 1) for role, seconds in cpu.items()}
        return self.result


def _peaks(
    by_role: Counter, role_peaks: dict, peak: float, peak_excl_server: float
) -> tuple[float, float]:
    """Fold one sample into the peaks: per role, of the total, and of the total minus the server."""
    for role, value in by_role.items():
        role_peaks[role] = round(max(role_peaks.get(role, 0.0), value), 1)
    total = sum(by_role.values())
    return max(peak, total), max(peak_excl_server, total - by_role["prefect_server"])


@dataclass
class Measured:
    """One subprocess: wall and CPU time, memory, output lines with their arrival times."""

    launched_at: float  # time.time() just before launch
    wall_s: float
    cpu_s: float  # user + system of every process of the tree (last sample of each process)
    cpu_rusage_s: float  # RUSAGE_CHILDREN: misses descendants their parent never reaped
    site_cpu_s: float  # this process meanwhile: the site's server threads and the sampler
    memory: TreeSample
    returncode: int
    stdout: str
    stderr_lines: list[tuple[float, str]]  # (seconds after launch, line)

    @property
    def stderr(self) -> str:
        """The whole stderr output."""
        return "".join(line for _, line in self.stderr_lines)


def _stop_tree(pid: int) -> None:
    """Terminate a process and its descendants if they are still running."""
    try:
        root = psutil.Process(pid)
        processes = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=10)
    for process in alive:  # Prefect's server and engine may ignore SIGTERM
        with contextlib.suppress(psutil.Error):
            process.kill()


def _read_lines(stream: IO[str], began: float, into: list[tuple[float, str]]) -> None:
    """Each line of stream with its arrival time, in seconds since `began`."""
    into.extend((time.monotonic() - began, line) for line in stream)


def measure(command: list[str], env: dict[str, str], cwd: Path | None = None) -> Measured:
    """Run a command in `cwd`, sampling its process tree; CPU from RUSAGE_CHILDREN deltas."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    launched_at, began = time.time(), time.monotonic()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    stdout_lines: list[tuple[float, str]] = []
    stderr_lines: list[tuple[float, str]] = []
    readers = [
        threading.Thread(target=_read_lines, args=(stream, began, lines), daemon=True)
        for stream, lines in ((process.stdout, stdout_lines), (process.stderr, stderr_lines))
    ]
    for reader in readers:
        reader.start()
    try:
        returncode = process.wait()
    finally:
        _stop_tree(process.pid)  # an interrupted bench leaves no run behind
    wall_s = time.monotonic() - began
    for reader in readers:
        reader.join()
    memory = sampler.stop()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    site_cpu = (self_after.ru_utime - self_before.ru_utime) + (
        self_after.ru_stime - self_before.ru_stime
    )
    stdout = "".join(line for _, line in stdout_lines)
    tree_cpu = sum(memory.cpu_by_role.values())
    return Measured(
        launched_at,
        wall_s,
        max(tree_cpu, cpu),
        cpu,
        site_cpu,
        memory,
        returncode,
        stdout,
        stderr_lines,
    )
