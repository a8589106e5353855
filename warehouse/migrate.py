"""Versioned schema migrations: numbered .sql files, each applied once inside one transaction."""

from __future__ import annotations

import hashlib
import logging
import re
from importlib import resources

import duckdb

from warehouse.sql import run, transaction

logger = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Views are recreated whenever views.sql changes, so a changed view needs no migration.
VIEWS_FILE = "views.sql"


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("warehouse") / "migrations"
    found = []
    for item in folder.iterdir():
        match = MIGRATION_NAME.match(item.name)
        if match:
            found.append((int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each atomically with its schema_migrations row; then the views.

    A crash mid-migration rolls that migration back whole: the database is never half-migrated.
    Returns the names of the migrations applied (empty when up to date).
    """
    current = run(con, "migrations_applied").fetchone()[0]
    applied = []
    for version, name, sql in _migrations():
        if version <= current:
            continue
        with transaction(con):
            con.execute(sql)
            run(con, "record_migration", version=version, name=name)
        logger.info("applied migration %s", name)
        applied.append(name)
    if applied:
        # Into the file at once: a writer that skips checkpoints would leave them to a WAL
        # replay, which DuckDB 1.4 cannot do for every ALTER (one with a default, for one).
        con.execute("CHECKPOINT")
    _refresh_views(con)
    return applied


def _refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """Recreate the views when views.sql differs from the version the database holds."""
    sql = (resources.files("warehouse") / VIEWS_FILE).read_text(encoding="utf-8")
    digest = hashlib.sha256(sql.encode()).hexdigest()
    stored = run(con, "views_digest").fetchone()
    if stored and stored[0] == digest:
        return
    with transaction(con):
        con.execute(sql)
        run(con, "record_views_digest", digest=digest)
