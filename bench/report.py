"""The benchmark's results: ratios and targets, the table, the chart and the printed summary."""

from __future__ import annotations

import json
from pathlib import Path

from bench.paths import OUT
from tasks.stages import page_batches

TARGETS = {
    "newsflow_vs_limit": 0.85,
    "newsflow_vs_peer": 2.0,
    "peak_rss_mb": 600,
    "unchanged_rerun_share": 0.05,
}


def _fmt(value: object, digits: int = 1) -> str:
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
        import matplotlib as mpl

        mpl.use("Agg")
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


def print_summary(results: dict, outputs: str) -> None:
    """Print the table, then the limit, ratios, peer, targets and profile.

    `outputs` (what was written where) ends the last line.
    """
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
        f"bench took {meta['bench_s']} s; {outputs}"
    )
