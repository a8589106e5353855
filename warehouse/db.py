"""Opening the warehouse: short-lived connections, lock waits, migrations, publishing, the run lock.

DuckDB lets one process hold a database file for writing and then no other process can open it,
not even read-only. So the `--db` file readers open is a published catalog (warehouse.publish),
and newsflow's own connections open the writer's file beside it: the writer for one stage or
batch, publishing what it changed as it closes; newsflow's own readers (`newsflow sql`, search,
export, report) for one query, retrying for a bounded time while a batch is being written.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Self

import duckdb

from warehouse import publish as publishing
from warehouse.migrate import apply_migrations
from warehouse.publish import is_held, queue_everything, writer_path

logger = logging.getLogger(__name__)

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
# How long opening the file waits for another holder, such as a batch being written.
LOCK_WAIT_S = 30.0


class WarehouseError(Exception):
    """A database problem worded for a person: locked file, unreachable path, bad SQL."""


def _is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and any(m in str(exc) for m in LOCK_MARKERS)


def _holder(exc: Exception) -> str:
    """The process DuckDB names in a lock error: "<program> (PID n)", without its advice."""
    text = str(exc).split("Conflicting lock is held in", 1)[-1]
    return re.split(r"\. (?:See|However)", text, maxsplit=1)[0].strip()


def _open(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open database {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"database {path} is locked by another process ({_holder(exc)}) after "
                    f"waiting {wait_s:g} s; close it (a duckdb shell, a notebook) or try again"
                ) from None
            # Holds are short (one batch), so poll often rather than back off far; the jitter
            # keeps waiting readers from retrying in step (a timing spread, not a secret).
            time.sleep(delay * (0.5 + random.random()))  # noqa: S311
            delay = min(delay * 2, 0.1)


@contextlib.contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    wait_s: float = LOCK_WAIT_S,
    threads: int | None = None,
    checkpoint: bool = True,
    publish: bool = True,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the writer's file of the warehouse at `path`, held for the `with` block.

    Waits up to wait_s for another holder. A writable connection creates the file (and its
    folder), applies pending migrations and, when the block ends without an error, publishes
    what it changed to the catalog at `path`, which readers open (warehouse.publish).
    `threads` caps DuckDB's worker threads (None: one per core, DuckDB's default).
    `checkpoint=False`: closing a writable connection leaves what it wrote in the WAL instead
    of checkpointing it into the file (see Ingestion.db in flows/ingest.py). `publish=False`
    leaves what it changed queued for a later connection's publish.

    Raises:
        WarehouseError: the file is locked past wait_s, missing (read-only), or unusable.

    """
    path = Path(path)
    file, adopted = _warehouse_file(path, read_only)
    con = _open(file, read_only, wait_s)
    try:
        _configure(con, read_only=read_only, threads=threads, checkpoint=checkpoint)
        # A migration may change a published table's columns, and the partitions of one table
        # must agree on them; an adopted file's partitions, if any, are elsewhere.
        if not read_only and (_migrate_once(con, file) or adopted):
            queue_everything(con)
        yield con
        if publish and not read_only and publishing.has_queued(con):
            # From a connection of its own: the one closed here still holds the blocks its work
            # read (a batch's look-ups of the stored keys and hashes, which grow with the
            # warehouse), and the publish's own reads would come on top of them.
            con.close()
            con = _open(file, read_only, wait_s)
            _configure(con, read_only=read_only, threads=threads, checkpoint=checkpoint)
            _publish(con, path)
    except (duckdb.InterruptException, RuntimeError) as exc:
        # Ctrl-C or SIGTERM (raised as KeyboardInterrupt) during a query, which DuckDB turns into
        # an error (an InterruptException, or a RuntimeError while fetching a result): it must
        # still stop the run, not fail one batch and go on.
        if _interrupted(exc):
            raise KeyboardInterrupt from None
        raise
    finally:
        con.close()


def _configure(
    con: duckdb.DuckDBPyConnection, *, read_only: bool, threads: int | None, checkpoint: bool
) -> None:
    con.execute("SET TimeZone = 'UTC'")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    if not read_only and not checkpoint:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")


def _interrupted(exc: Exception) -> bool:
    return isinstance(exc, duckdb.InterruptException) or str(exc) == "Query interrupted"


def _warehouse_file(path: Path, read_only: bool) -> tuple[Path, bool]:
    """The file to open for the warehouse at path, and whether it was just adopted.

    A whole warehouse found at path (one from before publishing, or a copy of a writer's file)
    is read where it is, and moved in as the writer's file by the first writable connection.
    """
    writer = writer_path(path)
    if writer.exists():
        return writer, False
    if path.exists() and _is_unpublished_warehouse(path):
        if read_only:
            return path, False
        _adopt(path, writer)
        return writer, True
    if read_only:
        raise WarehouseError(
            f"database {path} does not exist yet: run `newsflow run` or `newsflow demo` first"
        )
    _make_folder(writer)
    return writer, False


def _is_unpublished_warehouse(path: Path) -> bool:
    """Whether path is a whole warehouse (from before publishing), not a published catalog."""
    if path.stat().st_nlink > 1:  # a catalog is also named under catalogs/
        return False
    with contextlib.closing(_open(path, read_only=True, wait_s=LOCK_WAIT_S)) as con:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
            ).fetchone()[0]
        )


def _adopt(path: Path, writer: Path) -> None:
    """Make a warehouse from before publishing the writer's file; its first publish follows.

    Moved when no one holds it; copied when a reader does (once), so that reader keeps its file.
    """
    _make_folder(writer)
    logger.info("moving warehouse %s to %s; readers now open the published catalog", path, writer)
    for source, target in (
        (path.with_name(path.name + ".wal"), writer.with_name(writer.name + ".wal")),
        (path, writer),
    ):
        if not source.exists():
            continue
        if is_held(path):
            copying = target.with_name(target.name + ".copying")
            shutil.copyfile(source, copying)
            copying.replace(target)
        else:
            source.replace(target)


def _publish(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Publish what the connection changed; a failure is left to the next publish, not raised.

    The changes are committed and still queued, so readers only see them a publish later.
    """
    try:
        publishing.publish(con, path)
    except (OSError, duckdb.Error) as exc:
        if _interrupted(exc):
            raise
        logger.warning(
            "could not publish %s to its readers (the next write retries): %s", path, exc
        )


def _make_folder(path: Path) -> None:
    """Create the database's folder; raises WarehouseError when it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(
            f"cannot create the folder for database {path}: {exc.strerror}"
        ) from None


# Database files (by path and inode) already migrated by this process: the check costs ~45 ms
# per connection and the writer connects once per batch. The inode notices a recreated file.
_migrated: set[tuple[str, int]] = set()
_migrated_lock = threading.Lock()


def _migrate_once(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Apply pending migrations once per file and process; True when any was applied."""
    key = (str(path.resolve()), path.stat().st_ino)
    with _migrated_lock:
        if key in _migrated:
            return False
        applied = apply_migrations(con)
        _migrated.add(key)
    return bool(applied)


class RunLock:
    """An exclusive lock file beside the database: one ingestion run at a time.

    Runs hold the database itself only per batch, so without this two runs could interleave
    and fetch the same pending pages twice. A run takes it once (flows.ingest.claim_run);
    `held` tells a flow whether its own process took it already.
    """

    _held: ClassVar[dict[Path, Any]] = {}
    _guard = threading.Lock()

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(Path(db_path).resolve()) + ".run.lock")
        self.db_path = Path(db_path)

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        with self._guard:
            return self.path in self._held

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lock, waiting up to wait_s; raises WarehouseError naming the holder."""
        _make_folder(self.db_path)
        try:
            handle = self.path.open("a+")
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the run lock {self.path}: {exc.strerror}"
            ) from None
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    handle.close()
                    raise WarehouseError(
                        f"another newsflow run is writing {self.db_path} (pid {holder}); "
                        "wait for it to finish or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        with self._guard:
            self._held[self.path] = handle

    def release(self) -> None:
        """Give the lock up."""
        with self._guard:
            handle = self._held.pop(self.path, None)
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
