"""Scale-out: a run on a real local Dask cluster lands the rows the default runner does.

The cluster has two worker processes; loading is still done by the flow's single writer.
"""

from __future__ import annotations

import duckdb
import pytest

from config.settings import load_settings
from config.sources import load_sources
from flows.demo.server import DemoSite

pytest.importorskip("prefect_dask", reason="the optional 'dask' extra is not installed")

ROWS = "SELECT canonical_url, content_hash, title, story_id IS NOT NULL FROM articles ORDER BY canonical_url"


def test_a_dask_run_lands_the_same_rows_as_the_default_runner(prefect_server, tmp_path):
    from flows.runner import run_ingest_flow

    base = {
        "allow_private_hosts": "127.0.0.1",
        "per_host_delay_s": 0,
        "retries": 0,
        "batch_size": 8,
        "extraction_workers": 1,
    }
    with DemoSite() as site:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(site.feeds_toml(), encoding="utf-8")
        sources = load_sources(feeds)
        local = run_ingest_flow(
            load_settings(None, {**base, "db_path": str(tmp_path / "local.duckdb")}), sources
        )
        dask = run_ingest_flow(
            load_settings(
                None, {**base, "db_path": str(tmp_path / "dask.duckdb"), "dask_workers": 2}
            ),
            sources,
        )
    rows = {}
    for name in ("local", "dask"):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True) as con:
            rows[name] = con.execute(ROWS).fetchall()
            fetch_log = con.execute(
                "SELECT count(*) FROM fetch_log WHERE kind = 'page'"
            ).fetchone()[0]
        assert fetch_log >= local["pages_fetched"], name  # requests made on workers are logged too
    assert dask["articles_new"] == local["articles_new"] > 0
    assert rows["dask"] == rows["local"]
