"""Fetcher against hostile or failing servers: retries, deadlines, bombs, resets, loops."""

from __future__ import annotations

import socket
import time
import tracemalloc
import zlib
from pathlib import Path

import brotli
import pytest

from tasks.fetcher.client import Fetcher
from tasks.records import FetchStatus
from tests.httpserver import (
    LocalServer,
    brotli_bomb,
    drip,
    fast_settings,
    gzip_bomb,
    gzipped,
    hang,
    redirect,
    reset_mid_body,
    respond,
    self_signed_tls,
    sequence,
    wrong_length,
)

PAGE = b"<!doctype html><html><body>" + b"<p>news</p>" * 50 + b"</body></html>"
BOMB_SIZE = 64 << 20  # decoded; 64 times the 1 MiB cap of fast_settings
HANG_GUARD_S = 15  # generous "did not hang" bound, never a performance claim


def fetch_once(server: LocalServer, path: str, **overrides: object):
    with Fetcher(fast_settings(respect_robots=False, **overrides)) as fetcher:
        return fetcher.fetch(server.url(path))


def test_retry_after_is_honoured(local_server: LocalServer) -> None:
    busy = respond(b"busy", status=503, headers={"Retry-After": "1"})
    local_server.route(
        "/p", handler=sequence(busy, respond(PAGE, headers={"Content-Type": "text/html"}))
    )
    result = fetch_once(local_server, "/p", retries=2, backoff_base_s=0.01)
    assert (result.status, result.attempts) == (FetchStatus.OK, 2)
    first, second = local_server.requests_for("/p")
    assert second.time - first.time >= 0.95  # waited for Retry-After, not the 0.01 s back-off


def test_retry_after_beyond_backoff_max_gives_up(local_server: LocalServer) -> None:
    local_server.route("/p", "slow down", status=429, headers={"Retry-After": "120"})
    result = fetch_once(local_server, "/p", retries=3, backoff_max_s=5)
    assert (result.status, result.http_status, result.attempts) == (FetchStatus.HTTP_ERROR, 429, 1)
    assert result.retry_after_s == 120 and "gave up" in result.error
    assert len(local_server.requests_for("/p")) == 1


def test_server_errors_are_retried_then_reported(local_server: LocalServer) -> None:
    local_server.route("/p", "down", status=503)
    result = fetch_once(local_server, "/p", retries=2)
    assert (result.status, result.http_status, result.attempts) == (FetchStatus.HTTP_ERROR, 503, 3)
    assert "503" in result.error
    assert len(local_server.requests_for("/p")) == 3


def test_transient_server_error_recovers(local_server: LocalServer) -> None:
    local_server.route("/p", handler=sequence(respond(b"", status=502), respond(PAGE)))
    result = fetch_once(local_server, "/p", retries=2)
    assert (result.status, result.attempts, result.body) == (FetchStatus.OK, 2, PAGE)


@pytest.mark.parametrize("status", [404, 410, 403])
def test_client_errors_are_not_retried(local_server: LocalServer, status: int) -> None:
    local_server.route("/p", "gone", status=status)
    result = fetch_once(local_server, "/p", retries=3)
    assert (result.status, result.http_status, result.attempts) == (
        FetchStatus.HTTP_ERROR,
        status,
        1,
    )
    assert len(local_server.requests_for("/p")) == 1


def test_dripping_server_is_cut_off_by_the_deadline(local_server: LocalServer) -> None:
    # One byte every 0.2 s never trips the 1 s read timeout; only the total deadline stops it.
    local_server.route("/p", handler=drip(PAGE, interval_s=0.2))
    began = time.monotonic()
    result = fetch_once(local_server, "/p", request_deadline_s=1.5, read_timeout_s=1)
    assert result.status == FetchStatus.TIMEOUT and "deadline of 1.5 s" in result.error
    assert time.monotonic() - began < HANG_GUARD_S


def test_hanging_server_times_out(local_server: LocalServer) -> None:
    local_server.route("/p", handler=hang())
    began = time.monotonic()
    result = fetch_once(local_server, "/p", read_timeout_s=0.5, retries=1, backoff_base_s=0.01)
    assert (result.status, result.attempts) == (FetchStatus.TIMEOUT, 2)
    assert "ReadTimeout" in result.error
    assert len(local_server.requests_for("/p")) == 2
    assert time.monotonic() - began < HANG_GUARD_S


@pytest.mark.parametrize(("encoding", "bomb"), [("gzip", gzip_bomb), ("br", brotli_bomb)])
def test_compression_bomb_stops_at_the_cap_with_bounded_memory(
    local_server: LocalServer, encoding, bomb
) -> None:
    payload = bomb(BOMB_SIZE)
    local_server.route("/p", payload, headers={"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        result = fetch_once(local_server, "/p")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == FetchStatus.TOO_LARGE and "max_response_bytes" in result.error
    assert peak < 16 << 20  # a decoder without an output bound would hold tens of MiB at once


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzipped),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d, wbits=-15)),
        ("br", brotli.compress),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "br"],
)
def test_compressed_pages_are_decoded(local_server: LocalServer, encoding: str, encode) -> None:
    local_server.route("/p", encode(PAGE), headers={"Content-Encoding": encoding})
    result = fetch_once(local_server, "/p")
    assert (result.status, result.body) == (FetchStatus.OK, PAGE)
    assert local_server.requests[0].header("accept-encoding") == "gzip, deflate, br"


def test_declared_length_over_the_cap_is_refused_unread(local_server: LocalServer) -> None:
    local_server.route("/p", PAGE * 100)
    result = fetch_once(local_server, "/p", max_response_bytes=2048)
    assert (result.status, result.http_status) == (FetchStatus.TOO_LARGE, 200)


def test_body_exactly_at_the_cap_is_accepted(local_server: LocalServer) -> None:
    body = PAGE + b" " * (2048 - len(PAGE))
    local_server.route("/p", gzipped(body), headers={"Content-Encoding": "gzip"})
    assert fetch_once(local_server, "/p", max_response_bytes=2048).body == body


def test_corrupt_gzip_is_a_network_error(local_server: LocalServer) -> None:
    local_server.route(
        "/p", b"\x1f\x8b\x08\x00garbage-not-deflate", headers={"Content-Encoding": "gzip"}
    )
    result = fetch_once(local_server, "/p")
    assert result.status == FetchStatus.NETWORK_ERROR and "corrupt" in result.error


def test_connection_reset_mid_body_is_retried_network_error(local_server: LocalServer) -> None:
    local_server.route("/p", handler=reset_mid_body(PAGE, sent=40))
    result = fetch_once(local_server, "/p", retries=1, backoff_base_s=0.01)
    assert (result.status, result.attempts) == (FetchStatus.NETWORK_ERROR, 2)
    assert len(local_server.requests_for("/p")) == 2


def test_wrong_content_length_is_a_network_error(local_server: LocalServer) -> None:
    local_server.route("/p", handler=wrong_length(PAGE, declared=len(PAGE) + 500))
    result = fetch_once(local_server, "/p")
    assert result.status == FetchStatus.NETWORK_ERROR
    assert f"expected {len(PAGE) + 500}" in result.error


def test_redirect_loop_is_detected(local_server: LocalServer) -> None:
    local_server.route("/a", handler=redirect("/b"))
    local_server.route("/b", handler=redirect("/a"))
    result = fetch_once(local_server, "/a", max_redirects=10)
    assert result.status == FetchStatus.TOO_MANY_REDIRECTS and "loop" in result.error
    assert [r.path for r in local_server.requests] == [
        "/a",
        "/b",
    ]  # stopped before going round again


def test_garbage_response_is_a_network_error(local_server: LocalServer) -> None:
    def garbage(request) -> None:
        request.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        request.close_connection = True

    local_server.route("/p", handler=garbage)
    assert fetch_once(local_server, "/p").status == FetchStatus.NETWORK_ERROR


def test_connection_refused_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Fetcher(fast_settings()) as fetcher:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/", kind="feed")
    assert result.status == FetchStatus.NETWORK_ERROR and "ConnectError" in result.error


def test_untrusted_certificate_is_a_tls_error(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    with LocalServer(tls=self_signed_tls(tmp_path)) as server, Fetcher(fast_settings()) as fetcher:
        server.route("/feed", "<rss/>", content_type="application/rss+xml")
        result = fetcher.fetch(server.url("/feed"), kind="feed")
    assert result.status == FetchStatus.TLS_ERROR and "CERTIFICATE_VERIFY_FAILED" in result.error
    assert server.requests == []


def test_one_bad_url_does_not_spoil_the_batch(local_server: LocalServer) -> None:
    local_server.route("/ok", PAGE)
    local_server.route("/reset", handler=reset_mid_body(PAGE, sent=10))
    urls = [
        local_server.url("/ok"),
        local_server.url("/reset"),
        "gopher://x/",
        "http://127.0.0.2:9/",
    ]
    with Fetcher(fast_settings(respect_robots=False)) as fetcher:
        statuses = {r.url: r.status for r in fetcher.fetch_many(urls)}
    assert statuses == {
        urls[0]: FetchStatus.OK,
        urls[1]: FetchStatus.NETWORK_ERROR,
        urls[2]: FetchStatus.BAD_URL,
        urls[3]: FetchStatus.BLOCKED_ADDRESS,
    }


def test_a_gzip_body_is_kept_as_sent_only_when_it_decodes_back_to_the_same_page(
    local_server: LocalServer,
) -> None:
    stream = gzipped(PAGE)
    local_server.route("/one", stream, headers={"Content-Encoding": "gzip"})
    one = fetch_once(local_server, "/one")
    assert (one.body, one.body_gzip) == (PAGE, stream)
    # A second member or trailing bytes are not decoded: keeping them would store another page.
    local_server.route(
        "/two", stream + gzipped(b"<p>more</p>"), headers={"Content-Encoding": "gzip"}
    )
    local_server.route("/tail", stream + b"trailing", headers={"Content-Encoding": "gzip"})
    local_server.route("/br", brotli.compress(PAGE), headers={"Content-Encoding": "br"})
    for path in ("/two", "/tail", "/br"):
        result = fetch_once(local_server, path)
        assert (result.body, result.body_gzip) == (PAGE, None), path
