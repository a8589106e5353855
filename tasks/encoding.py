"""Decode an HTML body to text: BOM, HTTP charset, <meta charset>, then charset detection."""

from __future__ import annotations

import codecs
import logging
import re

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
HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
META_SCAN_BYTES = 4096
# What browsers actually use for these labels (WHATWG Encoding Standard): the Windows
# supersets, so that bytes like 0x80-0x9F or NEC extensions do not turn into mojibake.
WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
}
# Declared encodings in which a page may legitimately not be valid UTF-8 and which must be
# tried before the UTF-8 sniff (multi-byte or UTF-16/32 text can look like valid UTF-8).
SINGLE_BYTE_PREFIXES = ("cp12", "cp874", "iso8859", "iso-8859", "koi8", "mac", "latin", "ascii")
MIXED_UTF8_ERRORS = "newsflow-cp1252-fallback"
CP1252_CHAOS_MARGIN = 0.1


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejected as Windows-1252: pages labelled UTF-8 that mix in a
    few Latin-1 bytes (templates and database content in different encodings) stay readable.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error(MIXED_UTF8_ERRORS, _cp1252_fallback)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML document the way a browser would, without mojibake.

    Order: a byte-order mark; the HTTP charset and the <meta charset> when they are multi-byte
    encodings; strict UTF-8 (a page labelled Latin-1 that is valid UTF-8 is UTF-8); the declared
    single-byte encoding; UTF-8 with stray Windows-1252 bytes when UTF-8 was declared;
    charset-normalizer's guess.

    Args:
        body: the raw response body.
        content_type: the HTTP Content-Type header, if any.

    Returns:
        The decoded text; undecodable bytes become U+FFFD as a last resort, never an exception.

    """
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = [e for e in (_http_charset(content_type), _meta_charset(body)) if e]
    for encoding in declared:
        if not _is_single_byte(encoding) and (text := _try_decode(body, encoding)) is not None:
            return text
    # NUL bytes are valid UTF-8, but an HTML page full of them is UTF-16/32 without a BOM.
    if b"\x00" not in body[:1024] and (text := _try_decode(body, "utf-8")) is not None:
        return text
    for encoding in declared:
        if _is_single_byte(encoding) and (text := _try_decode(body, encoding)) is not None:
            return text
    if declared and declared[0] == "utf-8":
        return body.decode("utf-8", errors=MIXED_UTF8_ERRORS)
    return _detect(body, declared[0] if declared else "cp1252")


def _http_charset(content_type: str | None) -> str | None:
    """The normalised charset of a Content-Type header, if it names a known codec."""
    match = HTTP_CHARSET.search(content_type or "")
    return _codec(match.group(1)) if match else None


def _meta_charset(body: bytes) -> str | None:
    """The normalised charset named by a <meta> tag near the top of the page."""
    match = META_CHARSET.search(body[:META_SCAN_BYTES])
    codec = _codec(match.group(1).decode("ascii", "ignore")) if match else None
    # The tag was readable as ASCII, so the page is not UTF-16/32 whatever it says (WHATWG).
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def _codec(label: str) -> str | None:
    """Python codec for an encoding label, with WHATWG aliases; None when unknown."""
    label = label.strip().lower()
    label = WHATWG_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        logger.debug("unknown charset label %s", label)
        return None
    return name


def _is_single_byte(encoding: str) -> bool:
    return encoding.startswith(SINGLE_BYTE_PREFIXES)


def _try_decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes, fallback: str) -> str:
    """charset-normalizer's guess, else the fallback encoding with replacement.

    Windows-1252 wins whenever it reads the page about as cleanly as the best guess: on short
    Western pages the detector cannot tell the Latin code pages apart (naïve vs naļve), and
    Windows-1252 is what browsers assume for undeclared legacy pages.
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
