"""Terminal rendering of run summaries, query results and warehouse statistics (rich)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from config.sources import Source

CELL_CHARS = 120  # a longer value is cut, so one long text does not widen a whole table


def _table(frame: pd.DataFrame, title: str | None = None, limit: int | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    shown = frame if limit is None else frame.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    return table


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 3] + "..."


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """The end-of-run summary: what was fetched, what landed, what failed and why."""
    table = Table(title=f"run {summary['run_id']}", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("feeds fetched", summary["feeds_fetched"]),
        ("feeds not modified / unchanged", summary["feeds_not_modified"]),
        ("feeds not due", summary["feeds_skipped"]),
        ("feeds failed", summary["feeds_failed"]),
        ("entries seen / new", f"{summary['entries_seen']} / {summary['entries_new']}"),
        ("pages fetched", summary["pages_fetched"]),
        ("pages failed", summary["pages_failed"]),
        ("articles new", summary["articles_new"]),
        ("articles updated", summary["articles_updated"]),
        ("Prefect task runs", summary.get("task_runs", summary.get("tasks_submitted", ""))),
        ("duration", f"{summary['duration_s']:.1f} s"),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    if summary["errors_by_class"]:
        errors = ", ".join(
            f"{name} x{count}" for name, count in sorted(summary["errors_by_class"].items())
        )
        console.print(f"failures recorded in fetch_log / discoveries: {errors}", highlight=False)


def print_frame(console: Console, frame: pd.DataFrame, fmt: str, limit: int) -> None:
    """A query result as a table (first `limit` rows), CSV or JSON lines on stdout."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(
            frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
        )
    else:
        console.print(_table(frame, limit=limit))
        if len(frame) > limit:
            console.print(
                f"({len(frame)} rows, first {limit} shown; --limit or --format csv for more)"
            )


def print_stats(console: Console, stats: dict[str, pd.DataFrame]) -> None:
    """Headline numbers, sources (failing first) and the last runs."""
    overview = stats["overview"].iloc[0]
    console.print(
        f"[bold]{overview['articles']}[/bold] articles in {overview['stories']} stories · "
        f"{overview['sources_enabled']} sources enabled, [red]{overview['sources_failing']} failing[/red] · "
        f"{overview['entries_pending']} entries pending · last run {_cell(overview['last_run_at']) or 'never'}"
    )
    console.print(_table(stats["sources"], title="sources"))
    console.print(_table(stats["runs"], title="last runs"))


def print_sources(
    console: Console, configured: Sequence[Source], health: pd.DataFrame | None
) -> None:
    """Configured sources joined with their stored health, when a database exists."""
    frame = pd.DataFrame(
        [
            {"source_name": s.name, "url": s.url, "tags": ",".join(s.tags), "enabled": s.enabled}
            for s in configured
        ]
    )
    if health is not None and not frame.empty:
        frame = frame.merge(
            health[["source_name", "articles", "failures", "last_error_class", "last_success_at"]],
            on="source_name",
            how="left",
        )
    console.print(_table(frame, title="sources"))
