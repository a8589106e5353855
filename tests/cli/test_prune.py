"""`newsflow prune`: retention from the command line, on the analytics sample warehouse.

The sample is dated March 2024, so with the packaged defaults (90 days of raw pages, fetch log
and paragraphs, 365 of versions) everything but the articles is due.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli.app import app
from tests.analytics_data import ARTICLES
from tests.commands import newsflow
from warehouse.db import connect
from warehouse.search import search

runner = CliRunner()
TABLES = ("raw_pages", "fetch_log", "article_versions", "site_paragraphs", "articles")


def counts(db: Path) -> dict[str, int]:
    """Rows per table in the writer's file, as newsflow's own readers see it."""
    with connect(db, read_only=True) as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in TABLES
        }


def table_rows(output: str) -> dict[str, list[str]]:
    """The rows of the table `newsflow prune` prints, by table name."""
    rows = [line.split("│")[1:-1] for line in output.splitlines() if line.startswith("│")]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows}


def published_articles(db: Path) -> int:
    """Articles a reader of the --db catalog sees (a notebook, the duckdb shell)."""
    reader = duckdb.connect(str(db), read_only=True)
    try:
        return reader.execute("SELECT count(*) FROM clean_articles").fetchone()[0]
    finally:
        reader.close()


def test_prune_deletes_what_the_defaults_no_longer_keep_but_no_article(analytics_db):
    result = runner.invoke(app, ["prune", "--db", str(analytics_db)])
    assert result.exit_code == 0, result.output
    assert counts(analytics_db) == {
        "raw_pages": 0,
        "fetch_log": 0,
        "article_versions": 0,
        "site_paragraphs": 0,
        "articles": len(ARTICLES),
    }
    cutoff = datetime.now(UTC).date() - timedelta(days=90)
    assert table_rows(result.output)["fetch_log"] == [
        "16",
        cutoff.isoformat(),
        "keep_fetch_log_days = 90",
    ]
    assert "19 rows deleted" in result.output
    assert published_articles(analytics_db) == len(ARTICLES)


def test_a_dry_run_prints_the_counts_and_deletes_nothing(analytics_db):
    before = counts(analytics_db)
    result = runner.invoke(
        app, ["prune", "--db", str(analytics_db), "--dry-run", "--articles-before", "2024-03-06"]
    )
    assert result.exit_code == 0, result.output
    assert "dry run: nothing deleted (25 rows would be)" in result.output
    assert table_rows(result.output)["articles"] == ["3", "2024-03-06", "--articles-before"]
    assert counts(analytics_db) == before


def test_articles_before_deletes_those_articles_for_readers_and_search(analytics_db):
    result = runner.invoke(
        app, ["prune", "--db", str(analytics_db), "--articles-before", "2024-03-06"]
    )
    assert result.exit_code == 0, result.output
    rows = table_rows(result.output)
    assert rows["articles"] == ["3", "2024-03-06", "--articles-before"]
    assert counts(analytics_db)["articles"] == len(ARTICLES) - 3
    assert published_articles(analytics_db) == len(ARTICLES) - 3
    assert search(analytics_db, "Victoria Bridge").empty
    assert search(analytics_db, "freight strike").attrs["notice"] is None


def test_a_setting_of_zero_keeps_that_data_forever(analytics_db, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("keep_raw_pages_days = 0\n", encoding="utf-8")
    result = runner.invoke(app, ["prune", "--db", str(analytics_db), "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    assert table_rows(result.output)["raw_pages"] == [
        "-",
        "kept forever",
        "keep_raw_pages_days = 0",
    ]
    assert counts(analytics_db)["raw_pages"] == 1


def assert_one_error_line(done: subprocess.CompletedProcess, *wanted: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for text in wanted:
        assert text in done.stderr


def test_prune_during_a_run_is_a_one_line_error_and_deletes_nothing(analytics_db, tmp_path):
    before = counts(analytics_db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from warehouse.db import RunLock\n"
                "RunLock(sys.argv[1]).acquire(); print('running', flush=True); time.sleep(120)"
            ),
            str(analytics_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "running"
        done = newsflow("prune", "--db", str(analytics_db), cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert_one_error_line(done, "another newsflow run is writing", f"pid {holder.pid}")
    assert counts(analytics_db) == before


def test_prune_of_a_missing_database_is_a_one_line_error(tmp_path):
    missing = tmp_path / "missing.duckdb"
    done = newsflow("prune", "--db", str(missing), cwd=tmp_path)
    assert_one_error_line(done, "does not exist yet")
    assert not missing.exists()
