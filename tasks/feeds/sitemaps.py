"""XML sitemaps, sitemap indexes and Google News sitemaps, streamed into raw entries."""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from tasks.feeds.model import (
    PARSE_ERROR,
    TITLE_MAX_CHARS,
    UNSAFE_XML,
    ParseContext,
    RawEntry,
    failure,
    plain_text,
)
from tasks.records import ParsedFeed
from tasks.urls import resolve_link

SITEMAP_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}  # root -> element that is one entry


def parse_sitemap(
    xml: bytes, root: str, ctx: ParseContext
) -> tuple[ParsedFeed, Iterable[RawEntry]]:
    """Sitemap (urlset, incl. Google News and image extensions) or sitemap index, streamed.

    defusedxml refuses entity declarations and external references itself; elements are
    cleared as they are read and reading stops after max_entries, so a 50,000-URL sitemap
    costs what max_entries URLs cost. A document broken half-way keeps what came before.

    Args:
        xml: the screened UTF-8 document.
        root: its root element's local name, a key of SITEMAP_ROOTS.
        ctx: the parse_feed call's arguments.

    Returns:
        The ParsedFeed without entries, and the raw entries of a urlset (none for an index,
        whose children are child_urls). On failure error_class is "unsafe_xml" or "parse_error".

    """
    fmt = "sitemap" if root == "urlset" else "sitemapindex"
    raws: list[RawEntry] = []
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
        return failure(UNSAFE_XML, f"feeds: unsafe XML in sitemap: {exc}", fmt), ()
    except ParseError as exc:
        if not raws:
            return failure(PARSE_ERROR, f"feeds: sitemap is not well-formed XML: {exc}", fmt), ()
        broken = f"feeds: read leniently: {exc}"
    child_urls: tuple[str, ...] = ()
    if fmt == "sitemapindex":
        links = (resolve_link(raw.link, ctx.feed_url, ctx.extra_tracking_params)[0] for raw in raws)
        child_urls = tuple(dict.fromkeys(url for url in links if url))
    parsed = ParsedFeed(
        format=fmt,
        child_urls=child_urls,
        malformed=broken is not None,
        truncated=truncated,
        error=broken,
    )
    return parsed, raws if fmt == "sitemap" else ()


def _raw_from_sitemap_url(url: Element) -> RawEntry:
    """<url> (or <sitemap>): loc, lastmod, news:news (title, date, keywords, language), image:loc."""
    raw = RawEntry(link=_child_text(url, "loc"), updated_raw=_child_text(url, "lastmod"))
    for child in url:
        name = _local(child.tag)
        if name == "image" and raw.image is None:
            raw.image = _child_text(child, "loc")
        elif name == "news":
            raw.title = plain_text(_child_text(child, "title"), TITLE_MAX_CHARS)
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
