"""Publishing the warehouse to its readers: a catalog of views over Parquet partitions.

DuckDB lets one process write a file, and then no other process can open it; a reader that keeps
its connection (a notebook, a dashboard, a BI tool, `duckdb -readonly`) stopped every run. So the
writer works in its own file, and after each committed stage or batch publishes what changed:

    data/news.duckdb                          the catalog readers open (`--db`)
    data/news.duckdb.parts/writer.duckdb      the writer's warehouse: every table, raw pages,
                                              the search index; only newsflow opens it
    data/news.duckdb.parts/tables/<table>/<part>.<publish id>.parquet
    data/news.duckdb.parts/catalogs/<publish id>.duckdb (+ .files: the Parquet files it names)

A publish writes the partitions changed since the last one (a day of articles with their
listings, by the day each article was first stored; a day of the fetch log; the small sources
and ingest_runs tables whole), then a new catalog, a DuckDB file of views over every current
partition plus the documented views (views.sql), and moves it over `--db` in one rename. A reader
holding the old catalog keeps reading the files it names; a new connection sees the new batch,
never half of one. The cost follows the work: today's partitions and the days of the articles a
run updated, whatever the warehouse's size. Superseded files are deleted once no reader holds a
catalog naming them (DuckDB holds a shared lock on an open file, which the writer can test).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.sql import registered, run, statements, transaction

logger = logging.getLogger(__name__)

WRITER_FILE = "writer.duckdb"
# What a queued partition of a writer table publishes: articles bring their listings along.
OUTPUTS = {
    "articles": ("articles", "article_sources"),
    "fetch_log": ("fetch_log",),
    "sources": ("sources",),
    "ingest_runs": ("ingest_runs",),
}
PUBLISHED_TABLES = ("articles", "article_sources", "fetch_log", "sources", "ingest_runs")
WHOLE = "all"  # the part of a table published whole
# A day that matches no row: the zero-row file that gives an empty table its columns.
NO_DAY = "0001-01-01"
# zstd's fastest level: a day of articles (~2,000 texts) is written in 0.30-0.34 s, against
# 0.43-0.54 s at DuckDB's default level (a publish rewrites today's partition every batch).
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"
# The current catalog and the one before it are never deleted (see _collect_garbage).
KEPT_CATALOGS = 2


def parts_dir(db_path: Path) -> Path:
    """The folder beside the catalog holding the writer's file and the published files.

    Absolute: the catalog's views name the files, and readers open it from any folder; the
    clean-up compares those names with the files it finds.
    """
    db_path = Path(db_path).resolve()
    return db_path.with_name(db_path.name + ".parts")


def writer_path(db_path: Path) -> Path:
    """The writer's own DuckDB file for the catalog at db_path."""
    return parts_dir(db_path) / WRITER_FILE


@dataclass(frozen=True)
class PublishedPart:
    """One partition written by a publish; path None when the partition is now empty."""

    table_name: str
    part: str
    path: str | None
    row_count: int
    bytes: int
    publish_id: int


@dataclass(frozen=True)
class Publication:
    """What one publish wrote."""

    publish_id: int
    catalog: Path
    parts: tuple[PublishedPart, ...]
    files_deleted: int

    @property
    def rows(self) -> int:
        """Rows written, every table."""
        return sum(part.row_count for part in self.parts)


def publish(con: duckdb.DuckDBPyConnection, db_path: Path) -> Publication | None:
    """Publish the partitions queued since the last publish; None when nothing is queued.

    Args:
        con: the writer's connection (warehouse.db.connect calls this before closing it).
        db_path: the catalog's path (`--db`).

    """
    queued = run(con, "publish_queued").fetchall()
    if not queued:
        return None
    root = parts_dir(db_path)
    publish_id = _next_id(con, root)
    current = {(table, part): path for table, part, path in run(con, "published_parts").fetchall()}
    written = [
        _write_part(con, root, table, part, publish_id)
        for queued_table, part in queued
        for table in OUTPUTS[queued_table]
    ]
    for part in written:
        current.pop((part.table_name, part.part), None)
        if part.path is not None:
            current[(part.table_name, part.part)] = part.path
    for table in PUBLISHED_TABLES:
        if not any(name == table for name, _ in current):
            empty = _write_part(con, root, table, NO_DAY, publish_id, keep_empty=True)
            current[(table, NO_DAY)] = empty.path
    catalog = _write_catalog(root, publish_id, current)
    _swap(catalog, db_path)
    with transaction(con), _staged(con, written):
        run(con, "publish_record")
    deleted = _collect_garbage(root, set(current.values()))
    publication = Publication(publish_id, catalog, tuple(written), deleted)
    logger.debug(
        "published %d partitions (%d rows) as catalog %d",
        len(written),
        publication.rows,
        publish_id,
    )
    return publication


def has_queued(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a partition waits to be published."""
    return run(con, "publish_queued").fetchone() is not None


def queue_everything(con: duckdb.DuckDBPyConnection) -> None:
    """Queue every partition, so the next publish rewrites the whole catalog and its files."""
    run(con, "publish_queue_all")


def _next_id(con: duckdb.DuckDBPyConnection, root: Path) -> int:
    """One more than any publish's so far, crashed ones included, so no file is ever rewritten."""
    ids = [int(path.stem) for path in (root / "catalogs").glob("*.duckdb") if path.stem.isdigit()]
    ids.append(run(con, "newest_publish").fetchone()[0])
    return max(ids) + 1


def _write_part(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: str,
    part: str,
    publish_id: int,
    *,
    keep_empty: bool = False,
) -> PublishedPart:
    folder = root / "tables" / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{part}.{publish_id:06d}.parquet"
    (query,) = statements(f"publish_{table}")
    params = {"part": part} if "$part" in query else {}
    target = _sql_string(str(path))
    rows = con.execute(
        f"COPY ({query}) TO {target} ({PARQUET_OPTIONS})",
        params,
    ).fetchone()
    if rows[0] == 0 and part != WHOLE and not keep_empty:
        path.unlink()  # the partition's rows are gone (pruned): it is dropped from the catalog
        return PublishedPart(table, part, None, 0, 0, publish_id)
    return PublishedPart(table, part, str(path), rows[0], path.stat().st_size, publish_id)


def _staged(con: duckdb.DuckDBPyConnection, written: list[PublishedPart]) -> Iterator[None]:
    names = [field.name for field in fields(PublishedPart)]
    table = pa.Table.from_pylist(
        [{name: getattr(part, name) for name in names} for part in written],
        schema=pa.schema(
            [
                ("table_name", pa.string()),
                ("part", pa.string()),
                ("path", pa.string()),
                ("row_count", pa.int64()),
                ("bytes", pa.int64()),
                ("publish_id", pa.int64()),
            ]
        ),
    )
    return registered(con, "batch_published", table)


def _write_catalog(root: Path, publish_id: int, current: dict[tuple[str, str], str]) -> Path:
    """A new catalog file: a view per published table over its partitions, then views.sql."""
    folder = root / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    catalog = folder / f"{publish_id:06d}.duckdb"
    building = catalog.with_suffix(".building")
    building.unlink(missing_ok=True)
    files_by_table: dict[str, list[str]] = {table: [] for table in PUBLISHED_TABLES}
    for (table, _part), path in sorted(current.items()):
        files_by_table[table].append(path)
    # One transaction: committed statement by statement, the views took ~5x as long.
    with contextlib.closing(duckdb.connect(str(building))) as cat, transaction(cat):
        for table, files in files_by_table.items():
            cat.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_sql_list(files)})"  # noqa: S608 (our own paths)
            )
        cat.execute(
            "CREATE VIEW published AS SELECT "
            f"{publish_id} AS publish_id, TIMESTAMPTZ '{datetime.now(UTC).isoformat()}' AS published_at"
        )
        cat.execute((resources.files("warehouse") / "views.sql").read_text(encoding="utf-8"))
    catalog.with_suffix(".files").write_text(
        "".join(f"{path}\n" for path in sorted(current.values())), encoding="utf-8"
    )
    building.rename(catalog)
    return catalog


def _sql_list(paths: Iterable[str]) -> str:
    return "[" + ", ".join(map(_sql_string, paths)) + "]"


def _sql_string(text: str) -> str:
    """A SQL string literal (for file paths, which COPY and a view's body cannot bind)."""
    return "'" + text.replace("'", "''") + "'"


def _swap(catalog: Path, db_path: Path) -> None:
    """Make db_path the new catalog in one rename; a reader holding the old one keeps it.

    db_path is a second name of the catalog file (a hard link), so the writer can later test
    whether a reader still holds an old catalog by its name under catalogs/.
    """
    incoming = db_path.with_name(db_path.name + ".incoming")
    incoming.unlink(missing_ok=True)
    os.link(catalog, incoming)
    incoming.replace(db_path)


def is_held(path: Path) -> bool:
    """Whether a process holds the DuckDB file open (DuckDB keeps a lock on every open file)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        return False
    finally:
        os.close(fd)  # closing releases the test lock


def _collect_garbage(root: Path, published: set[str]) -> int:
    """Delete catalogs no reader holds and the files only they named; returns files deleted.

    The newest two catalogs stay whatever their locks say: a reader that opened `--db` just
    before the swap may not hold its lock yet.
    """
    folder = root / "catalogs"
    for leftover in folder.glob("*.building"):  # a publish that crashed while writing it
        leftover.unlink(missing_ok=True)
    catalogs = sorted(
        (path for path in folder.glob("*.duckdb") if path.stem.isdigit()),
        key=lambda path: int(path.stem),
    )
    keep = set(published)
    deleted = 0
    for catalog in catalogs[:-KEPT_CATALOGS]:
        names = catalog.with_suffix(".files")
        if is_held(catalog):
            keep.update(_read_lines(names))
            continue
        catalog.unlink()
        names.unlink(missing_ok=True)
        deleted += 1
    for catalog in catalogs[-KEPT_CATALOGS:]:
        keep.update(_read_lines(catalog.with_suffix(".files")))
    for path in (root / "tables").glob("*/*.parquet"):
        if str(path) not in keep:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
