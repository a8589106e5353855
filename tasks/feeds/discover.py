"""Feed autodiscovery: the feeds an HTML page declares, and the paths worth probing on a site."""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from tasks.urls import resolve_link

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
# WordPress puts <link rel="alternate" type="application/json"> to its REST API on every page.
WORDPRESS_REST = re.compile(r"/wp-json/|[?&]rest_route=", re.IGNORECASE)
# Comment feeds in the languages WordPress titles them in most; their entries are not articles.
COMMENTS = re.compile(r"comment|kommentar|commentaire|comentario|commenti|reactie", re.IGNORECASE)
COMMENTS_PATH = re.compile(r"/comments?/", re.IGNORECASE)
# Paths the CLI probes, most common first, when a page declares no feed (WordPress, Blogger,
# Ghost, Hugo, Jekyll, Medium-style, Google News sitemaps).
COMMON_FEED_PATHS = (
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feed.json",
    "/index.rss",
    "/feeds/posts/default",
    "/?feed=rss2",
    "/sitemap_news.xml",
    "/news-sitemap.xml",
)


def find_feed_links(html: str | bytes, base_url: str) -> list[str]:
    """Feeds a page declares with <link rel="alternate" type="application/rss+xml|atom+xml|...">.

    Args:
        html: the page; bytes are decoded by lxml (meta charset), str is taken as is.
        base_url: the page's final URL; a <base href> in the page takes precedence.

    Returns:
        Absolute, normalised http(s) URLs in page order, without duplicates, comment feeds
        after all others; WordPress REST links (application/json to /wp-json/) are skipped.
        An empty list for a page without feeds or that cannot be parsed.

    """
    try:
        if isinstance(html, str):
            html = html.encode("utf-8")
            document = lxml.html.document_fromstring(
                html, parser=lxml.html.HTMLParser(encoding="utf-8")
            )
        else:
            document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    base = _base_url(document, base_url)
    feeds: dict[str, bool] = {}  # url -> is a comment feed, in page order
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        mime = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or mime not in FEED_TYPES:
            continue
        url, _problem = resolve_link(link.get("href"), base)
        if url is None or (mime == "application/json" and WORDPRESS_REST.search(url)):
            continue
        is_comments = bool(COMMENTS.search(link.get("title") or "") or COMMENTS_PATH.search(url))
        feeds.setdefault(url, is_comments)
    logger.debug("discover: %s feed links on %s", len(feeds), base_url)
    return sorted(feeds, key=feeds.__getitem__)  # stable: page order kept within each group


def _base_url(document: lxml.html.HtmlElement, page_url: str) -> str:
    """The page URL, or the first <base href> resolved against it."""
    for base in document.iter("base"):
        href = str(base.get("href") or "").strip()
        if href:
            return urljoin(page_url, href)
    return page_url
