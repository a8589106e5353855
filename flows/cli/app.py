"""The `newsflow` command line: a thin layer over the flows, the warehouse and the extractor.

Prefect is imported only by the commands that run flows: it takes seconds to import, and
`newsflow sql` or `newsflow extract` should answer at once.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from config.settings import ConfigError, Settings, load_settings
from config.sources import DEFAULT_FEEDS_FILE, Source, load_sources
from flows.cli import analysis, report
from flows.cli.errors import UserError, hide_expected_tracebacks
from flows.cli.options import (
    DbOpt,
    FeedsOpt,
    SettingsOpt,
    cli_overrides,
    console,
    err_console,
    resolve_settings,
)
from warehouse.db import WarehouseError

if TYPE_CHECKING:
    from warehouse.retention import RetentionReport

app = typer.Typer(
    name="newsflow",
    help="News ingestion: feeds in, clean articles in DuckDB out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="List, add, import and export sources.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


def _setup_logging(*, verbose: bool, quiet: bool) -> None:
    from rich.logging import RichHandler

    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = RichHandler(console=err_console, show_path=False, show_time=False, markup=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("flows", "tasks", "warehouse", "config"):
        lib_logger = logging.getLogger(name)
        lib_logger.setLevel(level)
        lib_logger.addHandler(handler)
        lib_logger.propagate = False


@app.command()
def run(
    feeds: FeedsOpt = None,
    settings: SettingsOpt = None,
    db: DbOpt = None,
    force: Annotated[
        bool, typer.Option(help="Fetch every source now, even those not due yet.")
    ] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run to finish.")] = 0.0,
    dask_address: Annotated[
        str | None,
        typer.Option(
            help="Run tasks on this Dask scheduler (tcp://host:8786).", show_default=False
        ),
    ] = None,
    dask_workers: Annotated[
        int | None,
        typer.Option(
            help="Run tasks on a local Dask cluster of N worker processes.", show_default=False
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only warnings and the summary.")
    ] = False,
) -> None:
    """Run one ingestion now.

    Example: newsflow run --feeds config/feeds.toml --db data/news.duckdb
    """
    _setup_logging(verbose=verbose, quiet=quiet)
    overrides = {**cli_overrides(db), "dask_address": dask_address, "dask_workers": dask_workers}
    # Built once, for the whole run, and before Prefect is even imported: bad config fails fast.
    resolved = load_settings(settings, overrides)
    sources = load_sources(feeds)
    from flows.runner import run_ingest_flow, sigterm_as_interrupt

    with sigterm_as_interrupt():
        summary = run_ingest_flow(
            resolved, sources, feeds_file=feeds, force=force, lock_wait_s=wait
        )
    report.print_summary(console, summary)


@app.command()
def demo(
    port: Annotated[
        int, typer.Option(help="Port of the local demo site (fixed, so URLs stay stable).")
    ] = 8765,
    db: Annotated[Path, typer.Option("--db", help="Database to fill.")] = Path("data/demo.duckdb"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Serve the bundled sample news site on 127.0.0.1, ingest it and show what landed.

    Example: newsflow demo && newsflow sql "SELECT title FROM latest_articles LIMIT 5" --db data/demo.duckdb
    """
    _setup_logging(verbose=verbose, quiet=False)
    from flows.demo.run import run_demo

    run_demo(console, port=port, db_path=db.resolve())


@app.command()
def serve(
    feeds: FeedsOpt = None,
    settings: SettingsOpt = None,
    db: DbOpt = None,
) -> None:
    """Run ingestion on the schedule from settings (schedule_cron, else schedule_interval_s).

    Ctrl-C or SIGTERM stops it (exit code 0). With PREFECT_API_URL set, the flow is served as
    the deployment ingest/newsflow-ingest, scheduled by that Prefect server.
    Example: NEWSFLOW_SCHEDULE_CRON="*/10 * * * *" newsflow serve --feeds config/feeds.toml
    """
    _setup_logging(verbose=False, quiet=False)
    resolved = resolve_settings(settings, db)
    load_sources(feeds)
    from flows.runner import serve_ingest_flow, sigterm_as_interrupt

    with sigterm_as_interrupt():
        serve_ingest_flow(feeds, settings, cli_overrides(db), resolved)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    settings: SettingsOpt = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 100,
) -> None:
    """Run a read-only SQL query against the warehouse and print the result.

    Example: newsflow sql "SELECT source_name, count(*) FROM clean_articles GROUP BY 1"
    """
    from warehouse.query import run_query

    frame = run_query(resolve_settings(settings, db).db_path, query)
    report.print_frame(console, frame, fmt, limit)


@app.command()
def stats(settings: SettingsOpt = None, db: DbOpt = None) -> None:
    """Show article counts, source health (failing feeds first) and the last runs.

    Example: newsflow stats --db data/demo.duckdb
    """
    from warehouse.query import warehouse_stats

    report.print_stats(console, warehouse_stats(resolve_settings(settings, db).db_path))


@app.command()
def extract(
    path: Annotated[Path, typer.Argument(help="A saved HTML file.", exists=True, dir_okay=False)],
    url: Annotated[
        str | None, typer.Option(help="The page's URL (helps metadata and links).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print text and metadata as one JSON object.")
    ] = False,
) -> None:
    """Extract the article from a saved HTML page and print its text (or JSON).

    Example: newsflow extract page.html --url https://example.com/news/1 --json
    """
    from tasks.article.extract import extract_article

    article = extract_article(path.read_bytes(), url)
    if as_json:
        data = asdict(article)
        data.pop("paragraphs")
        console.print_json(json.dumps(data, default=str, ensure_ascii=False))
    else:
        sys.stdout.write(article.text + "\n")


@app.command()
def reextract(
    settings: SettingsOpt = None,
    db: DbOpt = None,
    source: Annotated[str | None, typer.Option(help="Only pages of this source.")] = None,
) -> None:
    """Run extraction again over stored raw pages, with the site templates learned since.

    Changed texts become new versions (article_versions); nothing is fetched.
    Example: newsflow reextract --db data/demo.duckdb
    """
    _setup_logging(verbose=False, quiet=False)
    from flows.reextract import reextract as reextract_pages

    counts = reextract_pages(resolve_settings(settings, db), source=source)
    console.print(
        f"{counts.updated} articles changed, {counts.unchanged} unchanged, {counts.failed} failed"
    )


@app.command()
def prune(
    settings: SettingsOpt = None,
    db: DbOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")
    ] = False,
    articles_before: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Also delete the articles first stored before this day (UTC), with their "
            "sources, versions, raw pages, paragraphs and search index entries.",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a run to finish.")] = 0.0,
) -> None:
    """Delete what the retention settings (keep_*_days) no longer keep; runs do this at their end too.

    Raw pages, fetch log, article versions and site paragraphs older than their setting go;
    article texts only with --articles-before. The database file does not shrink: DuckDB
    reuses the space freed for later writes.
    Example: newsflow prune --dry-run --articles-before 2025-01-01 --db data/news.duckdb
    """
    from warehouse.db import RunLock, connect
    from warehouse.publish import writer_path
    from warehouse.retention import apply_retention
    from warehouse.search import rebuild_search_index

    resolved = resolve_settings(settings, db)
    if not (resolved.db_path.exists() or writer_path(resolved.db_path).exists()):
        raise UserError(
            f"database {resolved.db_path} does not exist yet: run `newsflow run` or `newsflow demo` first"
        )
    lock = RunLock(resolved.db_path)
    lock.acquire(wait)  # a run holds it while it writes: never prune under a run
    try:
        with connect(resolved.db_path) as con:
            pruned = apply_retention(
                con,
                resolved,
                datetime.now(UTC),
                articles_before=articles_before.date() if articles_before else None,
                dry_run=dry_run,
            )
            if pruned.articles_deleted.get("articles") and not dry_run:
                rebuild_search_index(con)  # takes the deleted articles out of the index now
    finally:
        lock.release()
    _print_pruned(pruned, resolved)


def _print_pruned(pruned: RetentionReport, settings: Settings) -> None:
    """Rows deleted (a dry run: to delete) per table, with the cutoff and what set it."""
    from rich.table import Table

    from warehouse.retention import KEEP_DAYS_SETTING

    table = Table(title="prune (dry run)" if pruned.dry_run else "prune", title_justify="left")
    table.add_column("table")
    table.add_column("would delete" if pruned.dry_run else "deleted", justify="right")
    table.add_column("before")
    table.add_column("set by")
    for name, rows in pruned.articles_deleted.items():
        table.add_row(name, str(rows), str(pruned.articles_before), "--articles-before")
    for name, setting in KEEP_DAYS_SETTING.items():
        days = getattr(settings, setting)
        if name in pruned.cutoffs:
            cutoff = f"{pruned.cutoffs[name]:%Y-%m-%d}"
            table.add_row(name, str(pruned.deleted[name]), cutoff, f"{setting} = {days}")
        else:
            table.add_row(name, "-", "kept forever", f"{setting} = 0")
    console.print(table)
    if pruned.dry_run:
        console.print(f"dry run: nothing deleted ({pruned.total} rows would be)")
    elif pruned.total:
        console.print(
            f"{pruned.total} rows deleted; the file keeps its size and DuckDB reuses the space freed"
        )


@sources_app.command("list")
def sources_list(feeds: FeedsOpt = None, settings: SettingsOpt = None, db: DbOpt = None) -> None:
    """List configured sources with their health from the warehouse (if it exists).

    Example: newsflow sources list --feeds config/feeds.toml
    """
    from warehouse.query import source_health

    configured = load_sources(feeds)
    health = source_health(resolve_settings(settings, db).db_path)
    report.print_sources(console, configured, health)


def _feeds_path(feeds: Path | None) -> Path:
    return feeds or DEFAULT_FEEDS_FILE


@sources_app.command("add")
def sources_add(
    url: Annotated[str, typer.Argument(help="A site's home page, or a feed URL.")],
    feeds: FeedsOpt = None,
    settings: SettingsOpt = None,
    add_all: Annotated[
        bool, typer.Option("--all", help="Add every feed found without asking.")
    ] = False,
) -> None:
    """Find a site's feeds (<link rel=alternate>, then common paths) and add them to the feeds file.

    Example: newsflow sources add https://www.example.com/ --feeds config/feeds.toml
    """
    from flows.sources import add_sources, discover_feeds, source_name

    candidates = discover_feeds(url, resolve_settings(settings, None))
    if not candidates:
        raise UserError(
            f"no feed found at {url} (looked for <link rel=alternate> and common feed paths)"
        )
    for index, candidate in enumerate(candidates, 1):
        console.print(
            f"{index}. {candidate.title or '(untitled)'} — {candidate.url} ({candidate.format}, "
            f"{candidate.entries} entries)",
            highlight=False,
        )
    chosen = candidates if add_all or len(candidates) == 1 else _choose(candidates)
    feeds_file = _feeds_path(feeds)
    taken = {s.name for s in load_sources(feeds_file)} if feeds_file.exists() else set()
    new = []
    for candidate in chosen:
        name = source_name(candidate, taken)
        taken.add(name)
        new.append(Source(name=name, url=candidate.url))
    added = add_sources(feeds_file, new)
    console.print(
        f"added {len(added)} source(s) to {feeds_file}: {', '.join(s.name for s in added) or 'none new'}"
    )


def _choose(candidates: list) -> list:
    answer = typer.prompt("Add which? (numbers separated by commas, or 'all')", default="all")
    if answer.strip().lower() == "all":
        return candidates
    try:
        picks = {int(part) for part in answer.replace(" ", "").split(",") if part}
    except ValueError:
        raise UserError(f"not a list of numbers: {answer!r}") from None
    if not picks <= set(range(1, len(candidates) + 1)):
        raise UserError(f"choose numbers from 1 to {len(candidates)}")
    return [c for i, c in enumerate(candidates, 1) if i in picks]


@sources_app.command("import")
def sources_import(
    opml: Annotated[
        Path, typer.Argument(help="An OPML subscription list.", exists=True, dir_okay=False)
    ],
    feeds: FeedsOpt = None,
) -> None:
    """Add the feeds of an OPML file (as feed readers export it) to the feeds file.

    Example: newsflow sources import subscriptions.opml --feeds config/feeds.toml
    """
    from flows.sources import import_opml

    try:
        added = import_opml(_feeds_path(feeds), opml)
    except ValueError as exc:
        raise UserError(f"{opml}: {exc}") from None
    console.print(f"added {len(added)} source(s) to {_feeds_path(feeds)}")


@sources_app.command("export")
def sources_export(
    feeds: FeedsOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Write the feeds file's sources as OPML 2.0.

    Example: newsflow sources export --out subscriptions.opml
    """
    from tasks.feeds.opml import to_opml

    document = to_opml(load_sources(feeds))
    if out:
        out.write_bytes(document)
    else:
        sys.stdout.write(document.decode("utf-8"))


analysis.register(app)  # search, export, report, dashboard


def main() -> None:
    """Entry point: run the app, turning known failures into one readable line."""
    hide_expected_tracebacks()  # a flow's expected error is the line below, not Prefect's traceback
    try:
        result = app(standalone_mode=False)
        if isinstance(result, int):
            sys.exit(result)
    except (ConfigError, WarehouseError, UserError) as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
    except typer.TyperException as exc:  # usage errors, raised by typer's bundled click
        if hasattr(exc, "show"):
            exc.show()
        else:
            err_console.print(f"error: {exc.format_message()}", highlight=False)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("NEWSFLOW_DEBUG"):
            raise
        err_console.print(
            f"[red]unexpected error:[/red] {type(exc).__name__}: {exc} (NEWSFLOW_DEBUG=1 shows the traceback)",
            highlight=False,
        )
        sys.exit(1)
