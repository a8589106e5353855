"""Exporting clean_articles to Parquet, CSV or JSON lines in day folders, incrementally per folder."""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.db import WarehouseError, connect
from warehouse.sql import registered, run, transaction

logger = logging.getLogger(__name__)

# Each is also the files' extension; warehouse/queries/export_day_<format>.sql writes a day.
FORMATS = ("parquet", "csv", "jsonl")
DAY_FOLDER = re.compile(r"^day=\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What one export did."""

    out_dir: Path
    format: str
    articles: int  # rows written (whole days are rewritten, so unchanged neighbours count too)
    days: tuple[date, ...]  # day=YYYY-MM-DD folders rewritten (or removed when emptied)
    full: bool  # everything was rewritten


def export_articles(
    db_path: Path,
    out_dir: Path,
    fmt: str = "parquet",
    since: date | None = None,
    full: bool = False,
) -> ExportResult:
    """Write clean_articles into out_dir/day=YYYY-MM-DD/articles.<ext>, one folder per UTC day.

    Incremental: only the day folders holding articles new, changed or deleted since the last
    export to out_dir are rewritten (state in the exported_articles table). A folder always
    holds its whole day, so readers never see duplicates. The first export to a folder, a
    folder whose files were deleted, and `full=True` rewrite every day (and remove old ones).
    The database is read through a read-only connection; the state is written afterwards in
    a short transaction.

    Args:
        db_path: the DuckDB file.
        out_dir: export folder (created); its day=* subfolders belong to the export.
        fmt: "parquet" (hive-partitioned, zstd), "csv" (with header) or "jsonl".
        since: only days from this UTC date on (older folders are left as they are).
        full: redo everything instead of only what changed.

    Returns:
        An ExportResult; articles == 0 and no days when nothing changed.

    Raises:
        WarehouseError: unknown format, out_dir holds another format (without full), the
            database is missing or stays locked, or a file cannot be written.

    """
    if fmt not in FORMATS:
        raise WarehouseError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir).resolve()
    started = datetime.now(UTC)
    export_id = uuid.uuid4().hex[:16]
    staging = out_dir.parent / f".{out_dir.name}.export-{export_id}"
    with connect(db_path):  # the schema this needs: a warehouse not run since an upgrade
        pass
    try:
        with connect(db_path, read_only=True) as con:
            run(con, "export_rows")
            publish_id = run(con, "newest_publish").fetchone()[0]
            full, watermark = _state(con, out_dir, fmt, full)
            days = [
                row[0]
                for row in run(
                    con,
                    "export_days_all" if full else "export_days_changed",
                    since=since,
                    out_dir=str(out_dir),
                    watermark=watermark,
                ).fetchall()
            ]
            exported = _write_days(con, staging, out_dir, fmt, days, full)
        _move_into_place(staging, out_dir, days, full)
    except (OSError, duckdb.IOException) as exc:
        raise WarehouseError(f"cannot write the export to {out_dir}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if days or full:
        _record(db_path, out_dir, fmt, since, full, days, exported, export_id, started, publish_id)
    logger.info(
        "exported %s articles in %s day folders to %s (full=%s)",
        len(exported),
        len(days),
        out_dir,
        full,
    )
    return ExportResult(out_dir, fmt, len(exported), tuple(days), full)


def _day_folders(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    return [path for path in out_dir.iterdir() if path.is_dir() and DAY_FOLDER.match(path.name)]


def _state(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str, full: bool) -> tuple[bool, int]:
    """Whether everything must be written, and the newest publish the last export had read.

    Everything is written when asked for, on the first export to out_dir, or when its files
    are gone.
    """
    if full:
        return True, 0
    last_format, watermark = run(con, "export_state", out_dir=str(out_dir)).fetchone()
    if last_format is None or not _day_folders(out_dir):
        return True, 0
    if last_format != fmt:
        raise WarehouseError(
            f"{out_dir} holds a {last_format} export: pass --full to replace it with {fmt}, or choose another folder"
        )
    return False, watermark


def _write_days(
    con: duckdb.DuckDBPyConnection,
    staging: Path,
    out_dir: Path,
    fmt: str,
    days: list[date],
    full: bool,
) -> pa.Table:
    """Write each day's articles into staging/day=.../; returns their article_id, day, fingerprint.

    A day whose Parquet file of the last export is there keeps its unchanged rows from that
    file and reads only its changed articles from the warehouse; the other days are read whole.
    """
    if not days:  # nothing changed: not even a scan of the view
        return pa.table(
            {
                "article_id": pa.array([], pa.string()),
                "day": pa.array([], pa.date32()),
                "fingerprint": pa.array([], pa.string()),
            }
        )
    kept = {} if full else _reusable_files(con, out_dir, fmt, days)
    run(con, "export_batch", full_days=[d for d in days if d not in kept], changed_days=list(kept))
    if kept:
        run(con, "export_kept", files=[str(path) for path in kept.values()], out_dir=str(out_dir))
    exported = run(con, "export_written").fetch_arrow_table()
    for day in sorted(set(exported.column("day").to_pylist())):
        folder = staging / f"day={day.isoformat()}"
        folder.mkdir(parents=True)
        run(con, f"export_day_{fmt}", day=day, path=str(folder / f"articles.{fmt}"))
    return exported


def _reusable_files(
    con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str, days: list[date]
) -> dict[date, Path]:
    """The days whose file in out_dir can give their unchanged rows: Parquet, with today's columns.

    CSV and JSON lines lose the column types, so their days are read whole from the warehouse;
    so is a day whose file is missing or was written before the columns changed.
    """
    if fmt != "parquet":
        return {}
    columns = run(con, "export_columns").fetchall()
    reusable = {}
    for day in days:
        path = out_dir / f"day={day.isoformat()}" / "articles.parquet"
        if path.is_file() and run(con, "export_file_columns", path=str(path)).fetchall() == columns:
            reusable[day] = path
    return reusable


def _move_into_place(staging: Path, out_dir: Path, days: list[date], full: bool) -> None:
    """Replace the rewritten day folders of out_dir with the staged ones (all of them when full).

    Each folder is swapped by two renames on one filesystem, so a reader sees either the old or
    the new day, at worst missing for an instant, never a half-written file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {f"day={day.isoformat()}" for day in days}
    if full:
        names |= {path.name for path in _day_folders(out_dir)}
    replaced = staging / ".replaced"
    replaced.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        if (out_dir / name).exists():
            (out_dir / name).rename(replaced / name)
        if (staging / name).exists():
            (staging / name).rename(out_dir / name)


def _record(
    db_path: Path,
    out_dir: Path,
    fmt: str,
    since: date | None,
    full: bool,
    days: list[date],
    exported: pa.Table,
    export_id: str,
    started: datetime,
    publish_id: int,
) -> None:
    """Store what out_dir now holds, so the next export writes only what changed after this one."""
    with connect(db_path) as con, transaction(con), registered(con, "batch_exported", exported):
        run(
            con,
            "export_record",
            out_dir=str(out_dir),
            full=full,
            days=days,
            export_id=export_id,
            format=fmt,
            since=since,
            started_at=started,
            finished_at=datetime.now(UTC),
            articles=len(exported),
            partitions=len(days),
            publish_id=publish_id,
        )
