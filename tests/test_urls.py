"""URL identity: normalisation, tracking and AMP removal, link resolution, same-site and canonical choice."""

from __future__ import annotations

import pytest

from tasks.urls import (
    TRACKING_PARAMS,
    choose_canonical,
    is_same_site,
    normalize_url,
    resolve_link,
    strip_amp,
)

NORMALIZE_CASES = [
    (
        "HTTPS://WWW.Example.COM/Path",
        "https://www.example.com/Path",
        "scheme-and-host-lowercased-path-kept",
    ),
    ("http://example.com:80/a", "http://example.com/a", "default-http-port"),
    ("https://example.com:443/a", "https://example.com/a", "default-https-port"),
    ("https://example.com:8443/a", "https://example.com:8443/a", "other-port-kept"),
    ("http://example.com", "http://example.com/", "empty-path-becomes-slash"),
    ("https://example.com/a/", "https://example.com/a/", "trailing-slash-kept"),
    ("https://example.com/a#comments", "https://example.com/a", "fragment-dropped"),
    ("https://example.com/a?", "https://example.com/a", "empty-query-dropped"),
    ("https://example.com/a?b=2&a=1&c=", "https://example.com/a?a=1&b=2&c=", "query-sorted"),
    (
        "https://example.com/a?utm_source=rss&utm_Medium=feed&id=7",
        "https://example.com/a?id=7",
        "utm-any-case",
    ),
    (
        "https://example.com/a?fbclid=x&gclid=y&msclkid=z&p=1",
        "https://example.com/a?p=1",
        "click-ids",
    ),
    (
        "https://example.com/a?mc_cid=1&mc_eid=2&ref=tw&igshid=3&_ga=4&yclid=5",
        "https://example.com/a",
        "more-trackers",
    ),
    (
        "https://example.com/a?at_medium=x&at_campaign=y&ref_src=z&q=news",
        "https://example.com/a?q=news",
        "at-internet",
    ),
    (
        "https://münchen.example/straße",
        "https://xn--mnchen-3ya.example/stra%C3%9Fe",
        "idn-host-and-path",
    ),
    ("https://xn--mnchen-3ya.example/", "https://xn--mnchen-3ya.example/", "punycode-kept"),
    ("https://example.com./a", "https://example.com/a", "trailing-dot-host"),
    (
        "https://example.com/%7euser/%2fa?q=%e2%82%ac",
        "https://example.com/~user/%2Fa?q=%E2%82%AC",
        "percent-escapes",
    ),
    ("https://example.com/a b?q=x y", "https://example.com/a%20b?q=x%20y", "spaces-encoded"),
    ("https://example.com/100%/off", "https://example.com/100%25/off", "lone-percent"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c", "dot-segments"),
    ("https://example.com/a?q=a+b", "https://example.com/a?q=a+b", "plus-kept"),
    ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x", "ipv6"),
    (" \thttps://example.com/a\n", "https://example.com/a", "surrounding-white-space"),
]


@pytest.mark.parametrize(
    ("url", "expected"), [c[:2] for c in NORMALIZE_CASES], ids=[c[2] for c in NORMALIZE_CASES]
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url", [c[0] for c in NORMALIZE_CASES], ids=[c[2] for c in NORMALIZE_CASES]
)
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert once is not None
    assert normalize_url(once) == once


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "mailto:a@example.com", "ftp://example.com/a", "file:///etc/passwd",
     "data:text/html,hi", "/relative/path", "https://", "http://[::1/x", "http://example.com:99999/", ""],
    ids=["javascript", "mailto", "ftp", "file", "data", "relative", "no-host", "bad-ipv6", "bad-port", "empty"],
)  # fmt: skip
def test_normalize_url_refuses_what_is_not_an_http_url(url: str) -> None:
    assert normalize_url(url) is None


def test_extra_tracking_params_are_dropped_case_insensitively() -> None:
    url = "https://example.com/a?src=newsletter&Campaign_ID=9&page=2"
    assert normalize_url(url, ["src", "campaign_id"]) == "https://example.com/a?page=2"
    assert normalize_url(url) == "https://example.com/a?Campaign_ID=9&page=2&src=newsletter"


def test_tracking_params_are_lower_case_keys() -> None:
    assert all(key == key.lower() for key in TRACKING_PARAMS)
    assert {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "ref",
        "igshid",
        "_ga",
        "yclid",
    } <= TRACKING_PARAMS


AMP_CASES = [
    (
        "https://www.example.com/2024/05/story/amp/",
        "https://www.example.com/2024/05/story/",
        "trailing-amp-segment",
    ),
    (
        "https://www.example.com/2024/05/story/amp",
        "https://www.example.com/2024/05/story",
        "trailing-amp-no-slash",
    ),
    (
        "https://www.example.com/amp/2024/05/story",
        "https://www.example.com/2024/05/story",
        "leading-amp-segment",
    ),
    ("https://www.example.com/story?amp=1", "https://www.example.com/story", "amp-query"),
    ("https://www.example.com/story?amp", "https://www.example.com/story", "bare-amp-query"),
    (
        "https://www.example.com/story.amp.html",
        "https://www.example.com/story.html",
        "amp-html-suffix",
    ),
    ("https://www.example.com/story.amp", "https://www.example.com/story", "amp-suffix"),
    (
        "https://amp.example.co.uk/world/story",
        "https://www.example.co.uk/world/story",
        "amp-subdomain",
    ),
    (
        "https://amp.news.example.com/story",
        "https://news.example.com/story",
        "amp-deeper-subdomain",
    ),
    ("https://amp.dev/documentation/", "https://amp.dev/documentation/", "amp-is-the-site"),
    (
        "https://www.example.com/examples/sample.html",
        "https://www.example.com/examples/sample.html",
        "no-amp",
    ),
]


@pytest.mark.parametrize(
    ("url", "expected"), [c[:2] for c in AMP_CASES], ids=[c[2] for c in AMP_CASES]
)
def test_strip_amp(url: str, expected: str) -> None:
    assert strip_amp(url) == expected


def test_strip_amp_keeps_tracking_params_and_non_http_input() -> None:
    assert (
        strip_amp("https://www.example.com/a/amp/?utm_source=x")
        == "https://www.example.com/a/?utm_source=x"
    )
    assert strip_amp("mailto:a@example.com") == "mailto:a@example.com"


def test_one_article_through_feed_amp_and_canonical_links_is_one_url() -> None:
    canonical = "https://www.example.com/2024/05/14/council-bridge/"
    variants = [
        canonical,
        "https://www.example.com/2024/05/14/council-bridge/?utm_source=rss&utm_medium=feed",
        "https://www.example.com/2024/05/14/council-bridge/amp/",
        "https://amp.example.com/2024/05/14/council-bridge/?amp=1",
        "HTTPS://WWW.EXAMPLE.COM:443/2024/05/14/council-bridge/#comments",
        "https://www.example.com/2024/05/14/./council-bridge/?fbclid=IwAR0xyz",
    ]
    assert {normalize_url(url) for url in variants} == {canonical}


RESOLVE_CASES = [
    (
        "/2024/story",
        "https://www.example.com/feed/",
        ("https://www.example.com/2024/story", None),
        "root-relative",
    ),
    (
        "story",
        "https://www.example.com/blog/feed",
        ("https://www.example.com/blog/story", None),
        "path-relative",
    ),
    (
        "../story",
        "https://www.example.com/a/b/feed",
        ("https://www.example.com/a/story", None),
        "dot-dot",
    ),
    (
        "//cdn.example.net/a.jpg",
        "https://www.example.com/",
        ("https://cdn.example.net/a.jpg", None),
        "scheme-relative",
    ),
    (
        "  https://x.example/a?utm_source=f \n",
        "https://www.example.com/",
        ("https://x.example/a", None),
        "white-space",
    ),
    (
        "javascript:alert(1)",
        "https://www.example.com/",
        (None, "refused_scheme:javascript"),
        "javascript",
    ),
    (
        "JaVaScRiPt:alert(1)",
        "https://www.example.com/",
        (None, "refused_scheme:javascript"),
        "javascript-case",
    ),
    (
        "java\tscript:alert(1)",
        "https://www.example.com/",
        (None, "refused_scheme:javascript"),
        "javascript-tab",
    ),
    (
        "data:text/html;base64,PHA+",
        "https://www.example.com/",
        (None, "refused_scheme:data"),
        "data",
    ),
    ("file:///etc/passwd", "https://www.example.com/", (None, "refused_scheme:file"), "file"),
    (
        "mailto:news@example.com",
        "https://www.example.com/",
        (None, "refused_scheme:mailto"),
        "mailto",
    ),
    ("ftp://example.com/a", "https://www.example.com/", (None, "refused_scheme:ftp"), "ftp"),
    (None, "https://www.example.com/", (None, "missing_link"), "none"),
    ("   ", "https://www.example.com/", (None, "missing_link"), "blank"),
    ("story", "", (None, "bad_url"), "relative-without-base"),
    ("http://[::1/x", "https://www.example.com/", (None, "bad_url"), "broken-ipv6"),
]


@pytest.mark.parametrize(
    ("link", "base", "expected"), [c[:3] for c in RESOLVE_CASES], ids=[c[3] for c in RESOLVE_CASES]
)
def test_resolve_link(link: str | None, base: str, expected: tuple[str | None, str | None]) -> None:
    assert resolve_link(link, base) == expected


SAME_SITE_CASES = [
    ("https://www.example.co.uk/a", "http://example.co.uk/b", True, "www-and-bare"),
    ("https://amp.example.com/a", "https://www.example.com/b", True, "amp-and-www"),
    ("https://news.example.com/a", "https://www.example.com/b", True, "any-subdomain"),
    ("https://example.com/a", "https://example.org/a", False, "other-tld"),
    ("https://alice.github.io/a", "https://bob.github.io/a", False, "private-suffix"),
    ("https://example.co.uk/", "https://other.co.uk/", False, "public-suffix"),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1/b", True, "same-ip"),
    ("http://127.0.0.1/a", "http://127.0.0.2/a", False, "other-ip"),
    ("https://münchen.example/", "https://www.xn--mnchen-3ya.example/", True, "idn"),
    ("mailto:a@example.com", "https://example.com/", False, "not-http"),
]


@pytest.mark.parametrize(
    ("a", "b", "expected"), [c[:3] for c in SAME_SITE_CASES], ids=[c[3] for c in SAME_SITE_CASES]
)
def test_is_same_site(a: str, b: str, expected: bool) -> None:
    assert is_same_site(a, b) is expected
    assert is_same_site(b, a) is expected


CANONICAL_CASES = [
    (
        "https://www.example.com/a?utm_source=x",
        "https://www.example.com/story-a",
        "https://www.example.com/story-a",
        "declared-wins",
    ),
    (
        "https://www.example.com/a",
        "/story-a?utm_medium=y",
        "https://www.example.com/story-a",
        "relative-declared",
    ),
    (
        "https://amp.example.com/a/amp/",
        "https://www.example.com/a/",
        "https://www.example.com/a/",
        "amp-page",
    ),
    ("https://www.example.com/a?utm_source=x", None, "https://www.example.com/a", "none-declared"),
    ("https://www.example.com/a", "", "https://www.example.com/a", "empty-declared"),
    (
        "https://www.example.com/a",
        "https://evil.example.net/a",
        "https://www.example.com/a",
        "other-site",
    ),
    (
        "https://www.example.com/a",
        "javascript:alert(1)",
        "https://www.example.com/a",
        "refused-scheme",
    ),
    (
        "https://www.example.com/2024/a",
        "https://www.example.com/",
        "https://www.example.com/2024/a",
        "home-page-bug",
    ),
    (
        "https://www.example.com/",
        "https://example.com/",
        "https://example.com/",
        "home-page-of-home",
    ),
    ("not a url", "https://www.example.com/a", "not a url", "unusable-final"),
]


@pytest.mark.parametrize(
    ("final", "declared", "expected"),
    [c[:3] for c in CANONICAL_CASES],
    ids=[c[3] for c in CANONICAL_CASES],
)
def test_choose_canonical(final: str, declared: str | None, expected: str) -> None:
    assert choose_canonical(final, declared) == expected
