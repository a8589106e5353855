"""Opening the DuckDB file: short-lived connections, lock waits, migrations, the run lock.

DuckDB lets one process hold a database file for writing and then no other process can open it,
not even read-only. newsflow therefore never keeps the file open for a whole run: the writer
opens it for one stage or batch and closes it, and readers (dashboards, `newsflow sql`) retry
for a bounded time while a batch is being written.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import random
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Self

import duckdb

from warehouse.migrate import apply_migrations

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
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held only for the `with` block; waits up to wait_s for another holder.

    A writable connection creates the file (and its folder) and applies pending migrations.
    `threads` caps DuckDB's worker threads (None: one per core, DuckDB's default).
    `checkpoint=False`: closing a writable connection leaves what it wrote in the WAL instead
    of checkpointing it into the file (see Ingestion.db in flows/ingest.py).

    Raises:
        WarehouseError: the file is locked past wait_s, missing (read-only), or unusable.

    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(
            f"database {path} does not exist yet: run `newsflow run` or `newsflow demo` first"
        )
    if not read_only:
        _make_folder(path)
    con = _open(path, read_only, wait_s)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        if not read_only:
            if not checkpoint:
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
            _migrate_once(con, path)
        yield con
    finally:
        con.close()


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


def _migrate_once(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    key = (str(path.resolve()), path.stat().st_ino)
    with _migrated_lock:
        if key in _migrated:
            return
        apply_migrations(con)
        _migrated.add(key)


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
