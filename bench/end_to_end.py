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

The pieces: bench/site.py (the site), bench/limit.py, bench/runs.py (newsflow's runs),
bench/peers.py, bench/profiling.py (--profile), bench/measure.py (the process-tree sampler all
of them are measured with) and bench/report.py (ratios, table, chart).

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
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.limit import newsflow_page, pool_rate, trafilatura_page
from bench.paths import CORPUS_DIR, OUT, REPO, RESULTS
from bench.peers import peer_available, run_peer
from bench.profiling import profile_run
from bench.report import plot, print_summary, ratios, write_results
from bench.runs import NEW_SHARE, SETTINGS_TOML, bench_incremental, bench_size
from bench.site import BenchSite, load_base_pages

EXTRACTOR_SAMPLE = 500  # pages of newsflow's extractor-only measurement


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
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.feeds, args.reference = "200", 10, 200
        # A smoke run must not overwrite the committed figures.
        if args.results == RESULTS:
            args.results = OUT / "quick"
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
    largest = max([*args.size_list, args.profile]) + new_count
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
    with BenchSite(bases, largest) as site:
        _log(f"limit: trafilatura.extract over {args.reference} pages on {workers} processes")
        results["limit"] = pool_rate(trafilatura_page, bases, args.reference, workers)
        sample = min(args.reference, EXTRACTOR_SAMPLE)
        _log(f"newsflow's extractor alone (tasks.article.page.process_page) over {sample} pages")
        results["extractor"] = pool_rate(newsflow_page, bases, sample, workers)
        results["limit_sample"] = pool_rate(trafilatura_page, bases, sample, workers)
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


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (or read a results file), then draw the chart and print the summary."""
    args = parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        outputs = ""
    else:
        results = run_benchmark(args)
        write_results(results, args.results)
        outputs = f"wrote {args.results / 'pipeline.json'}; "
    note = plot(results, args.results / "pipeline.png")
    print_summary(results, outputs + (note or f"drew {args.results / 'pipeline.png'}"))
