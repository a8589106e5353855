"""Page metadata: author cleaning, date parsing and trust order, structured data and meta tags."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from lxml.html import fromstring

from tasks.article.metadata import (
    MAX_FUTURE_SKEW,
    clean_authors,
    extract_metadata,
    first_plausible,
    parse_datetime,
    url_date,
)
from tests.paths import REPO

SITE = "The Daily Planet"



@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe"], ("Jane Doe", "John Roe")),
        (["By Jane Doe, Staff Writer"], ("Jane Doe",)),
        (["Jane Doe and John Roe, Staff Writers"], ("Jane Doe", "John Roe")),
        (["From: Tobias Utz"], ("Tobias Utz",)),
        (["Von Max Mustermann und Erika Musterfrau"], ("Max Mustermann", "Erika Musterfrau")),
        (["Par Jean Dupont et Marie Curie"], ("Jean Dupont", "Marie Curie")),
        (["Por Ana Pérez y Juan Gómez"], ("Ana Pérez", "Juan Gómez")),
        (["Maria Rossi, inviata a Roma"], ("Maria Rossi",)),
        (["By JANE DOE | March 3, 2022"], ("Jane Doe",)),
        (["Jane Doe", "jane doe", "JANE DOE"], ("Jane Doe",)),
        (["Jean de la Fontaine"], ("Jean de la Fontaine",)),
        (["Verfasst von Jonas Weber"], ("Jonas Weber",)),
        ([SITE], ()),  # the site's own name
        (["By The Daily Planet Staff"], ()),
        (["Redacción Daily Planet"], ()),
        (["03.05.2022"], ()),  # a date
        (["Updated 3 hours ago"], ()),
        (["admin"], ()),
        (["Verfasst von"], ()),
        (["jane@example.com", "https://example.com/author/jane"], ()),
        (["By the end of the year"], ()),
        (["ACME GmbH, Frankfurt a. M., Germany"], ()),  # company and places, not people
        (["Cornel"], ("Cornel",)),  # a one-word pen name on its own is kept
        (["Photo: Sam Carter"], ()),
    ],
)
def test_clean_authors(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, [SITE]) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-05-03T10:00:00+02:00", datetime(2022, 5, 3, 8, 0, tzinfo=UTC)),
        ("2022-05-03T10:00:00+0200", datetime(2022, 5, 3, 8, 0, tzinfo=UTC)),
        ("2022-05-03T10:00:00Z", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),
        ("2022-05-03 10:00", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),  # naive: taken as UTC
        ("Tue, 03 May 2022 10:00:00 GMT", datetime(2022, 5, 3, 10, 0, tzinfo=UTC)),
        ("May 3, 2022", datetime(2022, 5, 3, tzinfo=UTC)),
        ("03.05.2022", datetime(2022, 5, 3, tzinfo=UTC)),  # day first where dots are used
        ("2022", None),  # no day
        ("March 2022", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_datetime_is_timezone_aware_utc(value: str, expected: datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is UTC


def test_unknown_zone_name_is_read_as_utc_without_a_warning_on_stderr() -> None:
    # A fresh interpreter, as an extraction worker is: dateutil's UnknownTimezoneWarning went
    # to the run's output once per worker, with no URL to tell which page it came from.
    script = "from tasks.article.metadata import parse_datetime; print(parse_datetime('2020-01-10T00:59:47ZZ'))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "2020-01-10 00:59:47+00:00"
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2022/05/03/story", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/news/2022-05-03-story", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/20220503/story.html", datetime(2022, 5, 3, tzinfo=UTC)),
        ("https://x.example/2022/13/40/story", None),
        ("https://x.example/story-1582045946_4594", None),
        ("https://x.example/2022/05/story", None),  # no day
        (None, None),
    ],
)
def test_url_date(url: str | None, expected: datetime | None) -> None:
    assert url_date(url) == expected


def test_first_plausible_skips_future_and_ancient_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    future = now + MAX_FUTURE_SKEW + timedelta(minutes=1)
    skewed = now + MAX_FUTURE_SKEW - timedelta(minutes=1)
    ancient = datetime(1970, 1, 1, tzinfo=UTC)
    assert first_plausible([None, future, ancient, skewed, now], now) == skewed
    assert first_plausible([future, ancient], now) is None


PAGE = """<html lang="de-AT"><head>
<title>Ignored title | Site</title>
<meta property="og:title" content="OG title">
<meta property="og:site_name" content="Wiener Blatt">
<meta property="og:description" content="&lt;p&gt;Ein &amp;nbsp;Teaser&lt;/p&gt;">
<meta property="og:image" content="/img/a.jpg">
<meta property="article:published_time" content="2023-02-01T09:00:00+01:00">
<meta property="article:tag" content="Wien"><meta property="article:tag" content="Verkehr">
<meta name="author" content="Anna Gruber">
<link rel="canonical" href="/politik/artikel-1">
<script type="application/ld+json">[{"@type": "WebSite", "name": "Wiener Blatt"},
 {"@type": ["NewsArticle"], "headline": "LD headline", "datePublished": "2023-02-01T07:30:00Z",
  "dateModified": "2023-02-02T07:30:00Z", "author": [{"@type": "Person", "name": "Karl Huber"}],
  "publisher": {"@type": "Organization", "name": "Wiener Blatt GmbH"}, "articleSection": ["Politik"],
  "keywords": "Wien, Politik", "isAccessibleForFree": false, "articleBody": "Der Text."}]</script>
<script type="application/ld+json">{ broken json </script>
</head><body><p>Body</p></body></html>"""


def test_structured_data_wins_over_meta_tags() -> None:
    meta = extract_metadata(
        fromstring(PAGE), "https://wiener-blatt.example/politik/artikel-1?ref=x"
    )
    assert meta.title == "LD headline"
    assert meta.authors[:2] == ("Karl Huber", "Anna Gruber")
    assert meta.published_raw[0] == "2023-02-01T07:30:00Z"  # JSON-LD before article:published_time
    assert "2023-02-01T09:00:00+01:00" in meta.published_raw
    assert meta.modified_raw == ("2023-02-02T07:30:00Z",)
    assert meta.site_name == "Wiener Blatt"
    assert meta.publisher == "Wiener Blatt GmbH"
    assert meta.categories == ("Politik",)
    assert meta.tags == ("Wien", "Politik", "Verkehr")  # JSON-LD keywords, then article:tag
    assert meta.image_url == "https://wiener-blatt.example/img/a.jpg"
    assert meta.canonical_url == "https://wiener-blatt.example/politik/artikel-1"
    assert meta.declared_language == "de-AT"
    assert meta.description == "Ein Teaser"  # markup and entities removed
    assert meta.article_body == "Der Text."
    assert meta.free_access is False
    assert meta.is_article_typed and not meta.is_listing_typed


def test_meta_tags_and_links_fill_in_without_structured_data() -> None:
    page = """<html><head><title>Der Titel - Wiener Blatt</title>
    <meta name="keywords" content="ignored, keywords"></head><body>
    <p>Text</p><a rel="category tag" href="/c/politik">Politik</a><a rel="tag" href="/t/wien">Wien</a>
    <a rel="tag" href="/t/wahl">Wahl</a></body></html>"""
    meta = extract_metadata(fromstring(page), "https://wiener-blatt.example/a")
    assert meta.title == "Der Titel"
    assert meta.categories == ("Politik",)
    assert meta.tags == ("Wien", "Wahl")
    assert meta.authors == () and meta.published_raw == ()
    assert not meta.is_article_typed and meta.free_access is None
