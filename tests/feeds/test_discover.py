"""Feed autodiscovery from <link rel="alternate"> and the list of paths worth probing."""

from __future__ import annotations

import pytest

from tasks.feeds.discover import COMMON_FEED_PATHS, find_feed_links
from tests.paths import FIXTURES

PAGE = FIXTURES / "feeds" / "page_with_feed_links.html"


def test_fixture_page_feeds_in_order_comments_last() -> None:
    assert find_feed_links(PAGE.read_bytes(), "https://www.example.com/2024/05/story") == [
        "https://www.example.com/feed/",
        "https://www.example.com/feed/atom/",
        "https://www.example.com/feed.json",
        "https://www.example.com/comments/feed/",
    ]


def head(links: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title>{links}</head><body></body></html>"


CASES = [
    (
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml">',
        ["https://site.example/rss.xml"],
        "rss",
    ),
    (
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">',
        ["https://site.example/blog/atom.xml"],
        "atom-relative",
    ),
    (
        '<link rel="alternate" type="application/feed+json" href="/feed.json">',
        ["https://site.example/feed.json"],
        "json-feed",
    ),
    (
        '<link rel="alternate" type="application/json" href="/feed.json">',
        ["https://site.example/feed.json"],
        "plain-json",
    ),
    (
        '<link rel="alternate" type="application/rdf+xml" href="/index.rdf">',
        ["https://site.example/index.rdf"],
        "rdf",
    ),
    (
        '<LINK REL="Alternate feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="/r">',
        ["https://site.example/r"],
        "case-and-params",
    ),
    (
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/7">',
        [],
        "wordpress-rest-skipped",
    ),
    (
        '<link rel="alternate" type="application/json" href="/?rest_route=/wp/v2/posts/7">',
        [],
        "wordpress-rest-query-skipped",
    ),
    ('<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">', [], "language-alternate"),
    ('<link rel="stylesheet" type="application/rss+xml" href="/x.xml">', [], "not-alternate"),
    ('<link rel="alternate" type="application/rss+xml">', [], "no-href"),
    (
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        [],
        "javascript-href",
    ),
    (
        (
            '<link rel="alternate" type="application/rss+xml" title="Kommentare" href="/k.xml">'
            '<link rel="alternate" type="application/rss+xml" href="/rss?utm_source=head">'
            '<link rel="alternate" type="application/rss+xml" href="https://site.example/rss">'
        ),
        ["https://site.example/rss", "https://site.example/k.xml"],
        "deduplicated-localised-comments-last",
    ),
    (
        '<base href="https://cdn.site.example/base/"><link rel="alternate" type="application/rss+xml" href="f.xml">',
        ["https://cdn.site.example/base/f.xml"],
        "base-href",
    ),
]


@pytest.mark.parametrize(("links", "expected"), [c[:2] for c in CASES], ids=[c[2] for c in CASES])
def test_find_feed_links(links: str, expected: list[str]) -> None:
    assert find_feed_links(head(links), "https://site.example/blog/post") == expected


def test_bytes_are_decoded_by_their_meta_charset() -> None:
    page = head(
        '<meta charset="windows-1252"><link rel="alternate" type="application/rss+xml" href="/caf\xe9.xml">'
    )
    assert find_feed_links(page.encode("cp1252"), "https://site.example/") == [
        "https://site.example/caf%C3%A9.xml"
    ]


def test_str_with_an_xml_declaration_is_accepted() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?>' + head(
        '<link rel="alternate" type="application/atom+xml" href="/a">'
    )
    assert find_feed_links(page, "https://site.example/") == ["https://site.example/a"]


@pytest.mark.parametrize(
    "page",
    [b"", "", b"   ", "plain text, no markup"],
    ids=["empty-bytes", "empty-str", "blank", "text"],
)
def test_pages_without_feeds_give_an_empty_list(page: str | bytes) -> None:
    assert find_feed_links(page, "https://site.example/") == []


def test_common_feed_paths_are_unique_absolute_paths() -> None:
    assert len(set(COMMON_FEED_PATHS)) == len(COMMON_FEED_PATHS)
    assert all(path.startswith("/") for path in COMMON_FEED_PATHS)
    assert {
        "/feed",
        "/rss",
        "/rss.xml",
        "/atom.xml",
        "/feed.xml",
        "/index.xml",
        "/feeds/posts/default",
        "/sitemap_news.xml",
    } <= set(COMMON_FEED_PATHS)
