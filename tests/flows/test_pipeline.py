"""End to end: the demo site on 127.0.0.1, a real Prefect flow run, a real DuckDB file.

Two runs share the module: the first ingests the demo site plus two broken sources, the second
runs again with nothing changed.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from config.settings import load_settings
from config.sources import load_sources
from flows.demo.server import EXPECTED_FILE, DemoSite
from tests.httpserver import LocalServer
from warehouse.publish import writer_path

EXPECTED = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    return SPACE.sub(" ", text or "").strip().casefold()


@pytest.fixture(scope="module")
def ingested(prefect_server, tmp_path_factory):
    """Run the flow twice over the demo site plus a failing and a garbage feed."""
    from flows.runner import run_ingest_flow

    tmp = tmp_path_factory.mktemp("pipeline")
    db_path = tmp / "news.duckdb"
    with DemoSite() as site, LocalServer() as broken:
        broken.route("/down.xml", b"oops", status=500)
        broken.route(
            "/garbage.xml", b"\x00\x01 this is not a feed", content_type="application/rss+xml"
        )
        feeds = tmp / "feeds.toml"
        feeds.write_text(
            site.feeds_toml()
            + f'\n[[sources]]\nname = "down"\nurl = "{broken.url("/down.xml")}"\n'
            + f'\n[[sources]]\nname = "garbage"\nurl = "{broken.url("/garbage.xml")}"\n',
            encoding="utf-8",
        )
        overrides = {
            "db_path": str(db_path),
            "allow_private_hosts": "127.0.0.1",
            "per_host_delay_s": 0,
            "per_host_concurrency": 4,
            "retries": 1,
            "backoff_base_s": 0.05,
            "backoff_max_s": 0.5,
            "batch_size": 10,
        }
        settings, sources = load_settings(None, overrides), load_sources(feeds)
        first = run_ingest_flow(settings, sources)
        second = run_ingest_flow(settings, sources, force=True)
        base = site.base_url
    con = duckdb.connect(str(writer_path(db_path)), read_only=True)
    yield {"first": first, "second": second, "con": con, "base": base}
    con.close()


def article_text(ingested, path: str) -> str:
    row = (
        ingested["con"]
        .execute("SELECT text FROM articles WHERE canonical_url = ?", [ingested["base"] + path])
        .fetchone()
    )
    assert row is not None, f"no article stored for {path}"
    return norm(row[0])


@pytest.mark.parametrize("path", sorted(EXPECTED["articles"]))
def test_every_demo_article_lands_whole_and_clean(ingested, path):
    expected = EXPECTED["articles"][path]
    text = article_text(ingested, path)
    for snippet in expected["contains"]:
        assert norm(snippet) in text, f"missing from {path}: {snippet!r}"
    for snippet in expected["excludes"] + expected.get("excludes_after_learning", []):
        assert norm(snippet) not in text, f"boilerplate left in {path}: {snippet!r}"


def test_metadata_lands_with_the_articles(ingested):
    rows = (
        ingested["con"]
        .execute("SELECT canonical_url, title, authors, published_at FROM articles")
        .fetchall()
    )
    by_path = {
        url.removeprefix(ingested["base"]): (title, authors, published)
        for url, title, authors, published in rows
    }
    for path, expected in EXPECTED["articles"].items():
        title, authors, published = by_path[path]
        assert norm(title) == norm(expected["title"])
        assert set(expected["authors"]) <= set(authors), (path, authors)
        assert published is not None and published.tzinfo is not None
        assert published.date().isoformat() == expected["published"]


def test_failed_pages_are_recorded_with_their_class(ingested):
    for path, failure in EXPECTED["failures"].items():
        state, error_class = (
            ingested["con"]
            .execute(
                "SELECT state, last_error_class FROM discoveries WHERE url = ?",
                [ingested["base"] + path],
            )
            .fetchone()
        )
        assert error_class == failure["error_class"], path
        assert state in {"failed", "pending", "gave_up"}


def test_tracking_variants_are_stored_once_and_linked_to_both_feeds(ingested):
    con = ingested["con"]
    for path in EXPECTED["tracking_variants"]["paths"]:
        rows = con.execute(
            "SELECT article_id FROM articles WHERE canonical_url LIKE ?", [f"%{path}%"]
        ).fetchall()
        assert len(rows) == 1, path
        sources = con.execute(
            "SELECT count(*) FROM article_sources WHERE article_id = ?", [rows[0][0]]
        ).fetchone()[0]
        assert sources >= 2, path


def test_wire_story_forms_one_cluster_and_distinct_stories_do_not(ingested):
    con = ingested["con"]

    def stories(paths):
        urls = [ingested["base"] + p for p in paths]
        return {
            row[0]
            for row in con.execute(
                "SELECT story_id FROM articles WHERE list_contains(?, canonical_url)", [urls]
            ).fetchall()
        }

    for group in EXPECTED["near_duplicates"]:
        assert len(stories(group["paths"])) == 1
        # Paragraphs a story shares with its own republications are not a site template.
        flags = con.execute(
            "SELECT flags FROM articles WHERE list_contains(?, canonical_url)",
            [[ingested["base"] + p for p in group["paths"]]],
        ).fetchall()
        assert all("template_removed" not in f for (f,) in flags)
    for group in EXPECTED["same_topic_distinct"]:
        assert len(stories(group["paths"])) == len(group["paths"])


def test_one_broken_feed_does_not_stop_the_others(ingested):
    con = ingested["con"]
    health = dict(
        con.execute(
            "SELECT source_name, failing FROM source_health WHERE source_name IN ('down', 'garbage')"
        ).fetchall()
    )
    assert health == {"down": True, "garbage": True}
    errors = dict(
        con.execute(
            "SELECT name, last_error_class FROM sources WHERE name IN ('down', 'garbage')"
        ).fetchall()
    )
    assert errors["down"] == "http_error"
    assert errors["garbage"] in {"not_a_feed", "parse_error"}
    assert ingested["first"]["articles_new"] == len(EXPECTED["articles"])
    assert ingested["first"]["feeds_failed"] == 2


def test_second_run_adds_nothing_and_only_asks_conditionally(ingested):
    second, con = ingested["second"], ingested["con"]
    assert second["articles_new"] == 0 and second["pages_fetched"] == 0
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(EXPECTED["articles"])
    kinds = con.execute(
        "SELECT kind, http_status FROM fetch_log WHERE run_id = ? AND source_name NOT IN ('down', 'garbage')",
        [second["run_id"]],
    ).fetchall()
    assert kinds and all(kind == "feed" and status == 304 for kind, status in kinds)


def test_runs_are_recorded_with_their_prefect_flow_run(ingested):
    rows = (
        ingested["con"]
        .execute("SELECT status, flow_run_id, articles_new FROM ingest_runs ORDER BY started_at")
        .fetchall()
    )
    assert [r[0] for r in rows] == ["completed", "completed"]
    assert all(r[1] for r in rows)
    assert rows[0][2] == ingested["first"]["articles_new"]


def test_prefect_task_runs_grow_with_feeds_and_batches_not_articles(ingested):
    first = ingested["first"]
    assert first["task_runs"] == first["tasks_submitted"]
    assert first["task_runs"] < first["articles_new"] + first["feeds_total"]


def test_articles_are_searchable_after_the_run(ingested):
    from warehouse.search import search

    db = (
        ingested["con"]
        .execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
        .fetchone()[0]
    )
    found = search(db, "freight rail strike", limit=3)
    assert found.attrs["mode"] == "bm25"
    wire_copies = {ingested["base"] + p for p in EXPECTED["near_duplicates"][0]["paths"]}
    assert set(found["canonical_url"]) == wire_copies
