"""Response bodies read with bounds: capped, bomb-proof decoding and sniffing for HTML."""

from __future__ import annotations

import re
import typing
import zlib

import brotli
import httpx

from tasks.records import FetchStatus

# Only what we can decode with an output bound (see _Decoder).
ACCEPT_ENCODING = "gzip, deflate, br"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Declared types that say little: the body decides whether it is HTML.
VAGUE_TYPES = frozenset(
    {
        "",
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "text/xml",
        "application/xml",
    }
)
BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or office document)"),
    (b"\x1f\x8b", "gzip data"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
)
HTML_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article)[\s>/]", re.IGNORECASE
)
SNIFF_BYTES = 2048
# Error and redirect bodies up to this size are read and discarded to keep the connection alive.
DRAIN_BYTES = 64 * 1024


class FetchFailedError(Exception):
    """An outcome decided by the fetcher itself (bad URL, cap, bad body, robots, redirects)."""

    def __init__(self, status: str, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.http_status = http_status


class _Decoder:
    """Content-Encoding decoding that never yields more than asked for: a bomb stops at the cap."""

    def __init__(self, content_encoding: str) -> None:
        names = [
            n.strip().lower()
            for n in content_encoding.split(",")
            if n.strip().lower() not in ("", "identity")
        ]
        if len(names) > 1:
            raise FetchFailedError(
                FetchStatus.NETWORK_ERROR,
                f"unsupported stacked Content-Encoding {content_encoding!r}",
            )
        self._step = self._make_step(names[0]) if names else None
        # A gzip body is kept as received too: it can be stored without compressing it again.
        self._received = bytearray() if names and names[0] in ("gzip", "x-gzip") else None

    @staticmethod
    def _make_step(name: str) -> typing.Any:
        if name in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if name == "deflate":
            return _Deflate()
        if name == "br":
            return _Brotli()
        raise FetchFailedError(FetchStatus.NETWORK_ERROR, f"unsupported Content-Encoding {name!r}")

    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode the next raw chunk into at most about `limit` bytes (reaching it: too large)."""
        if self._step is None:
            return data
        if self._received is not None:
            self._received += data
        try:
            return self._step.decompress(data, limit)
        except (zlib.error, brotli.error) as exc:
            raise FetchFailedError(
                FetchStatus.NETWORK_ERROR, f"corrupt compressed body: {exc}"
            ) from exc

    def gzip_stream(self) -> bytes | None:
        """The body as received when it was exactly one complete gzip stream, else None.

        A second member or trailing bytes (which the decoder ignores) would not decode back to
        the same page, so such a body is not kept.
        """
        step = self._step
        if self._received is None or not step.eof or step.unused_data or step.unconsumed_tail:
            return None
        return bytes(self._received)


class _Deflate:
    """HTTP "deflate" is meant to be zlib-wrapped but servers also send raw deflate."""

    def __init__(self) -> None:
        self._obj = zlib.decompressobj()
        self._started = False

    def decompress(self, data: bytes, limit: int) -> bytes:
        if not self._started:
            self._started = True
            try:
                return self._obj.decompress(data, limit)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._obj.decompress(data, limit)


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decompress(self, data: bytes, limit: int) -> bytes:
        return self._obj.process(data, output_buffer_limit=limit)


def read_body(response: httpx.Response, cap: int) -> tuple[bytes, bytes | None]:
    """Read a streamed response body, decoded, refusing more than `cap` decoded bytes.

    Returns:
        The decoded body, and the body as received when the server sent one complete gzip
        stream (None otherwise).

    Raises:
        FetchFailedError: TOO_LARGE past the cap, NETWORK_ERROR for an undecodable body.

    """
    encoding = response.headers.get("content-encoding", "")
    declared = response.headers.get("content-length", "")
    too_large = FetchFailedError(
        FetchStatus.TOO_LARGE, f"body larger than max_response_bytes={cap}", response.status_code
    )
    if not encoding and declared.isdigit() and int(declared) > cap:
        raise too_large
    decoder = _Decoder(encoding)
    body = bytearray()
    for chunk in response.iter_raw():
        body += decoder.decode(chunk, cap + 1 - len(body))
        if len(body) > cap:
            raise too_large
    return bytes(body), decoder.gzip_stream()


def drain(response: httpx.Response) -> None:
    """Read a small error/redirect body so its connection can be reused; a large one is dropped."""
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > DRAIN_BYTES:
            return


def html_problem(content_type: str | None, body: bytes) -> str | None:
    """Why a page body is not HTML (checks the declared type and sniffs the first bytes).

    Returns:
        None for an HTML page, else a reason such as "empty body" or "body is a PDF document".

    """
    mime = (content_type or "").split(";")[0].strip().lower()
    head = body[:SNIFF_BYTES]
    if not head.strip():
        return "empty body"
    for signature, what in BINARY_SIGNATURES:
        if head.startswith(signature):
            return f"body is {what} (Content-Type: {mime or 'none'})"
    if b"\x00" in head:
        return f"body is binary (Content-Type: {mime or 'none'})"
    if mime in HTML_TYPES or (mime in VAGUE_TYPES and (not mime or HTML_MARKUP.search(head))):
        return None
    return f"Content-Type {mime} is not HTML"
