"""Untrusted feed text made safe to parse: sniffing, cutting and the entity/DOCTYPE screen."""

from __future__ import annotations

import itertools
import logging
import re
from collections import deque
from collections.abc import Callable
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
# A numeric character reference; its code point is checked in Python (no digit limit here, so a
# 5,000-digit reference is caught too instead of reaching int() inside feedparser).
CHAR_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
REPLACEMENT_REFERENCE = "&#xFFFD;"
MAX_CODE_POINT_DIGITS = 7
# The Char production of XML 1.0: what a character reference may name.
XML_CHAR_RANGES = ((0x9, 0xA), (0xD, 0xD), (0x20, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF))


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


def legal_char_references(text: str) -> str:
    """Numeric references to characters XML forbids (&#xD800;, &#0;, &#x110000;) made U+FFFD.

    Such a reference sends feedparser's lenient parser into chr(...).encode("utf-8"), which raises
    on a lone surrogate or an out-of-range code point and loses the whole feed; replaced, the
    strict parser reads the document and keeps every entry.
    """
    return CHAR_REFERENCE.sub(_legal_reference, text)


def _legal_reference(reference: re.Match[str]) -> str:
    hex_digits, decimal_digits = reference.groups()
    digits = (hex_digits or decimal_digits).lstrip("0")
    if len(digits) > MAX_CODE_POINT_DIGITS:
        return REPLACEMENT_REFERENCE
    code_point = int(digits or "0", 16 if hex_digits else 10)
    legal = any(low <= code_point <= high for low, high in XML_CHAR_RANGES)
    return reference.group() if legal else REPLACEMENT_REFERENCE


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

    feedparser first rewrites the DOCTYPE (replace_doctype): it drops the DOCTYPE and the entity
    declarations that start a line, re-declares those it deems safe for expat, and hands them as
    a dict to its regex-based loose parser, which it falls back to whenever expat refuses the
    document. Checked: the dict directly and the rewritten bytes with expat (prolog only), where
    any entity longer than one character is refused. The original bytes are never parsed, so an
    internal entity the rewrite drops is harmless and allowed (feeds declare &copy; or a site
    name that way); parameter and external entities are refused wherever they appear, since no
    feed needs them and the rewrite is a regex, not a parser.
    """
    _version, rewritten, loose_entities = replace_doctype(xml)
    for name, value in loose_entities.items():
        if not CHAR_ALIAS.fullmatch(value):
            return (
                f"feeds: unsafe XML: entity {name!r} is declared; entity declarations are refused"
            )
    return _expat_prolog_reason(xml, _refuse_indirect_entity) or _expat_prolog_reason(
        rewritten, _refuse_entity
    )


def _expat_prolog_reason(xml: bytes, on_entity: Callable[..., None]) -> str | None:
    """Run expat up to the root element: the reason when on_entity refuses a declared entity."""
    parser = expat.ParserCreate()
    parser.EntityDeclHandler = on_entity
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
    _refuse(name, is_parameter, system_id)


def _refuse_indirect_entity(
    name: str, is_parameter: int, _value: str | None, _base: Any, system_id: str | None, *_rest: Any
) -> None:
    if is_parameter or system_id:
        _refuse(name, is_parameter, system_id)


def _refuse(name: str, is_parameter: int, system_id: str | None) -> None:
    kind = "external" if system_id else "parameter" if is_parameter else "internal"
    msg = f"feeds: unsafe XML: {kind} entity {name!r} is declared; entity declarations are refused"
    raise _EntityRefusedError(msg)


def _stop_at_root(*_args: Any) -> None:
    raise _RootReached
