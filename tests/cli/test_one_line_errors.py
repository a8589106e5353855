"""Expected failures of the real `newsflow` command end as one line, without a traceback.

Each test runs the installed command in a subprocess, as a user or cron would: Prefect's flow
engine logs a flow's exception with its traceback before the command line sees it, which an
in-process test with CliRunner does not show.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.demo.server import DemoSite
from tests.commands import newsflow
from warehouse.db import connect
from warehouse.publish import writer_path


@pytest.fixture(scope="module")
def demo_feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The demo site's feeds file and settings allowing its loopback address."""
    folder = tmp_path_factory.mktemp("demo")
    with DemoSite() as site:
        feeds = folder / "feeds.toml"
        feeds.write_text(site.feeds_toml(), encoding="utf-8")
        settings = folder / "settings.toml"
        settings.write_text('allow_private_hosts = ["127.0.0.1"]\n', encoding="utf-8")
        yield feeds, settings


def quiet_run(feeds: Path, settings: Path, db: Path) -> subprocess.CompletedProcess:
    """`newsflow run -q` over the demo feeds into db, from the feeds file's folder."""
    args = ("run", "--feeds", feeds, "--settings", settings, "--db", db, "-q")
    return newsflow(*map(str, args), cwd=feeds.parent)


def assert_one_line(done: subprocess.CompletedProcess, exit_code: int, *wanted: str) -> None:
    assert done.returncode == exit_code, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, done.stderr
    for text in wanted:
        assert text in errors[0]


def test_a_run_on_a_writer_file_another_process_holds_ends_in_one_line(demo_feeds, tmp_path):
    """Someone opened the writer's own file (readers open the catalog): waits 30 s, then one line."""
    feeds, settings = demo_feeds
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
                "print('reading', flush=True); time.sleep(300)"
            ),
            str(writer_path(db)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        done = quiet_run(feeds, settings, db)
    finally:
        reader.kill()
        reader.wait()
    assert_one_line(done, 1, "locked by another process", f"(PID {reader.pid})", str(db))


def test_a_database_path_that_cannot_be_created_ends_in_one_line(demo_feeds, tmp_path):
    """The folder cannot be made: the flow's first connection fails, inside Prefect."""
    feeds, settings = demo_feeds
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    done = quiet_run(feeds, settings, blocker / "news.duckdb")
    assert_one_line(done, 1, "cannot create the folder for database")


def test_a_bad_setting_ends_in_one_line(demo_feeds, tmp_path):
    feeds, _ = demo_feeds
    settings = tmp_path / "settings.toml"
    settings.write_text('batch_size = "many"\n', encoding="utf-8")
    done = newsflow("run", "--feeds", str(feeds), "--settings", str(settings), cwd=tmp_path)
    assert_one_line(done, 2, str(settings), "batch_size")


@pytest.mark.parametrize("option", ["--feeds", "--settings"])
def test_a_missing_file_ends_in_one_line(demo_feeds, tmp_path, option):
    feeds, settings = demo_feeds
    missing = tmp_path / "missing.toml"
    given = {"--feeds": feeds, "--settings": settings} | {option: missing}
    done = newsflow("run", *(str(part) for pair in given.items() for part in pair), cwd=tmp_path)
    assert done.returncode != 0
    assert_one_line(done, done.returncode, "missing.toml")
