"""Feed and sitemap parsing: RSS, Atom, RDF, JSON Feed and XML sitemaps in, ParsedFeed records out."""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import itertools
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import charset_normalizer
import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from feedparser.datetimes import _parse_date as feedparser_parse_date
from feedparser.sanitizer import replace_doctype

from tasks.dedup import WHITESPACE, normalize_text
from tasks.records import FeedEntry, ParsedFeed
from tasks.urls import resolve_link

logger = logging.getLogger(__name__)

PARSE_ERROR = "parse_error"
UNSAFE_XML = "unsafe_xml"
NOT_A_FEED = "not_a_feed"
EMPTY = "empty"

# Bounds on what one entry may carry, so a hostile feed cannot push megabytes into every row.
# Plain-text summary: a snippet, the article itself comes from the page. Text helpers read at most
# 4 x their limit of markup, so a 20 MB description costs what 256 KB cost.
SUMMARY_MAX_CHARS = 65_536
CONTENT_MAX_CHARS = 1_000_000  # content_html beyond this is cut (problem "content_truncated")
# feedparser spends ~15 us per entity reference in text (a 20 MB entity-escaped description took
# 32 s), so longer runs of text between two tags are cut to this length before it parses them.
TEXT_RUN_MAX_CHARS = CONTENT_MAX_CHARS
TITLE_MAX_CHARS = 1_000
GUID_MAX_CHARS = 2_048
FIELD_MAX_CHARS = 256  # raw dates, author names, categories, language
LIST_MAX = 50  # authors / categories per entry
FUTURE_TOLERANCE = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_FEED_INTERVAL_S = 86_400  # a feed may ask to be fetched less often, but at least daily
SY_PERIOD_S = {"hourly": 3_600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000}  # fmt: skip

# Decoding. UTF-32 BOMs first: the UTF-16 LE BOM is a prefix of the UTF-32 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
UTF16_WITHOUT_BOM = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]{1,40})["']""")
CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([\w.:-]{1,40})""", re.IGNORECASE)
# WHATWG: documents labelled latin-1 or ASCII are decoded as windows-1252.
WINDOWS_1252_LABELS = frozenset({"latin-1", "iso8859-1", "ascii"})

# Sniffing and rewriting. XML_DECLARATION is the pattern feedparser itself rewrites, so the
# bytes screened for entities below are byte for byte the bytes feedparser parses.
XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")
UTF8_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
PROLOG_ITEM = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
ROOT_TAG = re.compile(r"\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
FEED_ROOTS = frozenset({"rss", "RDF", "feed"})
SITEMAP_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}  # root -> element that is one entry
ITEM_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
ITEM_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
# Anchored after ">" so each run is tried once: linear, where [^<]{n,} alone would be quadratic.
LONG_TEXT_RUN = re.compile(rf"(?<=>)[^<]{{{TEXT_RUN_MAX_CHARS},}}")
PARTIAL_REFERENCE = re.compile(r"&[#\w]{0,12}$")
# An entity whose expansion is one character (<!ENTITY nbsp "&#160;">) cannot amplify anything;
# some feeds declare such aliases to make HTML entity names legal XML.
CHAR_ALIAS = re.compile(r"&#(?:[0-9]{1,7}|x[0-9A-Fa-f]{1,6});|[^&%]?")

# Text.
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.DOTALL | re.IGNORECASE)
COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
TAG = re.compile(r"<[^>]*(?:>|$)")
ABSOLUTE_HTTP = re.compile(r"^\s*https?://", re.IGNORECASE)
IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.IGNORECASE)
JSONFEED_VERSION = "jsonfeed.org/version/1"


@dataclass(frozen=True, slots=True)
class _Context:
    feed_url: str
    max_entries: int
    extra_tracking_params: tuple[str, ...]
    now: datetime


@dataclass(slots=True)
class _RawEntry:
    """One item as a format adapter read it, before links, dates and identity are settled."""

    guid: str | None = None
    link: str | None = None
    title: str | None = None
    summary: str | None = None
    content_html: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published_raw: str | None = None
    published_at: datetime | None = None
    updated_raw: str | None = None
    updated_at: datetime | None = None
    image: str | None = None
    language: str | None = None


class _EntityRefused(Exception):
    """The DTD declares an entity that could expand or reach outside the document."""


class _RootReached(Exception):
    """The screen has seen the whole prolog."""


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    content_type: str | None = None,
    max_entries: int = 2000,
    extra_tracking_params: Sequence[str] = (),
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.x) or an XML sitemap / sitemap index.

    Pure and picklable: no network, no files, no global state; run it in a worker process to
    bound its time. The format is detected from the content; content_type only supplies a
    charset and tells JSON from garbage. Entity declarations that could expand (billion laughs,
    quadratic blowup) or reach outside the document (XXE) are refused before any parser
    expands them. Entries get normalised absolute URLs, UTC dates checked for plausibility,
    plain-text titles and summaries, and a stable entry_key; duplicates within the document
    (same entry_key) are dropped, first one kept.

    Args:
        body: the document as fetched.
        feed_url: its final URL, used to resolve relative links.
        content_type: the HTTP Content-Type, if any.
        max_entries: keep at most this many entries (or child sitemaps); truncated=True if cut.
        extra_tracking_params: more query keys removed from entry URLs.
        now: reference time for the future-date check (default: the current time).

    Returns:
        A ParsedFeed. Never raises: on failure error_class is "empty", "not_a_feed",
        "unsafe_xml" or "parse_error" with a readable error. A document read leniently has
        malformed=True and its entries kept, and error says what was wrong with it.
    """
    ctx = _Context(feed_url, max_entries, tuple(extra_tracking_params), now or datetime.now(UTC))
    started = time.perf_counter()
    try:
        parsed = _parse_document(body, content_type, ctx)
    except Exception as exc:  # the contract is "never raises": a bug must not unwind a batch
        logger.exception("feeds: unexpected failure feed_url=%s", feed_url)
        return _failure(PARSE_ERROR, f"feeds: unexpected {type(exc).__name__}: {exc}")
    logger.debug(
        "feeds: parsed feed_url=%s format=%s entries=%s error_class=%s in %.3fs",
        feed_url, parsed.format, len(parsed.entries), parsed.error_class, time.perf_counter() - started,
    )  # fmt: skip
    return parsed


def entry_key(guid: str | None, link: str | None, title: str | None, published: str | None) -> str:
    """The stable identity of an entry: sha256 hex of its guid, else its link, else title + date.

    Args:
        guid: RSS guid / Atom id / JSON Feed id.
        link: the entry's normalised URL (so tracking-parameter churn keeps the key).
        title: compared case- and white-space-insensitively.
        published: the date exactly as the feed wrote it.
    """
    if guid and guid.strip():
        basis = f"guid\x1f{guid.strip()}"
    elif link and link.strip():
        basis = f"link\x1f{link.strip()}"
    else:
        basis = f"title\x1f{normalize_text(title or '')}\x1f{(published or '').strip()}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _parse_document(body: bytes, content_type: str | None, ctx: _Context) -> ParsedFeed:
    """Decode, sniff and dispatch to the adapter for the format."""
    text = _decode(body, content_type).lstrip("\ufeff \t\r\n")
    if not text:
        return _failure(EMPTY, "feeds: empty document")
    if text.startswith(("{", "[")) or ("json" in (content_type or "") and not text.startswith("<")):
        return _parse_json_feed(text, ctx)
    root = _root_name(text) if text.startswith("<") else None
    if root is None:
        return _failure(NOT_A_FEED, "feeds: neither XML nor JSON")
    if root.lower() == "html":
        return _failure(NOT_A_FEED, "feeds: an HTML page, not a feed")
    truncated = False
    if root not in SITEMAP_ROOTS:
        text, truncated = _cut_items(text, ctx.max_entries)
        text = _cut_long_text(text, ctx.feed_url)
    xml = _as_utf8_xml(text)
    reason = _unsafe_xml_reason(xml)
    if reason:
        logger.warning("feeds: refused unsafe XML feed_url=%s: %s", ctx.feed_url, reason)
        return _failure(UNSAFE_XML, reason)
    if root in SITEMAP_ROOTS:
        return _parse_sitemap(xml, root, ctx)
    return _parse_with_feedparser(xml, root, truncated, ctx)


def _failure(error_class: str, error: str, fmt: str = "unknown") -> ParsedFeed:
    return ParsedFeed(format=fmt, error_class=error_class, error=error)


# --- decoding and sniffing -------------------------------------------------------------------


def _decode(body: bytes, content_type: str | None) -> str:
    """Text of the document: BOM, then valid UTF-8, then declared charsets, then a guess.

    Valid UTF-8 wins over a declared single-byte charset because mislabelled UTF-8 is far more
    common than legacy text that happens to be valid UTF-8.
    """
    for bom, codec in BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace")
    if body[:2] in UTF16_WITHOUT_BOM:
        return body.decode(UTF16_WITHOUT_BOM[body[:2]], "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in _declared_charsets(body, content_type):
        try:
            return body.decode(label)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(_guess_charset(body), "replace")


def _declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets named by the XML declaration and the Content-Type, as Python codec names."""
    labels = []
    declared = DECLARED_ENCODING.match(body)
    if declared:
        labels.append(declared.group(1).decode("ascii"))
    http_charset = CHARSET_PARAM.search(content_type or "")
    if http_charset:
        labels.append(http_charset.group(1))
    codecs_found = []
    for label in labels:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        codecs_found.append("cp1252" if name in WINDOWS_1252_LABELS else name)
    return codecs_found


def _guess_charset(body: bytes) -> str:
    """charset-normalizer's pick, except that windows-1252 wins when it is among the plausible ones.

    Measured here: on short Western European texts charset-normalizer ranks cp1257/cp1258 above
    cp1252 although all three read plausibly; cp1252 is the web's default legacy charset.
    """
    plausible = [match.encoding for match in charset_normalizer.from_bytes(body)]
    if not plausible or "cp1252" in plausible:
        return "cp1252"
    return plausible[0]


def _root_name(text: str) -> str | None:
    """Local name of the root element, skipping the XML declaration, comments, PIs and DOCTYPE."""
    position = 0
    while item := PROLOG_ITEM.match(text, position):
        position = item.end()
    root = ROOT_TAG.match(text, position)
    return root.group(1) if root else None


def _cut_items(text: str, max_entries: int) -> tuple[str, bool]:
    """Drop the items after the first max_entries before parsing: feedparser costs ~1 ms per item.

    The span from the first surplus item to the end of the last item is removed, which keeps
    the document well-formed (the closing tags after the last item stay).
    """
    surplus = next(itertools.islice(ITEM_START.finditer(text), max_entries, None), None)
    if surplus is None:
        return text, False
    last_end = None
    for last_end in ITEM_END.finditer(text, surplus.start()):
        pass
    tail = text[last_end.end() :] if last_end else ""
    return text[: surplus.start()] + tail, True


def _cut_long_text(text: str, feed_url: str) -> str:
    """Shorten text runs over TEXT_RUN_MAX_CHARS, never leaving half an entity reference."""
    text, cuts = LONG_TEXT_RUN.subn(
        lambda run: PARTIAL_REFERENCE.sub("", run.group()[:TEXT_RUN_MAX_CHARS]), text
    )
    if cuts:
        logger.info(
            "feeds: cut %s text runs over %s chars feed_url=%s", cuts, TEXT_RUN_MAX_CHARS, feed_url
        )
    return text


def _as_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration says so (feedparser rewrites it the same way)."""
    if XML_DECLARATION.match(text):
        text = XML_DECLARATION.sub(UTF8_DECLARATION, text, count=1)
    else:
        text = f"{UTF8_DECLARATION}\n{text}"
    return text.encode("utf-8")


# --- entity screening ------------------------------------------------------------------------


def _unsafe_xml_reason(xml: bytes) -> str | None:
    """Why the DTD is refused, or None; checks exactly what feedparser's two parsers will see.

    feedparser first rewrites the DOCTYPE (replace_doctype): it keeps entity declarations it
    deems safe, re-declares them for expat, and hands them as a dict to its regex-based loose
    parser, which it falls back to whenever expat refuses the document. All are checked: the
    dict directly, the original and the rewritten bytes with expat (prolog only).
    """
    _version, rewritten, loose_entities = replace_doctype(xml)
    for name, value in loose_entities.items():
        if not CHAR_ALIAS.fullmatch(value):
            return (
                f"feeds: unsafe XML: entity {name!r} is declared; entity declarations are refused"
            )
    return _expat_prolog_reason(xml) or _expat_prolog_reason(rewritten)


def _expat_prolog_reason(xml: bytes) -> str | None:
    """Run expat up to the root element: the reason when the DTD declares a refused entity."""
    parser = expat.ParserCreate()
    parser.EntityDeclHandler = _refuse_entity
    parser.StartElementHandler = _stop_at_root
    try:
        parser.Parse(xml, True)
    except _EntityRefused as exc:
        return str(exc)
    except (_RootReached, expat.ExpatError):  # a prolog broken earlier declares nothing to expand
        return None
    return None


def _refuse_entity(
    name: str, is_parameter: int, value: str | None, _base: Any, system_id: str | None, *_rest: Any
) -> None:
    if value is not None and len(value) <= 1 and not is_parameter:
        return
    kind = "external" if system_id else "parameter" if is_parameter else "internal"
    msg = f"feeds: unsafe XML: {kind} entity {name!r} is declared; entity declarations are refused"
    raise _EntityRefused(msg)


def _stop_at_root(*_args: Any) -> None:
    raise _RootReached


# --- RSS / Atom / RDF through feedparser ---------------------------------------------------------


def _parse_with_feedparser(xml: bytes, root: str, truncated: bool, ctx: _Context) -> ParsedFeed:
    """RSS, Atom and RDF: feedparser reads the screened UTF-8 bytes, we adapt its dicts.

    Always a BytesIO (a str would be opened as a URL or a file name). No Content-Location:
    feedparser would resolve non-URL guids against it, turning "abc-123" into a fake link.
    HTML sanitising and relative-URI rewriting are off: newsflow never renders feed HTML (the
    extractor reads it), and on a 20 MB description they cost minutes (measured: 60-170 s).
    """
    parsed = feedparser.parse(
        io.BytesIO(xml),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.bozo or not version):  # broken before anything was read
        error_class = PARSE_ERROR if version or root in FEED_ROOTS else NOT_A_FEED
        return _failure(
            error_class,
            f"feeds: nothing readable in <{root}> document: {parsed.get('bozo_exception')}",
        )
    feed = dict(parsed.feed)  # plain dicts: FeedParserDict maps a missing "updated" to "published"
    language = _clip(feed.get("language"), FIELD_MAX_CHARS)
    raws = (_raw_from_feedparser(dict(entry), language) for entry in parsed.entries)
    return ParsedFeed(
        format=_format_of(version, root),
        entries=_finish_entries(raws, ctx),
        title=_detail_text(feed.get("title_detail"), TITLE_MAX_CHARS),
        site_url=resolve_link(feed.get("link"), ctx.feed_url, ctx.extra_tracking_params)[0],
        language=language,
        min_interval_s=_feed_interval(feed),
        malformed=bool(parsed.bozo),
        truncated=truncated,
        error=f"feeds: read leniently: {parsed.get('bozo_exception')}" if parsed.bozo else None,
    )


def _format_of(version: str, root: str) -> str:
    if version.startswith("atom") or (not version and root == "feed"):
        return "atom"
    if version in ("rss090", "rss10") or (not version and root == "RDF"):
        return "rdf"
    return "rss" if version.startswith("rss") or root == "rss" else "unknown"


def _raw_from_feedparser(entry: dict[str, Any], feed_language: str | None) -> _RawEntry:
    """Adapt one feedparser entry dict."""
    guid, link = entry.get("id"), entry.get("link")
    if entry.get("guidislink") and link == guid and not ABSOLUTE_HTTP.match(link or ""):
        link = None  # feedparser copies any guid/id into link; only an http(s) one is a permalink
    content = _pick_content(entry.get("content") or [])
    raw = _RawEntry(
        guid=guid,
        link=link,
        title=_detail_text(entry.get("title_detail"), TITLE_MAX_CHARS),
        # feedparser copies content into "summary" (without a detail dict) when there is no description
        summary=_detail_text(
            entry.get("summary_detail") or {"type": "html", "value": entry.get("summary")},
            SUMMARY_MAX_CHARS,
        ),
        content_html=content.get("value"),
        authors=[a.get("name") or a.get("email") or "" for a in entry.get("authors") or []]
        or [entry.get("author") or ""],
        categories=[tag.get("term") or tag.get("label") or "" for tag in entry.get("tags") or []],
        # Undated otherwise: Atom entries with only <updated>, RSS 1.0 items with only dc:date.
        published_raw=entry.get("published") or entry.get("updated"),
        published_at=_from_struct(entry.get("published_parsed") or entry.get("updated_parsed")),
        updated_raw=entry.get("updated"),
        updated_at=_from_struct(entry.get("updated_parsed")),
        image=_feedparser_image(entry),
    )
    detail = entry.get("title_detail") or content or entry.get("summary_detail") or {}
    raw.language = _clip(detail.get("language"), FIELD_MAX_CHARS) or feed_language
    return raw


def _pick_content(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """The HTML body among content:encoded / Atom content, else {}."""
    return next((c for c in contents if "html" in (c.get("type") or "")), {})


def _feedparser_image(entry: dict[str, Any]) -> str | None:
    """media:content (images), media:thumbnail, an image enclosure, itunes:image - first found."""
    for media in entry.get("media_content") or []:
        medium, mime, url = media.get("medium"), media.get("type") or "", media.get("url") or ""
        if (
            medium == "image"
            or mime.startswith("image/")
            or (not medium and not mime and IMAGE_PATH.search(url))
        ):
            return _str(url)
    for thumbnail in entry.get("media_thumbnail") or []:
        if _str(thumbnail.get("url")):
            return _str(thumbnail.get("url"))
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            return _str(link.get("href"))
    return _str((entry.get("image") or {}).get("href"))


def _feed_interval(feed: dict[str, Any]) -> int | None:
    """Seconds between fetches the feed asks for: the larger of <ttl> and sy:updatePeriod/Frequency."""
    hints = []
    ttl = _int(feed.get("ttl"))
    if ttl and ttl > 0:
        hints.append(ttl * 60)
    period = SY_PERIOD_S.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period:
        hints.append(period // max(1, _int(feed.get("sy_updatefrequency")) or 1))
    return min(max(hints), MAX_FEED_INTERVAL_S) if hints else None


# --- JSON Feed ---------------------------------------------------------------------------------


def _parse_json_feed(text: str, ctx: _Context) -> ParsedFeed:
    """JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1); wrongly typed fields count as missing."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return _failure(PARSE_ERROR, f"feeds: invalid JSON: {exc}")
    if not isinstance(doc, dict) or JSONFEED_VERSION not in (_str(doc.get("version")) or ""):
        return _failure(NOT_A_FEED, "feeds: JSON without a jsonfeed.org version: not a JSON Feed")
    items = _list(doc.get("items"))
    language = _clip(_str(doc.get("language")), FIELD_MAX_CHARS)
    raws = (
        _raw_from_json(item, language)
        for item in items[: ctx.max_entries]
        if isinstance(item, dict)
    )
    return ParsedFeed(
        format="jsonfeed",
        entries=_finish_entries(raws, ctx),
        title=_plain_text(_str(doc.get("title")), TITLE_MAX_CHARS),
        site_url=resolve_link(
            _str(doc.get("home_page_url")), ctx.feed_url, ctx.extra_tracking_params
        )[0],
        language=language,
        truncated=len(items) > ctx.max_entries,
    )


def _raw_from_json(item: dict[str, Any], feed_language: str | None) -> _RawEntry:
    content_html = _str(item.get("content_html"))
    summary = _plain_text(
        _str(item.get("summary")) or _str(item.get("content_text")), SUMMARY_MAX_CHARS
    )
    authors = _list(item.get("authors")) or [item.get("author")]
    guid = item.get("id")
    return _RawEntry(
        guid=str(guid) if isinstance(guid, str | int) and not isinstance(guid, bool) else None,
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_plain_text(_str(item.get("title")), TITLE_MAX_CHARS),
        summary=summary or _html_text(content_html, SUMMARY_MAX_CHARS),
        content_html=content_html,
        authors=[_str(a.get("name")) or "" for a in authors if isinstance(a, dict)],
        categories=[tag for tag in _list(item.get("tags")) if isinstance(tag, str)],
        published_raw=_str(item.get("date_published")) or _str(item.get("date_modified")),
        updated_raw=_str(item.get("date_modified")),
        image=_str(item.get("image")) or _str(item.get("banner_image")),
        language=_clip(_str(item.get("language")), FIELD_MAX_CHARS) or feed_language,
    )


# --- sitemaps ----------------------------------------------------------------------------------


def _parse_sitemap(xml: bytes, root: str, ctx: _Context) -> ParsedFeed:
    """Sitemap (urlset, incl. Google News and image extensions) or sitemap index, streamed.

    defusedxml refuses entity declarations and external references itself; elements are
    cleared as they are read and reading stops after max_entries, so a 50,000-URL sitemap
    costs what max_entries URLs cost. A document broken half-way keeps what came before.
    """
    fmt = "sitemap" if root == "urlset" else "sitemapindex"
    raws: list[_RawEntry] = []
    truncated, broken = False, None
    try:
        for _event, element in iterparse(io.BytesIO(xml), events=("end",)):
            if _local(element.tag) != SITEMAP_ROOTS[root]:
                continue
            if len(raws) >= ctx.max_entries:
                truncated = True
                break
            raws.append(_raw_from_sitemap_url(element))
            element.clear()
    except DefusedXmlException as exc:
        return _failure(UNSAFE_XML, f"feeds: unsafe XML in sitemap: {exc}", fmt)
    except ParseError as exc:
        if not raws:
            return _failure(PARSE_ERROR, f"feeds: sitemap is not well-formed XML: {exc}", fmt)
        broken = f"feeds: read leniently: {exc}"
    entries: tuple[FeedEntry, ...] = ()
    child_urls: tuple[str, ...] = ()
    if fmt == "sitemapindex":
        links = (resolve_link(raw.link, ctx.feed_url, ctx.extra_tracking_params)[0] for raw in raws)
        child_urls = tuple(dict.fromkeys(url for url in links if url))
    else:
        entries = _finish_entries(raws, ctx)
    return ParsedFeed(
        format=fmt,
        entries=entries,
        child_urls=child_urls,
        malformed=broken is not None,
        truncated=truncated,
        error=broken,
    )


def _raw_from_sitemap_url(url: Element) -> _RawEntry:
    """<url> (or <sitemap>): loc, lastmod, news:news (title, date, keywords, language), image:loc."""
    raw = _RawEntry(link=_child_text(url, "loc"), updated_raw=_child_text(url, "lastmod"))
    for child in url:
        name = _local(child.tag)
        if name == "image" and raw.image is None:
            raw.image = _child_text(child, "loc")
        elif name == "news":
            raw.title = _plain_text(_child_text(child, "title"), TITLE_MAX_CHARS)
            raw.published_raw = _child_text(child, "publication_date")
            raw.categories = (_child_text(child, "keywords") or "").split(",")
            publication = next((c for c in child if _local(c.tag) == "publication"), None)
            raw.language = _child_text(publication, "language") if publication is not None else None
    return raw


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child_text(element: Element, name: str) -> str | None:
    """Stripped text of the first direct child with this local name."""
    child = next((c for c in element if _local(c.tag) == name), None)
    if child is None:
        return None
    return (child.text or "").strip() or None


# --- entries -----------------------------------------------------------------------------------


def _finish_entries(raws: Iterable[_RawEntry], ctx: _Context) -> tuple[FeedEntry, ...]:
    """Finished entries, duplicates (same entry_key) dropped with the first one kept."""
    entries: dict[str, FeedEntry] = {}
    for raw in raws:
        entry = _finish_entry(raw, ctx)
        if entry is not None and entry.entry_key not in entries:
            entries[entry.entry_key] = entry
    return tuple(entries.values())


def _finish_entry(raw: _RawEntry, ctx: _Context) -> FeedEntry | None:
    """Resolve the link, check the dates, bound the fields and compute the key.

    Returns None for an entry with no guid, no link and no title: it cannot be told apart
    from the next one, so it cannot be tracked across fetches.
    """
    url, link_problem = resolve_link(raw.link, ctx.feed_url, ctx.extra_tracking_params)
    guid = _clip((raw.guid or "").strip() or None, GUID_MAX_CHARS)
    if not (guid or url or raw.title):
        return None
    published_raw = _clip(_strip(raw.published_raw), FIELD_MAX_CHARS)
    updated_raw = _clip(_strip(raw.updated_raw), FIELD_MAX_CHARS)
    published_at, published_problem = _plausible(
        raw.published_at or _parse_date(published_raw), published_raw, ctx.now
    )
    updated_at, updated_problem = _plausible(
        raw.updated_at or _parse_date(updated_raw), updated_raw, ctx.now
    )
    content = raw.content_html
    content_problem = "content_truncated" if content and len(content) > CONTENT_MAX_CHARS else None
    problems = (link_problem, published_problem, updated_problem, content_problem)
    return FeedEntry(
        entry_key=entry_key(guid, url, raw.title, published_raw),
        url=url,
        guid=guid,
        title=raw.title,
        summary=raw.summary,
        content_html=content[:CONTENT_MAX_CHARS] if content else None,
        authors=_short_list(raw.authors),
        categories=_short_list(raw.categories),
        published_raw=published_raw,
        published_at=published_at,
        updated_raw=updated_raw,
        updated_at=updated_at,
        image_url=resolve_link(raw.image, ctx.feed_url)[0] if raw.image else None,
        language=raw.language,
        problems=tuple(dict.fromkeys(p for p in problems if p)),
    )


def _plausible(
    when: datetime | None, raw: str | None, now: datetime
) -> tuple[datetime | None, str | None]:
    """The date, or None and why: more than a day in the future, before 1970, unparsable."""
    if when is None:
        return None, "unparsable_date" if raw else None
    if when > now + FUTURE_TOLERANCE:
        return None, "future_date"
    if when < EPOCH:
        return None, "ancient_date"
    return when, None


def _parse_date(raw: str | None) -> datetime | None:
    """ISO 8601 / W3C-DTF first (JSON Feed, sitemaps), then every format feedparser knows."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return _from_struct(feedparser_parse_date(raw))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None when absent or out of range."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


# --- text helpers ------------------------------------------------------------------------------


def _detail_text(detail: dict[str, Any] | None, limit: int) -> str | None:
    """Plain text of a feedparser *_detail dict, tags stripped only when its type is (X)HTML."""
    if not detail:
        return None
    value = detail.get("value")
    return (
        _html_text(value, limit)
        if "html" in (detail.get("type") or "")
        else _plain_text(value, limit)
    )


def _html_text(markup: str | None, limit: int) -> str | None:
    """Visible text of an HTML fragment, white space collapsed; reads at most 4 x limit chars."""
    if not markup:
        return None
    snippet = COMMENT.sub(" ", SCRIPT_OR_STYLE.sub(" ", markup[: 4 * limit]))
    return _plain_text(html.unescape(TAG.sub(" ", snippet)), limit)


def _plain_text(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return WHITESPACE.sub(" ", text[: 4 * limit]).strip()[:limit] or None


def _short_list(values: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated and bounded names (authors, categories)."""
    cleaned = (_plain_text(value, FIELD_MAX_CHARS) for value in values)
    return tuple(itertools.islice(dict.fromkeys(v for v in cleaned if v), LIST_MAX))


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _strip(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def _str(value: Any) -> str | None:
    """The value when it is a non-blank string (feed data is untyped), else None."""
    if isinstance(value, str) and value.strip():
        return value
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
