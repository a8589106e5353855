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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/pipeline.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import psutil  # noqa: E402

from bench.site import CORPUS_DIR, BasePage, BenchSite, article_html, count_requests, load_base_pages  # noqa: E402

OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
NEWSFLOW = VENV_BIN / "newsflow"
SAMPLE_INTERVAL_S = 0.1
NEW_SHARE = 0.01  # the incremental run adds this share of new articles
EXTRACTOR_SAMPLE = 500  # pages of newsflow's extractor-only measurement
TASK_RUNS = re.compile(r"Prefect task runs\W+(\d+)")
RUN_ID = re.compile(r"run ([0-9a-f]{16})")
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
    """Peak memory of a process tree, by role, from periodic samples."""

    peak_rss_mb: float = 0.0
    peak_rss_excl_server_mb: float = 0.0
    peak_processes: int = 0
    samples: int = 0
    roles: Counter = field(default_factory=Counter)  # role -> peak RSS MB


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
    """Samples the summed RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid = pid
        self.result = TreeSample()
        self._stop_event = threading.Event()
        self._roles: dict[int, str] = {}

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.wait(SAMPLE_INTERVAL_S):
            self._sample(root)

    def _sample(self, root: psutil.Process) -> None:
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        by_role: Counter = Counter()
        for process in processes:
            try:
                rss = process.memory_info().rss / 2**20
            except psutil.Error:
                continue
            role = self._roles.setdefault(process.pid, _role(process, self.pid))
            by_role[role] += rss
        total = sum(by_role.values())
        result = self.result
        result.samples += 1
        result.peak_rss_mb = max(result.peak_rss_mb, total)
        result.peak_rss_excl_server_mb = max(result.peak_rss_excl_server_mb, total - by_role["prefect_server"])
        result.peak_processes = max(result.peak_processes, len(processes))
        for role, rss in by_role.items():
            result.roles[role] = max(result.roles[role], rss)

    def stop(self) -> TreeSample:
        self._stop_event.set()
        self.join()
        self.result.roles = Counter({k: round(v, 1) for k, v in self.result.roles.items()})
        return self.result


@dataclass
class Measured:
    """One subprocess: wall and CPU time, memory, output."""

    launched_at: float  # time.time() just before launch
    wall_s: float
    cpu_s: float  # user + system of the whole tree (children are reaped by their parents)
    site_cpu_s: float  # this process meanwhile: the site's server threads and the sampler
    memory: TreeSample
    returncode: int
    stdout: str
    stderr: str


def measure(command: list[str], env: dict[str, str]) -> Measured:
    """Run a command, sampling its process tree; CPU from RUSAGE_CHILDREN deltas."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    launched_at, began = time.time(), time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall_s = time.monotonic() - began
    memory = sampler.stop()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (children_after.ru_utime - children_before.ru_utime) + (children_after.ru_stime - children_before.ru_stime)
    site_cpu = (self_after.ru_utime - self_before.ru_utime) + (self_after.ru_stime - self_before.ru_stime)
    return Measured(launched_at, wall_s, cpu, site_cpu, memory, process.returncode, stdout, stderr)


# --- the limit: trafilatura over pages in memory --------------------------------------------

_BASES: list[BasePage] = []  # set before forking the pool: workers read the pages from here


def _trafilatura_page(k: int) -> int:
    import trafilatura

    text = trafilatura.extract(article_html(_BASES, k), url=f"http://127.0.0.1/a/{k}.html")
    return len(text or "")


def _newsflow_page(k: int) -> int:
    from tasks.pages import process_page

    extraction = process_page(article_html(_BASES, k), f"http://127.0.0.1/a/{k}.html", None, frozenset(), 5_000_000)
    return len(extraction.article.text) if extraction.article else 0


def pool_rate(function, n: int, workers: int) -> dict:
    """Pages per second of function(k) for k < n over a forked pool of `workers` processes."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(function, range(workers)))  # workers started and warm
        began, cpu_before = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
        lengths = list(pool.map(function, range(n), chunksize=4))
        seconds = time.monotonic() - began
    return {
        "n": n, "workers": workers, "seconds": round(seconds, 2), "pages_per_s": round(n / seconds, 2),
        "with_text": sum(1 for length in lengths if length),
    }


# --- newsflow ------------------------------------------------------------------------------


def newsflow_env() -> dict[str, str]:
    """The environment of a benchmarked run: own Prefect home, no NEWSFLOW_* from the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env["PREFECT_HOME"] = str(OUT / "prefect-home")
    env["COLUMNS"] = "200"
    return env


def newsflow_command(feeds: Path, settings: Path, db: Path) -> list[str]:
    return [str(NEWSFLOW), "run", "--feeds", str(feeds), "--settings", str(settings), "--db", str(db), "-q"]


def run_facts(db: Path, run_id: str) -> dict:
    """What the run stored about itself: times, counts and its fetch log by kind and status."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT epoch(started_at), epoch(finished_at), duration_s, status, feeds_fetched, feeds_not_modified,"
            " entries_new, pages_fetched, pages_failed, articles_new FROM ingest_runs WHERE run_id = ?",
            [run_id],
        ).fetchone()
        first = con.execute("SELECT epoch(min(fetched_at)) FROM articles WHERE run_id = ?", [run_id]).fetchone()[0]
        log = con.execute(
            "SELECT kind, coalesce(http_status, 0), count(*) FROM fetch_log WHERE run_id = ? GROUP BY ALL ORDER BY ALL",
            [run_id],
        ).fetchall()
        total_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    names = ("started", "finished", "duration_s", "status", "feeds_fetched", "feeds_not_modified",
             "entries_new", "pages_fetched", "pages_failed", "articles_new")
    facts = dict(zip(names, row))
    facts["first_article"] = first
    facts["fetch_log"] = {f"{kind}:{status}": count for kind, status, count in log}
    facts["articles_total"] = total_articles
    return facts


def run_newsflow(feeds: Path, settings: Path, db: Path, label: str) -> dict:
    """One measured `newsflow run`; raises when it fails."""
    measured = measure(newsflow_command(feeds, settings, db), newsflow_env())
    run_id = RUN_ID.search(measured.stdout)
    if measured.returncode or not run_id:
        raise RuntimeError(f"newsflow run {label} failed ({measured.returncode}):\n{measured.stdout}\n{measured.stderr[-4000:]}")
    facts = run_facts(db, run_id.group(1))
    task_runs = TASK_RUNS.search(measured.stdout)
    startup_s = facts["started"] - measured.launched_at
    flow_s = facts["duration_s"]
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
        "site_cpu_s": round(measured.site_cpu_s, 1),
        "peak_rss_mb": round(measured.memory.peak_rss_mb, 1),
        "peak_rss_excl_server_mb": round(measured.memory.peak_rss_excl_server_mb, 1),
        "peak_rss_by_role_mb": dict(measured.memory.roles),
        "processes": measured.memory.peak_processes,
        "task_runs": int(task_runs.group(1)) if task_runs else None,
        "first_article_s": round(facts["first_article"] - facts["started"], 2) if facts["first_article"] else None,
        "first_article_wall_s": round(facts["first_article"] - measured.launched_at, 2) if facts["first_article"] else None,
        "fetch_log": facts["fetch_log"],
    }


def fresh_db(path: Path) -> Path:
    for stale in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".lock")):
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


def bench_incremental(site: BenchSite, first: dict, feeds_file: Path, db: Path, name: str, settings: Path) -> dict:
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
            "unchanged_only_conditional_feed_requests": counts["feed"] == feeds == counts["feed_conditional"]
            and counts["page"] == 0 and counts["other"] == 0,
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

    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and (not isinstance(address, tuple) or address[0] != "127.0.0.1"):
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

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo


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
        bodies = list(threads.map(lambda url: newspaper.network.get_html(url, _PEER_CONFIG), spec["feeds"]))
    links = list(dict.fromkeys(entry.link for body in bodies for entry in feedparser.parse(body).entries))
    discovered = time.monotonic()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(spec["workers"], mp_context=context) as pool:
        results = list(pool.map(_peer_page, links, chunksize=2))
    done = time.monotonic()
    errors = Counter(error.split(":")[0] for _, _, error in results if error)
    json.dump({
        "links": len(links), "seconds": done - began, "discover_s": discovered - began,
        "with_text": sum(1 for _, length, _ in results if length), "errors": dict(errors),
    }, sys.stdout)


def run_peer(site: BenchSite, name: str, workers: int) -> dict:
    """newspaper4k over an edition's feeds, in a subprocess; pages per second after its imports."""
    spec = OUT / f"peer-{name}.json"
    spec.write_text(json.dumps({"feeds": site.feed_urls(name), "workers": workers}), encoding="utf-8")
    site.take_requests()
    measured = measure([sys.executable, __file__, "--peer-worker", str(spec)], newsflow_env())
    if measured.returncode:
        raise RuntimeError(f"peer failed:\n{measured.stderr[-4000:]}")
    result = json.loads(measured.stdout)
    result.update({
        "version": peer_available(), "workers": workers,
        "pages_per_s": round(result["links"] / result["seconds"], 2),
        "wall_s": round(measured.wall_s, 2), "cpu_s": round(measured.cpu_s, 1),
        "peak_rss_mb": round(measured.memory.peak_rss_mb, 1),
        "requests": count_requests(site.take_requests()),
        "seconds": round(result["seconds"], 2), "discover_s": round(result["discover_s"], 2),
    })
    return result
