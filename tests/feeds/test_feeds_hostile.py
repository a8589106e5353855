"""Hostile feeds: entity bombs, external entities and fetch attempts are refused, never expanded.

Each case records what feedparser 6.0.14 alone does with it (measured here), i.e. why the screen
in tasks.feeds.xmlguard (reached through tasks.feeds.parse) exists. Memory is bounded with tracemalloc, time with a generous timeout only.
"""

from __future__ import annotations

import socket
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasks.feeds.parse import parse_feed
from tasks.records import ParsedFeed
from tests.paths import FIXTURES

FEED_FIXTURES = FIXTURES / "feeds"
FEED_URL = "https://hostile.example/feed.xml"
MEMORY_BOUND = 20 * 2**20  # bytes; every refused case stays far below, an expansion far above
RSS_TAIL = (
    '<rss version="2.0"><channel><title>t</title><item><title>{title}</title>'
    "<link>https://hostile.example/1</link><description>{description}</description></item></channel></rss>"
)


def parse_bounded(body: bytes) -> tuple[ParsedFeed, int]:
    """The result and the peak Python memory allocated while parsing."""
    tracemalloc.start()
    try:
        parsed = parse_feed(body, FEED_URL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return parsed, peak


def with_dtd(dtd: str, title: str = "x", description: str = "x") -> bytes:
    return f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{dtd}\n]>\n{RSS_TAIL.format(title=title, description=description)}'.encode()


def quadratic_blowup(*, broken: bool = False) -> bytes:
    """10 KB entity referenced 10,000 times: 40 KB in.

    feedparser alone: expat stops at its amplification limit, the loose parser then expands
    it: 100 MB out, ~6 s.
    """
    description = "&a;" * 10_000 + ("<br>" if broken else "")
    return with_dtd(f'<!ENTITY a "{"a" * 10_000}">', description=description)


def one_line_billion_laughs() -> bytes:
    """All entity declarations on one line.

    Feedparser only strips DOCTYPE/ENTITY declarations that start a line; here expat gets the
    whole DTD and burns ~2 s and ~90 MB before its amplification limit stops it.
    """
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(entities)}]>{RSS_TAIL.format(title="&l9;", description="&l9;")}'.encode()


def entity_hidden_in_comment() -> bytes:
    """An entity declared inside a DTD comment.

    Expat ignores a declaration there, but feedparser's regex rewrite lifts it out and hands it
    to the loose parser: 40 KB in, 100 MB out.
    """
    return with_dtd(f'<!--\n<!ENTITY a "{"a" * 10_000}">\n-->', description="&a;" * 10_000)


BOMBS = {
    "billion-laughs-fixture": (FEED_FIXTURES / "billion_laughs.xml").read_bytes(),
    "billion-laughs-one-line": one_line_billion_laughs(),
    "quadratic-blowup": quadratic_blowup(),
    "quadratic-blowup-malformed": quadratic_blowup(broken=True),
    "entity-hidden-in-dtd-comment": entity_hidden_in_comment(),
    "parameter-entity-bomb": with_dtd(
        "<!ENTITY % p \"<!ENTITY q 'qqqqqqqqqq'>\">\n%p;", title="&q;"
    ),
}


@pytest.mark.parametrize("body", BOMBS.values(), ids=BOMBS.keys())
@pytest.mark.timeout(60)  # "does not hang" only
def test_entity_bombs_are_refused_without_expanding(body: bytes) -> None:
    parsed, peak = parse_bounded(body)
    assert (parsed.error_class, parsed.entries, parsed.title) == ("unsafe_xml", (), None)
    assert parsed.error and "entity" in parsed.error
    assert peak < MEMORY_BOUND


def test_billion_laughs_in_a_sitemap_is_refused() -> None:
    body = (
        (FEED_FIXTURES / "billion_laughs.xml")
        .read_bytes()
        .replace(b"<rss", b"<urlset><!--")
        .replace(b"</rss>", b"--></urlset>")
    )
    assert parse_feed(body, FEED_URL).error_class == "unsafe_xml"


def test_sitemap_refuses_even_the_harmless_alias_entity() -> None:
    """Sitemaps go through defusedxml, which refuses every entity declaration."""
    body = b'<?xml version="1.0"?><!DOCTYPE urlset [\n<!ENTITY nbsp "&#160;">\n]><urlset><url><loc>https://a.example/</loc></url></urlset>'
    assert parse_feed(body, FEED_URL).error_class == "unsafe_xml"


def test_single_character_entity_aliases_are_allowed_in_feeds() -> None:
    parsed = parse_feed((FEED_FIXTURES / "nbsp_alias.xml").read_bytes(), FEED_URL)
    assert (parsed.error_class, parsed.title) == (
        None,
        "Alias feed",
    )  # U+00A0 collapsed as white space
    assert [e.title for e in parsed.entries] == ["Non breaking"]


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("NEWSFLOW-SECRET-4f1c9e must never leave this file\n")
    return path


@pytest.mark.parametrize("name", ["xxe_passwd.xml", "xxe_parameter.xml"])
def test_xxe_fixtures_never_leak_etc_passwd(name: str) -> None:
    parsed, peak = parse_bounded((FEED_FIXTURES / name).read_bytes())
    assert (parsed.error_class, parsed.entries) == ("unsafe_xml", ())
    assert "root:" not in repr(parsed)
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize(
    "template",
    [
        '<!ENTITY xxe SYSTEM "{uri}">',
        '<!ENTITY xxe PUBLIC "-//X//Y//EN" "{uri}">',
        '<!ENTITY % ext SYSTEM "{uri}">\n%ext;',
    ],
    ids=["system", "public", "parameter"],
)
@pytest.mark.parametrize("broken", [False, True], ids=["well-formed", "malformed"])
def test_xxe_never_leaks_a_local_file(secret_file: Path, template: str, broken: bool) -> None:
    """Feedparser alone leaves &xxe; unexpanded (it drops SYSTEM entities); we refuse outright."""
    body = with_dtd(
        template.format(uri=secret_file.as_uri()),
        title="&xxe;" + ("<br>" if broken else ""),
        description="&xxe;",
    )
    parsed = parse_feed(body, FEED_URL)
    assert parsed.error_class == "unsafe_xml"
    assert "NEWSFLOW-SECRET" not in repr(parsed)


@pytest.fixture
def forbidden_listener() -> Iterator[socket.socket]:
    """A TCP listener on 127.0.0.2 that nothing may connect to."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.2", 0))
        listener.listen(8)
        listener.settimeout(0.0)  # non-blocking
        yield listener


def connections(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_external_dtd_is_never_fetched_and_the_feed_still_parses(
    forbidden_listener: socket.socket,
) -> None:
    port = forbidden_listener.getsockname()[1]
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        f'"http://127.0.0.2:{port}/rss-0.91.dtd">\n{RSS_TAIL.format(title="ok", description="ok")}'
    ).encode()
    parsed = parse_feed(body, FEED_URL)
    assert (parsed.error_class, [e.title for e in parsed.entries]) == (None, ["ok"])
    assert connections(forbidden_listener) == 0


@pytest.mark.parametrize(
    "dtd",
    [
        '<!ENTITY xxe SYSTEM "http://127.0.0.2:{port}/leak">',
        '<!ENTITY % ext SYSTEM "http://127.0.0.2:{port}/x.dtd">\n%ext;',
    ],
    ids=["general", "parameter"],
)
def test_external_entities_over_http_are_never_fetched(
    forbidden_listener: socket.socket, dtd: str
) -> None:
    port = forbidden_listener.getsockname()[1]
    parsed = parse_feed(with_dtd(dtd.format(port=port), title="&xxe;"), FEED_URL)
    assert parsed.error_class == "unsafe_xml"
    assert connections(forbidden_listener) == 0


def test_a_body_that_looks_like_a_path_or_url_is_never_opened(
    forbidden_listener: socket.socket,
) -> None:
    """feedparser.parse(str) opens files and URLs; parse_feed only ever hands it a byte stream."""
    port = forbidden_listener.getsockname()[1]
    for body in (b"/etc/passwd", f"http://127.0.0.2:{port}/feed.xml".encode()):
        parsed = parse_feed(body, FEED_URL)
        assert parsed.error_class == "not_a_feed"
        assert "root:" not in repr(parsed)
    assert connections(forbidden_listener) == 0


def test_unparsable_internals_never_escape_as_exceptions() -> None:
    """Garbage of every shape gives a record; the last-resort handler is never needed for it."""
    bodies = [
        b"\x00" * 1000,
        b"\xff\xfe" + b"\x00<" * 10,
        b"<" * 10_000,
        b"<?xml" * 1000,
        b"<!DOCTYPE" * 500,
        b"<rss" + b"<" * 5000,
    ]
    for body in bodies:
        parsed = parse_feed(body, FEED_URL)
        assert parsed.error_class in {"empty", "not_a_feed", "parse_error"}
        assert "unexpected" not in (parsed.error or "")
