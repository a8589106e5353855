"""newsflow runs as the benchmark measures them: the first run of each size, then the re-runs.

Each is `newsflow run` as a subprocess (bench.measure) into a fresh DuckDB file, with its own
Prefect home; what the run stored about itself and the site's request log complete the figures.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import duckdb

from bench.measure import measure
from bench.paths import OUT
from bench.site import BenchSite, count_requests
from warehouse.publish import parts_dir

VENV_BIN = Path(sys.executable).parent
NEWSFLOW = VENV_BIN / "newsflow"
NEW_SHARE = 0.01  # the incremental run adds this share of new articles
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


def newsflow_env() -> dict[str, str]:
    """The environment of a benchmarked run: own Prefect home, no NEWSFLOW_* from the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env["PREFECT_HOME"] = str(OUT / "prefect-home")
    env["COLUMNS"] = "200"
    return env


def newsflow_command(feeds: Path, settings: Path, db: Path) -> list[str]:
    """`newsflow run` over a feeds file into a DuckDB file, with the benchmark's settings."""
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
    facts = dict(zip(names, row, strict=True))
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
    shutil.rmtree(parts_dir(path), ignore_errors=True)
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
