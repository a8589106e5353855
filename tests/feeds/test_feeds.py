"""Feed and sitemap parsing: formats, charsets, links, dates, identity, feed hints and size caps."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta

import pytest

from tasks.feeds.model import CONTENT_MAX_CHARS, SUMMARY_MAX_CHARS
from tasks.feeds.parse import entry_key, parse_feed
from tasks.records import FeedEntry, ParsedFeed
from tests.paths import FIXTURES

FEED_FIXTURES = FIXTURES / "feeds"
FEED_URL = "https://www.example.com/feed/"
NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)


def parse(body: bytes, **kwargs: object) -> ParsedFeed:
    kwargs.setdefault("now", NOW)
    return parse_feed(body, FEED_URL, **kwargs)  # type: ignore[arg-type]


def fixture(name: str) -> bytes:
    return (FEED_FIXTURES / name).read_bytes()


def rss(items: str, channel: str = "") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{channel}{items}</channel></rss>'.encode()


def only(parsed: ParsedFeed) -> FeedEntry:
    assert parsed.error_class is None, parsed.error
    assert len(parsed.entries) == 1
    return parsed.entries[0]


FORMAT_CASES = [
    ("rss2.xml", "rss", 3, "Example Gazette", "https://www.example.com/", "en-GB"),
    ("atom.xml", "atom", 2, "Beispiel Blog", "https://blog.example.de/", "de"),
    ("rdf.xml", "rdf", 2, "RDF Example", "https://rdf.example.org/", "fr"),
    ("jsonfeed.json", "jsonfeed", 3, "JSON Example", "https://json.example.net/", "en-US"),
    ("sitemap.xml", "sitemap", 2, None, None, None),
    ("news_sitemap.xml", "sitemap", 2, None, None, None),
    ("sitemap_index.xml", "sitemapindex", 0, None, None, None),
]


@pytest.mark.parametrize(
    ("name", "fmt", "count", "title", "site_url", "language"),
    FORMAT_CASES,
    ids=[case[0] for case in FORMAT_CASES],
)
def test_formats_are_detected_from_content(
    name: str, fmt: str, count: int, title: str | None, site_url: str | None, language: str | None
) -> None:
    parsed = parse(fixture(name))
    assert (parsed.format, parsed.error_class, parsed.malformed, parsed.truncated) == (
        fmt,
        None,
        False,
        False,
    )
    assert (len(parsed.entries), parsed.title, parsed.site_url, parsed.language) == (
        count,
        title,
        site_url,
        language,
    )


def test_rss2_entry_fields() -> None:
    first, storm, permalink = parse(fixture("rss2.xml")).entries
    assert first == FeedEntry(
        entry_key=entry_key("example-1001", None, None, None),
        url="https://www.example.com/2024/05/bridge",
        guid="example-1001",
        title="Council approves new bridge",
        summary="The council voted 12 to 3 for the bridge.",
        content_html='<p>The council voted 12 to 3 on Monday evening.</p><p><img src="/img/bridge.jpg" alt=""></p>',
        authors=("Jane Doe",),
        categories=("Local", "Transport"),
        published_raw="Tue, 14 May 2024 08:30:00 +0200",
        published_at=datetime(2024, 5, 14, 6, 30, tzinfo=UTC),
        image_url="https://cdn.example.com/bridge.jpg",
        language="en-GB",
    )
    assert (storm.url, storm.title, storm.image_url) == (
        "https://www.example.com/2024/05/storm", "Storm warning & road closures", "https://cdn.example.com/storm.jpg",
    )  # fmt: skip
    assert (permalink.url, permalink.problems) == (
        "https://www.example.com/2024/05/permalink-only",
        (),
    )


def test_atom_entry_fields() -> None:
    first, update_only = parse(fixture("atom.xml")).entries
    assert (first.title, first.summary) == ("Grüße aus München", "Kurzer Gruß.")
    assert first.content_html == "<p>Ein langer Gruß aus München.</p>"
    assert (first.authors, first.categories) == (("Max Mustermann",), ("Reisen",))
    assert first.published_at == datetime(2024, 5, 13, 7, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2024, 5, 14, 8, 15, tzinfo=UTC)
    assert first.image_url == "https://blog.example.de/img/muenchen.png"
    # An Atom entry with only <updated> is dated by it; its tag: id is not a link.
    assert (
        update_only.published_at
        == update_only.updated_at
        == datetime(2024, 5, 12, 8, 0, tzinfo=UTC)
    )
    assert (update_only.url, update_only.problems, update_only.language) == (
        None,
        ("missing_link",),
        "en",
    )
    assert update_only.content_html == "<p>Inline <b>XHTML</b>.</p>"


def test_rdf_entry_fields_and_dc_date() -> None:
    parsed = parse(fixture("rdf.xml"))
    first = parsed.entries[0]
    assert (first.url, first.guid, first.authors, first.categories) == (
        "https://rdf.example.org/a", "https://rdf.example.org/a", ("Marie Curie",), ("Science",),
    )  # fmt: skip
    assert first.published_at == datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
    assert parsed.min_interval_s == 6 * 3600  # daily, 4 times


def test_json_feed_entry_fields() -> None:
    first, link_post, relative = parse(fixture("jsonfeed.json")).entries
    assert (first.url, first.guid, first.title) == (
        "https://json.example.net/posts/1",
        "post-1",
        "First post",
    )
    assert (first.summary, first.content_html) == (
        "A greeting.",
        "<p>Hello <strong>world</strong>.</p>",
    )
    assert (first.authors, first.categories) == (("Ada Lovelace",), ("math", "engines"))
    assert first.published_at == datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2024, 5, 14, 13, 0, tzinfo=UTC)
    assert first.image_url == "https://json.example.net/img/1.png"
    assert (link_post.guid, link_post.url, link_post.title) == (
        "2",
        "https://elsewhere.example.org/story",
        None,
    )
    assert (link_post.summary, link_post.language, link_post.published_raw) == (
        "A link post.",
        "en-GB",
        "not a date",
    )
    assert (link_post.published_at, link_post.problems) == (None, ("unparsable_date",))
    assert relative.url == "https://www.example.com/posts/3"
    assert relative.published_at == datetime(2024, 5, 12, tzinfo=UTC)


def test_json_feed_1_0_single_author() -> None:
    doc = {"version": "https://jsonfeed.org/version/1", "title": "Old", "items": [
        {"id": "a", "url": "https://j.example/a", "author": {"name": "Solo"}, "content_html": "<p>x</p>"}]}  # fmt: skip
    entry = only(parse(json.dumps(doc).encode(), content_type="application/feed+json"))
    assert (entry.authors, entry.summary) == (("Solo",), "x")


def test_sitemap_entries() -> None:
    one, two = parse(fixture("sitemap.xml")).entries
    assert (one.url, one.updated_at, one.published_at) == (
        "https://www.example.com/articles/one", datetime(2024, 5, 14, tzinfo=UTC), None,
    )  # fmt: skip
    assert one.image_url == "https://cdn.example.com/one.jpg"
    assert two.url == "https://www.example.com/articles/two"
    assert two.updated_at == datetime(2024, 5, 13, 16, 30, tzinfo=UTC)


def test_google_news_sitemap_entries() -> None:
    summit, final = parse(fixture("news_sitemap.xml")).entries
    assert summit.title == 'Leaders meet at "historic" summit'
    assert summit.published_at == datetime(2024, 5, 14, 8, 15, tzinfo=UTC)
    assert (summit.categories, summit.language) == (("summit", "diplomacy"), "en")
    assert summit.image_url == "https://news.example.com/img/summit.jpg"
    assert (final.title, final.language, final.published_at) == (
        "La final",
        "es",
        datetime(2024, 5, 14, tzinfo=UTC),
    )


def test_sitemap_index_child_urls_are_absolute_and_unique() -> None:
    parsed = parse(fixture("sitemap_index.xml"))
    assert parsed.child_urls == (
        "https://www.example.com/sitemap-posts-2024-05.xml",
        "https://www.example.com/sitemap-pages.xml",
    )


CHARSET_CASES = [
    ("cp1252_no_declaration.xml", None, "L’été « chaud » à Paris — 5 €"),
    ("windows1251_no_declaration.xml", None, "Москва готовится к зиме"),
    ("utf16_bom.xml", None, "東京の天気"),
    (
        "cp1252_no_declaration.xml",
        "text/xml; charset=windows-1252",
        "L’été « chaud » à Paris — 5 €",
    ),
    (
        "windows1251_no_declaration.xml",
        "application/rss+xml; charset=windows-1251",
        "Москва готовится к зиме",
    ),
]


@pytest.mark.parametrize(
    ("name", "content_type", "first_title"),
    CHARSET_CASES,
    ids=["cp1252", "windows-1251", "utf-16-bom", "cp1252-from-header", "windows-1251-from-header"],
)
def test_charsets(name: str, content_type: str | None, first_title: str) -> None:
    parsed = parse(fixture(name), content_type=content_type)
    assert (parsed.error_class, parsed.malformed) == (None, False)
    assert parsed.entries[0].title == first_title


@pytest.mark.parametrize(
    ("body", "content_type", "title"),
    [
        (b'<?xml version="1.0" encoding="iso-8859-1"?>' + rss("<item><title>“Quoted” – x</title><link>https://a.example/</link></item>")[21:].decode().encode("cp1252"), None, "“Quoted” – x"),
        (rss("<item><title>Café</title><link>https://a.example/</link></item>"), "text/xml; charset=iso-8859-1", "Café"),
        (b'<?xml version="1.0" encoding="windows-1252"?>' + rss("<item><title>Déjà vu</title><link>https://a.example/</link></item>")[21:], None, "Déjà vu"),
        ("<rss version='2.0'><channel><title>T</title><item><title>Grüße</title></item></channel></rss>".encode("utf-16-be"), None, "Grüße"),
    ],
    ids=["latin-1-label-means-cp1252", "utf-8-mislabelled-latin-1", "utf-8-declared-cp1252", "utf-16-without-bom"],
)  # fmt: skip
def test_declared_charsets_and_mislabels(body: bytes, content_type: str | None, title: str) -> None:
    assert only(parse(body, content_type=content_type)).title == title


def test_leading_white_space_before_the_xml_declaration_is_tolerated() -> None:
    parsed = parse(b"\n\n  " + rss("<item><title>a</title><link>https://a.example/</link></item>"))
    assert (parsed.format, parsed.malformed, len(parsed.entries)) == ("rss", False, 1)


FAILURE_CASES = [
    (b"", "empty", "zero-bytes"),
    (b" \r\n\t ", "empty", "white-space"),
    (b"\xef\xbb\xbf", "empty", "bom-only"),
    (fixture("page_with_feed_links.html"), "not_a_feed", "html-page"),
    (b"<html><body>hi</body></html>", "not_a_feed", "html-no-doctype"),
    (b"Service temporarily unavailable", "not_a_feed", "plain-text"),
    (b"<error><code>404</code></error>", "not_a_feed", "other-xml"),
    (b"<rss version='2.0'><chan", "parse_error", "truncated-rss-nothing-readable"),
    (b'{"items": [}', "parse_error", "broken-json"),
    (b'{"data": []}', "not_a_feed", "json-not-a-feed"),
    (b"[" * 100_000, "parse_error", "deeply-nested-json"),
    (b'<?xml version="1.0"?><urlset><url><loc>', "parse_error", "broken-sitemap"),
]


@pytest.mark.parametrize(
    ("body", "error_class"), [c[:2] for c in FAILURE_CASES], ids=[c[2] for c in FAILURE_CASES]
)
def test_failures_are_records_not_exceptions(body: bytes, error_class: str) -> None:
    parsed = parse(body)
    assert (parsed.error_class, parsed.entries) == (error_class, ())
    assert parsed.error


def test_empty_fixture_and_feed_without_items() -> None:
    assert parse(fixture("empty.xml")).error_class == "empty"
    parsed = parse(rss(""))
    assert (parsed.format, parsed.error_class, parsed.entries, parsed.title) == (
        "rss",
        None,
        (),
        "T",
    )


def test_malformed_feed_is_read_leniently_and_flagged() -> None:
    parsed = parse(fixture("malformed.xml"))
    assert (parsed.error_class, parsed.malformed, parsed.title) == (None, True, "Sloppy CMS")
    assert [(e.url, e.title, e.summary) for e in parsed.entries] == [
        ("https://sloppy.example/1", "First story", "Line one Line two"),
        ("https://sloppy.example/2", "Second story", "Unclosed bold"),
    ]
    assert parsed.error and "read leniently" in parsed.error


def test_sitemap_broken_half_way_keeps_what_came_before() -> None:
    body = b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></url><url><lo"
    parsed = parse(body)
    assert (parsed.error_class, parsed.malformed) == (None, True)
    assert [e.url for e in parsed.entries] == ["https://a.example/1", "https://a.example/2"]


LINK_CASES = [
    ("<link>/2024/a?utm_source=rss</link>", "https://www.example.com/2024/a", (), "relative"),
    ("<link>https://x.example/b#top</link>", "https://x.example/b", (), "absolute-fragment"),
    (
        "<link>javascript:alert(document.cookie)</link>",
        None,
        ("refused_scheme:javascript",),
        "javascript",
    ),
    ("<link>data:text/html;base64,PHNjcmlwdD4=</link>", None, ("refused_scheme:data",), "data"),
    ("<link>file:///etc/passwd</link>", None, ("refused_scheme:file",), "file"),
    ("<link>mailto:tips@example.com</link>", None, ("refused_scheme:mailto",), "mailto"),
    ("", None, ("missing_link",), "missing"),
    (
        "<guid>https://www.example.com/perma</guid>",
        "https://www.example.com/perma",
        (),
        "permalink-guid",
    ),
    ("<guid>item-123</guid>", None, ("missing_link",), "non-url-guid"),
    (
        '<guid isPermaLink="false">https://www.example.com/x</guid>',
        None,
        ("missing_link",),
        "guid-not-permalink",
    ),
]


@pytest.mark.parametrize(
    ("xml", "url", "problems"), [c[:3] for c in LINK_CASES], ids=[c[3] for c in LINK_CASES]
)
def test_entry_links(xml: str, url: str | None, problems: tuple[str, ...]) -> None:
    entry = only(parse(rss(f"<item><title>x</title>{xml}</item>")))
    assert (entry.url, entry.problems) == (url, problems)


def test_refused_link_in_json_feed_and_sitemap() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "url": "javascript:alert(1)"}],
    }
    assert only(parse(json.dumps(doc).encode())).problems == ("refused_scheme:javascript",)
    # A sitemap URL that is refused and has nothing else to identify it is dropped.
    sitemap = parse(fixture("sitemap.xml"))
    assert all(e.url and e.url.startswith("https://") for e in sitemap.entries)


DATE_CASES = [
    (
        "Tue, 14 May 2024 08:30:00 +0200",
        datetime(2024, 5, 14, 6, 30, tzinfo=UTC),
        (),
        "rfc822-offset",
    ),
    ("2024-05-14T08:30:00-05:00", datetime(2024, 5, 14, 13, 30, tzinfo=UTC), (), "iso-offset"),
    # One rule with the pages' (tasks.dates): at most an hour ahead of the fetch, from 1990 on.
    (
        "Wed, 15 May 2024 12:59:00 GMT",
        datetime(2024, 5, 15, 12, 59, tzinfo=UTC),
        (),
        "within-the-hour-kept",
    ),
    ("Wed, 15 May 2024 23:00:00 GMT", None, ("future_date",), "later-today-refused"),
    ("Fri, 17 May 2024 12:00:00 GMT", None, ("future_date",), "two-days-ahead"),
    ("Mon, 01 Jan 2livingston", None, ("unparsable_date",), "garbage"),
    ("Mon, 01 Jan 1900 00:00:00 GMT", None, ("ancient_date",), "year-1900"),
    ("Thu, 01 Jan 1970 00:00:00 GMT", None, ("ancient_date",), "epoch-refused"),
    ("Mon, 01 Jan 1990 00:00:00 GMT", datetime(1990, 1, 1, tzinfo=UTC), (), "1990-kept"),
]


@pytest.mark.parametrize(
    ("raw", "expected", "problems"), [c[:3] for c in DATE_CASES], ids=[c[3] for c in DATE_CASES]
)
def test_entry_dates(raw: str, expected: datetime | None, problems: tuple[str, ...]) -> None:
    entry = only(
        parse(
            rss(
                f"<item><title>x</title><link>https://a.example/</link><pubDate>{raw}</pubDate></item>"
            )
        )
    )
    assert (entry.published_raw, entry.published_at, entry.problems) == (raw, expected, problems)


def test_json_feed_and_sitemap_dates_are_read_by_the_pages_parser() -> None:
    """Formats feedparser does not read get no parser of their own: the dates rules of pages."""
    # A date needs a day, and a dotted one is day first.
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "url": "https://a.example/1", "date_published": "14.05.2024 08:30"}],
    }
    entry = only(parse(json.dumps(doc).encode()))
    assert (entry.published_at, entry.problems) == (datetime(2024, 5, 14, 8, 30, tzinfo=UTC), ())
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://a.example/2</loc><lastmod>2024-05</lastmod></url></urlset>"
    )
    entry = only(parse(sitemap))
    assert (entry.updated_raw, entry.updated_at, entry.problems) == (
        "2024-05",
        None,
        ("unparsable_date",),
    )


def test_now_defaults_to_the_current_time() -> None:
    tomorrow_plus = (datetime.now(UTC) + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = rss(
        f"<item><title>x</title><link>https://a.example/</link><pubDate>{tomorrow_plus}</pubDate></item>"
    )
    assert only(parse_feed(body, FEED_URL)).problems == ("future_date",)


def test_a_repeated_item_keeps_its_first_copy() -> None:
    items = "".join(
        f"<item><title>{title}</title><guid isPermaLink='false'>{guid}</guid><link>https://a.example/{guid}</link></item>"
        for guid, title in [("g1", "first"), ("g2", "other"), ("g1", "again"), ("g1", "thrice")]
    )
    parsed = parse(rss(items))
    assert [(e.guid, e.title) for e in parsed.entries] == [("g1", "first"), ("g2", "other")]


def test_one_guid_on_different_links_is_told_apart_by_the_link() -> None:
    items = "".join(
        f"<item><title>{title}</title><guid isPermaLink='false'>shared</guid><link>https://a.example/{path}</link></item>"
        for path, title in [("a", "first"), ("b", "second"), ("a?utm_source=x", "first again")]
    )
    entries = parse(rss(items)).entries
    assert [(e.url, e.title) for e in entries] == [
        ("https://a.example/a", "first"),
        ("https://a.example/b", "second"),
    ]
    keys = {e.entry_key for e in entries}
    assert len(keys) == 2 and entry_key("shared", None, None, None) not in keys
    # A guid that is unique in its feed keeps the key it always had, whatever the link.
    alone = only(parse(rss(items.split("</item>")[0] + "</item>")))
    assert alone.entry_key == entry_key("shared", "https://a.example/other", None, None)


def test_without_guids_entries_are_deduplicated_by_normalised_link() -> None:
    items = (
        "<item><title>a</title><link>https://a.example/x?utm_source=one</link></item>"
        "<item><title>a, again</title><link>https://a.example/x?utm_source=two</link></item>"
        "<item><title>b</title><link>https://a.example/y</link></item>"
    )
    assert [e.title for e in parse(rss(items)).entries] == ["a", "b"]


def test_entry_without_guid_link_or_title_is_skipped() -> None:
    parsed = parse(
        rss("<item><description>orphan</description></item><item><title>kept</title></item>")
    )
    assert [(e.title, e.url, e.problems) for e in parsed.entries] == [
        ("kept", None, ("missing_link",))
    ]


def test_entry_key_precedence_and_stability() -> None:
    assert entry_key("g", "https://a.example/", "t", "d") == entry_key("g", None, None, None)
    assert entry_key(" g ", None, None, None) == entry_key("g", None, None, None)
    assert entry_key(None, "https://a.example/", "t", "d") == entry_key(
        None, "https://a.example/", None, None
    )
    assert entry_key(None, None, "Big  News", "d") == entry_key(None, None, "big news", "d")
    assert entry_key(None, None, "Big News", "d1") != entry_key(None, None, "Big News", "d2")
    assert entry_key("https://a.example/", None, None, None) != entry_key(
        None, "https://a.example/", None, None
    )
    assert len(entry_key(None, None, None, None)) == 64


INTERVAL_CASES = [
    ("<ttl>30</ttl>", 1800, "ttl-minutes"),
    (
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>",
        900,
        "sy-hourly-4",
    ),
    ("<sy:updatePeriod>daily</sy:updatePeriod>", 86400, "sy-daily-default-frequency"),
    ("<ttl>10</ttl><sy:updatePeriod>hourly</sy:updatePeriod>", 3600, "larger-hint-wins"),
    ("<ttl>100000</ttl>", 86400, "capped-at-a-day"),
    ("<sy:updatePeriod>weekly</sy:updatePeriod>", 86400, "weekly-capped"),
    (
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>",
        3600,
        "frequency-zero",
    ),
    ("<ttl>soon</ttl>", None, "ttl-garbage"),
    ("<ttl>-5</ttl>", None, "ttl-negative"),
    ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None, "unknown-period"),
    ("", None, "no-hint"),
]


@pytest.mark.parametrize(
    ("channel", "expected"), [c[:2] for c in INTERVAL_CASES], ids=[c[2] for c in INTERVAL_CASES]
)
def test_min_interval_from_ttl_and_syndication_module(channel: str, expected: int | None) -> None:
    body = (
        '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>T</title>'
        f"{channel}</channel></rss>"
    ).encode()
    assert parse(body).min_interval_s == expected


def test_rss2_fixture_interval_takes_the_larger_hint() -> None:
    assert parse(fixture("rss2.xml")).min_interval_s == 3600  # ttl 60 min vs hourly/2 = 30 min


def _many_rss_items(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://big.example/a/{i}?utm_source=x</link>"
        f"<guid>g{i}</guid><pubDate>Mon, 13 May 2024 10:00:00 GMT</pubDate></item>"
        for i in range(count)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()


@pytest.mark.timeout(120)  # a "does not hang" bound only; parsing all 50,000 items took ~45 s
def test_50000_item_feed_is_capped_early() -> None:
    parsed = parse(_many_rss_items(50_000), max_entries=2000)
    assert (parsed.error_class, parsed.malformed, parsed.truncated, len(parsed.entries)) == (
        None,
        False,
        True,
        2000,
    )
    assert parsed.entries[-1].url == "https://big.example/a/1999"


@pytest.mark.parametrize("fmt", ["atom", "jsonfeed", "sitemap", "sitemapindex"])
@pytest.mark.timeout(120)
def test_other_formats_are_capped(fmt: str) -> None:
    count = 5000
    bodies = {
        "atom": '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        + "".join(f"<entry><title>e{i}</title><id>urn:e:{i}</id></entry>" for i in range(count)) + "</feed>",
        "jsonfeed": json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": str(i)} for i in range(count)]}),
        "sitemap": "<urlset>" + "".join(f"<url><loc>https://s.example/{i}</loc></url>" for i in range(count)) + "</urlset>",
        "sitemapindex": "<sitemapindex>" + "".join(f"<sitemap><loc>https://s.example/{i}.xml</loc></sitemap>" for i in range(count)) + "</sitemapindex>",
    }  # fmt: skip
    parsed = parse(bodies[fmt].encode(), max_entries=100)
    assert (parsed.format, parsed.truncated, len(parsed.entries) + len(parsed.child_urls)) == (
        fmt,
        True,
        100,
    )


def test_feed_exactly_at_the_cap_is_not_truncated() -> None:
    parsed = parse(_many_rss_items(10), max_entries=10)
    assert (parsed.truncated, len(parsed.entries)) == (False, 10)


@pytest.mark.parametrize(
    "description",
    [
        "lorem ipsum dolor sit amet " * 750_000,
        "&lt;p&gt;lorem &lt;b&gt;ipsum&lt;/b&gt;&lt;/p&gt; " * 450_000,
        "<![CDATA[" + "<p>lorem <b>ipsum</b></p> " * 800_000 + "]]>",
    ],
    ids=["20MB-text", "20MB-entity-escaped-html", "20MB-cdata-html"],
)
@pytest.mark.timeout(
    120
)  # "does not hang": the escaped case took 32 s before long text runs were cut
def test_20mb_description_gives_a_bounded_summary(description: str) -> None:
    body = rss(
        f"<item><title>huge</title><link>https://a.example/</link><description>{description}</description></item>"
    )
    assert len(body) > 19_000_000
    entry = only(parse(body))
    assert entry.summary is not None
    assert len(entry.summary) == SUMMARY_MAX_CHARS
    assert entry.summary.startswith("lorem ipsum")


def test_content_over_the_cap_is_cut_and_flagged() -> None:
    html = "<p>" + "word " * (CONTENT_MAX_CHARS // 4) + "</p>"
    body = rss(
        f"<item><title>long</title><link>https://a.example/</link><content:encoded><![CDATA[{html}]]></content:encoded></item>"
    )
    body = body.replace(
        b'version="2.0"', b'version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    )
    entry = only(parse(body))
    assert entry.content_html is not None
    assert len(entry.content_html) == CONTENT_MAX_CHARS
    assert entry.problems == ("content_truncated",)


def test_titles_are_plain_text_and_bounded() -> None:
    entry = only(
        parse(
            rss(
                "<item><title>&lt;b&gt;Big&lt;/b&gt;   news\n today</title><link>https://a.example/</link></item>"
            )
        )
    )
    assert entry.title == "Big news today"
    long_title = only(
        parse(rss(f"<item><title>{'x' * 50_000}</title><link>https://a.example/</link></item>"))
    ).title
    assert long_title is not None
    assert len(long_title) == 1000


def test_extra_tracking_params_apply_to_entry_urls() -> None:
    body = rss("<item><title>a</title><link>https://a.example/x?src=feed&amp;id=1</link></item>")
    assert only(parse(body, extra_tracking_params=("src",))).url == "https://a.example/x?id=1"


@pytest.mark.parametrize("name", sorted(p.name for p in FEED_FIXTURES.iterdir()))
def test_every_fixture_result_survives_pickling(name: str) -> None:
    parsed = parse(fixture(name))
    assert pickle.loads(pickle.dumps(parsed)) == parsed  # noqa: S301 - the test's own object
