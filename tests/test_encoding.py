"""Decoding pages and feeds: one order of BOM, declared charsets, UTF-8 and detection for both."""

from __future__ import annotations

import pytest

from tasks.encoding import decode_feed, decode_html

WINDOWS_1252_META = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
TEXT = "Grüße aus Köln: “Café” kostet 5 € – naïve façade, déjà vu."
RUSSIAN = "Москва готовится к зиме"
JAPANESE = "東京の新しい路面電車は来年春に開業する予定です。①"  # ① is an NEC extension


def feed(title: str, declared: str | None = None) -> str:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return f'{declaration}<rss version="2.0"><channel><item><title>{title}</title></item></channel></rss>'


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f"<html><body><p>{TEXT}</p></body></html>".encode("cp1252"), None),
        (
            f"<html><body><p>{TEXT}</p></body></html>".encode("cp1252"),
            "text/html; charset=ISO-8859-1",
        ),
        (
            b"\xef\xbb\xbf" + f"<html><body><p>{TEXT}</p></body></html>".encode(),
            "text/html; charset=latin-1",
        ),
        (f"\ufeff<html><body><p>{TEXT}</p></body></html>".encode("utf-16-le"), None),
        (f'<meta charset="utf-8"><p>{TEXT}</p>'.encode(), None),
        (f"{WINDOWS_1252_META}<p>{TEXT}</p>".encode("cp1252"), None),
        (f"<p>{TEXT}</p>".encode(), "text/html; charset=iso-8859-1"),  # mislabelled UTF-8
    ],
)
def test_decode_html_without_mojibake(body: bytes, content_type: str | None) -> None:
    assert TEXT in decode_html(body, content_type)


def test_decode_shift_jis_and_mixed_utf8() -> None:
    page = (
        f'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>{JAPANESE}</p>'
    )
    assert JAPANESE in decode_html(page.encode("cp932"))
    mixed = '<meta charset="utf-8"><p>Grüße</p>'.encode() + "<p>Müller</p>".encode("latin-1")
    assert "Grüße" in decode_html(mixed) and "Müller" in decode_html(mixed)


# The rules below were the page decoder's alone; feeds had a second decoder that lacked them.


def test_http_charset_beats_the_documents_own_declaration() -> None:
    """A transcoding proxy fixes the header, not the declaration: WHATWG and RFC 7303 agree."""
    body = feed(RUSSIAN, declared="iso-8859-1").encode("cp1251")
    assert RUSSIAN in decode_feed(body, "application/rss+xml; charset=windows-1251")
    page = f'<meta charset="iso-8859-1"><p>{RUSSIAN}</p>'.encode("cp1251")
    assert RUSSIAN in decode_html(page, "text/html; charset=windows-1251")


def test_a_declared_multi_byte_charset_is_tried_before_utf8() -> None:
    """ISO-2022-JP is 7-bit: its bytes are valid UTF-8, which would keep the escape codes."""
    body = feed(JAPANESE[:-1], declared="ISO-2022-JP").encode("iso2022_jp")
    assert JAPANESE[:-1] in decode_feed(body)


@pytest.mark.parametrize("label", ["Shift_JIS", "sjis", "x-sjis"])
def test_a_feed_labelled_shift_jis_is_read_as_windows_31j(label: str) -> None:
    # Shift_JIS proper lacks the NEC ①, and on a title this short detection cannot step in.
    assert "東京①" in decode_feed(feed("東京①", declared=label).encode("cp932"))


@pytest.mark.parametrize("label", ["ISO_8859-1", "cp819", "latin1", "US-ASCII"])
def test_every_spelling_of_latin_1_or_ascii_is_windows_1252(label: str) -> None:
    body = f'<meta charset="{label}"><p>{TEXT}</p>'.encode("cp1252")
    assert TEXT in decode_html(body)
    assert TEXT in decode_html(f"<p>{TEXT}</p>".encode("cp1252"), f"text/html; charset={label}")


def test_a_feed_declared_utf8_keeps_its_stray_latin_1_bytes_readable() -> None:
    body = feed("Grüße", declared="utf-8").encode().replace(b"</title>", b"M\xfcller</title>")
    assert "GrüßeMüller" in decode_feed(body)


def test_detection_prefers_windows_1252_only_when_it_reads_as_cleanly() -> None:
    # Windows-1252 also reads these ISO-8859-2 bytes ("Poci¹gi miêdzy"), with more noise.
    polish = "Pociągi między Poznaniem a Wrocławiem pojadą szybciej"
    assert polish in decode_feed(feed(polish).encode("iso8859-2"))


def test_when_detection_finds_nothing_the_declared_charset_is_used() -> None:
    body = feed(RUSSIAN, declared="windows-1251").encode("cp1251") + bytes(range(256)) * 4
    assert RUSSIAN in decode_feed(body)


def test_utf16_without_bom_is_recognised_whatever_the_http_charset_says() -> None:
    body = f"<html><body><p>{TEXT}</p></body></html>".encode("utf-16-le")
    assert TEXT in decode_html(body, "text/html; charset=iso-8859-1")
    assert "Grüße" in decode_feed(feed("Grüße").encode("utf-16-be"), "text/xml; charset=utf-8")
