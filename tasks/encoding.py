"""Decode fetched bytes to text, pages and feeds alike: BOM, declared charsets, then detection.

One order for both: a byte-order mark; UTF-16 without one; the declared multi-byte charsets;
strict UTF-8 (a document labelled Latin-1 that is valid UTF-8 is UTF-8); the declared
single-byte charsets; UTF-8 with stray Windows-1252 bytes when UTF-8 was declared;
charset-normalizer's guess, else the first declared charset (else Windows-1252) with
replacement characters. Declared means the HTTP charset first, then the document's own
declaration, as browsers (WHATWG) and RFC 7303 for XML rank them. Where a document declares
its charset is the one difference between pages (<meta charset>) and feeds (the XML declaration).
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A document that starts with "<" and a NUL is UTF-16 whatever it declares (XML 1.0, appendix F).
UTF16_WITHOUT_BOM = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]{1,40})""", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
META_SCAN_BYTES = 4096
XML_DECLARED_CHARSET = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([\w.:-]{1,40})["']"""
)
# What browsers actually use for these encodings (WHATWG Encoding Standard): the Windows
# supersets, so that bytes like 0x80-0x9F or NEC extensions do not turn into mojibake. Keyed by
# Python's codec name, so that every spelling of a label counts ("latin1", "ISO_8859-1",
# "cp819", "US-ASCII"), plus the labels Python does not know.
WHATWG_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
# Single-byte encodings read any bytes, so a declared one is tried only after strict UTF-8. The
# others (multi-byte, the 7-bit ISO-2022-JP, UTF-16/32) are tried before it: their text can be
# valid UTF-8 too, while UTF-8 text rarely decodes cleanly in them.
SINGLE_BYTE_PREFIXES = ("cp12", "cp874", "iso8859", "iso-8859", "koi8", "mac", "latin", "ascii")
MIXED_UTF8_ERRORS = "newsflow-cp1252-fallback"
CP1252_CHAOS_MARGIN = 0.1


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as Windows-1252.

    Documents labelled UTF-8 that mix in a few Latin-1 bytes (templates and database content
    in different encodings) stay readable.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error(MIXED_UTF8_ERRORS, _cp1252_fallback)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """An HTML page's text, decoded as a browser would; the page declares its <meta charset>."""
    return _decode(body, content_type, _meta_charset)


def decode_feed(body: bytes, content_type: str | None = None) -> str:
    """A feed's or sitemap's text; XML declares its encoding, a JSON Feed nothing of its own."""
    return _decode(body, content_type, _xml_declared_charset)


def _decode(
    body: bytes, content_type: str | None, own_charset: Callable[[bytes], bytes | None]
) -> str:
    """The document's text, in the order of the module docstring, never an exception.

    own_charset reads the label the document declares itself; undecodable bytes become U+FFFD
    as a last resort.
    """
    if marked := _marked_encoding(body):
        encoding, start = marked
        return body[start:].decode(encoding, errors="replace")
    declared = [e for e in (_http_charset(content_type), _self_declared(own_charset(body))) if e]
    # NUL bytes are valid UTF-8, but a document full of them is UTF-16/32 without a BOM.
    utf8 = [] if b"\x00" in body[:1024] else ["utf-8"]
    single_byte = [e for e in declared if _is_single_byte(e)]
    multi_byte = [e for e in declared if not _is_single_byte(e)]
    for encoding in (*multi_byte, *utf8, *single_byte):
        if (text := _try_decode(body, encoding)) is not None:
            return text
    if declared and declared[0] == "utf-8":
        return body.decode("utf-8", errors=MIXED_UTF8_ERRORS)
    return _detect(body, declared[0] if declared else "cp1252")


def _marked_encoding(body: bytes) -> tuple[str, int] | None:
    """The encoding the first bytes prove, and where the text starts: a BOM, or UTF-16's NULs."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return encoding, len(bom)
    if body[:2] in UTF16_WITHOUT_BOM:
        return UTF16_WITHOUT_BOM[body[:2]], 0
    return None


def _http_charset(content_type: str | None) -> str | None:
    """The codec of a Content-Type header's charset, if it names a known one."""
    match = HTTP_CHARSET.search(content_type or "")
    return _codec(match.group(1)) if match else None


def _meta_charset(body: bytes) -> bytes | None:
    """The charset label of a <meta> tag near the top of the page."""
    match = META_CHARSET.search(body[:META_SCAN_BYTES])
    return match.group(1) if match else None


def _xml_declared_charset(body: bytes) -> bytes | None:
    """The encoding label of the XML declaration."""
    match = XML_DECLARED_CHARSET.match(body)
    return match.group(1) if match else None


def _self_declared(label: bytes | None) -> str | None:
    """The codec of the charset a document declares itself, if it names a known one."""
    codec = _codec(label.decode("ascii", "ignore")) if label else None
    # The declaration was readable as ASCII, so the document is not UTF-16/32 whatever it says
    # (WHATWG; a UTF-16 document without a BOM was recognised before).
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def _codec(label: str) -> str | None:
    """Python codec for an encoding label, with the WHATWG supersets; None when unknown."""
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        name = label
    try:
        return codecs.lookup(WHATWG_SUPERSETS.get(name, name)).name
    except LookupError:
        logger.debug("unknown charset label %s", label)
        return None


def _is_single_byte(encoding: str) -> bool:
    return encoding.startswith(SINGLE_BYTE_PREFIXES)


def _try_decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes, fallback: str) -> str:
    """charset-normalizer's guess, else the fallback encoding with replacement.

    Windows-1252 wins whenever it reads the document about as cleanly as the best guess: on
    short Western texts the detector cannot tell the Latin code pages apart (naïve vs naļve),
    and Windows-1252 is what browsers assume for undeclared legacy pages. Only about as
    cleanly: a Polish ISO-8859-2 text also reads as Windows-1252, with visibly more noise.
    """
    matches = from_bytes(body)
    best = matches.best()
    if best is None:
        return body.decode(fallback, errors="replace")
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + CP1252_CHAOS_MARGIN:
            return str(match)
    logger.debug("charset detected as %s", best.encoding)
    return str(best)
