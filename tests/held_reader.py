"""A notebook-like reader for the live-warehouse test: one read-only connection held throughout.

Opens the catalog (`--db`) with plain duckdb, as a notebook or BI tool does, and keeps that
connection; every 50 ms prints one JSON line with the count it sees and the count a new
connection sees, or the error. Stops when the stop file appears.
"""

import json
import sys
import time
from pathlib import Path

import duckdb

QUERY = "SELECT count(*) FROM clean_articles"


def report(record: dict[str, object]) -> None:
    """One JSON line on stdout, flushed: the test reads them as they come."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def main(db_path: str, stop_file: str) -> None:
    held = duckdb.connect(db_path, read_only=True)
    report({"ready": True})
    while not Path(stop_file).exists():
        try:
            (seen,) = held.execute(QUERY).fetchone()
            with duckdb.connect(db_path, read_only=True) as fresh:
                (latest,) = fresh.execute(QUERY).fetchone()
            report({"held": seen, "fresh": latest})
        except Exception as exc:  # noqa: BLE001 - the test wants to see any failure
            report({"error": f"{type(exc).__name__}: {exc}"})
        time.sleep(0.05)
    held.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
