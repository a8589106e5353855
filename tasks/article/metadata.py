"""Article metadata from one parsed page: structured data, OpenGraph, meta tags, dates shown.

Structured data is schema.org JSON-LD and microdata. Which author strings are persons is
decided in tasks.article.authors, which dates are plausible in tasks.dates.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from tasks.dates import parse_datetime
from tasks.urls import site_domain

logger = logging.getLogger(__name__)

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
ITEMPROPS = etree.XPath("//*[@itemprop]")
MICRODATA_PROPS = frozenset({"headline", "author", "datePublished", "dateModified"})
ITEMPROP_NAME = etree.XPath(".//*[@itemprop='name']")
# <time> elements of the article, not of teasers: a time inside a link, an <aside> or a block
# classed as related or teaser content dates another article.
TIME_DATETIMES = etree.XPath(
    "//body//time[@datetime][not(ancestor::a or ancestor::aside or ancestor::*[@class]["
    "contains(@class, 'teaser') or contains(@class, 'related') or contains(@class, 'recommend')])]"
    "/@datetime"
)
MAX_TIME_ELEMENTS = 3
MAX_TAXONOMY_LINKS = 10
JSON_LD_TYPE = re.compile(r"ld\+json", re.IGNORECASE)
SPACE = re.compile(r"\s+")
TAG = re.compile(r"<[^>]{0,500}>")
TITLE_SEPARATOR = re.compile(r"\s+[|–—·»:-]\s+")
# Where a site's name is appended to a headline: " | Site", " - Site", " * Site", and in CJK
# titles the full-width bar or colon without spaces ("…｜毎日新聞").
SITE_SUFFIX_SEPARATOR = re.compile(r"\s+[|–—·»*/-]\s+|\s*[|｜：]\s*")
NOT_A_WORD = re.compile(r"\W+")
# What follows a headline inside a longer title: a separator, then a section or site name.
TITLE_TAIL = re.compile(r"\s*[|｜–—·»*/-]")
MIN_CONTAINED_SITE_CHARS = (
    4  # a shorter site key must match a suffix whole ("BBC", not "bbc" in "Abbcd")
)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself, each field from the most trusted source that has it."""

    title: str | None = None
    authors: tuple[str, ...] = ()  # raw author strings of the structured data; see clean_authors
    # ...and of the meta tags, which sites fill for the whole site too ("author" = the publisher)
    meta_authors: tuple[str, ...] = ()
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
    site_name = _first(meta.get("og:site_name"), meta.get("application-name"))
    publisher = _first(_name_of(ld.get("publisher")))
    site_names = (site_name, publisher, site_domain(url))
    # og:title first: it is the headline the publisher shares, where JSON-LD's is as often a
    # search-engine variant (news-meta: where the two differ, each is the reference about as
    # often, and the <h1> agrees with either; no source is the better one across sites;
    # bench/title_sources.py). <meta name="headline"> is what some CMSes write beside an
    # og:title that carries the section and site ("Headline-Politics | Site").
    headlines = (meta.get("og:title"), ld.get("headline"), ld.get("name"), micro.get("headline"),
                 meta.get("headline"), meta.get("twitter:title"))  # fmt: skip
    title = _title(
        [_headline(value, site_names) for value in headlines],
        _headline(_title_tag(tree), site_names),
    )
    return PageMetadata(
        title=title,
        authors=tuple(_names(ld.get("author"))) + tuple(_names(micro.get("author"))),
        meta_authors=tuple(_values(meta, "author", "article:author", "dc.creator", "byl",
                                   "sailthru.author")),
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


def page_dates(tree: HtmlElement) -> Iterator[datetime | None]:
    """Dates shown in the page body, the least trusted source: <time datetime>, then htmldate.

    htmldate's fast search comes last: it copies and cleans the tree, which is slower.
    """
    for value in TIME_DATETIMES(tree)[:MAX_TIME_ELEMENTS]:
        yield parse_datetime(str(value))
    try:
        yield parse_datetime(find_date(tree, extensive_search=False, original_date=True))
    except (ValueError, TypeError):
        logger.debug("htmldate failed")


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
    """The first JSON-LD object of an article type, or {}; and whether a listing type is declared.

    A WebPage's mainEntity counts as an article; listing types are collection, search results
    and profile pages.
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
            found[prop] = element_text(names[0] if names else element)
        elif prop.startswith("date"):
            found[prop] = element.get("content") or element.get("datetime") or element_text(element)
        else:
            found[prop] = element.get("content") or element_text(element)
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
    return _dedup(text for link in xpath(tree)[:MAX_TAXONOMY_LINKS] if (text := element_text(link)))


def _title_tag(tree: HtmlElement) -> str | None:
    """The <title>, without a trailing " | Site name" part."""
    title = tree.find(".//title")
    text = element_text(title) if title is not None else ""
    parts = TITLE_SEPARATOR.split(text)
    return max(parts[:-1], key=len) if len(parts) > 1 else text or None


def _title(headlines: list[str | None], title_tag: str | None) -> str | None:
    """The first headline, without a tail that another of the page's headlines does not have.

    "Headline - National" (og:title with a section after the site name was cut) beside the
    JSON-LD "Headline" is "Headline": what follows the shorter one after a separator is a
    section or a site name the site-name cut did not recognise ("-정치ㅣ한국일보"). A shorter
    one under half the length is a word of the headline ("Brexit"), not the headline.

    Args:
        headlines: the titles of the page's metadata, most trusted first.
        title_tag: the <title> without its site part, the last resort.

    """
    found = [headline for headline in headlines if headline]
    if not found:
        return title_tag
    title = found[0]
    shorter = (
        other
        for other in found[1:]
        if len(title) > len(other) >= len(title) / 2
        and title.startswith(other)
        and TITLE_TAIL.match(title, len(other))
    )
    return next(shorter, title)


def _headline(value: Any, site_names: Iterable[str | None]) -> str | None:
    """A title as text: entities decoded, and a site name appended after a separator cut off.

    Structured data often carries HTML-escaped text (&quot;, &#8216;) and titles end in
    " | Site" or " - Site | by Author"; everything from the first separator whose segment names
    the site is dropped.

    Args:
        value: the title as found.
        site_names: the site's names: og:site_name, the publisher, the registered domain.

    """
    text = _plain(_first(value))
    if not text:
        return None
    for separator in SITE_SUFFIX_SEPARATOR.finditer(text):
        segment = SITE_SUFFIX_SEPARATOR.split(text[separator.end() :], maxsplit=1)[0]
        if separator.start() > 0 and names_site(segment, site_names):
            return text[: separator.start()].strip()
    return text


def word_key(text: str) -> str:
    """Case-folded words joined by "_": "Golem.de" and "golem-de" give "golem_de"."""
    return NOT_A_WORD.sub("_", text.casefold()).strip("_")


def names_site(text: str, site_names: Iterable[str | None]) -> bool:
    """Whether the text is one of the site's names or contains one as whole words.

    Spacing and punctuation aside: "Taipei Times" is taipeitimes, "VnExpress" is the site
    "vnexpress.net" (a domain also goes by its first label), "Golem.de IT-News" contains
    golem.de and "Daily Planet Staff" the Daily Planet. A name under four characters must be
    the whole text.
    """
    key = word_key(text)
    squashed = key.replace("_", "")
    if not key:
        return False
    for name in filter(None, site_names):
        site_keys = {word_key(name), word_key(name.split(".")[0]) if "." in name else ""}
        if any(
            site_key.replace("_", "") == squashed
            or (len(site_key) >= MIN_CONTAINED_SITE_CHARS and f"_{site_key}_" in f"_{key}_")
            for site_key in site_keys - {""}
        ):
            return True
    return False


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


def element_text(element: HtmlElement) -> str:
    """The element's text with white space collapsed."""
    return SPACE.sub(" ", element.text_content()).strip()


def _first(*values: Any) -> str | None:
    """The first non-empty value, as whitespace-normalised text (first item of a list)."""
    for value in values:
        item = (value[0] if value else None) if isinstance(value, list) else value
        if isinstance(item, (str, int, float)) and (text := SPACE.sub(" ", str(item)).strip()):
            return text
    return None


def _texts(*values: Any) -> list[str]:
    """All non-empty values as text, lists flattened."""
    return [
        text
        for value in values
        for item in (value if isinstance(value, list) else [value])
        if (text := _first(item)) is not None
    ]


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
