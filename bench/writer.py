"""The single DuckDB writer on its own: CPU per page of loading batches, and where it saturates.

Every newsflow process that fetches and extracts hands its records to one writer (the flow's
process), which loads each batch of 100 pages in one transaction on a short-lived connection.
This measures that writer alone, with the extraction done beforehand: the dev pages are
extracted once (tasks.article.page.process_page, not timed), then B batches of 100 are loaded
into a fresh DuckDB file exactly as the flow loads them (warehouse.db.connect; the rows:
query.stored_articles and tasks.rows.page_rows; load.load_pages; load.append_fetch_log; close),
every batch under new URLs so each is new articles. It reports CPU ms per page by step and the
pages per second one writer core can load, which is the point where adding extraction workers
(Dask) stops helping.

usage: python bench/writer.py [--pages DIR] [--batches 40] [--batch-size 100] [--threads 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flows.ingest import WRITER_THREADS
from tasks import rows
from tasks.article.page import process_page
from tasks.dedup import StoryClusterer
from tasks.records import FeedEntry, FetchResult, FetchStatus, PageJob, PageOutcome
from warehouse import load, query
from warehouse.db import connect

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "dev-pages"
STEPS = ("connect", "rows", "load_pages", "fetch_log", "close")


def extracted_outcomes(pages_dir: Path, count: int) -> list[PageOutcome]:
    """The first `count` dev pages, fetched (as far as the loader can tell) and extracted."""
    items = json.loads((pages_dir / "index.json").read_text(encoding="utf-8"))[:count]
    outcomes = []
    for item in items:
        body = gzip.decompress((pages_dir / item["page"]).read_bytes())
        entry = FeedEntry(entry_key=item["url"], url=item["url"])
        extraction = process_page(body, "text/html", item["url"], entry, frozenset(), 5_000_000)
        if extraction.article is None:
            continue
        fetch = FetchResult(
            url=item["url"], final_url=item["url"], status=FetchStatus.OK, http_status=200,
            body=body, content_type="text/html",
        )  # fmt: skip
        outcomes.append(
            PageOutcome(
                PageJob("bench", entry),
                fetch,
                article=extraction.article,
                story_signature=extraction.story_signature,
            )
        )
    return outcomes


def renamed(outcomes: list[PageOutcome], prefix: str) -> list[PageOutcome]:
    """The same pages under new URLs, so the loader sees new articles."""
    result = []
    for index, outcome in enumerate(outcomes):
        url = f"http://127.0.0.1/{prefix}/{index}"
        article = dataclasses.replace(outcome.article, url=url, canonical_url=url)
        result.append(dataclasses.replace(outcome, article=article))
    return result


def measure(
    outcomes: list[PageOutcome], batches: int, batch_size: int, db: Path, threads: int | None
) -> dict:
    """Load `batches` batches into db as the flow does; CPU seconds per step."""
    clusterer = StoryClusterer()
    cpu = dict.fromkeys(STEPS, 0.0)
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    for number in range(batches):
        start = (number * batch_size) % max(1, len(outcomes) - batch_size)
        batch = renamed(outcomes[start : start + batch_size], f"b{number}")
        now = datetime.now(UTC)
        mark = time.process_time()
        manager = connect(db, threads=threads)
        con = manager.__enter__()
        cpu["connect"] += time.process_time() - mark
        mark = time.process_time()
        stored = query.stored_articles(con, *rows.article_keys(batch))
        page_rows, _counts = rows.page_rows(batch, stored, clusterer, now)
        cpu["rows"] += time.process_time() - mark
        mark = time.process_time()
        load.load_pages(con, page_rows, run_id="bench", now=now, max_attempts=3)
        cpu["load_pages"] += time.process_time() - mark
        mark = time.process_time()
        load.append_fetch_log(con, rows.fetch_log_rows([o.fetch for o in batch], "bench", {}, now))
        cpu["fetch_log"] += time.process_time() - mark
        mark = time.process_time()
        manager.__exit__(None, None, None)
        cpu["close"] += time.process_time() - mark
    pages = batches * batch_size
    total_cpu = time.process_time() - began_cpu
    return {
        "pages": pages,
        "cpu_ms_per_page": round(1000 * total_cpu / pages, 2),
        "wall_ms_per_page": round(1000 * (time.perf_counter() - began_wall) / pages, 2),
        "cpu_ms_per_page_by_step": {k: round(1000 * v / pages, 2) for k, v in cpu.items()},
        "pages_per_cpu_s": round(pages / total_cpu, 1),
        "db_mb": round(db.stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="dev-pages directory")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--threads",
        type=int,
        default=WRITER_THREADS,
        help="DuckDB threads of the connection (default: as the flow; 0: DuckDB's own, one per core)",
    )
    args = parser.parse_args()
    if not (args.pages / "index.json").is_file():
        sys.exit(f"no dev pages at {args.pages} (expected index.json); pass --pages DIR")
    outcomes = extracted_outcomes(args.pages, 2 * args.batch_size + 50)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "writer.duckdb"
        result = measure(outcomes, args.batches, args.batch_size, db, args.threads or None)
    print(json.dumps(result, indent=1))
    print(
        f"one writer: {result['cpu_ms_per_page']} CPU ms/page "
        f"({result['pages_per_cpu_s']} pages per CPU second) over {result['pages']} pages"
    )


if __name__ == "__main__":
    main()
