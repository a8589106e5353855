"""Read-only access for people and dashboards: ad-hoc SQL and the numbers behind `stats`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import WarehouseError, connect
from warehouse.sql import run


def run_query(db_path: Path, query: str) -> pd.DataFrame:
    """Run one read-only query; bad SQL becomes a WarehouseError with DuckDB's message.

    Waits (bounded) while an ingestion run is writing a batch.
    """
    with connect(db_path, read_only=True) as con:
        try:
            return con.execute(query).df()
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            raise WarehouseError(f"SQL error: {message}") from None


def warehouse_stats(db_path: Path) -> dict[str, pd.DataFrame]:
    """Headline numbers, per-source health and recent runs."""
    with connect(db_path, read_only=True) as con:
        return {name: run(con, f"stats_{name}").df() for name in ("overview", "sources", "runs")}


def source_health(db_path: Path) -> pd.DataFrame | None:
    """Per-source health, or None when the database does not exist yet."""
    if not Path(db_path).exists():
        return None
    with connect(db_path, read_only=True) as con:
        return run(con, "stats_sources").df()
