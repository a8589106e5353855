"""A whole run against a catalogue of hostile sources and pages beside one good feed.

Every bad case is recorded with its class, the good articles land, memory stays bounded and the
database passes an integrity check afterwards.
"""

from __future__ import annotations

import resource

import duckdb
import pytest

from config.settings import load_settings
from config.sources import load_sources
from tests.httpserver import (
    LocalServer,
    drip,
    gzip_bomb,
    hang,
    redirect,
    reset_mid_body,
    wrong_length,
)
from tests.paths import FIXTURES
from warehouse.publish import writer_path

FEED_FIXTURES = FIXTURES / "feeds"
BODY = "".join(
    f"<p>Paragraph {i}: the regional water board confirmed on Monday that the new treatment works "
    "will open in the spring, after two years of delays caused by supply problems.</p>"
    for i in range(8)
)


def article(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{BODY}</article></body></html>"


def rss(server: LocalServer, links: list[str], pub: str = "Mon, 04 Mar 2024 10:00:00 GMT") -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>{link}</link><guid>g{i}-{link}</guid><pubDate>{pub}</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>{server.base_url}</link>{items}</channel></rss>'


def integrity_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Invariants every committed state of the warehouse must satisfy."""
    checks = {
        "duplicate canonical URLs": "SELECT count(*) - count(DISTINCT canonical_url) FROM articles",
        "links to missing articles": "SELECT count(*) FROM article_sources ANTI JOIN articles USING (article_id)",
        "articles listed by no source": "SELECT count(*) FROM articles ANTI JOIN article_sources USING (article_id)",
        "done entries without article": "SELECT count(*) FROM discoveries WHERE state = 'done' AND article_id IS NULL",
        "raw pages without article": "SELECT count(*) FROM raw_pages ANTI JOIN articles USING (article_id)",
        "articles without raw page": "SELECT count(*) FROM articles ANTI JOIN raw_pages USING (article_id)",
        "unknown entry states": "SELECT count(*) FROM discoveries WHERE state NOT IN ('pending','done','failed','gave_up','skipped')",
        "runs left running": "SELECT count(*) FROM ingest_runs WHERE status = 'running'",
    }
    return [name for name, sql in checks.items() if con.execute(sql).fetchone()[0]]


@pytest.fixture(scope="module")
def hostile_run(prefect_server, tmp_path_factory):
    from flows.runner import run_ingest_flow

    tmp = tmp_path_factory.mktemp("hostile")
    with LocalServer() as server:
        pages = {
            "/good/1": article("Water works opens"),
            "/good/2": article("Second story"),
            "/gzip-bomb": None,
            "/pdf": None,
            "/drip": None,
            "/reset": None,
            "/short": None,
            "/to-private": None,
            "/hang": None,
        }
        server.route("/good/1", pages["/good/1"])
        server.route("/good/2", pages["/good/2"])
        server.route("/gzip-bomb", gzip_bomb(256 << 20), headers={"Content-Encoding": "gzip"})
        server.route("/pdf", b"%PDF-1.7 binary", content_type="application/pdf")
        server.route("/drip", handler=drip(article("Drip").encode(), interval_s=0.2))
        server.route("/reset", handler=reset_mid_body(article("Reset").encode(), sent=200))
        server.route("/short", handler=wrong_length(article("Short").encode()[:300], declared=5000))
        server.route("/to-private", handler=redirect(f"http://127.0.0.2:{server.port}/good/1"))
        server.route("/hang", handler=hang(30))
        links = [server.url(p) for p in pages] + ["javascript:alert(1)", "/good/1?utm_source=x"]
        server.route("/good.xml", rss(server, links), content_type="application/rss+xml")
        server.route(
            "/future.xml",
            rss(server, [server.url("/good/2")], pub="Mon, 04 Mar 2199 10:00:00 GMT"),
            content_type="application/rss+xml",
        )
        for name in ("billion_laughs.xml", "xxe_passwd.xml", "malformed.xml"):
            server.route(
                f"/{name}", (FEED_FIXTURES / name).read_bytes(), content_type="application/rss+xml"
            )
        huge = rss(server, [server.url(f"/missing/{i}") for i in range(50_000)])
        server.route("/huge.xml", huge, content_type="application/rss+xml")
        server.route(
            "/feed-to-private.xml", handler=redirect(f"http://127.0.0.2:{server.port}/good.xml")
        )
        names = [
            "good.xml",
            "future.xml",
            "billion_laughs.xml",
            "xxe_passwd.xml",
            "malformed.xml",
            "huge.xml",
            "feed-to-private.xml",
        ]
        feeds = tmp / "feeds.toml"
        feeds.write_text(
            "".join(f'[[sources]]\nname = "{n}"\nurl = "{server.url("/" + n)}"\n' for n in names)
        )
        overrides = {
            "db_path": str(tmp / "news.duckdb"),
            "allow_private_hosts": "127.0.0.1",
            "per_host_delay_s": 0,
            "per_host_concurrency": 8,
            "retries": 1,
            "backoff_base_s": 0.05,
            "backoff_max_s": 0.5,
            "request_deadline_s": 3,
            "read_timeout_s": 2,
            "max_response_bytes": 10_000_000,
            "max_entries_per_feed": 50,
        }
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        summary = run_ingest_flow(load_settings(None, overrides), load_sources(feeds))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    con = duckdb.connect(str(writer_path(tmp / "news.duckdb")), read_only=True)
    yield {
        "summary": summary,
        "con": con,
        "server": server,
        "rss_growth_kb": rss_after - rss_before,
    }
    con.close()


def page_error(con, path: str) -> str | None:
    row = con.execute(
        "SELECT last_error_class FROM discoveries WHERE url LIKE ?", [f"%{path}"]
    ).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize(
    ("path", "error_class"),
    [
        ("/gzip-bomb", "too_large"),
        ("/pdf", "not_html"),
        ("/drip", "timeout"),
        ("/reset", "network_error"),
        ("/short", "network_error"),
        ("/to-private", "blocked_address"),
        ("/hang", "timeout"),
    ],
)
def test_every_hostile_page_is_recorded_with_its_class(hostile_run, path, error_class):
    assert page_error(hostile_run["con"], path) == error_class


@pytest.mark.parametrize(
    ("source", "error_class"),
    [
        ("billion_laughs.xml", "unsafe_xml"),
        ("xxe_passwd.xml", "unsafe_xml"),
        ("feed-to-private.xml", "blocked_address"),
    ],
)
def test_every_hostile_feed_is_recorded_with_its_class(hostile_run, source, error_class):
    row = (
        hostile_run["con"]
        .execute("SELECT last_error_class FROM sources WHERE name = ?", [source])
        .fetchone()
    )
    assert row == (error_class,)


def test_bad_entries_are_kept_with_their_reasons(hostile_run):
    con = hostile_run["con"]
    refused = con.execute(
        "SELECT state, problems FROM discoveries WHERE list_contains(problems, 'refused_scheme:javascript')"
    ).fetchall()
    assert refused and all(state == "skipped" for state, _ in refused)
    ((published_raw, published_at, problems),) = con.execute(
        "SELECT published_raw, published_at, problems FROM discoveries WHERE source_name = 'future.xml'"
    ).fetchall()
    assert "2199" in published_raw and published_at is None and "future_date" in problems
    assert (
        con.execute("SELECT count(*) FROM discoveries WHERE source_name = 'huge.xml'").fetchone()[0]
        == 50
    )


def test_good_articles_land_despite_the_rest(hostile_run):
    con = hostile_run["con"]
    urls = {row[0] for row in con.execute("SELECT canonical_url FROM articles").fetchall()}
    server = hostile_run["server"]
    assert {server.url("/good/1"), server.url("/good/2")} <= urls
    assert hostile_run["summary"]["feeds_failed"] == 3


def test_memory_stays_bounded_and_the_database_is_consistent(hostile_run):
    assert hostile_run["rss_growth_kb"] < 400 * 1024  # the 256 MiB bomb never lands in memory
    assert integrity_problems(hostile_run["con"]) == []
    assert not hostile_run["server"].requests_for("/etc/passwd")
