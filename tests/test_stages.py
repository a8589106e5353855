"""The stage functions: batching, the requests each unit of work records, failure counts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from config.sources import Source
from tasks.fetcher.client import Fetcher, RequestLog
from tasks.records import FeedEntry, FeedState, PageJob
from tasks.runtime.workers import InlinePool
from tasks.stages import FIRST_BATCH_SIZE, fetch_feed, fetch_pages, page_batches
from tests.conftest import loopback_settings
from tests.httpserver import Handler, LocalServer, respond

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>Hello</p></body></html>"
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = {"Content-Type": "text/xml"}
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>a</title><link>{link}</link></item></channel></rss>"
)


def test_pages_come_in_batches_after_a_small_first_one():
    jobs = list(range(250))
    batches = page_batches(jobs, 100)
    assert [len(batch) for batch in batches] == [
        FIRST_BATCH_SIZE,
        100,
        100,
        250 - 200 - FIRST_BATCH_SIZE,
    ]
    assert [job for batch in batches for job in batch] == jobs


def test_a_batch_size_below_the_first_batch_size_applies_to_every_batch():
    assert [len(batch) for batch in page_batches(list(range(15)), 10)] == [10, 5]
    assert page_batches([], 100) == []


def together(barrier: threading.Barrier, body: str, content_type: str) -> Handler:
    """Answer only once every party of `barrier` is waiting: the requests are in flight at once."""
    answer = respond(body, headers={"Content-Type": content_type})

    def handler(request) -> None:
        barrier.wait(timeout=5)
        answer(request)

    return handler


def test_two_feeds_fetched_at_once_each_log_only_their_own_requests(tmp_path):
    """One fetcher serves every task of a process; each task's log must still be its own.

    The sitemap's children are answered only once the RSS task is done, and the RSS feed only
    once the children are asked for: the RSS task runs from start to end inside the other.
    """
    children_asked, rss_done = threading.Event(), threading.Event()

    def after(first: threading.Event, then: threading.Event | None, answer: Handler) -> Handler:
        def handler(request) -> None:
            if then is not None:
                then.set()
            first.wait(timeout=5)
            answer(request)

        return handler

    settings = loopback_settings(tmp_path)
    with LocalServer() as server, Fetcher(settings) as fetcher:
        children = [server.url(f"/child-{n}.xml") for n in (1, 2)]
        index = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
        server.route(
            "/index.xml",
            f'<sitemapindex xmlns="{SITEMAPS}">{index}</sitemapindex>',
            content_type="text/xml",
        )
        for n, url in enumerate(children, 1):
            urlset = (
                f'<urlset xmlns="{SITEMAPS}"><url><loc>{server.url(f"/p{n}")}</loc></url></urlset>'
            )
            server.route(
                url.removeprefix(server.base_url),
                handler=after(rss_done, children_asked, respond(urlset, headers=XML)),
            )
        rss = RSS.format(link=server.url("/p3"))
        server.route("/rss.xml", handler=after(children_asked, None, respond(rss, headers=XML)))
        sitemap_log, rss_log = RequestLog(), RequestLog()
        now = datetime.now(UTC)
        with ThreadPoolExecutor(max_workers=1) as thread:
            sitemap = thread.submit(
                fetch_feed,
                Source(name="sitemap", url=server.url("/index.xml")),
                None,
                fetcher,
                InlinePool,
                settings,
                now,
                log=sitemap_log,
            )
            rss_outcome = fetch_feed(
                Source(name="rss", url=server.url("/rss.xml")),
                None,
                fetcher,
                InlinePool,
                settings,
                now,
                log=rss_log,
            )
            rss_done.set()
            sitemap_outcome = sitemap.result()
    assert len(sitemap_outcome.parsed.entries) == 2 and len(rss_outcome.parsed.entries) == 1
    assert sorted(r.url for r in sitemap_log.results) == sorted(
        [server.url("/index.xml"), *children]
    )
    assert [r.url for r in rss_log.results] == [server.url("/rss.xml")]


def test_two_page_batches_fetched_at_once_each_log_their_own_robots_txt(tmp_path):
    """A page's robots.txt request belongs to the batch whose page needed it."""
    barrier = threading.Barrier(2)
    settings = loopback_settings(tmp_path)
    with LocalServer() as server, Fetcher(settings) as fetcher:
        server.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        server.route("/page", handler=together(barrier, PAGE, "text/html"))
        # Two hosts of one server: each batch needs its own host's robots.txt.
        batches = {
            host: [PageJob("s", FeedEntry(entry_key=host, url=f"http://{host}:{server.port}/page"))]
            for host in ("127.0.0.1", "localhost")
        }
        logs = {host: RequestLog() for host in batches}
        with ThreadPoolExecutor(max_workers=2) as threads:
            fetched = list(
                threads.map(
                    lambda host: fetch_pages(batches[host], fetcher, log=logs[host]), batches
                )
            )
    assert all(result.ok for batch in fetched for _, result in batch)
    for host, log in logs.items():
        origin = f"http://{host}:{server.port}"
        assert sorted((r.kind, r.url) for r in log.results) == [
            ("page", f"{origin}/page"),
            ("robots", f"{origin}/robots.txt"),
        ]


# Each case: how the feed answers, the HTTP status seen and whether the fetch is a failure.
FEED_ANSWERS = {
    "unchanged-body": ({"body": RSS.format(link="http://x/a")}, 200, False),
    "not-modified": ({"body": RSS.format(link="http://x/a"), "etag": '"v1"'}, 304, False),
    "parse-error": ({"body": "\x00\x01 this is not a feed"}, 200, True),
    "gone": ({"body": "gone", "status": 410}, 410, True),
}


@pytest.mark.parametrize("case", FEED_ANSWERS)
def test_the_failure_count_is_the_one_the_backoff_used(tmp_path, case):
    """A failed fetch adds one to the failures in a row and backs off by it; anything else is 0."""
    route, http_status, failed = FEED_ANSWERS[case]
    settings = loopback_settings(tmp_path, feed_min_interval_s=600)
    now = datetime.now(UTC)
    with LocalServer() as server, Fetcher(settings) as fetcher:
        server.route("/feed.xml", content_type="application/rss+xml", **route)
        source = Source(name="s", url=server.url("/feed.xml"))
        body_hash = fetch_feed(
            source, None, fetcher, InlinePool, settings, now, log=RequestLog()
        ).body_hash
        state = FeedState("s", source.url, etag='"v1"', body_hash=body_hash, consecutive_failures=2)
        outcome = fetch_feed(source, state, fetcher, InlinePool, settings, now, log=RequestLog())
    assert (outcome.fetch.http_status, outcome.failed) == (http_status, failed)
    assert outcome.consecutive_failures == (3 if failed else 0)
    # 600 s doubled for each failure in a row before this one: the backoff used the same count.
    assert outcome.next_fetch_at - now == timedelta(seconds=2400 if failed else 600)
