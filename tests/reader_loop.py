"""A dashboard-like reader for the readers-while-writing test: query the warehouse in a loop.

Prints one JSON line per query: the article count and the invariants a half-loaded batch would
break, or the error. Stops when the stop file appears.
"""

import json
import sys
import time
from pathlib import Path

from warehouse.db import connect

QUERY = """
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM articles ANTI JOIN article_sources USING (article_id)) AS unlinked,
    (SELECT count(*) FROM discoveries WHERE state = 'done' AND article_id IS NULL) AS done_without_article
"""


def report(record: dict[str, object]) -> None:
    """One JSON line on stdout, flushed: the test reads them as they come."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def main(db_path: str, stop_file: str) -> None:
    while not Path(stop_file).exists():
        try:
            if Path(db_path).exists():
                with connect(Path(db_path), read_only=True, wait_s=60) as con:
                    articles, unlinked, orphans = con.execute(QUERY).fetchone()
                report({"articles": articles, "unlinked": unlinked, "orphans": orphans})
        except Exception as exc:  # noqa: BLE001 - the test wants to see any failure
            report({"error": f"{type(exc).__name__}: {exc}"})
        time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
