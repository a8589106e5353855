"""A loopback news site for benchmarks: F RSS feeds listing N article pages built from real pages.

Article k is real page k of the corpus; past the corpus size, pages are reused under new URLs
with one unique sentence spliced into the article text, so every URL is a distinct article with
its own content hash. Feeds carry ETag/Last-Modified and answer conditional requests with 304;
pages are served gzipped when the client accepts it, as news sites do. Every request is logged
so a benchmark can count what a crawler asked for.

One site serves several editions at once (/e/<name>/...), one per benchmark size, so each run
sees only its own N articles while the pages are compressed only once.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from http import HTTPStatus
from pathlib import Path

import httpx

from bench.paths import CORPUS_DIR
from flows.demo.loopback import LoopbackHandler, LoopbackServer, Validators

ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
# Where a unique sentence can go when no annotated snippet locates the article text.
ARTICLE_START = re.compile(rb"<(?:article|main)\b[^>]*>.*?<p\b[^>]*>", re.IGNORECASE | re.DOTALL)
FIRST_PARAGRAPH = re.compile(rb"<p\b[^>]*>", re.IGNORECASE)
BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
FEED_PATH = re.compile(r"^/e/([\w-]+)/feed-(\d+)\.xml$")
PAGE_PATH = re.compile(r"^/a/(\d+)\.html$")
# Publication times: article k is k minutes older than this (newest first in every feed).
EPOCH = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BasePage:
    """A real page and the byte offset where a unique sentence lands inside its article text."""

    name: str
    html: bytes
    anchor: int


def _anchor(page: bytes, snippets: list[str]) -> int:
    """Offset just before the first annotated article snippet, else inside the first paragraph."""
    for snippet in snippets:
        words = " ".join(snippet.split()[:4]).encode("utf-8")
        offset = page.find(words) if words else -1
        if offset >= 0:
            return offset
    for pattern in (ARTICLE_START, FIRST_PARAGRAPH, BODY_START):
        match = pattern.search(page)
        if match:
            return match.end()
    return 0


def load_corpus_pages(corpus_dir: Path = CORPUS_DIR) -> list[BasePage]:
    """The dev corpus's pages (index.json + gzipped pages/), decompressed, in index order."""
    items = json.loads((corpus_dir / "index.json").read_text(encoding="utf-8"))
    pages = []
    for item in items:
        page = gzip.decompress((corpus_dir / item["page"]).read_bytes())
        pages.append(BasePage(item["url"], page, _anchor(page, item.get("with", []))))
    return pages


def load_demo_pages() -> list[BasePage]:
    """The article pages of newsflow's demo site, fetched from it on 127.0.0.1."""
    from flows.demo.server import DemoSite

    pages = []
    with DemoSite() as demo, httpx.Client(trust_env=False, timeout=10) as client:
        for url in demo.article_urls():
            page = client.get(url).raise_for_status().content
            pages.append(BasePage(url.removeprefix(demo.base_url), page, _anchor(page, [])))
    return pages


def load_base_pages(corpus_dir: Path = CORPUS_DIR) -> tuple[list[BasePage], str]:
    """The corpus pages when the folder exists, else the demo site's; with a label saying which."""
    if (corpus_dir / "index.json").is_file():
        return load_corpus_pages(
            corpus_dir
        ), f"corpus {corpus_dir} ({len(list((corpus_dir / 'pages').glob('*.gz')))} pages)"
    pages = load_demo_pages()
    return pages, f"demo site ({len(pages)} pages; corpus folder {corpus_dir} absent)"


def article_html(bases: list[BasePage], k: int) -> bytes:
    """The HTML of article k: base page k, or a reused page with a sentence unique to k."""
    base = bases[k % len(bases)]
    if k < len(bases):
        return base.html
    sentence = f" Benchmark copy {k} of this report was filed separately. ".encode()
    return base.html[: base.anchor] + sentence + base.html[base.anchor :]


def page_path(k: int) -> str:
    return f"/a/{k}.html"


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    validators: Validators
    gzipped: bool = False  # body is a gzip stream, sent as is to clients that accept gzip


@dataclass
class Edition:
    """One benchmark size: F feeds over articles [0, n) plus `extra` newer ones [n, n + extra)."""

    name: str
    feeds: int
    n: int
    extra: int = 0
    resources: dict[int, _Resource] = field(default_factory=dict)  # by feed index

    def article_ids(self) -> list[int]:
        """Every article listed now, newest first."""
        return list(range(self.n + self.extra - 1, -1, -1))


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the site saw it."""

    path: str
    kind: str  # feed | page | robots | other
    status: int
    conditional: bool  # sent If-None-Match or If-Modified-Since
    time: float  # time.monotonic()


class BenchSite(LoopbackServer):
    """The site on 127.0.0.1 and an ephemeral port, serving every edition added to it."""

    def __init__(self, bases: list[BasePage], max_articles: int, *, gzip_level: int = 1) -> None:
        """Compress every page up to max_articles once, then bind a free port.

        Args:
            bases: the real pages to build articles from.
            max_articles: pages 0..max_articles-1 can be served (largest N plus the new ones).
            gzip_level: zlib level of the served gzip bodies (1: cheap, as CDNs do on the fly).

        """
        self.bases = bases
        self._pages = [
            gzip.compress(article_html(bases, k), gzip_level, mtime=0) for k in range(max_articles)
        ]
        self._editions: dict[str, Edition] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        super().__init__("newsflow-bench")

    @property
    def max_articles(self) -> int:
        """How many articles the site can serve: 0..max_articles-1."""
        return len(self._pages)

    def add_edition(self, name: str, feeds: int, n: int) -> Edition:
        """Publish F feeds over articles 0..n-1 under /e/<name>/."""
        if n > self.max_articles:
            raise ValueError(f"site built for {self.max_articles} articles, not {n}")
        edition = Edition(name, feeds, n)
        self._render(edition)
        with self._lock:
            self._editions[name] = edition
        return edition

    def publish(self, name: str, count: int) -> list[str]:
        """Add `count` new articles to an edition (spread over its feeds); returns their URLs."""
        edition = self._editions[name]
        first = edition.n + edition.extra
        if first + count > self.max_articles:
            raise ValueError(f"site built for {self.max_articles} articles")
        edition.extra += count
        self._render(edition)
        return [self.base_url + page_path(k) for k in range(first, first + count)]

    def feed_urls(self, name: str) -> list[str]:
        """The URLs of an edition's feeds."""
        edition = self._editions[name]
        return [f"{self.base_url}/e/{name}/feed-{i}.xml" for i in range(edition.feeds)]

    def feeds_toml(self, name: str) -> str:
        """The edition's feeds as a newsflow feeds file; min_interval_s = 0 so re-runs poll at once."""
        blocks = [
            f'[[sources]]\nname = "{name}-{i}"\nurl = "{url}"\nmin_interval_s = 0\n'
            for i, url in enumerate(self.feed_urls(name))
        ]
        return "\n".join(blocks)

    def take_requests(self) -> list[Request]:
        """Requests since the last call, oldest first."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken

    def _render(self, edition: Edition) -> None:
        by_feed: dict[int, list[int]] = {i: [] for i in range(edition.feeds)}
        for k in edition.article_ids():
            by_feed[k % edition.feeds].append(k)
        resources = {i: self._feed(edition, i, ids) for i, ids in by_feed.items()}
        with self._lock:
            edition.resources = resources

    def _feed(self, edition: Edition, index: int, ids: list[int]) -> _Resource:
        items = "".join(self._item(k) for k in ids)
        newest = EPOCH - timedelta(minutes=ids[0]) if ids else EPOCH
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Bench feed {edition.name} {index}</title><link>{self.base_url}/</link>"
            f"<description>benchmark feed</description><language>en</language>{items}</channel></rss>\n"
        ).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        validators = Validators(etag, format_datetime(newest, usegmt=True))
        return _Resource(body, "application/rss+xml; charset=utf-8", validators)

    def _item(self, k: int) -> str:
        url = self.base_url + page_path(k)
        name = html.escape(self.bases[k % len(self.bases)].name)
        published = format_datetime(EPOCH - timedelta(minutes=k), usegmt=True)
        return (
            f"<item><title>Article {k}: {name}</title><link>{url}</link>"
            f'<guid isPermaLink="true">{url}</guid><pubDate>{published}</pubDate>'
            f"<description>Article {k} of the benchmark site.</description></item>"
        )

    def resource(self, path: str) -> tuple[str, _Resource | None]:
        """The kind of a path and what it serves (None: 404)."""
        if path == "/robots.txt":
            validators = Validators('"robots"', format_datetime(EPOCH, usegmt=True))
            return "robots", _Resource(ROBOTS_TXT, "text/plain", validators)
        match = FEED_PATH.match(path)
        if match:
            edition = self._editions.get(match.group(1))
            return "feed", edition.resources.get(int(match.group(2))) if edition else None
        match = PAGE_PATH.match(path)
        if match:
            k = int(match.group(1))
            if k >= len(self._pages):
                return "page", None
            modified = format_datetime(EPOCH - timedelta(minutes=k), usegmt=True)
            validators = Validators(f'"p{k}"', modified)
            return "page", _Resource(self._pages[k], "text/html", validators, gzipped=True)
        return "other", None

    def respond(self, request: LoopbackHandler) -> None:
        """Serve a feed, a page or robots.txt, and log the request before answering it."""
        path = request.path.split("?", 1)[0]
        kind, resource = self.resource(path)
        if resource is None:
            status, body = HTTPStatus.NOT_FOUND, b"not found"
            headers = {"Content-Type": "text/plain"}
        elif resource.validators.match(request.headers):
            status, body, headers = HTTPStatus.NOT_MODIFIED, b"", resource.validators.headers()
        else:
            body, headers = _encoded(resource, request.headers)
            status, headers = HTTPStatus.OK, headers | resource.validators.headers()
        conditional = bool(
            request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since")
        )
        with self._lock:
            self.requests.append(Request(path, kind, status, conditional, time.monotonic()))
        request.send_simple(status, body, headers)


def _encoded(resource: _Resource, request: Message) -> tuple[bytes, dict[str, str]]:
    """The body as the client takes it: a gzipped page as is when it accepts gzip, else decoded."""
    headers = {"Content-Type": resource.content_type}
    if not resource.gzipped:
        return resource.body, headers
    if "gzip" in (request.get("Accept-Encoding") or ""):
        return resource.body, headers | {"Content-Encoding": "gzip"}
    return zlib.decompress(resource.body, 16 + zlib.MAX_WBITS), headers


def count_requests(requests: list[Request]) -> dict[str, int]:
    """Requests by kind, plus conditional feed requests and feed 304s."""
    counts = Counter(r.kind for r in requests)
    counts["feed_conditional"] = sum(1 for r in requests if r.kind == "feed" and r.conditional)
    counts["feed_304"] = sum(1 for r in requests if r.kind == "feed" and r.status == 304)
    counts["page_200"] = sum(1 for r in requests if r.kind == "page" and r.status == 200)
    return {
        kind: counts.get(kind, 0)
        for kind in ("feed", "feed_conditional", "feed_304", "page", "page_200", "robots", "other")
    }
