"""Turning one fetched article page into an article: extraction, URL identity, story signature.

Runs inside a worker process (tasks.runtime.workers): it takes the page bytes and returns a small
record, so the page itself is not pickled back to the flow's process.
"""

from __future__ import annotations

import dataclasses
import hashlib

from tasks.article.extract import extract_article
from tasks.dedup import story_signature
from tasks.encoding import decode_html
from tasks.records import Article, FeedEntry
from tasks.urls import choose_canonical


@dataclasses.dataclass(frozen=True, slots=True)
class Extraction:
    """The article found on a page, or why none was."""

    article: Article | None
    story_signature: bytes | None = None
    error_class: str | None = None
    error: str | None = None


def article_id(canonical_url: str) -> str:
    """Stable article id: one article per canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:24]


def process_page(
    body: bytes,
    content_type: str | None,
    final_url: str,
    entry: FeedEntry | None,
    template_fingerprints: frozenset[str],
    max_html_bytes: int,
    extra_tracking_params: tuple[str, ...] = (),
) -> Extraction:
    """Extract the article from a fetched page.

    The body is decoded with the server's charset first (then <meta charset>, then detection).
    Returns an Extraction with the article (canonical_url resolved against the final URL), or
    error_class "empty_article" when nothing article-like was found.
    """
    # Checked on the bytes, before decoding: the decoded text is never longer in characters.
    if len(body) > max_html_bytes:
        return Extraction(
            None, error_class="too_large", error=f"page over max_html_bytes={max_html_bytes}"
        )
    article = extract_article(
        decode_html(body, content_type),
        final_url,
        feed_entry=entry,
        template_fingerprints=template_fingerprints,
    )
    canonical = choose_canonical(final_url, article.canonical_url, extra_tracking_params)
    article = dataclasses.replace(article, url=final_url, canonical_url=canonical)
    if not article.text.strip():
        flags = ", ".join(article.flags) or "no text found"
        return Extraction(None, error_class="empty_article", error=f"no article text ({flags})")
    return Extraction(article, story_signature=story_signature(article.text))
