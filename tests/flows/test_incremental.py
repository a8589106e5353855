"""Incremental behaviour across runs, against a scripted server on 127.0.0.1.

Conditional requests, updated articles becoming versions, moved and removed feeds.
"""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import duckdb
import pytest

from config.settings import load_settings
from config.sources import Source, load_sources
from flows.reextract import reextract
from tasks import stages
from tasks.fetcher.client import Fetcher, RequestLog
from tasks.records import FeedState
from tasks.runtime.workers import InlinePool
from tests.conftest import loopback_settings
from tests.httpserver import LocalServer
from warehouse.db import connect
from warehouse.publish import writer_path

PARAGRAPH = (
    "The council met on Tuesday evening to discuss the future of the harbour wall, which has "
    "been damaged by three winter storms in a row and now needs urgent repairs before spring."
)


def page(title: str, body: str) -> str:
    paragraphs = "".join(
        f"<p>{body} Paragraph {i} adds detail about the works.</p>" for i in range(6)
    )
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    )


def feed(server: LocalServer, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link><guid>{path}</guid>"
        f"<pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate><atom:updated>{updated}</atom:updated></item>"
        for path, title, updated in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>Harbour</title><link>{server.base_url}</link>{entries}</channel></rss>"
    )


def publish_two(server: LocalServer, a_updated: str) -> None:
    """Serve the feed listing /a (updated at a_updated) and /b."""
    server.route(
        "/feed.xml",
        feed(
            server,
            [
                ("/a", "Harbour wall", a_updated),
                ("/b", "Ferry timetable", "2024-03-04T10:00:00Z"),
            ],
        ),
        content_type="application/rss+xml",
    )


@pytest.fixture
def harbour(prefect_server, tmp_path):
    from flows.runner import run_ingest_flow

    with LocalServer() as server:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(
            f'[[sources]]\nname = "harbour"\nurl = "{server.url("/feed.xml")}"\n', encoding="utf-8"
        )
        overrides = {
            "db_path": str(tmp_path / "news.duckdb"),
            "allow_private_hosts": "127.0.0.1",
            "per_host_delay_s": 0,
            "retries": 0,
        }

        def ingest():
            return run_ingest_flow(load_settings(None, overrides), load_sources(feeds), force=True)

        yield server, ingest, tmp_path / "news.duckdb"


def query(db, sql, params=()):
    with duckdb.connect(str(writer_path(db)), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_unchanged_feed_is_asked_conditionally_and_costs_nothing(harbour):
    server, ingest, db = harbour
    server.route(
        "/feed.xml",
        feed(server, [("/a", "Harbour wall", "2024-03-04T10:00:00Z")]),
        content_type="application/rss+xml",
        etag='"v1"',
    )
    server.route("/a", page("Harbour wall", PARAGRAPH))
    first = ingest()
    second = ingest()
    assert first["articles_new"] == 1
    assert second["articles_new"] == 0 and second["pages_fetched"] == 0
    feed_requests = server.requests_for("/feed.xml")
    assert feed_requests[-1].header("if-none-match") == '"v1"'
    assert len(server.requests_for("/a")) == 1
    assert query(
        db, "SELECT http_status FROM fetch_log WHERE kind = 'feed' ORDER BY requested_at"
    ) == [(200,), (304,)]


def test_a_run_deletes_what_retention_no_longer_keeps_and_keeps_the_articles(harbour):
    server, ingest, db = harbour
    server.route(
        "/feed.xml",
        feed(server, [("/a", "Harbour wall", "2024-03-04T10:00:00Z")]),
        content_type="application/rss+xml",
    )
    server.route("/a", page("Harbour wall", PARAGRAPH))
    ingest()
    with connect(db) as con:  # the run's page and requests as if fetched 200 days ago
        con.execute("UPDATE raw_pages SET fetched_at = fetched_at - INTERVAL 200 DAY")
        con.execute("UPDATE fetch_log SET requested_at = requested_at - INTERVAL 200 DAY")
    ingest()
    assert query(db, "SELECT count(*) FROM raw_pages") == [(0,)]
    assert query(
        db, "SELECT count(*) FROM fetch_log WHERE requested_at < now() - INTERVAL 90 DAY"
    ) == [(0,)]
    assert query(db, "SELECT title FROM articles") == [("Harbour wall",)]


def test_an_updated_entry_is_refetched_and_a_changed_text_becomes_a_version(harbour):
    server, ingest, db = harbour
    publish_two(server, a_updated="2024-03-04T10:00:00Z")
    server.route("/a", page("Harbour wall", PARAGRAPH))
    server.route(
        "/b",
        page("Ferry timetable", "The winter ferry timetable starts on Monday with fewer sailings."),
    )
    ingest()
    publish_two(server, a_updated="2024-03-05T09:00:00Z")
    server.route(
        "/a",
        page("Harbour wall", PARAGRAPH.replace("urgent repairs", "urgent repairs costing £2m")),
    )
    summary = ingest()
    assert summary["articles_updated"] == 1 and summary["articles_new"] == 0
    assert len(server.requests_for("/a")) == 2 and len(server.requests_for("/b")) == 1
    ((version, text),) = query(db, "SELECT version, text FROM articles WHERE url LIKE '%/a'")
    assert version == 2 and "costing £2m" in text
    ((old,),) = query(db, "SELECT text FROM article_versions WHERE version = 1")
    assert "costing £2m" not in old
    assert query(db, "SELECT version FROM articles WHERE url LIKE '%/b'") == [(1,)]


def test_a_permanent_redirect_moves_the_feed_and_gone_disables_it(harbour):
    server, ingest, db = harbour
    server.route("/feed.xml", b"", status=301, headers={"Location": server.url("/new-feed.xml")})
    server.route(
        "/new-feed.xml",
        feed(server, [("/a", "Harbour wall", "2024-03-04T10:00:00Z")]),
        content_type="application/rss+xml",
    )
    server.route("/a", page("Harbour wall", PARAGRAPH))
    ingest()
    assert query(db, "SELECT url FROM sources") == [(server.url("/new-feed.xml"),)]
    server.route("/new-feed.xml", b"gone", status=410)
    ingest()
    ((enabled, reason, failures),) = query(
        db, "SELECT enabled, disabled_reason, consecutive_failures FROM sources"
    )
    assert enabled is False and "410" in reason and failures == 1
    requests_before = len(server.requests_for("/new-feed.xml"))
    ingest()
    assert len(server.requests_for("/new-feed.xml")) == requests_before  # disabled: not fetched


def test_an_unchanged_feed_is_not_parsed_and_never_waits_for_the_worker_pool(tmp_path):
    """Starting the extraction workers takes a second or more; a 304 must not need them."""
    pools_asked_for = []

    def worker_pool() -> InlinePool:
        pools_asked_for.append(True)
        return InlinePool()

    settings = loopback_settings(tmp_path)
    now = datetime.now(UTC)
    with LocalServer() as server, Fetcher(settings) as fetcher:
        server.route(
            "/feed.xml",
            feed(server, [("/a", "Harbour wall", "2024-03-04T10:00:00Z")]),
            content_type="application/rss+xml",
            etag='"v1"',
        )
        source = Source(name="harbour", url=server.url("/feed.xml"))
        first = stages.fetch_feed(
            source, None, fetcher, worker_pool, settings, now, log=RequestLog()
        )
        state = FeedState(source.name, source.url, etag=first.fetch.etag, body_hash=first.body_hash)
        second = stages.fetch_feed(
            source, state, fetcher, worker_pool, settings, now, log=RequestLog()
        )
    assert [entry.url for entry in first.parsed.entries] == [server.url("/a")]
    assert second.unchanged and second.fetch.http_status == 304 and second.parsed is None
    assert pools_asked_for == [True]


def test_raw_pages_keep_a_gzip_stream_as_sent_and_reextract_reads_both_codecs(harbour):
    server, ingest, db = harbour
    publish_two(server, a_updated="2024-03-04T10:00:00Z")
    gzipped_page = page("Harbour wall", PARAGRAPH).encode()
    stream = gzip.compress(gzipped_page)
    server.route("/a", stream, headers={"Content-Encoding": "gzip"})
    plain_page = page("Ferry timetable", "The winter ferry timetable starts on Monday.").encode()
    server.route("/b", plain_page)
    assert ingest()["articles_new"] == 2

    rows = {
        url.removeprefix(server.base_url): (codec, html)
        for url, codec, html in query(db, "SELECT url, html_codec, html_compressed FROM raw_pages")
    }
    assert rows["/a"] == ("gzip", stream)  # stored as the server sent it, not compressed again
    assert rows["/b"][0] == "zlib" and zlib.decompress(rows["/b"][1]) == plain_page

    counts = reextract(loopback_settings(db.parent, db_path=db))
    assert (counts.unchanged, counts.updated, counts.failed) == (2, 0, 0)
