"""Untrusted feed text made safe to parse: sniffing, cutting and the entity/DOCTYPE screen."""

from __future__ import annotations

import itertools
import logging
import re
from collections import deque
from typing import Any
from xml.parsers import expat

from feedparser.sanitizer import replace_doctype

from tasks.feeds.model import CONTENT_MAX_CHARS

logger = logging.getLogger(__name__)

# feedparser spends ~15 us per entity reference in text (a 20 MB entity-escaped description took
# 32 s), so longer runs of text between two tags are cut to this length before it parses them.
TEXT_RUN_MAX_CHARS = CONTENT_MAX_CHARS

# Sniffing and rewriting. XML_DECLARATION is the pattern feedparser itself rewrites, so the
# bytes screened for entities below are byte for byte the bytes feedparser parses.
XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")
UTF8_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
PROLOG_ITEM = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
ROOT_TAG = re.compile(r"\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
ITEM_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
ITEM_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
# Anchored after ">" so each run is tried once: linear, where [^<]{n,} alone would be quadratic.
LONG_TEXT_RUN = re.compile(rf"(?<=>)[^<]{{{TEXT_RUN_MAX_CHARS},}}")
PARTIAL_REFERENCE = re.compile(r"&[#\w]{0,12}$")
# An entity whose expansion is one character (<!ENTITY nbsp "&#160;">) cannot amplify anything;
# some feeds declare such aliases to make HTML entity names legal XML.
CHAR_ALIAS = re.compile(r"&#(?:[0-9]{1,7}|x[0-9A-Fa-f]{1,6});|[^&%]?")


class _EntityRefusedError(Exception):
    """The DTD declares an entity that could expand or reach outside the document."""


class _RootReached(Exception):  # noqa: N818 - not an error: it stops expat at the root element
    """The screen has seen the whole prolog."""


# --- sniffing and cutting ----------------------------------------------------------------------


def root_name(text: str) -> str | None:
    """Local name of the root element, skipping the XML declaration, comments, PIs and DOCTYPE."""
    position = 0
    while item := PROLOG_ITEM.match(text, position):
        position = item.end()
    root = ROOT_TAG.match(text, position)
    return root.group(1) if root else None


def cut_items(text: str, max_entries: int) -> tuple[str, bool]:
    """Drop the items after the first max_entries before parsing: feedparser costs ~1 ms per item.

    The span from the first surplus item to the end of the last item is removed, which keeps
    the document well-formed (the closing tags after the last item stay).
    """
    surplus = next(itertools.islice(ITEM_START.finditer(text), max_entries, None), None)
    if surplus is None:
        return text, False
    last_end = deque(ITEM_END.finditer(text, surplus.start()), maxlen=1)
    tail = text[last_end[0].end() :] if last_end else ""
    return text[: surplus.start()] + tail, True


def cut_long_text(text: str, feed_url: str) -> str:
    """Shorten text runs over TEXT_RUN_MAX_CHARS, never leaving half an entity reference."""
    text, cuts = LONG_TEXT_RUN.subn(
        lambda run: PARTIAL_REFERENCE.sub("", run.group()[:TEXT_RUN_MAX_CHARS]), text
    )
    if cuts:
        logger.info(
            "feeds: cut %s text runs over %s chars feed_url=%s", cuts, TEXT_RUN_MAX_CHARS, feed_url
        )
    return text


def as_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration says so (feedparser rewrites it the same way)."""
    if XML_DECLARATION.match(text):
        text = XML_DECLARATION.sub(UTF8_DECLARATION, text, count=1)
    else:
        text = f"{UTF8_DECLARATION}\n{text}"
    return text.encode("utf-8")


# --- entity screening ------------------------------------------------------------------------


def unsafe_xml_reason(xml: bytes) -> str | None:
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
        parser.Parse(xml, True)  # noqa: FBT003 - pyexpat takes isfinal positionally only
    except _EntityRefusedError as exc:
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
    raise _EntityRefusedError(msg)


def _stop_at_root(*_args: Any) -> None:
    raise _RootReached
