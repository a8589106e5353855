"""An HTTP server on a loopback address, served from a background thread.

The demo site, the tests' programmable server and the benchmark's news site are built on it:
each subclasses LoopbackServer and answers every GET and HEAD in `respond`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Validators:
    """What a response says about its version: ETag and Last-Modified (an HTTP-date)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The ETag and Last-Modified headers of the validators that are set."""
        headers = {"ETag": self.etag} if self.etag else {}
        return headers | ({"Last-Modified": self.last_modified} if self.last_modified else {})

    def match(self, request: Message) -> bool:
        """Whether the client's copy is current, so a 304 answers the request.

        RFC 9110 13.2.2: If-None-Match decides when present (weak comparison), else
        If-Modified-Since.
        """
        if_none_match = request.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return self.etag is not None and ("*" in tags or self.etag.removeprefix("W/") in tags)
        since = request.get("If-Modified-Since")
        if since is None or self.last_modified is None:
            return False
        try:
            return _utc(parsedate_to_datetime(self.last_modified)) <= _utc(
                parsedate_to_datetime(since)
            )
        except (TypeError, ValueError):
            return False


def _utc(moment: datetime) -> datetime:
    """An HTTP-date without a zone ("-0000") is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class LoopbackHandler(BaseHTTPRequestHandler):
    """One connection's requests, each passed to the server's `respond`."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers and browsers use it
    timeout = 30  # idle keep-alive connections are dropped after this
    # Headers and body are two writes; without TCP_NODELAY each response waits for a delayed ACK.
    disable_nagle_algorithm = True

    @property
    def stopping(self) -> threading.Event:
        """Set when the server stops: a handler that must wait waits on it, not in sleep()."""
        return self.server.owner.stopping

    def do_GET(self) -> None:
        """Pass the request to the server's `respond`."""
        self.server.owner.respond(self)

    def do_HEAD(self) -> None:
        """Pass the request to the server's `respond` (send_simple leaves the body out)."""
        self.server.owner.respond(self)

    def send_simple(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        """A complete response: Content-Length, and the body unless it is HEAD or a 304."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # RFC 9110 8.6: a 304's Content-Length would have to be that of the 200 it stands for.
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)

    def send_not_modified(self, validators: Validators) -> None:
        """A 304: the client's copy, which `validators.match` found current, is to be used."""
        self.send_simple(HTTPStatus.NOT_MODIFIED, headers=validators.headers())

    def version_string(self) -> str:
        """The Server header: the server's name."""
        return self.server.owner.name

    def log_message(self, fmt: str, *args: object) -> None:
        """Log each request at debug level: the demo, the tests and the benchmark own the terminal."""
        logger.debug("%s: %s", self.server.owner.name, fmt % args)


class _HTTPServer(ThreadingHTTPServer):
    # A handler still waiting (keep-alive, a hanging test route) must not hold up close().
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: LoopbackServer, host: str, port: int) -> None:
        self.owner = owner
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), LoopbackHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up mid-response (caps, deadlines, the end of a crawl) are routine here.
        if isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            logger.debug("%s: client %s went away", self.owner.name, client_address)
        else:
            super().handle_error(request, client_address)


class LoopbackServer(ABC):
    """A ThreadingHTTPServer on a loopback address, served from a daemon thread; a context manager.

    The socket is bound on construction (so base_url is known at once and a busy port fails
    there) and served from `__enter__` until `__exit__`/`close()`. Subclasses answer every GET
    and HEAD in `respond`.
    """

    def __init__(
        self,
        name: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Bind host:port.

        Args:
            name: the server's name in its thread, its log lines and its Server header.
            host: a loopback address, IPv4 or IPv6.
            port: the TCP port; 0 picks a free one.
            tls: a server TLS context: speak HTTPS.

        Raises:
            ValueError: host is not a loopback address.
            OSError: the port cannot be bound.

        """
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"{name} binds to loopback only, not {host}")
        self.name = name
        self.stopping = threading.Event()
        self._server = _HTTPServer(self, host, port)
        if tls is not None:
            # Handshake in the handler thread, so a stalled client cannot block accept().
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.host = host
        self.port: int = self._server.server_address[1]
        netloc = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        self.base_url = f"{'https' if tls else 'http'}://{netloc}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=name,
            daemon=True,
        )

    @abstractmethod
    def respond(self, request: LoopbackHandler) -> None:
        """Answer one GET or HEAD (`request.command`), in the connection's thread."""

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice or before starting."""
        self.stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
