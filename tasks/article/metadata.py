"""Article metadata from one parsed page: schema.org JSON-LD and microdata, OpenGraph, meta tags."""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from dateutil import parser as dateutil_parser
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

# dateutil warns on stderr about every zone name it does not know ("2020-01-10T00:59:47ZZ" in a
# page's meta); parse_datetime reads such a time as UTC like any naive one, so in an unattended
# run the warning is only noise, printed from an extraction worker without the page's URL.
warnings.filterwarnings("ignore", category=dateutil_parser.UnknownTimezoneWarning)

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle",
        "liveblogposting", "scholarlyarticle", "techarticle", "report",
        "socialmediaposting", "medicalscholarlyarticle", "satiricalarticle",
        "advertisernewsarticle",
    }
)  # fmt: skip
# Page types that list other pages rather than carry an article.
LISTING_TYPES = frozenset({"collectionpage", "searchresultspage", "profilepage"})
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "date",
    "dc.date.issued", "dc.date", "dcterms.created", "dcterms.date", "dcterms.issued",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "article.published",
    "cxenseparse:recs:publishtime", "release_date",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "article.updated",
)  # fmt: skip
LANGUAGE_META = ("og:locale", "content-language", "dc.language", "language", "inlanguage")
CATEGORY_LINKS = etree.XPath("//a[@rel][contains(@rel, 'category')]")
TAG_LINKS = etree.XPath("//a[@rel='tag']")
# @class first: the costly contains() then runs only on elements that have a class
BYLINE_ELEMENTS = etree.XPath(
    "//a[@rel='author'] | //*[@class][contains(@class, 'byline') or contains(@class, 'author-name') "
    "or contains(@class, 'author__name')]"
)
ITEMPROPS = etree.XPath("//*[@itemprop]")
MICRODATA_PROPS = frozenset({"headline", "author", "datePublished", "dateModified"})
ITEMPROP_NAME = etree.XPath(".//*[@itemprop='name']")
TIME_DATETIMES = etree.XPath("//body//time/@datetime")
MAX_TAXONOMY_LINKS = 10
JSON_LD_TYPE = re.compile(r"ld\+json", re.IGNORECASE)
SPACE = re.compile(r"\s+")
TAG = re.compile(r"<[^>]{0,500}>")
TITLE_SEPARATOR = re.compile(r"\s+[|–—·»:-]\s+")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself, each field from the most trusted source that has it."""

    title: str | None = None
    authors: tuple[str, ...] = ()  # raw author strings; see clean_authors
    published_raw: tuple[str, ...] = ()  # candidates, most trusted first
    modified_raw: tuple[str, ...] = ()
    description: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    canonical_url: str | None = None
    declared_language: str | None = None
    article_body: str | None = None  # schema.org articleBody, one paragraph per line
    is_article_typed: bool = False  # JSON-LD or microdata declares an article type
    is_listing_typed: bool = False  # ...or only a listing type (collection, search, profile)
    free_access: bool | None = None  # schema.org isAccessibleForFree


def extract_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Read the page's own metadata without modifying the tree.

    Args:
        tree: the parsed page (lxml.html).
        url: the page's URL, used to make image and canonical URLs absolute.

    Returns:
        A PageMetadata; fields the page does not provide are empty. Never raises on bad markup.

    """
    ld, listing = _json_ld_article(tree)
    micro = _microdata(tree)
    meta = _meta_tags(tree)
    title = _first(ld.get("headline"), ld.get("name"), micro.get("headline"), meta.get("og:title"),
                   meta.get("twitter:title"), _title_tag(tree))  # fmt: skip
    site_name = _first(meta.get("og:site_name"), meta.get("application-name"))
    publisher = _first(_name_of(ld.get("publisher")))
    return PageMetadata(
        title=title,
        authors=tuple(_names(ld.get("author"))) + tuple(_names(micro.get("author")))
        + tuple(_values(meta, "author", "article:author", "dc.creator", "byl", "sailthru.author")),
        published_raw=tuple(_texts(ld.get("datePublished"), ld.get("dateCreated"),
                                   micro.get("datePublished"), *map(meta.get, PUBLISHED_META))),
        modified_raw=tuple(_texts(ld.get("dateModified"), micro.get("dateModified"),
                                  *map(meta.get, MODIFIED_META))),
        description=_plain(_first(ld.get("description"), meta.get("og:description"),
                                  meta.get("description"), meta.get("twitter:description"))),
        site_name=site_name or publisher,
        publisher=publisher,
        categories=_dedup(_texts(ld.get("articleSection"), *_all(meta, "article:section")))
        or _link_texts(tree, CATEGORY_LINKS),
        tags=_dedup(_keywords(ld.get("keywords")) + _all(meta, "article:tag")
                    + _keywords(meta.get("news_keywords"))) or _link_texts(tree, TAG_LINKS),
        image_url=_absolute(url, _first(meta.get("og:image"), _image_of(ld.get("image")),
                                        meta.get("twitter:image"))),
        canonical_url=_absolute(url, _first(_canonical_link(tree), meta.get("og:url"))),
        declared_language=_first(tree.get("lang"), tree.get("xml:lang"), ld.get("inLanguage"),
                                 *map(meta.get, LANGUAGE_META)),
        article_body=_paragraphs(ld.get("articleBody")),
        is_article_typed=bool(ld) or "headline" in micro,
        is_listing_typed=listing,
        free_access=_free_access(ld.get("isAccessibleForFree")),
    )  # fmt: skip


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object of every ld+json script, @graph members flattened."""
    for script in tree.iter("script"):
        if not JSON_LD_TYPE.search(script.get("type") or "") or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            logger.debug("unparsable JSON-LD block skipped")
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                stack.extend(item.get("@graph") or [])
                yield item
            elif isinstance(item, list):
                stack.extend(item)


def _types(obj: dict[str, Any]) -> set[str]:
    types = obj.get("@type")
    return {str(t).lower() for t in (types if isinstance(types, list) else [types]) if t}


def _json_ld_article(tree: HtmlElement) -> tuple[dict[str, Any], bool]:
    """The first JSON-LD object of an article type (a WebPage's mainEntity counts), or {};
    and whether the page declares a listing type (collection, search results, profile).
    """
    listing = False
    for obj in _json_ld_objects(tree):
        types = _types(obj)
        if types & ARTICLE_TYPES:
            return obj, False
        main = obj.get("mainEntity")
        if isinstance(main, dict) and _types(main) & ARTICLE_TYPES:
            return main, False
        listing = listing or bool(types & LISTING_TYPES)
    return {}, listing


def _microdata(tree: HtmlElement) -> dict[str, Any]:
    """schema.org microdata properties of the page (first occurrence of each)."""
    found: dict[str, Any] = {}
    for element in ITEMPROPS(tree):
        prop = element.get("itemprop")
        if prop in found or prop not in MICRODATA_PROPS:
            continue
        if prop == "author":
            names = ITEMPROP_NAME(element)
            found[prop] = _text_of(names[0] if names else element)
        elif prop.startswith("date"):
            found[prop] = element.get("content") or element.get("datetime") or _text_of(element)
        else:
            found[prop] = element.get("content") or _text_of(element)
    return found


def _meta_tags(tree: HtmlElement) -> dict[str, Any]:
    """<meta> contents by lowercased name/property; repeated keys keep a list under key + "[]"."""
    meta: dict[str, Any] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop")
               or element.get("http-equiv") or "").strip().lower()  # fmt: skip
        content = (element.get("content") or "").strip()
        if key and content:
            meta.setdefault(key, content)
            meta.setdefault(key + "[]", []).append(content)
    return meta


def _link_texts(tree: HtmlElement, xpath: etree.XPath) -> tuple[str, ...]:
    """Texts of the page's category or tag links (rel="category tag", rel="tag")."""
    return _dedup(text for link in xpath(tree)[:MAX_TAXONOMY_LINKS] if (text := _text_of(link)))


def page_authors(tree: HtmlElement, site_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Author names of the first byline in the page's markup (rel="author", "byline" classes).

    Only the first byline that names someone counts: later ones belong to teasers of other
    articles and to comments.
    """
    for element in BYLINE_ELEMENTS(tree)[:MAX_TAXONOMY_LINKS]:
        if names := clean_authors([_text_of(element)], site_names):
            return names
    return ()


def _title_tag(tree: HtmlElement) -> str | None:
    """The <title>, without a trailing " | Site name" part."""
    title = tree.find(".//title")
    text = _text_of(title) if title is not None else ""
    parts = TITLE_SEPARATOR.split(text)
    return max(parts[:-1], key=len) if len(parts) > 1 else text or None


def _paragraphs(value: Any) -> str | None:
    """Text with its paragraph breaks kept and other runs of white space collapsed."""
    if not isinstance(value, str):
        return None
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line) or None


def _plain(text: str | None) -> str | None:
    """Text without the markup and entities some sites leave in descriptions."""
    if not text:
        return None
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", text))).strip() or None


def _canonical_link(tree: HtmlElement) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return link.get("href")
    return None


def _text_of(element: HtmlElement) -> str:
    return SPACE.sub(" ", element.text_content()).strip()


def _first(*values: Any) -> str | None:
    """The first non-empty value, as whitespace-normalised text (first item of a list)."""
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, (str, int, float)) and (text := SPACE.sub(" ", str(value)).strip()):
            return text
    return None


def _texts(*values: Any) -> list[str]:
    """All non-empty values as text, lists flattened."""
    out: list[str] = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if (text := _first(item)) is not None:
                out.append(text)
    return out


def _all(meta: dict[str, Any], key: str) -> list[str]:
    return list(meta.get(key + "[]", []))


def _values(meta: dict[str, Any], *keys: str) -> list[str]:
    return [value for key in keys for value in _all(meta, key)]


def _names(value: Any) -> list[str]:
    """Person names of a schema.org author value: text, Person object or list of either."""
    items = value if isinstance(value, list) else [value]
    return [name for item in items if (name := _name_of(item))]


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return _first(value.get("name"))
    return _first(value)


def _image_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _first(value.get("url"), value.get("contentUrl"))
    return _first(value)


def _keywords(value: Any) -> list[str]:
    """Keywords given as a list or as one comma-separated string."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [text for item in items if (text := _first(item))]


def _dedup(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def _absolute(base: str | None, link: str | None) -> str | None:
    if not link:
        return None
    try:
        return urljoin(base or "", link)
    except ValueError:
        return None


def _free_access(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


# --- authors -------------------------------------------------------------------------------

BYLINE_PREFIX = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|words\s+by|text\s+(?:by|von)|(?:verfasst|geschrieben)\s+von|"
    r"escrito\s+por|écrit\s+par|scritto\s+da|geschreven\s+door|by|from|von|par|por|di|door|"
    r"autor(?:in)?|autore|auteur|author|text|texto|tekst)\s*[:.]?(?:\s+|$)",
    re.IGNORECASE,
)
AUTHOR_LIST_SEPARATOR = re.compile(r"\s*[,;|/•·]\s*")
AUTHOR_CONJUNCTION = re.compile(r"\s+(?:and|&|und|et|y|e|en|i|oraz|og|och)\s+", re.IGNORECASE)
# A part that is a job title, not a person ("Staff Writer", "Redakteur", "correspondent").
ROLE = re.compile(
    r"\b(?:staff|writer|reporter|editor|editorial|correspondent|contributor|columnist|"
    r"photographer|producer|journalist|freelance|senior|chief|desk|intern|"
    r"redakteur(?:in)?|redaktion|korrespondent(?:in)?|journalistin|mitarbeiter(?:in)?|"
    r"rédact(?:eur|rice)|journaliste|correspondant|envoyée?|spécial|redactora?|periodista|"
    r"corresponsal|giornalista|redattore|inviat[oa]|jornalista|redator|correspondente|"
    r"verslaggever|redacteur|dziennikarz|redaktor)\b",
    re.IGNORECASE,
)
GENERIC_AUTHORS = frozenset(
    {"admin", "administrator", "editor", "editors", "staff", "team", "guest", "webmaster",
     "anonymous", "unknown", "null", "none", "user", "gast", "autor", "autorin", "author", "auteur"}
)  # fmt: skip
# Lowercase words allowed inside a name: nobiliary particles, not sentence words.
NAME_PARTICLES = frozenset(
    {"von", "van", "de", "der", "den", "da", "das", "del", "della", "di", "du", "le", "la",
     "dos", "zu", "bin", "al", "el", "ter", "ten", "y", "st."}
)  # fmt: skip
NOT_A_NAME = re.compile(
    r"\d|@|https?:|www\.|\.(?:com|net|org|de|fr|es|it|pl)\b|\b(?:bild|fotos?|photos?|image)\s*:",
    re.IGNORECASE,
)
# A newsroom, agency desk or company, not a person: "Redacción Trome", "Newsdesk", "ACME GmbH".
NEWSROOM = re.compile(
    r"\b(?:redaktion|redacción|redakcja|rédaction|redazione|redação|redactie|newsroom|newsdesk|"
    r"agencies|agencias|agenturen|gmbh|ag|inc|ltd|llc|plc|corp|kg|srl|spa|verlag|media|group|sponsored|"
    r"zeitung|magazine?)\b\.?",
    re.IGNORECASE,
)
MAX_NAME_WORDS = 5


def clean_authors(raw: Iterable[str], site_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Person names from raw author strings and bylines, split and cleaned.

    "By Jane Doe and John Roe" gives two names; roles ("Staff Writer"), dates, e-mail and web
    addresses, generic accounts ("admin") and the site's own name are dropped.

    Args:
        raw: author strings as found (meta tags, JSON-LD, byline lines).
        site_names: names of the site or publisher, never accepted as authors.

    Returns:
        Distinct names in the order found; empty when nothing looks like a person's name.

    """
    sites = [name.casefold() for name in site_names if name]
    names: dict[str, str] = {}
    for value in raw:
        parts = AUTHOR_LIST_SEPARATOR.split(BYLINE_PREFIX.sub("", value.strip()))
        for part in parts:
            # "Jane Doe, Staff Writer": the role goes as a whole, before splitting on "and".
            if ROLE.search(part) or NEWSROOM.search(part):
                continue
            for candidate in AUTHOR_CONJUNCTION.split(part):
                name = _clean_name(candidate, single_word_ok=len(parts) == 1)
                if name and not any(_contains_words(name.casefold(), site) for site in sites):
                    names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _contains_words(name: str, site: str) -> bool:
    """Whether the site's name is the author's name or a whole-word part of it."""
    return f" {site} " in f" {name} "


def _clean_name(part: str, *, single_word_ok: bool) -> str | None:
    """A person's name, or None when the part is a role, a date, an address or not a name.

    A one-word name is taken only when it was the whole value: in "ACME, Frankfurt, Germany"
    the single words are places and firms, while "Cornel" alone is a pen name.
    """
    part = BYLINE_PREFIX.sub("", part.strip(" \t-–—:()[]\"'")).strip()
    words = part.split()
    if not words or len(words) > MAX_NAME_WORDS or NOT_A_NAME.search(part):
        return None
    if len(words) == 1 and (
        not single_word_ok or part.casefold() in GENERIC_AUTHORS or len(part) < 3
    ):
        return None
    if any(not w[0].isupper() and w.casefold() not in NAME_PARTICLES for w in words):
        return None
    if all(w.casefold() in NAME_PARTICLES for w in words):
        return None
    return part.title() if part.isupper() and len(part) > 3 else part


# --- dates ---------------------------------------------------------------------------------

MIN_PLAUSIBLE_DATE = datetime(1990, 1, 1, tzinfo=UTC)
# Clocks and time zones disagree a little; a date further ahead than this is a wrong date.
MAX_FUTURE_SKEW = timedelta(hours=1)
URL_DATE = re.compile(
    r"/((?:19|20)\d{2})([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?=/|[-_.]|$)"
)
YEAR = re.compile(r"(?:19|20)\d{2}")
MAX_TIME_ELEMENTS = 3


def parse_datetime(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from an ISO 8601, RFC 2822 or free-form date string.

    Returns:
        None when the string is not a date with a year; naive values are taken as UTC.

    """
    if not value or not YEAR.search(value):
        return None
    value = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = _parse_free_form(value)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_free_form(value: str) -> datetime | None:
    """Dateutil's reading of the string, None unless it names a full day ("2022" is not one)."""
    day_first = "." in value  # 03.05.2022 is the 3rd of May wherever dots are used
    try:
        first, second = (
            dateutil_parser.parse(value, default=default, dayfirst=day_first)
            for default in (datetime(1900, 1, 1), datetime(1904, 2, 2))
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return first if first == second else None


def url_date(url: str | None) -> datetime | None:
    """The date written in a URL path (/2022/05/03/, /2022-05-03-, /20220503/), midnight UTC."""
    match = URL_DATE.search(url or "")
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[3]), int(match[4]), tzinfo=UTC)
    except ValueError:
        return None


def page_dates(tree: HtmlElement) -> Iterator[datetime | None]:
    """Dates shown in the page body, the least trusted source: <time datetime> elements,
    then htmldate's fast search (slower: it copies and cleans the tree, so it comes last).
    """
    for value in TIME_DATETIMES(tree)[:MAX_TIME_ELEMENTS]:
        yield parse_datetime(str(value))
    try:
        yield parse_datetime(find_date(tree, extensive_search=False, original_date=True))
    except (ValueError, TypeError):
        logger.debug("htmldate failed")


def first_plausible(candidates: Iterable[datetime | None], now: datetime) -> datetime | None:
    """The first candidate after 1990 and not in the future beyond a small clock skew."""
    for candidate in candidates:
        if candidate is not None and MIN_PLAUSIBLE_DATE <= candidate <= now + MAX_FUTURE_SKEW:
            return candidate
    return None
