"""`python bench/warehouse.py --sizes 2000,100000 --json OUT`: a year of news in the warehouse.

A real `newsflow run` over the loopback benchmark site (bench/site.py) stores the smallest size;
bench/warehouse_grow.sql then grows that warehouse to each larger size with copies of the real
rows (new keys, spread over a year, same per-site distribution; see the SQL). At each size:
a run with nothing changed, a run with 20 new articles (flow time from the run's own row, peak
PSS of the process tree), `newsflow stats`, `search`, `report`, a first and an incremental
export, the reader-facing views (on the published catalog, as a notebook reads them), the
publish step (every partition, as after an upgrade; and today's, as each batch does), and disk per
article: the writer's file and the published Parquet files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, Python puts bench/ on sys.path, not the repository the bench package is in.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb

from bench.measure import measure
from bench.paths import CORPUS_DIR, OUT
from bench.runs import NEWSFLOW, SETTINGS_TOML, fresh_db, newsflow_env, run_newsflow
from bench.site import BenchSite, load_base_pages
from config.settings import Settings
from warehouse.db import connect
from warehouse.publish import parts_dir, publish, queue_everything, writer_path
from warehouse.sql import COMMENT_LINE, PARAMETER, STATEMENT_END

GROW_SQL = Path(__file__).with_name("warehouse_grow.sql")
NEW_ARTICLES = 20
FEEDS = 20
SEARCH_QUERY = "government minister election"
# The reader-facing views as a dashboard or notebook reads them.
VIEW_QUERIES = {
    "latest_articles_s": "SELECT * FROM latest_articles LIMIT 50",
    "articles_per_day_s": "SELECT * FROM articles_per_day WHERE day >= current_date - 30",
    "source_health_s": "SELECT * FROM source_health",
}
# Articles, and the bytes of their stored (compressed) raw pages.
RAW_PAGES_SQL = "SELECT (SELECT count(*) FROM articles), (SELECT coalesce(sum(octet_length(html_compressed)), 0) FROM raw_pages)"
TODAY_SQL = (
    "INSERT INTO publish_queue VALUES ('articles', strftime(current_date, '%Y-%m-%d')),"
    " ('fetch_log', strftime(current_date, '%Y-%m-%d')), ('sources', 'all'), ('ingest_runs', 'all')"
)


def _log(message: str) -> None:
    print(f"[warehouse {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def grow(db: Path, target: int, state: dict) -> float:
    """Add copies of the seed articles until the warehouse holds `target` articles; seconds taken."""
    began = time.monotonic()
    with duckdb.connect(str(writer_path(db))) as con:
        current = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        if current >= target:
            return 0.0
        con.execute(
            "CREATE TEMP TABLE bench_seed AS SELECT article_id, row_number() OVER (ORDER BY article_id) AS rn"
            " FROM articles WHERE first_run_id = $1",
            [state["seed_run_id"]],
        )
        seed_size = con.execute("SELECT count(*) FROM bench_seed").fetchone()[0]
        copies = -(-(target - current) // seed_size)
        params = {
            "first_copy": state["copies"] + 1,
            "copies": copies,
            "seed_size": seed_size,
            "target": target,
            "current": current,
            "seed_run_id": state["seed_run_id"],
            "keep_raw_pages_days": Settings().keep_raw_pages_days,
        }
        text = COMMENT_LINE.sub("", GROW_SQL.read_text(encoding="utf-8"))
        con.execute("BEGIN TRANSACTION")
        for statement in (s.strip() for s in STATEMENT_END.split(text) if s.strip()):
            con.execute(statement, {key: params[key] for key in PARAMETER.findall(statement)})
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        state["copies"] += copies
    return time.monotonic() - began


def _command(*args: str) -> dict:
    """One measured newsflow command: wall seconds and peak PSS of its process tree."""
    measured = measure([str(NEWSFLOW), *args], newsflow_env())
    if measured.returncode:
        raise RuntimeError(f"newsflow {args[0]} failed:\n{measured.stderr[-3000:]}")
    return {
        "s": round(measured.wall_s, 2),
        "peak_mb": round(measured.memory.peak_pss_mb, 1),
    }


def _views(db: Path) -> dict:
    times = {}
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        for name, sql in VIEW_QUERIES.items():
            began = time.monotonic()
            con.execute(sql).fetchall()
            times[name] = round(time.monotonic() - began, 3)
    return times


def _disk(db: Path) -> dict:
    """Bytes per article of the writer's files (with and without raw pages) and of the published files."""
    writer = writer_path(db)
    with duckdb.connect(str(writer), read_only=True) as con:
        articles, raw_bytes = con.execute(RAW_PAGES_SQL).fetchone()
    size = sum(f.stat().st_size for f in writer.parent.glob(writer.name + "*"))
    published = sum(f.stat().st_size for f in (parts_dir(db) / "tables").glob("*/*.parquet"))
    return {
        "articles": articles,
        "db_bytes": size,
        "published_bytes": published,
        "bytes_per_article": round(size / articles),
        "bytes_per_article_without_raw_pages": round((size - raw_bytes) / articles),
        "published_bytes_per_article": round(published / articles),
    }


def _publish_s(db: Path, *, everything: bool) -> float:
    """Seconds of one publish: every partition, or today's (what a batch of a run rewrites)."""
    with connect(db) as con:
        if everything:
            queue_everything(con)
        else:
            con.execute(TODAY_SQL)
        began = time.monotonic()
        publish(con, db)
        return round(time.monotonic() - began, 2)


def measure_size(site: BenchSite, db: Path, feeds: Path, settings: Path, out: Path) -> dict:
    """Every measurement at the warehouse's current size."""
    result = _disk(db)
    _log(f"{result['articles']} articles, {result['bytes_per_article']} bytes per article")
    export_dir = out / "export"
    shutil.rmtree(export_dir, ignore_errors=True)
    first_export = _command(
        "export", "--format", "parquet", "--out", str(export_dir), "--db", str(db)
    )
    unchanged = run_newsflow(feeds, settings, db, "unchanged")
    site.publish("wh", NEW_ARTICLES)
    added = run_newsflow(feeds, settings, db, f"{NEW_ARTICLES} new")
    incremental = _command(
        "export", "--format", "parquet", "--out", str(export_dir), "--db", str(db)
    )
    stats = _command("stats", "--db", str(db))
    search = _command("search", SEARCH_QUERY, "--db", str(db))
    report = _command("report", "--out", str(out / "report.html"), "--db", str(db))
    result.update(
        publish_today_s=_publish_s(db, everything=False),
        run_unchanged_s=unchanged["flow_s"],
        run_unchanged_wall_s=unchanged["wall_s"],
        run_unchanged_peak_mb=unchanged["peak_pss_mb"],
        run_new20_s=added["flow_s"],
        run_new20_wall_s=added["wall_s"],
        run_new20_peak_mb=added["peak_pss_mb"],
        run_new20_articles=added["articles_new"],
        stats_s=stats["s"],
        stats_peak_mb=stats["peak_mb"],
        search_s=search["s"],
        search_peak_mb=search["peak_mb"],
        report_s=report["s"],
        report_peak_mb=report["peak_mb"],
        export_first_s=first_export["s"],
        export_incremental_s=incremental["s"],
        export_incremental_peak_mb=incremental["peak_mb"],
        **_views(db),
    )
    result.update({f"after_{k}": v for k, v in _disk(db).items() if k != "articles"})
    return result


def run_benchmark(sizes: list[int], corpus: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    settings = out / "settings.toml"
    settings.write_text(SETTINGS_TOML, encoding="utf-8")
    bases, corpus_label = load_base_pages(corpus)
    results: dict = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cores": os.cpu_count(),
            "corpus": corpus_label,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "load_before": os.getloadavg(),
        },
        "sizes": {},
    }
    seed = sizes[0]
    with BenchSite(bases, seed + NEW_ARTICLES * len(sizes)) as site:
        site.add_edition("wh", FEEDS, seed)
        feeds = out / "feeds-wh.toml"
        feeds.write_text(site.feeds_toml("wh"), encoding="utf-8")
        db = fresh_db(out / "warehouse.duckdb")
        _log(f"real run of {seed} articles, {FEEDS} feeds")
        first = run_newsflow(feeds, settings, db, f"seed N={seed}")
        results["seed_run"] = {
            k: first[k] for k in ("flow_s", "wall_s", "peak_pss_mb", "articles_new")
        }
        state = {"seed_run_id": first["run_id"], "copies": 0}
        for size in sizes:
            grow_s = grow(db, size, state)
            publish_all_s = 0.0
            if grow_s:
                _log(f"grew to {size} in {grow_s:.0f} s; migrating and publishing everything")
                publish_all_s = _publish_s(db, everything=True)
            results["sizes"][str(size)] = {
                "grow_s": round(grow_s, 1),
                "publish_all_s": publish_all_s,
            } | measure_size(site, db, feeds, settings, out)
            _log(json.dumps(results["sizes"][str(size)]))
    results["meta"]["load_after"] = os.getloadavg()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000", help="article counts, comma-separated")
    parser.add_argument("--json", type=Path, required=True, help="results file to write")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--out", type=Path, default=OUT / "warehouse", help="scratch folder")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = run_benchmark(sizes, args.corpus, args.out)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    _log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
