"""A programmable loopback HTTP server for tests: routes, recorded requests, hostile behaviours."""

from __future__ import annotations

import gzip
import ipaddress
import itertools
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import brotli
import pytest

from config.settings import Settings
from flows.demo.loopback import LoopbackHandler, LoopbackServer, Validators

Handler = Callable[[LoopbackHandler], None]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-cased."""

    path: str  # the request target, query included
    method: str
    headers: dict[str, str]
    time: float  # time.monotonic() when the request line was read
    client: tuple[str, int]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class _Route:
    handler: Handler
    validators: Validators


class LocalServer(LoopbackServer):
    """A loopback server with programmable routes, on an ephemeral port.

    Routes are exact paths (a route registered without a query also serves that path with any
    query); unknown paths answer 404. Every request is recorded in `requests`.
    """

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        """Bind `host` (loopback only); with a server `tls` context it speaks HTTPS."""
        super().__init__("LocalServer", host=host, tls=tls)
        self.requests: list[RecordedRequest] = []
        self.peak_in_flight = 0
        self._in_flight = 0
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
        delay_s: float = 0,
        etag: str | None = None,
        last_modified: str | None = None,
        handler: Handler | None = None,
    ) -> None:
        """Serve `path`: a fixed response, or `handler(request)` for full control.

        With etag/last_modified, a matching If-None-Match / If-Modified-Since gets a 304.
        delay_s waits before answering (the handler too).
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        validators = Validators(etag, last_modified)
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(validators.headers())
        all_headers.update(headers or {})
        chosen = handler or respond(data, status=status, headers=all_headers)
        if delay_s:
            chosen = _delayed(chosen, delay_s)
        with self._lock:
            self._routes[path] = _Route(chosen, validators)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Recorded requests for `path` (with or without their query string)."""
        with self._lock:
            return [r for r in self.requests if r.path == path or r.path.split("?", 1)[0] == path]

    def respond(self, request: LoopbackHandler) -> None:
        recorded = RecordedRequest(
            request.path,
            request.command,
            {k.lower(): v for k, v in request.headers.items()},
            time.monotonic(),
            request.client_address[:2],
        )
        with self._lock:
            self.requests.append(recorded)
            route = self._routes.get(request.path) or self._routes.get(
                request.path.split("?", 1)[0]
            )
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            if route is None:
                request.send_simple(404, b"not found", {"Content-Type": "text/plain"})
            elif route.validators.match(request.headers):
                request.send_not_modified(route.validators)
            else:
                route.handler(request)
        finally:
            with self._lock:
                self._in_flight -= 1


def _delayed(handler: Handler, delay_s: float) -> Handler:
    def delayed(request: LoopbackHandler) -> None:
        if not request.stopping.wait(delay_s):
            handler(request)

    return delayed


# ---- ready-made behaviours, to pass as route(..., handler=...) ----


def respond(
    body: bytes | str = b"", *, status: int = 200, headers: dict[str, str] | None = None
) -> Handler:
    """A fixed, well-formed response."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda request: request.send_simple(status, data, headers)


def sequence(*handlers: Handler) -> Handler:
    """The n-th request to the route gets handlers[n]; the last one repeats (e.g. 503, 503, 200)."""
    calls = itertools.count()
    lock = threading.Lock()

    def next_handler(request: LoopbackHandler) -> None:
        with lock:
            index = min(next(calls), len(handlers) - 1)
        handlers[index](request)

    return next_handler


def redirect(location: str, status: int = 302) -> Handler:
    """A redirect to `location` (absolute or relative)."""
    return respond(b"", status=status, headers={"Location": location})


def _announce(request: LoopbackHandler, length: int, content_type: str) -> None:
    """A 200's status line and headers, Content-Length `length`: the body is the caller's."""
    request.send_response(200)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(length))
    request.end_headers()


def drip(body: bytes, interval_s: float = 1.0, content_type: str = "text/html") -> Handler:
    """Announce the whole body, then send it one byte every interval_s (a slowloris server)."""

    def dripping(request: LoopbackHandler) -> None:
        _announce(request, len(body), content_type)
        for index in range(len(body)):
            request.wfile.write(body[index : index + 1])
            if request.stopping.wait(interval_s):
                break
        request.close_connection = True

    return dripping


def hang(seconds: float = 60) -> Handler:
    """Read the request and never answer (until the server stops or `seconds` pass)."""

    def hanging(request: LoopbackHandler) -> None:
        request.stopping.wait(seconds)
        request.close_connection = True

    return hanging


def reset_mid_body(body: bytes, sent: int, content_type: str = "text/html") -> Handler:
    """Announce `body`, send its first `sent` bytes, then reset the connection (TCP RST)."""

    def resetting(request: LoopbackHandler) -> None:
        _announce(request, len(body), content_type)
        request.wfile.write(body[:sent])
        # SO_LINGER with a zero timeout turns close() into an RST instead of a FIN.
        request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        request.connection.close()
        request.close_connection = True

    return resetting


def wrong_length(body: bytes, declared: int, content_type: str = "text/html") -> Handler:
    """Declare Content-Length `declared` but send `body` and close (a truncated response)."""

    def lying(request: LoopbackHandler) -> None:
        _announce(request, declared, content_type)
        request.wfile.write(body)
        request.close_connection = True

    return lying


@cache
def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip body of `decoded_size` zero bytes (about 1000:1), built in 1 MiB steps."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(decoded_size >> 20)]
    return b"".join(parts) + compressor.flush()


@cache
def brotli_bomb(decoded_size: int) -> bytes:
    """A brotli body of `decoded_size` zero bytes (far more than 1000:1), built in 1 MiB steps."""
    compressor = brotli.Compressor(quality=5)
    block = bytes(1 << 20)
    parts = [compressor.process(block) for _ in range(decoded_size >> 20)]
    return b"".join(parts) + compressor.finish()


def self_signed_tls(directory: Path, host: str = "127.0.0.1") -> ssl.SSLContext:
    """A server TLS context with a new self-signed certificate for `host` (no client trusts it)."""
    # cryptography comes with prefect, not with newsflow: imported only by the tests that need it.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(san, critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def gzipped(data: bytes) -> bytes:
    """gzip-compress `data` (for Content-Encoding: gzip routes)."""
    return gzip.compress(data)


# ---- shared pieces for tests that fetch from a LocalServer ----


def fast_settings(**overrides: object) -> Settings:
    """Test settings: only 127.0.0.1 allowed, no pacing, short timeouts, 1 MiB cap, no retries."""
    values: dict[str, object] = {
        "allow_private_hosts": ("127.0.0.1",),
        "per_host_delay_s": 0,
        "backoff_base_s": 0.05,
        "backoff_max_s": 2,
        "retries": 0,
        "connect_timeout_s": 2,
        "read_timeout_s": 2,
        "request_deadline_s": 5,
        "max_response_bytes": 1 << 20,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(name="local_server")
def local_server_fixture() -> Iterator[LocalServer]:
    """`local_server`: a running LocalServer on 127.0.0.1 (import local_server_fixture)."""
    with LocalServer() as server:
        yield server
