"""A real run over feeds with faults that once lost the whole feed: the good entries land, quietly."""

from __future__ import annotations

import duckdb
import pytest

from config.settings import load_settings
from config.sources import load_sources
from tests.httpserver import LocalServer

ARTICLE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>The harbour authority said on Tuesday that the new ferry terminal will open next year, "
    "after a long dispute over its cost and the noise it brings to the old town.</p>"
    * 6
    + "</article></body></html>"
)


def feed(server: LocalServer, titles: list[str], channel_title: str = "Faults") -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{server.url(f'/story/{n}')}</link>"
        f"<guid isPermaLink='false'>shared</guid></item>"
        for n, title in enumerate(titles)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0'><channel>"
        f"<title>{channel_title}</title>{items}</channel></rss>"
    )


@pytest.mark.timeout(120)
def test_feeds_with_illegal_references_and_no_items_are_read(prefect_server, tmp_path, capfd):
    from flows.runner import run_ingest_flow

    with LocalServer() as server:
        for n in range(3):
            server.route(f"/story/{n}", ARTICLE.format(title=f"Ferry terminal story {n}"))
        titles = ["Ferry terminal", "Lone surrogate &#xD800; here", "Terminal &#x110000; again"]
        server.route("/faults.xml", feed(server, titles), content_type="application/rss+xml")
        quiet = feed(server, [], channel_title="Quiet&nbsp;desk")
        server.route("/quiet.xml", quiet, content_type="application/rss+xml")
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            "".join(
                f'[[sources]]\nname = "{name}"\nurl = "{server.url(f"/{name}.xml")}"\n'
                for name in ("faults", "quiet")
            )
        )
        overrides = {
            "db_path": str(tmp_path / "news.duckdb"),
            "allow_private_hosts": "127.0.0.1",
            "per_host_delay_s": 0,
            "retries": 1,
        }
        summary = run_ingest_flow(load_settings(None, overrides), load_sources(feeds))
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        failing = con.execute(
            "SELECT name FROM sources WHERE last_error_class IS NOT NULL"
        ).fetchall()
        urls = {row[0] for row in con.execute("SELECT canonical_url FROM articles").fetchall()}
    assert summary["feeds_failed"] == 0 and failing == []
    # One guid on three links: three entries, three articles.
    assert urls == {server.url(f"/story/{n}") for n in range(3)}
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
