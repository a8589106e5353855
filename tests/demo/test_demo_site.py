"""The demo site: feeds parse, pages are served, validators and robots.txt behave, loopback only."""

from __future__ import annotations

import html
import json
import re
import socket
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import feedparser
import httpx
import pytest
from defusedxml import ElementTree
from protego import Protego

from config.sources import load_sources
from flows.demo.server import DemoSite, load_expected

LOOPBACK = "127.0.0.1"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
# Attributes a browser or crawler loads without a click: they must stay on the demo server.
LOADED_URL = re.compile(
    r'(?:src|data-ghost)="([^"]*)"'
    r'|<link [^>]*href="([^"]*)"'
    r'|property="og:(?:image|url)" content="([^"]*)"'
)
EXPECTED = load_expected()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn any connection to an address other than 127.0.0.1 into a test failure."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: tuple[str, int]) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != LOOPBACK:
            raise AssertionError(f"connection to {address!r}: tests may only contact {LOOPBACK}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="module")
def site() -> DemoSite:
    with DemoSite() as demo:
        yield demo


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    with httpx.Client(trust_env=False, timeout=10) as http:
        yield http


@pytest.fixture(scope="module")
def feed_links(site: DemoSite, client: httpx.Client) -> dict[str, list[str]]:
    """Every entry link of every demo source, by source name."""
    links = {}
    for source in site.sources():
        body = client.get(source.url).content
        links[source.name] = _entry_links(body, source.tags[1])
    return links


def _entry_links(body: bytes, feed_format: str) -> list[str]:
    if feed_format == "jsonfeed":
        return [item["url"] for item in json.loads(body)["items"]]
    if feed_format == "news-sitemap":
        return [loc.text for loc in ElementTree.fromstring(body).iter(f"{SITEMAP_NS}loc")]
    return [entry.link for entry in feedparser.parse(body).entries]


def _text(page: str) -> str:
    """Return the visible text of a page, white space collapsed and case folded."""
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", page))).casefold()


def _path(url: str) -> str:
    return urlsplit(url).path


def test_guard_refuses_addresses_other_than_loopback() -> None:
    with pytest.raises(AssertionError, match="tests may only contact"):
        socket.create_connection(("127.0.0.2", 9), timeout=1)


def test_each_feed_is_served_with_its_content_type(site: DemoSite, client: httpx.Client) -> None:
    expected_types = {
        "rss": "application/rss+xml; charset=utf-8",
        "atom": "application/atom+xml; charset=utf-8",
        "jsonfeed": "application/feed+json; charset=utf-8",
        "news-sitemap": "application/xml; charset=utf-8",
    }
    for source in site.sources():
        response = client.get(source.url)
        assert response.status_code == 200, source.name
        assert response.headers["content-type"] == expected_types[source.tags[1]], source.name


def test_rss_and_atom_feeds_parse_cleanly_with_feedparser(
    site: DemoSite, client: httpx.Client
) -> None:
    xml_sources = [s for s in site.sources() if s.tags[1] in ("rss", "atom")]
    assert {s.tags[1] for s in xml_sources} == {"rss", "atom"}
    for source in xml_sources:
        parsed = feedparser.parse(client.get(source.url).content)
        assert not parsed.bozo, (source.name, parsed.get("bozo_exception"))
        assert parsed.version in ("rss20", "atom10")
        assert parsed.entries, source.name
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith(site.base_url) and entry.id
            assert entry.published_parsed and entry.author, (source.name, entry.title)


def test_json_feed_and_news_sitemap_are_well_formed(site: DemoSite, client: httpx.Client) -> None:
    by_format = {source.tags[1]: source for source in site.sources()}
    feed = client.get(by_format["jsonfeed"].url).json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert all(item["id"] and item["url"] and item["date_published"] for item in feed["items"])
    sitemap = ElementTree.fromstring(client.get(by_format["news-sitemap"].url).content)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    urls = list(sitemap.iter(f"{SITEMAP_NS}url"))
    assert urls and all(url.find(f"{news}news/{news}publication_date") is not None for url in urls)


def test_gazette_feed_carries_the_full_articles(site: DemoSite, client: httpx.Client) -> None:
    source = next(s for s in site.sources() if s.name == "gazette-rss")
    for entry in feedparser.parse(client.get(source.url).content).entries:
        full_text = _text(entry.content[0].value)
        for snippet in EXPECTED["articles"][_path(entry.link)]["contains"]:
            assert snippet.casefold() in full_text, (entry.link, snippet)


def test_every_linked_page_is_served_except_the_deliberate_failures(
    client: httpx.Client, feed_links: dict[str, list[str]]
) -> None:
    failures = EXPECTED["failures"]
    for source, links in feed_links.items():
        for link in links:
            response = client.get(link)
            if failures.get(_path(link), {}).get("http_status") == 404:
                assert response.status_code == 404, link
                assert failures[_path(link)]["source"] == source
            else:
                assert response.status_code == 200, link
                assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_no_placeholder_is_left_unfilled(site: DemoSite, client: httpx.Client) -> None:
    urls = [s.url for s in site.sources()] + site.article_urls() + [site.base_url + "/robots.txt"]
    for url in urls:
        assert "{{" not in client.get(url).text, url


def test_every_article_is_linked_from_some_feed(
    site: DemoSite, feed_links: dict[str, list[str]]
) -> None:
    linked = {_path(link) for links in feed_links.values() for link in links}
    articles = {_path(url) for url in site.article_urls()}
    assert len(articles) >= 30
    assert linked == articles | set(EXPECTED["failures"])


def test_partner_feed_lists_wire_pages_with_tracking_parameters(
    feed_links: dict[str, list[str]],
) -> None:
    tracked = feed_links["wire-partners-rss"]
    assert tracked and all(
        {k for k, _ in parse_qsl(urlsplit(link).query)} >= {"utm_source", "utm_medium"}
        for link in tracked
    )
    clean = set(feed_links["wire-json"])
    assert {link.split("?")[0] for link in tracked} <= clean
    assert {_path(link) for link in tracked} == set(EXPECTED["tracking_variants"]["paths"])


@pytest.mark.parametrize("path", ["/gazette/feed/", "/tech-blog/rss-never-died/", "/robots.txt"])
def test_conditional_requests_are_answered_with_304(
    site: DemoSite, client: httpx.Client, path: str
) -> None:
    url = site.base_url + path
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    def status(headers: dict[str, str]) -> int:
        return client.get(url, headers=headers).status_code

    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert status({"If-None-Match": f'W/"other", {etag}'}) == 304
    assert status({"If-Modified-Since": last_modified}) == 304
    assert status({"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}) == 200
    # If-None-Match decides when both are sent: a changed ETag means a full response.
    assert status({"If-None-Match": '"stale"', "If-Modified-Since": last_modified}) == 200


def test_validators_survive_a_restart_on_another_port(site: DemoSite, client: httpx.Client) -> None:
    paths = [
        "/",
        "/daily-planet/feed.xml",
        "/wire/feed.json",
        _path(site.article_urls()[0]),
        "/robots.txt",
    ]
    with DemoSite() as other:
        assert other.base_url != site.base_url
        for path in paths:
            before, after = client.head(site.base_url + path), client.head(other.base_url + path)
            assert before.headers["etag"] == after.headers["etag"], path
            assert before.headers["last-modified"] == after.headers["last-modified"], path


def test_head_sends_headers_without_a_body(site: DemoSite, client: httpx.Client) -> None:
    response = client.head(site.article_urls()[0])
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 1000


def test_robots_txt_allows_everything_but_private(site: DemoSite, client: httpx.Client) -> None:
    response = client.get(site.base_url + "/robots.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    robots = Protego.parse(response.text)
    private = site.base_url + "/private/wire/embargoed-budget-figures.html"
    assert not robots.can_fetch(private, "newsflow")
    assert all(robots.can_fetch(url, "newsflow") for url in site.article_urls())
    assert list(robots.sitemaps) == [site.base_url + "/daily-planet/news-sitemap.xml"]
    assert EXPECTED["failures"][_path(private)]["error_class"] == "robots_disallowed"


def test_unknown_paths_get_404_and_missing_slashes_a_redirect(
    site: DemoSite, client: httpx.Client
) -> None:
    assert client.get(site.base_url + "/daily-planet/no-such-story.html").status_code == 404
    assert client.get(site.base_url + "/no/such/place/").status_code == 404
    slashless = client.get(site.base_url + "/tech-blog/rss-never-died")
    assert slashless.status_code == 301
    assert slashless.headers["location"] == "/tech-blog/rss-never-died/"


def test_sources_and_feeds_toml_agree(site: DemoSite, tmp_path: Path) -> None:
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(site.feeds_toml(), encoding="utf-8")
    sources = site.sources()
    assert load_sources(feeds_file) == sources
    assert len(sources) == 6 and all(s.url.startswith(site.base_url + "/") for s in sources)
    assert {s.tags[1] for s in sources} == {"rss", "atom", "jsonfeed", "news-sitemap"}


def test_pages_load_nothing_from_other_hosts(site: DemoSite, client: httpx.Client) -> None:
    for url in [site.base_url + "/", *site.article_urls()]:
        page = client.get(url).text
        for match in LOADED_URL.finditer(page):
            loaded = next(group for group in match.groups() if group is not None)
            assert loaded.startswith(site.base_url + "/"), (url, loaded)


def test_expected_json_describes_the_served_pages(site: DemoSite, client: httpx.Client) -> None:
    articles = EXPECTED["articles"]
    assert set(articles) == {_path(url) for url in site.article_urls()}
    for path, expected in articles.items():
        page = client.get(site.base_url + path).text
        assert f'<html lang="{expected["language"]}"' in page, path
        text = _text(page)
        # Exclusions must be on the page too, or asserting their absence would prove nothing.
        for snippet in (
            expected["contains"]
            + expected["excludes"]
            + expected.get("excludes_after_learning", [])
        ):
            assert SPACE.sub(" ", snippet).casefold() in text, (path, snippet)
    groups = [g["paths"] for g in EXPECTED["near_duplicates"] + EXPECTED["same_topic_distinct"]]
    assert all(path in articles for group in groups for path in group)
    assert {articles[p]["language"] for p in articles} >= {"en", "de", "fr", "es"}


def test_tech_blog_posts_end_with_the_same_inline_bio(site: DemoSite, client: httpx.Client) -> None:
    bio = EXPECTED["site_templates"]["/tech-blog/"]["paragraph"]
    last_paragraphs = []
    for url in site.article_urls():
        if "/tech-blog/" in url:
            post = (
                client.get(url)
                .text.split('<section class="gh-content gh-canvas">')[1]
                .split("</section>")[0]
            )
            last_paragraphs.append(html.unescape(re.findall(r"<p>(.*?)</p>", post)[-1]))
    assert last_paragraphs.count(bio) >= 4
    assert len(set(last_paragraphs)) > 1  # the guest posts end with their own bios


def test_seed_article_keeps_its_boilerplate_inside_the_article(
    site: DemoSite, client: httpx.Client
) -> None:
    page = client.get(site.base_url + "/wire/2022/11/putin-found-new-allies/").text
    body = page.split('<div class="entry-content', 1)[1].split("</div>", 1)[0]
    for line in (
        "From: Tobias Utz",
        "Ambrose Fernandez",
        "Leave a Reply",
        "© Vitaliy Belousov / Imago Pictures",
    ):
        assert line in html.unescape(body), line


def test_server_is_quiet(
    site: DemoSite, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    client.get(site.base_url + "/")
    client.get(site.base_url + "/missing")
    assert capfd.readouterr().err == ""


def test_close_is_safe_before_start_and_twice() -> None:
    demo = DemoSite()
    demo.close()
    demo.close()
    with httpx.Client(trust_env=False, timeout=2) as http, pytest.raises(httpx.ConnectError):
        http.get(demo.base_url + "/")
