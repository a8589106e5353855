"""Analytics commands of the `newsflow` CLI: search, export, report and dashboard.

Registered on the main app by `register(app)`; each command is a thin layer that imports its
module only when run.
"""

from __future__ import annotations

import enum
import importlib.util
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.cli import report
from flows.cli.errors import UserError
from flows.cli.options import DbOpt, SettingsOpt, console, err_console, resolve_settings

SinceOpt = Annotated[
    datetime | None,
    typer.Option(
        formats=["%Y-%m-%d"],
        help="Only articles dated on or after this day (UTC).",
        show_default=False,
    ),
]
SEARCH_COLUMNS = ["score", "dated_at", "source_name", "title", "snippet"]


class OutputFormat(enum.StrEnum):
    """How `newsflow search` prints its results."""

    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(enum.StrEnum):
    """The file format `newsflow export` writes."""

    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


def _db_path(settings: Path | None, db: Path | None) -> Path:
    return resolve_settings(settings, db).db_path


def search_command(
    query: Annotated[str, typer.Argument(help="Words to look for in titles and texts.")],
    since: SinceOpt = None,
    source: Annotated[
        str | None, typer.Option(help="Only articles listed by this source.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 20,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
    settings: SettingsOpt = None,
    db: DbOpt = None,
) -> None:
    """Full-text search (BM25, stemmed) over article titles and texts, best match first.

    Example: newsflow search "freight strike" --since 2024-03-01 --source gazette --db data/demo.duckdb
    """
    from warehouse.search import search

    found = search(_db_path(settings, db), query, since=since, source=source, limit=limit)
    if found.attrs.get("notice"):
        err_console.print(f"[yellow]note:[/yellow] {found.attrs['notice']}", highlight=False)
    shown = found[SEARCH_COLUMNS] if fmt is OutputFormat.table else found
    report.print_frame(console, shown, fmt.value, limit)


def export_command(
    out: Annotated[
        Path, typer.Option("--out", help="Export folder (one day=YYYY-MM-DD subfolder per day).")
    ],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="parquet, csv or jsonl.")
    ] = ExportFormat.parquet,
    since: SinceOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Rewrite everything, not only what changed.")
    ] = False,
    settings: SettingsOpt = None,
    db: DbOpt = None,
) -> None:
    """Export articles (the clean_articles view), writing only days that changed since the last export to --out.

    Example: newsflow export --format parquet --out exports/articles --since 2024-03-01
    """
    from warehouse.export import export_articles

    result = export_articles(
        _db_path(settings, db), out, fmt.value, since.date() if since else None, full
    )
    if not result.days:
        console.print(f"nothing changed since the last export to {result.out_dir}")
        return
    console.print(
        f"{result.articles} articles in {len(result.days)} day folders written to {result.out_dir}"
        f"{' (full export)' if result.full else ''}",
        highlight=False,
    )


def report_command(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path("report.html"),
    since: SinceOpt = None,
    settings: SettingsOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a self-contained HTML report: volume per day and source, source health, extraction flags.

    Example: newsflow report --out report.html --db data/demo.duckdb
    """
    from flows.cli.report_html import write_report

    path = write_report(_db_path(settings, db), out, since.date() if since else None)
    console.print(f"report written to {path}", highlight=False)


def dashboard_command(
    port: Annotated[int, typer.Option(help="Port to serve the dashboard on.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on (loopback: only this machine).")
    ] = "127.0.0.1",
    settings: SettingsOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the Streamlit dashboard on this machine (needs Streamlit: the optional "dashboard" extra).

    It reads the database read-only, a query at a time, so runs keep writing meanwhile.

    Example: newsflow dashboard --db data/demo.duckdb
    """
    if importlib.util.find_spec("streamlit") is None:
        raise UserError(
            'the dashboard needs Streamlit (newsflow\'s optional "dashboard" extra): pip install streamlit'
        )
    db_path = _db_path(settings, db)
    if not db_path.exists():
        raise UserError(
            f"database {db_path} does not exist yet: run `newsflow run` or `newsflow demo` first"
        )
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(Path(__file__).with_name("dashboard.py")),
        "--server.address",
        address,
        "--server.port",
        str(port),
        # headless: no browser launch and no first-run e-mail prompt; no usage statistics sent
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    console.print(
        f"dashboard for {db_path} on http://{address}:{port} (Ctrl-C stops it)", highlight=False
    )
    console.file.flush()
    # Become the Streamlit process, so a signal to `newsflow dashboard` reaches the server itself.
    os.execve(sys.executable, command, {**os.environ, "NEWSFLOW_DB_PATH": str(db_path)})  # noqa: S606 - a fixed command line, replacing this process on purpose


def register(app: typer.Typer) -> None:
    """Add the search, export, report and dashboard commands to the newsflow app."""
    app.command("search")(search_command)
    app.command("export")(export_command)
    app.command("report")(report_command)
    app.command("dashboard")(dashboard_command)
