"""The demo news site served on 127.0.0.1: DemoSite and the results expected from it."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from config.sources import Source, sources_toml
from flows.demo.loopback import LoopbackHandler, LoopbackServer, Validators
from flows.demo.render import BASE_URL_MARK, HTML_TYPE, load_content, render_site

logger = logging.getLogger(__name__)

DEMO_ROOT = Path(__file__).resolve().parent / "site"
EXPECTED_FILE = DEMO_ROOT / "expected.json"


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    validators: Validators


def _resource(text: str, content_type: str, modified: datetime, base_url: str) -> _Resource:
    """Bind a rendered body to the server's address.

    The ETag hashes the unbound text and the date is fixed, so validators survive restarts.
    """
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] + '"'
    body = text.replace(BASE_URL_MARK, base_url).encode("utf-8")
    last_modified = format_datetime(modified.astimezone(UTC), usegmt=True)
    return _Resource(body, content_type, Validators(etag, last_modified))


class DemoSite(LoopbackServer):
    """The demo news site on 127.0.0.1: its pages and feeds, with stable validators."""

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
        super().__init__("newsflow-demo", port=port)
        self._resources = {path: _resource(*page, self.base_url) for path, page in pages.items()}

    def __enter__(self) -> Self:
        super().__enter__()
        logger.info("demo site serving at %s", self.base_url)
        return self

    def respond(self, request: LoopbackHandler) -> None:
        """Serve a rendered page, feed or file; a path missing its final slash is redirected."""
        path = urlsplit(request.path).path
        resource = self._resources.get(path)
        if resource is not None and resource.validators.match(request.headers):
            request.send_not_modified(resource.validators)
        elif resource is not None:
            headers = {"Content-Type": resource.content_type} | resource.validators.headers()
            request.send_simple(HTTPStatus.OK, resource.body, headers)
        elif path + "/" in self._resources:
            request.send_simple(
                HTTPStatus.MOVED_PERMANENTLY,
                headers={"Content-Type": "text/plain; charset=utf-8", "Location": path + "/"},
            )
        else:
            request.send_simple(
                HTTPStatus.NOT_FOUND, b"<h1>Not Found</h1>", {"Content-Type": HTML_TYPE}
            )

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
