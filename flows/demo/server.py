"""The demo news site served on 127.0.0.1: DemoSite, its HTTP handler and expected results."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from config.sources import Source, sources_toml
from flows.demo.render import BASE_URL_MARK, HTML_TYPE, load_content, render_site

logger = logging.getLogger(__name__)

DEMO_ROOT = Path(__file__).resolve().parent / "site"
EXPECTED_FILE = DEMO_ROOT / "expected.json"


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


def _resource(text: str, content_type: str, modified: datetime, base_url: str) -> _Resource:
    """Bind a rendered body to the server's address.

    The ETag hashes the unbound text and the date is fixed, so validators survive restarts.
    """
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] + '"'
    body = text.replace(BASE_URL_MARK, base_url).encode("utf-8")
    return _Resource(body, content_type, etag, modified.astimezone(UTC).replace(microsecond=0))


def _is_not_modified(headers: Message, resource: _Resource) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return resource.last_modified <= (when if when.tzinfo else when.replace(tzinfo=UTC))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive clients must not hold up close()
    resources: dict[str, _Resource]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "newsflow-demo/1.0"
    timeout = 30  # idle keep-alive connections are dropped after this
    # Headers and body are two writes; without TCP_NODELAY each response waits for a delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, fmt: str, *args: Any) -> None:
        # Quiet: the demo and the tests own the terminal.
        logger.debug("demo site: " + fmt, *args)

    def _respond(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        resource = self.server.resources.get(path)
        if resource is None:
            if path + "/" in self.server.resources:
                self._send(
                    301, b"", "text/plain; charset=utf-8", {"Location": path + "/"}, send_body
                )
            else:
                self._send(404, b"<h1>Not Found</h1>", HTML_TYPE, {}, send_body)
            return
        validators = {
            "ETag": resource.etag,
            "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
        }
        if _is_not_modified(self.headers, resource):
            self._send(304, b"", None, validators, send_body=False)
        else:
            self._send(200, resource.body, resource.content_type, validators, send_body)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str],
        send_body: bool,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class DemoSite:
    """The demo news site on 127.0.0.1; a context manager serving from a daemon thread.

    The socket is bound on construction (so base_url is known at once) and served from
    `__enter__` until `__exit__`/`close()`.
    """

    def __init__(self, port: int = 0, *, root: Path = DEMO_ROOT) -> None:
        """Render the site and bind the server.

        Args:
            port: TCP port on 127.0.0.1; 0 picks a free one.
            root: directory holding site.toml, articles/, templates/ and static/.

        Raises:
            OSError: the port cannot be bound.

        """
        self._content = load_content(root)
        pages = render_site(self._content)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server.resources = {
            path: _resource(*page, self.base_url) for path, page in pages.items()
        }
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-site", daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        logger.info("demo site serving at %s", self.base_url)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice or before starting."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def sources(self) -> list[Source]:
        """Return one Source per demo feed, with absolute URLs on base_url.

        tags are (site slug, format: rss | atom | jsonfeed | news-sitemap). min_interval_s is 0
        so that a second demo run refetches at once and shows the 304s.
        """
        return [
            Source(
                name=feed["name"],
                url=self.base_url + feed["path"],
                tags=(feed["site"], feed["format"]),
                language=self._content.sites[feed["site"]]["language"],
                min_interval_s=0,
            )
            for feed in self._content.feeds
        ]

    def feeds_toml(self) -> str:
        """Return sources() as the text of a feeds.toml file ([[sources]] tables)."""
        header = f"newsflow demo sources, served by flows.demo.server.DemoSite at {self.base_url}"
        return sources_toml(self.sources(), header=header)

    def article_urls(self) -> list[str]:
        """Return the absolute URL of every article page, newest first.

        The feed entries that deliberately fail (a 404, a robots.txt-disallowed page) are not here.
        """
        return [self.base_url + article.path for article in self._content.articles]


def load_expected(path: Path = EXPECTED_FILE) -> dict[str, Any]:
    """Read expected.json: what the pipeline should make of each demo page, keyed by URL path."""
    expected: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return expected
