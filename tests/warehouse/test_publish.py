"""The published catalog: readers of `--db` never block the writer and never see half a batch.

Real DuckDB files throughout; the held readers are other processes, as a notebook would be.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from tests.analytics_data import ARTICLES, copy_warehouse
from warehouse.db import connect
from warehouse.publish import parts_dir, writer_path


def _count(db: Path, sql: str = "SELECT count(*) FROM clean_articles") -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def _add_article(db: Path, key: str, stored_on: str | None = None) -> None:
    """One more article, written and queued as the loaders do (store_articles.sql)."""
    with connect(db) as con:
        con.execute(
            "INSERT INTO articles SELECT * REPLACE ($key AS article_id, $key AS canonical_url,"
            " coalesce(CAST($day AS DATE), current_date) AS stored_on)"
            " FROM articles LIMIT 1",
            {"key": key, "day": stored_on},
        )
        con.execute(
            "INSERT INTO publish_queue SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')"
            " FROM articles WHERE article_id = $key",
            {"key": key},
        )


@contextmanager
def held_reader(db: Path) -> Iterator[subprocess.Popen]:
    """Another process holding a read-only connection to db, answering counts on request."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys\n"
                "con = duckdb.connect(sys.argv[1], read_only=True)\n"
                "print('ready', flush=True)\n"
                "for _ in sys.stdin:\n"
                "    print(con.execute('SELECT count(*) FROM clean_articles').fetchone()[0], flush=True)\n"
            ),
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    try:
        yield reader
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def _ask(reader: subprocess.Popen) -> int:
    reader.stdin.write("count\n")
    reader.stdin.flush()
    return int(reader.stdout.readline())


@pytest.fixture
def db(analytics_db: Path) -> Path:
    """The analytics sample, published (its first writable connection moves it in)."""
    with connect(analytics_db):
        pass
    return analytics_db


def test_readers_open_the_catalog_with_plain_duckdb(db):
    assert _count(db) == len(ARTICLES)
    assert writer_path(db).exists()
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert {"clean_articles", "latest_articles", "source_health", "articles", "fetch_log"} <= tables
    assert "raw_pages" not in tables  # the writer's own tables stay in its file


def test_a_held_reader_neither_blocks_the_writer_nor_sees_its_batches(db):
    with held_reader(db) as reader:
        assert _ask(reader) == len(ARTICLES)
        _add_article(db, "new-1")  # would wait, then fail, if the reader held the writer's file
        _add_article(db, "new-2")
        assert _ask(reader) == len(ARTICLES)  # its snapshot does not change under it
        assert _count(db) == len(ARTICLES) + 2  # a new connection sees both batches


def test_a_publish_rewrites_only_the_partitions_it_changed(db):
    before = {p.name for p in (parts_dir(db) / "tables" / "articles").glob("*.parquet")}
    _add_article(db, "today-1")
    after = {p.name for p in (parts_dir(db) / "tables" / "articles").glob("*.parquet")}
    # The sample's days are untouched; today's partition is new.
    unchanged = {name for name in before if not name.startswith(str(_today(db)))}
    assert unchanged <= after
    assert len(after - before) == 1


def _today(db: Path) -> str:
    with connect(db, read_only=True) as con:
        return str(con.execute("SELECT current_date").fetchone()[0])


def test_superseded_files_go_once_no_reader_holds_them(db):
    _add_article(db, "a", stored_on="2020-01-01")
    with held_reader(db) as reader:
        held_files = (parts_dir(db) / "catalogs").glob("*.files")
        named = {line for path in held_files for line in path.read_text().splitlines()}
        for number in range(3):  # three publishes: the held catalog is no longer the last two
            _add_article(db, f"b{number}", stored_on="2020-01-01")
        assert _ask(reader) == len(ARTICLES) + 1  # still reading the files its catalog names
        assert all(Path(path).exists() for path in named)
    _add_article(db, "c", stored_on="2020-01-01")
    catalogs = list((parts_dir(db) / "catalogs").glob("*.duckdb"))
    assert len(catalogs) == 2  # the current one and the one before
    day_files = list((parts_dir(db) / "tables" / "articles").glob("2020-01-01.*.parquet"))
    assert len(day_files) == 2
    assert _count(db) == len(ARTICLES) + 5


# A writer that adds one article per transaction and publishes each, saying what it committed.
WRITER_LOOP = """
import sys
from pathlib import Path
from tests.warehouse.test_publish import _add_article
db = Path(sys.argv[1])
for number in range(1000):
    _add_article(db, f"killed-{sys.argv[2]}-{number}")  # commits, then publishes as it closes
    print(number, flush=True)
"""


def test_a_writer_killed_at_any_moment_leaves_the_catalog_whole(db):
    """SIGKILL mid-commit, mid-partition, mid-catalog or mid-swap: never a broken file."""
    moments = random.Random(7)  # noqa: S311 - kill moments, not secrets; the seed repeats them
    published = len(ARTICLES)
    for attempt in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER_LOOP, str(db), str(attempt)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(moments.randint(1, 3)):
            assert writer.stdout.readline(), "the writer stopped on its own"
        time.sleep(moments.uniform(0, 0.15))  # somewhere in the next commit or publish
        writer.kill()
        writer.wait()
        # Readable at once, and showing a published state: each add is one more article.
        seen = _count(db)
        assert seen >= published
        with duckdb.connect(str(writer_path(db)), read_only=True) as con:
            committed = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert seen <= committed
        published = seen
    # The next writer publishes whatever the killed ones committed but had not published.
    with connect(db):
        pass
    assert _count(db) == committed


def test_a_failed_publish_loses_nothing_and_the_next_one_catches_up(db, caplog):
    blocker = db.with_name(db.name + ".incoming")  # where the new catalog is linked first
    blocker.mkdir()
    _add_article(db, "while-broken")
    assert "could not publish" in caplog.text
    assert _count(db) == len(ARTICLES)  # readers keep the last published state
    blocker.rmdir()
    _add_article(db, "after-repair")
    assert _count(db) == len(ARTICLES) + 2


def test_a_warehouse_from_before_publishing_is_moved_in_and_published(analytics_template, tmp_path):
    legacy = copy_warehouse(analytics_template, tmp_path / "news.duckdb")
    assert not writer_path(legacy).exists()
    with held_reader(legacy) as reader:  # a notebook on the old file when the upgrade runs
        with connect(legacy):
            pass
        assert _ask(reader) == len(ARTICLES)
    assert writer_path(legacy).exists()
    assert legacy.stat().st_nlink == 2  # now the catalog, also named under catalogs/
    assert _count(legacy) == len(ARTICLES)


def test_a_moved_warehouse_publishes_where_it_now_is(db, tmp_path):
    """The catalog names absolute paths; a copy of the writer's file republishes everything."""
    moved = copy_warehouse(db, tmp_path / "elsewhere.duckdb")
    with connect(moved):
        pass
    with duckdb.connect(str(moved), read_only=True) as con:
        plan = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'articles'").fetchone()
    assert str(parts_dir(moved)) in plan[0]
    assert str(parts_dir(db)) not in plan[0]
    assert _count(moved) == len(ARTICLES)


def _query(db: Path, error: Exception) -> None:
    with connect(db):
        raise error


def test_a_query_interrupted_by_a_signal_stops_the_caller_as_the_signal_would(db):
    """DuckDB turns Ctrl-C or SIGTERM during a query into an error; a run must stop, not go on."""
    with pytest.raises(KeyboardInterrupt):
        _query(db, duckdb.InterruptException("INTERRUPT Error: Interrupted!"))
    with pytest.raises(KeyboardInterrupt):  # the same, met while fetching a result
        _query(db, RuntimeError("Query interrupted"))
    with pytest.raises(duckdb.CatalogException):  # other errors stay what they are
        _query(db, duckdb.CatalogException("no such table"))


def test_a_relative_path_publishes_absolute_names_and_deletes_nothing_current(
    db, tmp_path, monkeypatch
):
    """The catalog is read from any folder, and the clean-up keeps every file it names."""
    monkeypatch.chdir(tmp_path)
    relative = Path(db.name)
    _add_article(relative, "relative-1", stored_on="2020-01-02")
    _add_article(relative, "relative-2", stored_on="2020-01-03")
    monkeypatch.chdir(tmp_path.parent)
    assert _count(db) == len(ARTICLES) + 2
