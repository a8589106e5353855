"""OPML import and export of source lists."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from config.sources import Source
from tasks.urls import normalize_url

logger = logging.getLogger(__name__)

OPML_TITLE = "newsflow sources"


def parse_opml(body: bytes) -> list[Source]:
    """Sources from an OPML subscription list (OPML 1.0/2.0, as feed readers export it).

    Every outline with an xmlUrl (any nesting depth, attribute names case-insensitive) is a
    source: name from title, else text, else the URL; tags from the category attribute
    (comma-separated, surrounding slashes removed) followed by the names of the enclosing
    folder outlines. A URL listed twice (compared normalised) becomes one source with the
    tags of both; a name already taken gets " (2)", " (3)" ... Non-http(s) URLs are skipped.

    Raises:
        ValueError: the document is not well-formed XML, is not OPML, or declares entities
            (refused: entity expansion and external entities are never processed).

    """
    try:
        root = fromstring(body)
    except DefusedXmlException as exc:
        raise ValueError(f"opml: unsafe XML refused: {exc}") from None
    except ParseError as exc:
        raise ValueError(f"opml: not well-formed XML: {exc}") from None
    if root.tag != "opml":
        raise ValueError(f"opml: the root element is <{root.tag}>, not <opml>")
    by_url: dict[str, Source] = {}
    for attributes, folders in _feed_outlines(root.find("body")):
        source = _source_from(attributes, folders)
        key = normalize_url(source.url) if source else None
        if source is None or key is None:
            logger.warning("opml: skipped outline without an http(s) xmlUrl: %s", attributes)
            continue
        known = by_url.get(key)
        by_url[key] = (
            source
            if known is None
            else replace(known, tags=tuple(dict.fromkeys(known.tags + source.tags)))
        )
    return _unique_names(by_url.values())


def to_opml(sources: Sequence[Source]) -> bytes:
    """An OPML 2.0 document listing the sources, flat, tags in the category attribute.

    Name, URL, tags and language survive a round trip through parse_opml; enabled and
    min_interval_s have no OPML equivalent and are not written.
    """
    root = Element("opml", version="2.0")
    SubElement(SubElement(root, "head"), "title").text = OPML_TITLE
    body = SubElement(root, "body")
    for source in sources:
        attributes = {
            "type": "rss",
            "text": source.name,
            "title": source.name,
            "xmlUrl": source.url,
        }
        if source.tags:
            attributes["category"] = ",".join(source.tags)
        if source.language:
            attributes["language"] = source.language
        SubElement(body, "outline", attributes)
    indent(root)
    document: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _feed_outlines(body: Element | None) -> Iterator[tuple[dict[str, str], tuple[str, ...]]]:
    """(lower-cased attributes, enclosing folder names) of each outline with an xmlUrl.

    Walks with an explicit stack: a hostile file nested 100,000 deep cannot exhaust recursion.
    """
    stack: list[tuple[Element, tuple[str, ...]]] = []
    if body is not None:
        stack.extend((child, ()) for child in reversed(body))
    while stack:
        outline, folders = stack.pop()
        attributes = {key.lower(): value for key, value in outline.attrib.items()}
        if attributes.get("xmlurl"):
            yield attributes, folders
            continue
        folder = (attributes.get("title") or attributes.get("text") or "").strip()
        inner = (*folders, folder) if folder else folders
        stack.extend((child, inner) for child in reversed(outline))


def _source_from(attributes: dict[str, str], folders: tuple[str, ...]) -> Source | None:
    url = attributes["xmlurl"].strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    name = (attributes.get("title") or attributes.get("text") or "").strip() or url
    categories = (part.strip().strip("/") for part in attributes.get("category", "").split(","))
    tags = tuple(dict.fromkeys(tag for tag in (*categories, *folders) if tag))
    return Source(
        name=name, url=url, tags=tags, language=(attributes.get("language") or "").strip() or None
    )


def _unique_names(sources: Iterable[Source]) -> list[Source]:
    """The sources with duplicate names suffixed " (2)", " (3)" ... in document order."""
    taken: set[str] = set()
    unique = []
    for source in sources:
        name, counter = source.name, 1
        while name in taken:
            counter += 1
            name = f"{source.name} ({counter})"
        taken.add(name)
        unique.append(replace(source, name=name))
    return unique
