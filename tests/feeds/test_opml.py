"""OPML import (nested folders, categories, duplicates, hostile XML) and export round trip."""

from __future__ import annotations

import pytest

from config.sources import Source
from tasks.feeds.opml import parse_opml, to_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News">
      <outline text="World">
        <outline type="rss" text="Gazette" title="Example Gazette" xmlUrl="https://www.example.com/feed/"
                 htmlUrl="https://www.example.com/" category="/politics,  local/ "/>
      </outline>
      <outline type="rss" text="Blog" XMLURL="https://blog.example.de/atom.xml" language="de"/>
    </outline>
    <outline type="rss" text="Blog" xmlUrl="https://other.example/rss"/>
    <outline type="rss" text="Gazette again" xmlUrl="https://www.example.com/feed/?utm_source=opml" category="daily"/>
    <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
    <outline type="rss" xmlUrl="https://untitled.example/rss"/>
    <outline text="Empty folder"/>
  </body>
</opml>
"""


def test_reader_export_is_flattened_into_sources() -> None:
    assert parse_opml(READER_EXPORT) == [
        Source(
            name="Example Gazette",
            url="https://www.example.com/feed/",
            tags=("politics", "local", "News", "World", "daily"),
        ),
        Source(name="Blog", url="https://blog.example.de/atom.xml", tags=("News",), language="de"),
        Source(name="Blog (2)", url="https://other.example/rss"),
        Source(name="https://untitled.example/rss", url="https://untitled.example/rss"),
    ]


def test_round_trip_keeps_name_url_tags_and_language() -> None:
    sources = [
        Source(name="Gazette", url="https://www.example.com/feed/", tags=("local", "news")),
        Source(name='Quotes "&" <brackets>', url="https://q.example/rss?a=1&b=2", language="fr"),
        Source(name="Plain", url="http://plain.example/feed.xml"),
    ]
    document = to_opml(sources)
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert parse_opml(document) == sources


def test_export_of_nothing_is_a_valid_empty_list() -> None:
    assert parse_opml(to_opml([])) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<opml><body><outline", "not well-formed"),
        (b"<rss version='2.0'><channel/></rss>", "not <opml>"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                b'<opml><body><outline text="&b;" xmlUrl="https://a.example/"/></body></opml>'
            ),
            "unsafe XML",
        ),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>'
            ),
            "unsafe XML",
        ),
    ],
    ids=["broken", "not-opml", "entity-bomb", "xxe"],
)
def test_unusable_documents_raise_a_readable_value_error(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_opml(body)
    assert "root:" not in str(caught.value)


def test_deeply_nested_folders_do_not_exhaust_recursion() -> None:
    depth = 5000
    body = (
        "<opml><body>"
        + '<outline text="f">' * depth
        + '<outline text="deep" xmlUrl="https://deep.example/rss"/>'
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    [source] = parse_opml(body)
    assert (source.name, source.tags) == ("deep", ("f",))


def test_opml_without_body_has_no_sources() -> None:
    assert parse_opml(b'<opml version="1.0"><head/></opml>') == []
