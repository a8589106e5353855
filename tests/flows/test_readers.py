"""Readers while writing, during real runs.

newsflow's own readers query the writer's file in a loop: they never fail and never see a
half-loaded batch, because the writer holds that file only per batch. A notebook's connection to
the catalog (`--db`), held for the whole run, never stops the run and never changes under it,
while each new connection sees the batches published so far.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from config.settings import load_settings
from config.sources import load_sources, sources_toml
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


def _settings(db):
    return load_settings(
        None,
        {"db_path": str(db), "allow_private_hosts": "127.0.0.1", "batch_size": 2, "retries": 0},
    )


def test_a_reader_holding_the_catalog_never_stops_a_run(prefect_server, tmp_path):
    from flows.runner import run_ingest_flow

    db, stop = tmp_path / "news.duckdb", tmp_path / "stop"
    with DemoSite() as site:
        first, *others = site.sources()
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(sources_toml([first]), encoding="utf-8")
        before = run_ingest_flow(_settings(db), load_sources(feeds))["articles_new"]
        reader = subprocess.Popen(
            [sys.executable, "-m", "tests.held_reader", str(db), str(stop)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert json.loads(reader.stdout.readline()) == {"ready": True}
            feeds.write_text(sources_toml([first, *others]), encoding="utf-8")
            summary = run_ingest_flow(_settings(db), load_sources(feeds))
        finally:
            stop.touch()
            output, _ = reader.communicate(timeout=120)
    observations = [json.loads(line) for line in output.splitlines()]
    assert not [o for o in observations if "error" in o]
    total = before + summary["articles_new"]
    assert 0 < before < total
    assert {o["held"] for o in observations} == {before}  # the held connection never changed
    fresh = [o["fresh"] for o in observations]
    assert fresh == sorted(fresh)  # batches appear whole and stay
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM clean_articles").fetchone()[0] == total
        runs = con.execute("SELECT status FROM run_history").fetchall()
    assert runs == [("completed",), ("completed",)]
