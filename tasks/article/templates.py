"""Site templates learned from data: paragraphs that recur verbatim across pages of one site."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

from tasks.dedup import normalize_text

# Shorter lines ("Share", "Photo: AP") are too generic to be told apart from article text
# by recurrence alone, and the boilerplate rules handle them.
MIN_FINGERPRINT_CHARS = 20


def site_key(url: str | None) -> str | None:
    """The site a page belongs to: its host, lowercased, without a leading "www.".

    Returns:
        None when the URL has no host (relative, opaque or unparsable).

    """
    try:
        host = urlsplit(url or "").hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def fingerprint(paragraph: str) -> str:
    """Short hex hash of the normalised paragraph (case, width and spacing folded)."""
    return hashlib.blake2b(normalize_text(paragraph).encode("utf-8"), digest_size=8).hexdigest()


def paragraph_fingerprints(paragraphs: Iterable[str]) -> list[str]:
    """Fingerprints of the paragraphs long enough to count, each once, in page order."""
    seen: dict[str, None] = {}
    for paragraph in paragraphs:
        if len(paragraph.strip()) >= MIN_FINGERPRINT_CHARS:
            seen.setdefault(fingerprint(paragraph), None)
    return list(seen)


def remove_template_paragraphs(text: str, fingerprints: frozenset[str]) -> str:
    """Drop the lines (paragraphs) of text whose fingerprint is a known template one.

    Returns:
        The text without those lines; unchanged when fingerprints is empty.

    """
    if not fingerprints:
        return text
    return "\n".join(
        line
        for line in text.split("\n")
        if len(line.strip()) < MIN_FINGERPRINT_CHARS or fingerprint(line) not in fingerprints
    )
