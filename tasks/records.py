"""Plain records that flow between the pipeline's stages.

Every stage takes and returns these; feedparser dicts, httpx responses and DuckDB rows never
leave the module that produced them. Datetimes are timezone-aware (UTC).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from http import HTTPStatus

from config.sources import Source


class FetchStatus:
    """Outcome classes of one HTTP fetch, stored as `fetch_log.error_class` (None when ok)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_ERROR = "http_error"  # a 4xx/5xx that survived retries
    TIMEOUT = "timeout"  # connect/read timeout or the total deadline
    NETWORK_ERROR = "network_error"  # refused, reset, DNS failure, protocol error
    TLS_ERROR = "tls_error"
    TOO_LARGE = "too_large"  # body or decompressed body over the cap
    BLOCKED_ADDRESS = "blocked_address"  # SSRF guard: private/loopback/... address
    BAD_URL = "bad_url"  # unsupported scheme, no host, unparsable
    TOO_MANY_REDIRECTS = "too_many_redirects"  # includes redirect loops
    ROBOTS_DISALLOWED = "robots_disallowed"
    NOT_HTML = "not_html"  # PDF, image, empty body... where HTML was expected


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET produced, success or failure; never raised, always returned."""

    url: str  # as requested
    final_url: str  # after redirects
    status: str  # a FetchStatus value
    kind: str = "page"  # feed | page | robots | discovery
    http_status: int | None = None
    body: bytes = b""
    body_gzip: bytes | None = None  # the body as the server gzipped it, stored as it came
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age_s: int | None = None  # from Cache-Control
    retry_after_s: float | None = None
    # Each redirect hop as (http status, location); a 301/308 first hop moves a feed.
    redirects: tuple[tuple[int, str], ...] = ()
    error: str | None = None  # human-readable reason when status is not ok
    elapsed_ms: float = 0.0
    attempts: int = 1
    started_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """The body arrived (200-class): there is something to parse or extract."""
        return self.status == FetchStatus.OK

    @property
    def succeeded(self) -> bool:
        """The server answered as hoped: with a body, or that nothing changed (304)."""
        return self.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)

    @property
    def transient(self) -> bool:
        """Worth another attempt, in this run or a later one.

        Timeouts, connection trouble, 429 and 5xx are; any other failure is final for that URL.
        """
        if self.status in (FetchStatus.TIMEOUT, FetchStatus.NETWORK_ERROR):
            return True
        code = self.http_status or 0
        return self.status == FetchStatus.HTTP_ERROR and (
            code == HTTPStatus.TOO_MANY_REQUESTS or code >= HTTPStatus.INTERNAL_SERVER_ERROR
        )

    @property
    def permanent_redirect(self) -> str | None:
        """The new URL when every hop was permanent (301/308), else None."""
        if self.redirects and all(code in (301, 308) for code, _ in self.redirects):
            return self.final_url
        return None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed or sitemap, normalised."""

    entry_key: str  # stable id: sha256 of guid, else link, else title+date
    url: str | None  # absolute, normalised; None when the entry has no usable link
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    # Full article HTML when the feed carries it (content:encoded, Atom content, JSON content_html).
    content_html: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    published_raw: str | None = None  # exactly as the feed gave it
    published_at: datetime | None = None  # None when missing, unparsable or implausible
    updated_raw: str | None = None
    updated_at: datetime | None = None
    image_url: str | None = None
    language: str | None = None
    # Why the entry cannot be fetched or why a field was dropped, e.g. "missing_link",
    # "refused_scheme:javascript", "future_date", "ancient_date"; empty when clean.
    problems: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The entry as JSON, stored with its discovery to rebuild it when its page is fetched."""
        data = asdict(self)
        for key in ("published_at", "updated_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> FeedEntry:
        """The entry to_json stored."""
        data = json.loads(text)
        for key in ("published_at", "updated_at"):
            data[key] = datetime.fromisoformat(data[key]) if data[key] else None
        for key in ("authors", "categories", "problems"):
            data[key] = tuple(data[key])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed document; a parse failure is a ParsedFeed with error_class set."""

    format: str  # rss | atom | rdf | jsonfeed | sitemap | sitemapindex | unknown
    entries: tuple[FeedEntry, ...] = ()
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    # Lower bound between fetches the feed asks for (RSS <ttl>, sy:updatePeriod), seconds.
    min_interval_s: int | None = None
    # Child sitemaps of a sitemap index, absolute URLs.
    child_urls: tuple[str, ...] = ()
    malformed: bool = False  # feedparser's bozo flag: parsed leniently
    truncated: bool = False  # more entries than max_entries_per_feed
    error_class: str | None = None  # parse_error | unsafe_xml | parse_timeout | not_a_feed
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """The extracted article: clean text plus metadata."""

    url: str | None
    canonical_url: str | None
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: str | None = None  # detected from the text
    declared_language: str | None = None  # from <html lang> / meta, when it disagrees
    site_name: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    summary: str | None = None
    word_count: int = 0
    content_hash: str = ""  # sha256 of the normalised text
    # Quality flags: too_short, paywall, consent_page, not_article, fallback_extraction, ...
    flags: tuple[str, ...] = ()
    # Paragraphs of the cleaned text (before template removal) for site-template learning.
    paragraphs: tuple[str, ...] = field(default=(), repr=False)
    extractor_version: str = ""


@dataclass(frozen=True, slots=True)
class PageJob:
    """An article page to fetch: which entry of which source pointed at it."""

    source_name: str
    entry: FeedEntry


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What became of one PageJob: an article, or a recorded reason why not."""

    job: PageJob
    fetch: FetchResult | None
    article: Article | None = None
    error_class: str | None = None  # a FetchStatus, or extraction_error/extraction_timeout/...
    error: str | None = None
    story_signature: bytes | None = None  # near-duplicate signature of article.text

    @property
    def retryable(self) -> bool:
        """Worth fetching again in a later run: the page's fetch failed transiently.

        Extraction failures are final for that page.
        """
        return (
            self.fetch is not None
            and self.error_class == self.fetch.status
            and self.fetch.transient
        )


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the warehouse remembers about a source between runs."""

    name: str
    url: str  # current URL (a permanent redirect moves it)
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_fetch_at: datetime | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """One source's fetch in this run: the HTTP result, the parsed feed, and what to remember."""

    source: Source
    fetch: FetchResult
    parsed: ParsedFeed | None  # None when not fetched, not modified or the body was unchanged
    body_hash: str | None
    next_fetch_at: datetime
    # Failed fetches of the source in a row, this one included (0 after a success): the count
    # the backoff in next_fetch_at was computed from, stored as it is.
    consecutive_failures: int
    unchanged: bool = False  # 304, or a 200 whose body hash equals the last one parsed
    disabled_reason: str | None = None  # set when the source must be disabled (410 Gone)

    @property
    def failed(self) -> bool:
        """The fetch failed, or its body could not be read as a feed."""
        return not self.fetch.succeeded or (
            self.parsed is not None and self.parsed.error_class is not None
        )


@dataclass(slots=True)
class RunSummary:
    """Counts of one ingest run, stored in ingest_runs and printed at the end."""

    run_id: str
    feeds_total: int = 0
    feeds_fetched: int = 0
    feeds_not_modified: int = 0
    feeds_skipped: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    entries_new: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    errors_by_class: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    flow_run_id: str | None = None


# --- warehouse rows --------------------------------------------------------------------------
# What a batch writes: one dataclass per table the loader stages it in (warehouse/load.py),
# fields in that table's column order. The staging table's Arrow schema is derived from these
# annotations, so a column is declared here and used by name in warehouse/queries/*.sql.


@dataclass(frozen=True, slots=True)
class EntryRow:
    """A feed entry as `discoveries` records it."""

    source_name: str
    entry_key: str
    url: str | None
    guid: str | None
    title: str | None
    published_raw: str | None
    published_at: datetime | None
    updated_raw: str | None
    updated_at: datetime | None
    problems: tuple[str, ...]
    state: str  # pending, or skipped when the entry has no usable link
    entry_json: str  # FeedEntry.to_json


@dataclass(frozen=True, slots=True)
class FeedStateRow:
    """One source's fetch in this run, as `sources` remembers it."""

    name: str
    ok: bool
    fetched_at: datetime
    moved_to: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    feed_title: str | None
    feed_format: str | None
    feed_interval_s: int | None
    next_fetch_at: datetime
    consecutive_failures: int
    error_class: str | None
    error: str | None
    disabled_reason: str | None


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """A new or changed article: its `articles` row and its `raw_pages` row."""

    article_id: str
    canonical_url: str | None
    url: str | None
    job_url: str | None
    site: str | None
    source_name: str
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    updated_at: datetime | None
    language: str | None
    declared_language: str | None
    site_name: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    image_url: str | None
    summary: str | None
    text: str
    word_count: int
    content_hash: str
    flags: tuple[str, ...]
    story_id: str | None
    story_signature: bytes | None
    fetched_at: datetime
    extractor_version: str
    content_type: str | None
    html_compressed: bytes
    html_codec: str  # gzip or zlib: how html_compressed reads back
    html_bytes: int


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A fetched URL's article: every pending entry of that URL is settled with it."""

    job_url: str | None
    article_id: str


@dataclass(frozen=True, slots=True)
class FailureRow:
    """A URL whose page gave no article, counted against its pending entries."""

    job_url: str | None
    error_class: str | None
    error: str | None
    retryable: bool


@dataclass(frozen=True, slots=True)
class ParagraphsRow:
    """The paragraph fingerprints of one page of a site: a `site_paragraphs` row for each."""

    site: str
    fingerprints: tuple[str, ...]
    article_id: str


@dataclass(frozen=True, slots=True)
class CleanedText:
    """A stored article's text without its site's learned template paragraphs."""

    article_id: str
    text: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class FetchLogRow:
    """One request made, as `fetch_log` records it."""

    run_id: str
    kind: str
    source_name: str | None
    url: str
    final_url: str | None
    http_status: int | None
    error_class: str | None
    error: str | None
    bytes: int
    elapsed_ms: float
    attempts: int
    requested_at: datetime


@dataclass(slots=True)
class PageRows:
    """What one batch of page outcomes writes, loaded together in one transaction."""

    articles: list[ArticleRow] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)
    paragraphs: list[ParagraphsRow] = field(default_factory=list)
    failures: list[FailureRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredArticles:
    """What the warehouse already holds for a batch's articles."""

    content_hash_by_id: dict[str, str]
    story_by_content_hash: dict[str, str]  # an exact duplicate joins its story
