"""Fetcher against a real loopback server: the guard, redirects, conditional GET, politeness."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from tasks.fetcher.body import html_problem
from tasks.fetcher.client import Fetcher, RequestLog
from tasks.fetcher.politeness import parse_max_age, parse_retry_after, retry_delay
from tasks.records import FetchStatus
from tests.httpserver import LocalServer, fast_settings, redirect

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>Hello</p></body></html>"
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def test_fetches_page_with_user_agent_over_one_connection(local_server: LocalServer) -> None:
    local_server.route("/a", PAGE)
    local_server.route("/b", PAGE)
    settings = fast_settings(user_agent="newsflow-test/1.0")
    with Fetcher(settings) as fetcher:
        first, second = fetcher.fetch(local_server.url("/a")), fetcher.fetch(local_server.url("/b"))
    assert (first.status, first.http_status, first.body.decode()) == (FetchStatus.OK, 200, PAGE)
    assert second.ok and first.started_at is not None and first.attempts == 1
    assert {r.header("user-agent") for r in local_server.requests} == {"newsflow-test/1.0"}
    assert (
        len({r.client for r in local_server.requests}) == 1
    )  # robots, /a, /b: one kept-alive connection


@pytest.mark.parametrize("host", ["127.0.0.2", "::1"])
def test_loopback_address_not_allow_listed_is_refused_before_connecting(host: str) -> None:
    with LocalServer(host) as forbidden, Fetcher(fast_settings()) as fetcher:
        forbidden.route("/", PAGE)
        result = fetcher.fetch(forbidden.url("/"))
    assert result.status == FetchStatus.BLOCKED_ADDRESS
    assert "loopback" in result.error and "allow_private_hosts" in result.error
    assert forbidden.requests == []


@pytest.mark.parametrize("host", ["127.0.0.2", "::1"])
def test_allow_listing_the_address_lets_it_through(host: str) -> None:
    with (
        LocalServer(host) as server,
        Fetcher(fast_settings(allow_private_hosts=(host,))) as fetcher,
    ):
        server.route("/", PAGE)
        result = fetcher.fetch(server.url("/"))
    assert result.ok
    assert [r.path for r in server.requests] == ["/robots.txt", "/"]


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "[::ffff:127.0.0.1]"])
def test_numeric_host_forms_are_checked_on_the_resolved_address(
    local_server: LocalServer, host: str
) -> None:
    local_server.route("/", PAGE)
    url = f"http://{host}:{local_server.port}/"
    with Fetcher(fast_settings(allow_private_hosts=())) as fetcher:
        result = fetcher.fetch(url)
    assert result.status == FetchStatus.BLOCKED_ADDRESS
    assert local_server.requests == []


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1"])
def test_numeric_host_forms_reach_an_allow_listed_address(
    local_server: LocalServer, host: str
) -> None:
    local_server.route("/", PAGE)
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        result = fetcher.fetch(f"http://{host}:{local_server.port}/")
    assert result.ok and len(local_server.requests) == 1


def test_host_name_connects_only_to_its_allowed_addresses(local_server: LocalServer) -> None:
    # localhost resolves to ::1 (refused) and 127.0.0.1 (allowed, where the server listens).
    local_server.route("/", PAGE)
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        result = fetcher.fetch(f"http://localhost:{local_server.port}/")
    assert result.ok


def test_redirect_to_forbidden_address_is_refused_at_the_hop(local_server: LocalServer) -> None:
    with (
        LocalServer("127.0.0.2") as forbidden,
        Fetcher(fast_settings(respect_robots=False)) as fetcher,
    ):
        target = forbidden.url("/secret")
        forbidden.route("/secret", PAGE)
        local_server.route("/go", handler=redirect(target))
        result = fetcher.fetch(local_server.url("/go"))
    assert result.status == FetchStatus.BLOCKED_ADDRESS
    assert result.redirects == ((302, target),) and result.final_url == target
    assert forbidden.requests == []


def test_redirects_are_followed_and_recorded(local_server: LocalServer) -> None:
    local_server.route("/old", handler=redirect("/middle", 301))
    local_server.route("/middle", handler=redirect(local_server.url("/new"), 308))
    local_server.route("/new", PAGE)
    with Fetcher(fast_settings()) as fetcher:
        result = fetcher.fetch(local_server.url("/old"))
    assert result.ok and result.final_url == local_server.url("/new")
    assert result.redirects == ((301, local_server.url("/middle")), (308, local_server.url("/new")))
    assert result.permanent_redirect == local_server.url("/new")


def test_redirect_chain_longer_than_max_redirects(local_server: LocalServer) -> None:
    for hop in range(5):
        local_server.route(f"/r{hop}", handler=redirect(f"/r{hop + 1}"))
    with Fetcher(fast_settings(max_redirects=2, respect_robots=False)) as fetcher:
        result = fetcher.fetch(local_server.url("/r0"))
    assert result.status == FetchStatus.TOO_MANY_REDIRECTS and "max_redirects=2" in result.error
    assert [r.path for r in local_server.requests] == ["/r0", "/r1", "/r2"]


def test_redirect_to_unsupported_scheme_is_bad_url(local_server: LocalServer) -> None:
    local_server.route("/go", handler=redirect("file:///etc/passwd"))
    with Fetcher(fast_settings()) as fetcher:
        result = fetcher.fetch(local_server.url("/go"))
    assert result.status == FetchStatus.BAD_URL and "file" in result.error


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "javascript:alert(1)", "http://", "", "/relative/path"]
)
def test_unfetchable_urls_are_bad_url_results(url: str) -> None:
    with Fetcher(fast_settings()) as fetcher:
        result = fetcher.fetch(url)
    assert (result.status, result.url) == (FetchStatus.BAD_URL, url)
    assert result.error


def test_conditional_get_with_etag(local_server: LocalServer) -> None:
    local_server.route(
        "/feed",
        "<rss/>",
        content_type="application/rss+xml",
        etag='"v1"',
        headers={"Cache-Control": "public, max-age=300"},
    )
    with Fetcher(fast_settings()) as fetcher:
        first = fetcher.fetch(local_server.url("/feed"), kind="feed")
        again = fetcher.fetch(local_server.url("/feed"), kind="feed", etag=first.etag)
    assert (first.status, first.etag, first.max_age_s) == (FetchStatus.OK, '"v1"', 300)
    assert (again.status, again.http_status, again.body) == (FetchStatus.NOT_MODIFIED, 304, b"")
    assert [r.header("if-none-match") for r in local_server.requests] == [None, '"v1"']


def test_conditional_get_with_last_modified(local_server: LocalServer) -> None:
    local_server.route(
        "/feed", "<rss/>", content_type="application/rss+xml", last_modified=LAST_MODIFIED
    )
    with Fetcher(fast_settings()) as fetcher:
        first = fetcher.fetch(local_server.url("/feed"), kind="feed")
        again = fetcher.fetch(
            local_server.url("/feed"), kind="feed", last_modified=first.last_modified
        )
    assert first.last_modified == LAST_MODIFIED
    assert again.status == FetchStatus.NOT_MODIFIED
    assert local_server.requests[-1].header("if-modified-since") == LAST_MODIFIED


def test_per_host_concurrency_limit(local_server: LocalServer) -> None:
    local_server.route("/slow", PAGE, delay_s=0.2)
    urls = [local_server.url(f"/slow?n={n}") for n in range(6)]
    settings = fast_settings(per_host_concurrency=2, global_concurrency=8, respect_robots=False)
    with Fetcher(settings) as fetcher:
        results = list(fetcher.fetch_many(urls))
    assert sorted(r.url for r in results) == sorted(urls) and all(r.ok for r in results)
    assert local_server.peak_in_flight <= 2


def test_global_concurrency_limit_spans_hosts(local_server: LocalServer) -> None:
    # "localhost" and "127.0.0.1" are two hosts to the limiter, one server here.
    local_server.route("/slow", PAGE, delay_s=0.1)
    urls = [
        f"http://{host}:{local_server.port}/slow?n={n}"
        for host in ("localhost", "127.0.0.1")
        for n in range(3)
    ]
    settings = fast_settings(per_host_concurrency=4, global_concurrency=1, respect_robots=False)
    with Fetcher(settings) as fetcher:
        assert all(r.ok for r in fetcher.fetch_many(urls))
    assert local_server.peak_in_flight == 1


def test_per_host_delay_spaces_request_starts(local_server: LocalServer) -> None:
    local_server.route("/p", PAGE)
    urls = [local_server.url(f"/p?n={n}") for n in range(4)]
    settings = fast_settings(per_host_delay_s=0.3, per_host_concurrency=4, respect_robots=False)
    with Fetcher(settings) as fetcher:
        assert all(r.ok for r in fetcher.fetch_many(urls))
    starts = sorted(r.time for r in local_server.requests)
    assert min(b - a for a, b in pairwise(starts)) >= 0.25  # a lower bound: noise cannot break it


ROBOTS = "User-agent: *\nDisallow: /private/\n"


def test_robots_disallow_is_honoured_and_robots_fetched_once(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", ROBOTS, content_type="text/plain")
    local_server.route("/public/a", PAGE)
    local_server.route("/private/a", PAGE)
    urls = [
        local_server.url(p) for p in ("/public/a", "/private/a", "/public/a?x=1", "/private/a?x=2")
    ]
    log = RequestLog()
    with Fetcher(fast_settings(global_concurrency=4, per_host_concurrency=4)) as fetcher:
        statuses = {r.url: r.status for r in fetcher.fetch_many(urls, log=log)}
    assert statuses == {
        urls[0]: FetchStatus.OK,
        urls[1]: FetchStatus.ROBOTS_DISALLOWED,
        urls[2]: FetchStatus.OK,
        urls[3]: FetchStatus.ROBOTS_DISALLOWED,
    }
    assert len(local_server.requests_for("/robots.txt")) == 1
    assert local_server.requests_for("/private/a") == []
    assert sorted(r.kind for r in log.results) == ["page"] * 4 + ["robots"]


@pytest.mark.parametrize("robots_status", [404, 503])
def test_unavailable_robots_allows_all(local_server: LocalServer, robots_status: int) -> None:
    local_server.route("/robots.txt", "nope", status=robots_status, content_type="text/plain")
    local_server.route("/private/a", PAGE)
    with Fetcher(fast_settings(retries=3)) as fetcher:
        results = [fetcher.fetch(local_server.url("/private/a")) for _ in range(2)]
    assert all(r.ok for r in results)
    assert len(local_server.requests_for("/robots.txt")) == 1  # cached, and never retried


def test_robots_only_applies_to_pages(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    local_server.route("/feed.xml", "<rss/>", content_type="application/rss+xml")
    with Fetcher(fast_settings()) as fetcher:
        assert fetcher.fetch(local_server.url("/feed.xml"), kind="feed").ok
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        assert (
            fetcher.fetch(local_server.url("/feed.xml"), kind="page").status == FetchStatus.NOT_HTML
        )
    assert local_server.requests_for("/robots.txt") == []


def test_a_request_log_holds_the_fetches_made_with_it_and_no_others(
    local_server: LocalServer,
) -> None:
    local_server.route("/a", PAGE)
    first, second = RequestLog(), RequestLog()
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        fetcher.fetch(local_server.url("/a"), log=first)
        fetcher.fetch(local_server.url("/missing"), log=first)
        fetcher.fetch(local_server.url("/a?unlogged"))
        fetcher.fetch(local_server.url("/a?second"), log=second)
    assert [(r.url, r.status) for r in first.results] == [
        (local_server.url("/a"), FetchStatus.OK),
        (local_server.url("/missing"), FetchStatus.HTTP_ERROR),
    ]
    assert [r.url for r in second.results] == [local_server.url("/a?second")]


NOT_HTML = [
    ("pdf", b"%PDF-1.7\n...", "application/pdf", "PDF"),
    ("pdf-labelled-html", b"%PDF-1.7\n...", "text/html", "PDF"),
    ("png-labelled-html", b"\x89PNG\r\n\x1a\n....", "text/html; charset=utf-8", "PNG"),
    ("empty", b"", "text/html", "empty body"),
    ("whitespace", b"  \r\n ", "text/html", "empty body"),
    ("json", b'{"a": 1}', "application/json", "application/json is not HTML"),
    ("plain-text", b"just words", "text/plain", "text/plain is not HTML"),
]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"), [c[1:] for c in NOT_HTML], ids=[c[0] for c in NOT_HTML]
)
def test_pages_that_are_not_html(
    local_server: LocalServer, body: bytes, content_type: str, reason: str
) -> None:
    local_server.route("/doc", body, content_type=content_type)
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        result = fetcher.fetch(local_server.url("/doc"))
    assert result.status == FetchStatus.NOT_HTML and reason in result.error
    assert result.http_status == 200 and result.body == b""


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<p>fragment</p>"),
        ("text/plain", b"\xef\xbb\xbf<!DOCTYPE html><html>"),
        ("application/octet-stream", b"<html><body>x</body></html>"),
        (None, b"some text"),
    ],
)
def test_html_recognised_despite_vague_content_type(content_type: str | None, body: bytes) -> None:
    assert html_problem(content_type, body) is None


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None


def test_parse_max_age() -> None:
    assert parse_max_age("public, max-age=600") == 600
    assert parse_max_age('max-age="60", must-revalidate') == 60
    assert parse_max_age("s-maxage=10, no-cache") is None


def test_retry_delay_backs_off_with_jitter_and_honours_retry_after() -> None:
    assert [retry_delay(n, 1, 60, rand=lambda: 1.0) for n in (1, 2, 3, 8)] == [1, 2, 4, 60]
    assert [retry_delay(n, 1, 60, rand=lambda: 0.0) for n in (1, 2, 3)] == [0.5, 1, 2]
    assert retry_delay(1, 1, 60, retry_after_s=30, rand=lambda: 0.0) == 30
    assert retry_delay(1, 1, 60, retry_after_s=61) is None
