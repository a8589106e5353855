"""Faults real feeds have that must cost one field at most, never the feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks.feeds.parse import parse_feed

FEED_URL = "https://faults.example/feed.xml"
NOW = datetime(2024, 3, 5, tzinfo=UTC)


def rss(items: str, *, prolog: str = "", channel_title: str = "T") -> bytes:
    return (
        f"<?xml version='1.0' encoding='utf-8'?>\n{prolog}"
        f"<rss version='2.0'><channel><title>{channel_title}</title>{items}</channel></rss>"
    ).encode()


def item(n: int, title: str | None = None) -> str:
    return (
        f"<item><title>{title or f'Story {n}'}</title><link>https://faults.example/{n}</link>"
        f"<guid>g{n}</guid></item>"
    )


@pytest.mark.parametrize(
    "reference", ["&#xD800;", "&#56320;", "&#x110000;", "&#0;", "&#1" + "0" * 5000 + ";"]
)
def test_a_reference_to_an_illegal_character_costs_that_character_only(reference: str) -> None:
    parsed = parse_feed(
        rss(item(1) + item(2, f"Bad {reference} title") + item(3, "Caf&#233; &#x1F600;")),
        FEED_URL,
        now=NOW,
    )
    assert parsed.error_class is None, parsed.error
    assert [e.title for e in parsed.entries] == ["Story 1", "Bad \ufffd title", "Café \U0001f600"]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY copy "Copyright 2024 The Example Times">]>\n',
        "<!DOCTYPE rss [\n<!ENTITY copy 'Copyright 2024 The Example Times'>\n]>\n",
    ],
    ids=["declared-on-the-doctype-line", "single-quoted-on-its-own-line"],
)
def test_an_internal_entity_feedparser_strips_is_not_refused(doctype: str) -> None:
    parsed = parse_feed(rss(item(1, "A &amp; B"), prolog=doctype), FEED_URL, now=NOW)
    assert parsed.error_class is None, parsed.error
    assert [e.title for e in parsed.entries] == ["A & B"]


def test_an_internal_entity_feedparser_would_expand_is_still_refused() -> None:
    doctype = '<!DOCTYPE rss [\n<!ENTITY copy "Copyright 2024 The Example Times">\n]>\n'
    parsed = parse_feed(rss(item(1, "&copy;"), prolog=doctype), FEED_URL, now=NOW)
    assert parsed.error_class == "unsafe_xml"


def test_an_empty_feed_with_html_entities_is_an_empty_feed() -> None:
    parsed = parse_feed(
        rss("", channel_title="News&nbsp;&amp;&nbsp;Caf&eacute;"), FEED_URL, now=NOW
    )
    assert (parsed.error_class, parsed.entries) == (None, ())
    assert parsed.title == "News & Café"


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ('&lt;a title="big &gt; dog"&gt;Hot&lt;/a&gt; dog', "Hot dog"),
        ("&lt;img alt='1 &gt; 0' src='x.png'&gt;One wins", "One wins"),
        ('Cut in a tag &lt;a href="https://faults.example/x', "Cut in a tag"),
    ],
)
def test_tags_with_a_quoted_greater_than_are_stripped_whole(markup: str, text: str) -> None:
    items = f"<item><title type='html'>{markup}</title><link>https://faults.example/1</link></item>"
    assert parse_feed(rss(items), FEED_URL, now=NOW).entries[0].title == text
