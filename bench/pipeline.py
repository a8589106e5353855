"""End-to-end benchmark of `newsflow run` against the extraction limit and newspaper4k (issue #6).

A loopback news site (bench/site.py) serves F RSS feeds listing N article pages built from the
real pages of ../shared/corpus/dev-pages (or the demo site's pages when that folder is absent).
One run measures, side by side:

  limit        plain trafilatura.extract over the same N pages, in memory, in a process pool
               on all cores (fork; pages are not pickled), pages per second;
  newsflow     `newsflow run` as a subprocess into a fresh DuckDB file: pages/s over the flow's
               own duration (ingest_runs.duration_s, Prefect's start excluded) and over the wall
               clock, CPU seconds of the process tree, peak RSS of the tree (sampled every
               0.1 s, with and without the Prefect server subprocess), Prefect task runs, time
               to the first stored article;
  incremental  at the reference size: the same run again with nothing changed, then with 1%
               new articles; the site's request log says what was asked for (issue #4);
  peer         newspaper4k 0.9 doing the same job (feeds -> links -> download -> parse) in a
               process pool on all cores, network locked to 127.0.0.1 (skipped when missing);
  scaling      newsflow at every N of --sizes: time and peak memory per N.

Prefect's start-up is `ingest_runs.started_at` minus the moment the subprocess was launched
(interpreter, imports, the ephemeral Prefect server and the flow run's creation); its shutdown
is the rest of the wall time after the flow finished. PREFECT_HOME is bench/out/prefect-home, so
the benchmark never shares Prefect's database with anything else.

usage: python bench/pipeline.py [--sizes 500,1000,2000,4000] [--more] [--quick] [--feeds 50]
                                [--reference 2000] [--no-peer] [--profile N]
"""

from __future__ import annotations

import argparse
import inspect
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/pipeline.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

import duckdb
import psutil

from bench.site import (
    CORPUS_DIR,
    BasePage,
    BenchSite,
    article_html,
    count_requests,
    load_base_pages,
)
from tasks.stages import page_batches

OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
NEWSFLOW = VENV_BIN / "newsflow"
SAMPLE_INTERVAL_S = 0.1
PSS_EVERY = 5  # samples
TIMELINE_EVERY = 10  # samples
NEW_SHARE = 0.01  # the incremental run adds this share of new articles
EXTRACTOR_SAMPLE = 500  # pages of newsflow's extractor-only measurement
TASK_RUNS = re.compile(r"Prefect task runs\W+(\d+)")
RUN_ID = re.compile(r"run ([0-9a-f]{16})")
# newsflow's progress line after each stored batch (INFO, on stderr).
BATCH_STORED = re.compile(r"pages (\d+)/\d+: ")
SETTINGS_TOML = """\
# newsflow settings for the loopback benchmark: politeness turned down for one local host.
allow_private_hosts = ["127.0.0.1"]
per_host_delay_s = 0
per_host_concurrency = 16
global_concurrency = 16
retries = 1
backoff_base_s = 0.1
"""
TARGETS = {
    "newsflow_vs_limit": 0.85,
    "newsflow_vs_peer": 2.0,
    "peak_rss_mb": 600,
    "unchanged_rerun_share": 0.05,
}


# --- measuring a process tree --------------------------------------------------------------


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
        return "".join(line for _, line in self.stderr_lines)


def _stop_tree(pid: int) -> None:
    """Terminate a process and its descendants if they are still running."""
    try:
        root = psutil.Process(pid)
        processes = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(processes, timeout=10)
    for process in alive:  # Prefect's server and engine may ignore SIGTERM
        try:
            process.kill()
        except psutil.Error:
            pass


def _read_lines(stream, began: float, into: list[tuple[float, str]]) -> None:
    for line in stream:
        into.append((time.monotonic() - began, line))


def measure(command: list[str], env: dict[str, str]) -> Measured:
    """Run a command, sampling its process tree; CPU from RUSAGE_CHILDREN deltas."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    launched_at, began = time.time(), time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
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


# --- the limit: trafilatura over pages in memory --------------------------------------------

_BASES: list[BasePage] = []  # set before forking the pool: workers read the pages from here


def _trafilatura_page(k: int) -> int:
    import trafilatura

    text = trafilatura.extract(article_html(_BASES, k), url=f"http://127.0.0.1/a/{k}.html")
    return len(text or "")


def _newsflow_page(k: int) -> int:
    from tasks.article.page import process_page

    arguments = {
        "body": article_html(_BASES, k),
        "final_url": f"http://127.0.0.1/a/{k}.html",
        "entry": None,
        "template_fingerprints": frozenset(),
        "max_html_bytes": 5_000_000,
    }
    if "content_type" in inspect.signature(process_page).parameters:
        arguments["content_type"] = "text/html"  # what the bench site sends
    extraction = process_page(**arguments)
    return len(extraction.article.text) if extraction.article else 0


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pool_rate(function, n: int, workers: int) -> dict:
    """Pages per second of function(k) for k < n over a forked pool of `workers` processes.

    CPU seconds are the workers' (reaped when the pool closes), warm-up included.
    """
    context = multiprocessing.get_context("fork")
    cpu_before = _children_cpu_s()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(function, range(workers)))  # workers started and warm
        began = time.monotonic()
        lengths = list(pool.map(function, range(n), chunksize=4))
        seconds = time.monotonic() - began
    cpu_s = _children_cpu_s() - cpu_before
    return {
        "n": n,
        "workers": workers,
        "seconds": round(seconds, 2),
        "pages_per_s": round(n / seconds, 2),
        "cpu_s": round(cpu_s, 1),
        "cpu_ms_per_page": round(1000 * cpu_s / n, 1),
        "with_text": sum(1 for length in lengths if length),
        "load_1m": round(os.getloadavg()[0], 2),
    }


# --- newsflow ------------------------------------------------------------------------------


def newsflow_env() -> dict[str, str]:
    """The environment of a benchmarked run: own Prefect home, no NEWSFLOW_* from the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env["PREFECT_HOME"] = str(OUT / "prefect-home")
    env["COLUMNS"] = "200"
    return env


def newsflow_command(feeds: Path, settings: Path, db: Path) -> list[str]:
    return [
        str(NEWSFLOW),
        "run",
        "--feeds",
        str(feeds),
        "--settings",
        str(settings),
        "--db",
        str(db),
    ]


def run_facts(db: Path, run_id: str) -> dict:
    """What the run stored about itself: times, counts and its fetch log by kind and status."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT epoch(started_at), epoch(finished_at), duration_s, status, feeds_fetched, feeds_not_modified,"
            " entries_new, pages_fetched, pages_failed, articles_new FROM ingest_runs WHERE run_id = ?",
            [run_id],
        ).fetchone()
        log = con.execute(
            "SELECT kind, coalesce(http_status, 0), count(*) FROM fetch_log WHERE run_id = ? GROUP BY ALL ORDER BY ALL",
            [run_id],
        ).fetchall()
        total_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    names = (
        "started",
        "finished",
        "duration_s",
        "status",
        "feeds_fetched",
        "feeds_not_modified",
        "entries_new",
        "pages_fetched",
        "pages_failed",
        "articles_new",
    )
    facts = dict(zip(names, row))
    facts["fetch_log"] = {f"{kind}:{status}": count for kind, status, count in log}
    facts["articles_total"] = total_articles
    return facts


def run_newsflow(feeds: Path, settings: Path, db: Path, label: str) -> dict:
    """One measured `newsflow run`; raises when it fails."""
    measured = measure(newsflow_command(feeds, settings, db), newsflow_env())
    run_id = RUN_ID.search(measured.stdout)
    if measured.returncode or not run_id:
        raise RuntimeError(
            f"newsflow run {label} failed ({measured.returncode}):\n{measured.stdout}\n{measured.stderr[-4000:]}"
        )
    facts = run_facts(db, run_id.group(1))
    task_runs = TASK_RUNS.search(measured.stdout)
    flow_s = facts["duration_s"]
    # The flow's clock starts before the run row is written (lock, worker pool): go back from the end.
    startup_s = facts["finished"] - flow_s - measured.launched_at
    # (seconds since the flow started, pages done) after each stored batch.
    progress = [
        (round(at - startup_s, 2), int(match.group(1)))
        for at, line in measured.stderr_lines
        if (match := BATCH_STORED.search(line))
    ]
    pages = facts["pages_fetched"]
    return {
        "label": label,
        "run_id": run_id.group(1),
        "status": facts["status"],
        "wall_s": round(measured.wall_s, 2),
        "startup_s": round(startup_s, 2),
        "flow_s": round(flow_s, 2),
        "shutdown_s": round(measured.wall_s - startup_s - flow_s, 2),
        "pages": pages,
        "pages_failed": facts["pages_failed"],
        "articles_new": facts["articles_new"],
        "articles_total": facts["articles_total"],
        "feeds_fetched": facts["feeds_fetched"],
        "feeds_not_modified": facts["feeds_not_modified"],
        "pages_per_s": round(pages / flow_s, 2) if flow_s and pages else 0.0,
        "pages_per_s_wall": round(pages / measured.wall_s, 2) if pages else 0.0,
        "cpu_s": round(measured.cpu_s, 1),
        "cpu_rusage_s": round(measured.cpu_rusage_s, 1),
        "cpu_ms_per_page": round(1000 * measured.cpu_s / pages, 1) if pages else None,
        "site_cpu_s": round(measured.site_cpu_s, 1),
        "peak_rss_mb": round(measured.memory.peak_rss_mb, 1),
        "peak_rss_excl_server_mb": round(measured.memory.peak_rss_excl_server_mb, 1),
        "peak_rss_by_role_mb": measured.memory.roles,
        "peak_pss_mb": round(measured.memory.peak_pss_mb, 1),
        "peak_pss_excl_server_mb": round(measured.memory.peak_pss_excl_server_mb, 1),
        "peak_pss_by_role_mb": measured.memory.pss_roles,
        "cpu_s_by_role": measured.memory.cpu_by_role,
        "rss_timeline": measured.memory.timeline,
        "processes": measured.memory.peak_processes,
        "task_runs": int(task_runs.group(1)) if task_runs else None,
        # The first batch stored: its articles can be queried from then on.
        "first_article_s": progress[0][0] if progress else None,
        "first_article_wall_s": round(progress[0][0] + startup_s, 2) if progress else None,
        "progress": progress,
        "fetch_log": facts["fetch_log"],
        "load_1m": round(os.getloadavg()[0], 2),  # other work on the machine, at the end of the run
    }


def fresh_db(path: Path) -> Path:
    for stale in (
        path,
        path.with_name(path.name + ".wal"),
        path.with_name(path.name + ".run.lock"),
    ):
        stale.unlink(missing_ok=True)
    return path


def bench_size(site: BenchSite, n: int, feeds: int, settings: Path) -> tuple[dict, Path, Path, str]:
    """The first run over an edition of n articles; returns the result, feeds file, db, edition."""
    name = f"n{n}"
    site.add_edition(name, feeds, n)
    feeds_file = OUT / f"feeds-{name}.toml"
    feeds_file.write_text(site.feeds_toml(name), encoding="utf-8")
    db = fresh_db(OUT / f"{name}.duckdb")
    site.take_requests()
    result = run_newsflow(feeds_file, settings, db, f"first N={n}")
    result["requests"] = count_requests(site.take_requests())
    result["n"], result["feeds"] = n, feeds
    return result, feeds_file, db, name


def bench_incremental(
    site: BenchSite, first: dict, feeds_file: Path, db: Path, name: str, settings: Path
) -> dict:
    """Re-run with nothing changed, then with 1% new articles; what was requested each time."""
    site.take_requests()
    unchanged = run_newsflow(feeds_file, settings, db, "unchanged")
    unchanged_requests = site.take_requests()
    new_urls = site.publish(name, max(1, round(first["n"] * NEW_SHARE)))
    added = run_newsflow(feeds_file, settings, db, "1% new")
    added_requests = site.take_requests()
    requested_pages = {site.base_url + r.path for r in added_requests if r.kind == "page"}
    unchanged["requests"] = count_requests(unchanged_requests)
    added["requests"] = count_requests(added_requests)
    feeds = first["feeds"]
    counts = unchanged["requests"]
    return {
        "unchanged": unchanged,
        "new_articles": added,
        "new_published": len(new_urls),
        "checks": {
            "unchanged_only_conditional_feed_requests": counts["feed"]
            == feeds
            == counts["feed_conditional"]
            and counts["page"] == 0
            and counts["other"] == 0,
            "unchanged_all_304": counts["feed_304"] == feeds,
            "unchanged_no_article_page": counts["page"] == 0,
            "unchanged_flow_share": round(unchanged["flow_s"] / first["flow_s"], 4),
            "unchanged_wall_share": round(unchanged["wall_s"] / first["wall_s"], 4),
            "new_fetched_exactly_the_new_pages": requested_pages == set(new_urls)
            and added["requests"]["page"] == len(new_urls),
            "new_pages_requested": added["requests"]["page"],
            "new_articles_stored": added["articles_new"],
        },
    }


# --- the peer: newspaper4k -----------------------------------------------------------------


def peer_available() -> str | None:
    """newspaper4k's version, or None when it is not installed."""
    try:
        return metadata.version("newspaper4k")
    except metadata.PackageNotFoundError:
        return None


def lock_network_to_loopback() -> None:
    """Refuse every connection and name lookup that is not 127.0.0.1 in this process (and forks)."""
    import socket

    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and (
            not isinstance(address, tuple) or address[0] != "127.0.0.1"
        ):
            raise ConnectionRefusedError(f"benchmark network guard: {address!r} is not 127.0.0.1")

    def connect(sock: socket.socket, address: object) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(f"benchmark network guard: no lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
        connect,
        connect_ex,
        getaddrinfo,
    )


_PEER_CONFIG = None


def _peer_config():
    """newspaper4k's configuration for the job: no image, binary-probe or NLP requests."""
    import newspaper

    config = newspaper.Config()
    config.fetch_images = False  # would download every top image
    config.allow_binary_content = True  # else a HEAD and a ranged GET precede every page
    config.memorize_articles = False
    config.disable_category_cache = True
    config.follow_meta_refresh = False
    config.request_timeout = 20
    return config


def _peer_page(url: str) -> tuple[str, int, str | None]:
    import newspaper

    article = newspaper.Article(url, config=_PEER_CONFIG)
    try:
        article.download()
        article.parse()
    except Exception as exc:  # noqa: BLE001 - one page's failure is a result, not the end of the run
        return url, 0, f"{type(exc).__name__}: {exc}"[:200]
    return url, len(article.text or ""), None


def peer_worker(spec_file: Path) -> None:
    """The peer's job in this process: feeds -> links -> download and parse every page."""
    global _PEER_CONFIG
    lock_network_to_loopback()
    import tldextract.tldextract

    tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()  # the bundled suffix list; no fetch
    import feedparser
    import newspaper.network

    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    _PEER_CONFIG = _peer_config()
    began = time.monotonic()
    with ThreadPoolExecutor(16) as threads:
        bodies = list(
            threads.map(lambda url: newspaper.network.get_html(url, _PEER_CONFIG), spec["feeds"])
        )
    links = list(
        dict.fromkeys(entry.link for body in bodies for entry in feedparser.parse(body).entries)
    )
    discovered = time.monotonic()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(spec["workers"], mp_context=context) as pool:
        results = list(pool.map(_peer_page, links, chunksize=2))
    done = time.monotonic()
    errors = Counter(error.split(":")[0] for _, _, error in results if error)
    json.dump(
        {
            "links": len(links),
            "seconds": done - began,
            "discover_s": discovered - began,
            "with_text": sum(1 for _, length, _ in results if length),
            "errors": dict(errors),
            "error_samples": [f"{url}: {error}" for url, _, error in results if error][:5],
        },
        sys.stdout,
    )


def run_peer(site: BenchSite, name: str, workers: int) -> dict:
    """newspaper4k over an edition's feeds, in a subprocess; pages per second after its imports."""
    spec = OUT / f"peer-{name}.json"
    spec.write_text(
        json.dumps({"feeds": site.feed_urls(name), "workers": workers}), encoding="utf-8"
    )
    site.take_requests()
    measured = measure([sys.executable, __file__, "--peer-worker", str(spec)], newsflow_env())
    if measured.returncode:
        raise RuntimeError(f"peer failed:\n{measured.stderr[-4000:]}")
    result = json.loads(measured.stdout)
    result.update(
        {
            "version": peer_available(),
            "workers": workers,
            "pages_per_s": round(result["links"] / result["seconds"], 2),
            "wall_s": round(measured.wall_s, 2),
            "cpu_s": round(measured.cpu_s, 1),
            "cpu_ms_per_page": round(1000 * measured.cpu_s / max(1, result["links"]), 1),
            "peak_rss_mb": round(measured.memory.peak_rss_mb, 1),
            "peak_pss_mb": round(measured.memory.peak_pss_mb, 1),
            "requests": count_requests(site.take_requests()),
            "load_1m": round(os.getloadavg()[0], 2),
            "seconds": round(result["seconds"], 2),
            "discover_s": round(result["discover_s"], 2),
        }
    )
    return result


# --- profiling: py-spy over a whole run ------------------------------------------------------

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
    ("loading: raw HTML zlib", ("_article_row (warehouse/load.py",)),
    ("loading: story clustering (dedup)", ("tasks/dedup.py", "datasketch/")),
    ("loading: learned templates clean-up", ("_clean_templates (flows/ingest.py",)),
    ("loading: DuckDB and the rest", ("warehouse/",)),
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


# --- report --------------------------------------------------------------------------------


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cpu_ratio(other_ms: float | None, newsflow_ms: float | None) -> float | None:
    return round(other_ms / newsflow_ms, 3) if other_ms and newsflow_ms else None


def ratios(results: dict) -> None:
    """Add newsflow / limit and newsflow / peer at the reference size, and the target checks.

    Wall-clock ratios compare runs made minutes apart on a shared machine; the CPU ratios
    (CPU ms per page of the other / of newsflow) do not depend on what else was running.
    "marginal" leaves out newsflow's fixed cost per run, taken as the CPU of the unchanged re-run
    (start-up, Prefect server, feeds).
    """
    reference = next(r for r in results["sizes"] if r["n"] == results["reference_n"])
    limit = results["limit"]
    peer = results.get("peer") or {}
    unchanged = results["incremental"]["unchanged"]
    marginal_ms = 1000 * (reference["cpu_s"] - unchanged["cpu_s"]) / reference["pages"]
    reference["cpu_ms_per_page_marginal"] = round(marginal_ms, 1)
    per_second = reference["pages_per_s"]
    results["ratios"] = {
        "newsflow_vs_limit": round(per_second / limit["pages_per_s"], 3),
        "newsflow_wall_vs_limit": round(reference["pages_per_s_wall"] / limit["pages_per_s"], 3),
        "newsflow_vs_limit_cpu": _cpu_ratio(limit["cpu_ms_per_page"], reference["cpu_ms_per_page"]),
        "newsflow_vs_limit_cpu_marginal": _cpu_ratio(limit["cpu_ms_per_page"], marginal_ms),
        "newsflow_vs_peer": round(per_second / peer["pages_per_s"], 3) if peer else None,
        "newsflow_wall_vs_peer": (
            round(reference["pages_per_s_wall"] / peer["pages_per_s"], 3) if peer else None
        ),
        "newsflow_vs_peer_cpu": _cpu_ratio(
            peer.get("cpu_ms_per_page"), reference["cpu_ms_per_page"]
        ),
    }
    results["targets"] = _targets(results, reference)


def _targets(results: dict, reference: dict) -> dict[str, bool | None]:
    ratio = results["ratios"]
    sizes = sorted(results["sizes"], key=lambda r: r["n"])
    smallest, largest = sizes[0], sizes[-1]
    checks = results["incremental"]["checks"]
    peer = ratio["newsflow_vs_peer"]
    limit_target, rss_target = TARGETS["newsflow_vs_limit"], TARGETS["peak_rss_mb"]
    n = reference["n"]
    return {
        f"end to end >= {limit_target}x the limit at N={n} (wall clock)": (
            ratio["newsflow_vs_limit"] >= limit_target
        ),
        f"end to end >= {limit_target}x the limit at N={n} (CPU per page)": (
            ratio["newsflow_vs_limit_cpu"] >= limit_target
        ),
        f">= {TARGETS['newsflow_vs_peer']}x newspaper4k (wall clock)": (
            None if peer is None else peer >= TARGETS["newsflow_vs_peer"]
        ),
        f"peak RSS < {rss_target} MB at N={largest['n']} (tree incl. Prefect server)": (
            largest["peak_rss_mb"] < rss_target
        ),
        f"peak PSS < {rss_target} MB at N={largest['n']} (tree incl. Prefect server)": (
            largest["peak_pss_mb"] < rss_target
        ),
        f"peak PSS flat with N (N={largest['n']} within 15% of N={smallest['n']})": (
            largest["peak_pss_mb"] <= 1.15 * smallest["peak_pss_mb"]
        ),
        "Prefect task runs = feeds + batches (20, then 100 each), for every N (not per article)": all(
            r["task_runs"] == r["feeds"] + len(page_batches(range(r["n"]), 100)) for r in sizes
        ),
        "unchanged re-run < 5% of the first run (Prefect start excluded)": (
            checks["unchanged_flow_share"] < TARGETS["unchanged_rerun_share"]
        ),
        "unchanged re-run: only conditional feed requests, no page": (
            checks["unchanged_only_conditional_feed_requests"]
        ),
        "1% new: fetches exactly the new pages": checks["new_fetched_exactly_the_new_pages"],
    }


# (heading, key of a newsflow run's result); "*" keys are filled in by _row.
COLUMNS = (
    ("N", "*n"),
    ("feeds", "feeds"),
    ("limit p/s", "*limit"),
    ("newsflow p/s", "pages_per_s"),
    ("(wall)", "pages_per_s_wall"),
    ("nf/limit", "*vs_limit"),
    ("(CPU)", "*vs_limit_cpu"),
    ("peer p/s", "*peer"),
    ("nf/peer", "*vs_peer"),
    ("(CPU)", "*vs_peer_cpu"),
    ("flow s", "flow_s"),
    ("start s", "startup_s"),
    ("CPU s", "cpu_s"),
    ("CPU ms/p", "cpu_ms_per_page"),
    ("peak RSS MB", "peak_rss_mb"),
    ("(no server)", "peak_rss_excl_server_mb"),
    ("peak PSS MB", "peak_pss_mb"),
    ("task runs", "task_runs"),
    ("1st article s", "first_article_s"),
    ("load", "load_1m"),
)


def _row(r: dict, results: dict, label: str | None = None) -> list[str]:
    """One table row; the limit and the peer appear on the reference size's row."""
    reference = label is None and r["n"] == results["reference_n"]
    ratio = results.get("ratios", {})
    special = {
        "*n": label or r["n"],
        "*limit": results["limit"]["pages_per_s"] if reference else None,
        "*vs_limit": ratio.get("newsflow_vs_limit") if reference else None,
        "*vs_limit_cpu": ratio.get("newsflow_vs_limit_cpu") if reference else None,
        "*peer": (results.get("peer") or {}).get("pages_per_s") if reference else None,
        "*vs_peer": ratio.get("newsflow_vs_peer") if reference else None,
        "*vs_peer_cpu": ratio.get("newsflow_vs_peer_cpu") if reference else None,
    }
    values = [special[key] if key.startswith("*") else r.get(key) for _, key in COLUMNS]
    return [_fmt(value) for value in values]


def table(results: dict) -> str:
    """The one table: per N, newsflow against the limit and the peer, then the incremental runs."""
    cells = [_row(r, results) for r in results["sizes"]]
    for key in ("unchanged", "new_articles"):
        run = results["incremental"][key]
        # Per-page figures of a run that fetched (almost) nothing would only show its fixed cost.
        blank = {"feeds": "", "n": None, "cpu_ms_per_page": None, "pages_per_s_wall": None}
        cells.append(_row({**run, **blank}, results, label=f"re-run: {run['label']}"))
    head = [heading for heading, _ in COLUMNS]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def plot(results: dict, path: Path) -> str | None:
    """Throughput and peak memory against N as a PNG; None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no chart (pip install matplotlib)"
    sizes = results["sizes"]
    ns = [r["n"] for r in sizes]
    figure, (speed, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    speed.plot(
        ns, [r["pages_per_s"] for r in sizes], "o-", label="newsflow (flow, Prefect start excluded)"
    )
    speed.plot(ns, [r["pages_per_s_wall"] for r in sizes], "o--", label="newsflow (wall clock)")
    speed.plot(
        [results["reference_n"]],
        [results["limit"]["pages_per_s"]],
        "s",
        label="limit: trafilatura, in memory",
    )
    if results.get("peer"):
        speed.plot(
            [results["reference_n"]], [results["peer"]["pages_per_s"]], "^", label="newspaper4k"
        )
    speed.set(xlabel="articles N", ylabel="pages per second", title="Throughput", xscale="log")
    speed.set_ylim(bottom=0)
    speed.legend(fontsize=8)
    memory.plot(
        ns, [r["peak_rss_mb"] for r in sizes], "o-", label="RSS of the tree incl. Prefect server"
    )
    memory.plot(
        ns,
        [r["peak_rss_excl_server_mb"] for r in sizes],
        "o--",
        label="RSS without the Prefect server",
    )
    memory.plot(
        ns, [r["peak_pss_mb"] for r in sizes], "s-", label="PSS of the tree (shared pages once)"
    )
    memory.axhline(TARGETS["peak_rss_mb"], color="grey", linestyle=":", label="target")
    memory.set(xlabel="articles N", ylabel="MB", title="Peak memory of newsflow run", xscale="log")
    memory.set_ylim(bottom=0)
    memory.legend(fontsize=8)
    for axis in (speed, memory):
        axis.set_xticks(ns, [str(n) for n in ns])
        axis.minorticks_off()
    meta = results["meta"]
    figure.suptitle(
        f"newsflow bench, {meta['cores']} cores, load {meta['load_before'][0]:.1f} at start, "
        f"{results['feeds']} feeds",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return None


def _git_state() -> dict[str, object]:
    """The commit measured and the files changed on top of it (the working tree is what runs)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    changed = [
        line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
    ]
    return {"head": git("rev-parse", "--short", "HEAD"), "modified": changed}


def _versions() -> dict[str, str | None]:
    found = {}
    for package in ("trafilatura", "prefect", "duckdb", "httpx", "newspaper4k"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


# --- main ----------------------------------------------------------------------------------


def write_results(results: dict, folder: Path) -> None:
    """pipeline.json in `folder`; the per-run timelines, which are long, in bench/out."""
    timelines = {}
    for run in [*results["sizes"], *results.get("incremental", {}).values()]:
        if isinstance(run, dict) and "rss_timeline" in run:
            timelines[run["label"]] = {key: run.pop(key) for key in ("rss_timeline", "progress")}
    (OUT / "pipeline-timelines.json").write_text(json.dumps(timelines) + "\n", encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, default=str) + "\n"
    (folder / "pipeline.json").write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="500,1000,2000,4000", help="article counts N, comma-separated"
    )
    parser.add_argument("--more", action="store_true", help="add N=8000 to the sizes")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: N=200, 10 feeds, no scaling"
    )
    parser.add_argument("--feeds", type=int, default=50, help="feeds F per size")
    parser.add_argument(
        "--reference",
        type=int,
        default=2000,
        help="N of the limit, peer and incremental runs (the largest size when absent)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip newspaper4k")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile a run of N articles with py-spy",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where pipeline.json and pipeline.png go"
    )
    parser.add_argument(
        "--from-json", type=Path, help="only print the table and redraw the chart of a results file"
    )
    parser.add_argument("--peer-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.feeds, args.reference = "200", 10, 200
    sizes = sorted({int(size) for size in args.sizes.split(",")} | ({8000} if args.more else set()))
    args.size_list = sizes
    if args.reference not in sizes:
        args.reference = sizes[-1]
    return args


def run_benchmark(args: argparse.Namespace) -> dict:
    """Everything in one run; returns the results (also written as JSON and PNG)."""
    OUT.mkdir(parents=True, exist_ok=True)
    settings = OUT / "settings.toml"
    settings.write_text(SETTINGS_TOML, encoding="utf-8")
    workers = os.cpu_count() or 1
    bases, corpus = load_base_pages(args.corpus)
    new_count = max(1, round(args.reference * NEW_SHARE))
    largest = max(args.size_list + [args.profile]) + new_count
    results: dict = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cores": workers,
            "load_before": os.getloadavg(),
            "python": platform.python_version(),
            "versions": _versions(),
            "corpus": corpus,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "settings": SETTINGS_TOML,
            "git": _git_state(),
        },
        "feeds": args.feeds,
        "reference_n": args.reference,
        "sizes": [],
    }
    began = time.monotonic()
    _log(f"corpus: {corpus}; building the site for {largest} articles")
    global _BASES
    _BASES = bases
    with BenchSite(bases, largest) as site:
        _log(f"limit: trafilatura.extract over {args.reference} pages on {workers} processes")
        results["limit"] = pool_rate(_trafilatura_page, args.reference, workers)
        sample = min(args.reference, EXTRACTOR_SAMPLE)
        _log(f"newsflow's extractor alone (tasks.article.page.process_page) over {sample} pages")
        results["extractor"] = pool_rate(_newsflow_page, sample, workers)
        results["limit_sample"] = pool_rate(_trafilatura_page, sample, workers)
        for n in args.size_list:
            _log(f"newsflow run N={n}, {args.feeds} feeds")
            result, feeds_file, db, name = bench_size(site, n, args.feeds, settings)
            results["sizes"].append(result)
            if n == args.reference:
                if not args.no_peer and peer_available():
                    _log(f"peer: newspaper4k over N={n}")
                    results["peer"] = run_peer(site, name, workers)
                _log("re-runs: nothing changed, then 1% new articles")
                results["incremental"] = bench_incremental(
                    site, result, feeds_file, db, name, settings
                )
        if args.no_peer or not peer_available():
            results["peer_note"] = "skipped: " + (
                "--no-peer" if args.no_peer else "newspaper4k is not installed"
            )
        if args.profile:
            _log(f"profile: newsflow run N={args.profile} under py-spy")
            results["profile"] = profile_run(site, args.profile, args.feeds, settings)
    results["meta"]["load_after"] = os.getloadavg()
    results["meta"]["bench_s"] = round(time.monotonic() - began, 1)
    ratios(results)
    return results


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.peer_worker:
        peer_worker(args.peer_worker)
        return
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        results = run_benchmark(args)
        write_results(results, args.results)
    note = plot(results, args.results / "pipeline.png")
    print(table(results))
    print()
    limit, extractor, sample = results["limit"], results["extractor"], results["limit_sample"]
    print(
        f"limit: {limit['pages_per_s']} pages/s, {limit['cpu_ms_per_page']} CPU ms/page (trafilatura.extract, "
        f"{limit['n']} pages, {limit['workers']} processes); on the first {sample['n']} pages: newsflow's extractor "
        f"alone {extractor['pages_per_s']} pages/s, {extractor['cpu_ms_per_page']} CPU ms/page; trafilatura "
        f"{sample['pages_per_s']} pages/s, {sample['cpu_ms_per_page']} CPU ms/page"
    )
    print("ratios:", json.dumps(results["ratios"]))
    if "peer" in results:
        peer = results["peer"]
        print(
            f"peer: newspaper4k {peer['version']}: {peer['pages_per_s']} pages/s, {peer['with_text']}/{peer['links']} "
            f"with text, peak RSS {peer['peak_rss_mb']} MB (PSS {peer['peak_pss_mb']}), CPU {peer['cpu_ms_per_page']} ms/page"
        )
    else:
        print("peer:", results.get("peer_note"))
    print("incremental:", json.dumps(results["incremental"]["checks"]))
    for target, met in results["targets"].items():
        print(f"  [{'ok' if met else ('--' if met is None else 'MISS')}] {target}")
    if "profile" in results:
        print("profile:", json.dumps(results["profile"], indent=1))
    meta = results["meta"]
    print(
        f"load average {meta['load_before'][0]:.1f} -> {meta['load_after'][0]:.1f} on {meta['cores']} cores; "
        f"bench took {meta['bench_s']} s; "
        + ("" if args.from_json else f"wrote {args.results / 'pipeline.json'}; ")
        + (note or f"drew {args.results / 'pipeline.png'}")
    )


if __name__ == "__main__":
    main()
