"""Readers while writing: a process querying the warehouse in a loop during a real run.

It never fails and never sees a half-loaded batch, because the writer holds the file only per
batch.
"""

from __future__ import annotations

import json
import subprocess
import sys

from config.settings import load_settings
from config.sources import load_sources
from flows.demo.server import DemoSite, load_expected
from tests.paths import REPO


def test_a_reader_queries_throughout_a_run(prefect_server, tmp_path):
    from flows.runner import run_ingest_flow

    db, stop = tmp_path / "news.duckdb", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.reader_loop", str(db), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with DemoSite() as site:
            feeds = tmp_path / "feeds.toml"
            feeds.write_text(site.feeds_toml(), encoding="utf-8")
            summary = run_ingest_flow(
                load_settings(
                    None,
                    {
                        "db_path": str(db),
                        "allow_private_hosts": "127.0.0.1",
                        # Small, paced batches: the page phase lasts seconds, with a writer
                        # release after each batch for the reader to land in, however fast the
                        # machine extracts.
                        "per_host_delay_s": 0.1,
                        "batch_size": 2,
                        "retries": 0,
                    },
                ),
                load_sources(feeds),
            )
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=120)
    observations = [json.loads(line) for line in output.splitlines()]
    errors = [o["error"] for o in observations if "error" in o]
    counts = [o["articles"] for o in observations if "error" not in o]
    assert summary["articles_new"] == len(load_expected()["articles"])
    assert not errors
    total = len(load_expected()["articles"])
    assert any(0 < count < total for count in counts), counts  # it read while batches were landing
    assert counts == sorted(counts)  # batches appear whole, never rolled back
    assert all(o["unlinked"] == 0 and o["orphans"] == 0 for o in observations)
