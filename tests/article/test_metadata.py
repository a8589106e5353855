"""Page metadata: structured data and meta tags, and the order in which they are trusted."""

from __future__ import annotations

import pytest
from lxml.html import fromstring

from tasks.article.metadata import extract_metadata

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
    assert meta.title == "OG title"  # the shared headline; JSON-LD's is often an SEO variant
    assert (meta.authors, meta.meta_authors) == (("Karl Huber",), ("Anna Gruber",))
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


@pytest.mark.parametrize(
    ("head", "url", "title"),
    [
        (  # entities left in by the CMS's JSON-LD
            (
                '<script type="application/ld+json">{"@type": "NewsArticle", "headline":'
                ' "Calls it her &#8216;best work&#8217;: &quot;No&quot; R&uuml;ckbau"}</script>'
            ),
            "https://news.example/a",
            'Calls it her \u2018best work\u2019: "No" Rückbau',
        ),
        (
            (
                '<meta property="og:site_name" content="Harbour News">'
                '<meta property="og:title" content="Ferry terminal opens - Harbour News">'
            ),
            "https://harbour.example/a",
            "Ferry terminal opens",
        ),
        (  # the domain names the site; a byline segment after it goes too
            '<meta property="og:title" content="Ferry terminal opens | Harbour Times | by Jane Doe">',
            "https://www.harbourtimes.co.uk/a",
            "Ferry terminal opens",
        ),
        (
            '<meta property="og:title" content="Ferry terminal opens - Golemnews.de">',
            "https://www.golemnews.de/a",
            "Ferry terminal opens",
        ),
        (  # CJK titles append the site after a full-width bar, without spaces
            (
                '<meta property="og:site_name" content="毎日新聞">'
                '<meta property="og:title" content="停戦「最も合意に近い」｜毎日新聞">'
            ),
            "https://mainichi.example/a",
            "停戦「最も合意に近い」",
        ),
        (  # a segment that is not the site's name stays
            (
                '<meta property="og:site_name" content="Harbour News">'
                '<meta property="og:title" content="Harbour News - a history | Opinion">'
            ),
            "https://harbour.example/a",
            "Harbour News - a history | Opinion",
        ),
    ],
    ids=["entities", "site-name-suffix", "domain-suffix-and-byline", "domain-label", "cjk", "kept"],
)
def test_titles_are_decoded_and_lose_the_site_suffix(head: str, url: str, title: str) -> None:
    page = f"<html><head>{head}</head><body><p>Text</p></body></html>"
    assert extract_metadata(fromstring(page), url).title == title


@pytest.mark.parametrize(
    ("og_title", "headline", "title"),
    [
        (  # a section after the headline, then the site's name
            "Ferry terminal opens - Local | Harbour News",
            "Ferry terminal opens",
            "Ferry terminal opens",
        ),
        (  # a separator without spaces, a site's name in another script
            "여객선 터미널 개장-사회ㅣ항구신문",
            "여객선 터미널 개장",
            "여객선 터미널 개장",
        ),
        (  # the other title is a word of the headline, not the headline: the headline stays
            "Brexit - what the new customs rules mean for travellers",
            "Brexit",
            "Brexit - what the new customs rules mean for travellers",
        ),
        (  # a prefix that does not end at a separator is a different headline
            "Ferry terminal opens its doors to cyclists",
            "Ferry terminal opens",
            "Ferry terminal opens its doors to cyclists",
        ),
    ],
    ids=["section-tail", "tail-without-spaces", "short-prefix", "not-at-a-separator"],
)
def test_a_title_loses_the_tail_another_headline_of_the_page_does_not_have(
    og_title: str, headline: str, title: str
) -> None:
    page = f"""<html><head><meta property="og:site_name" content="Harbour News">
    <meta property="og:title" content="{og_title}">
    <script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{headline}"}}</script>
    </head><body><p>Text</p></body></html>"""
    assert extract_metadata(fromstring(page), "https://harbour.example/a").title == title


def test_a_headline_meta_tag_takes_the_section_and_site_off_og_title() -> None:
    page = """<html><head><meta property="og:site_name" content="항구신문">
    <meta property="og:title" content="여객선 터미널 개장-사회ㅣ항구신문">
    <meta name="headline" content="여객선 터미널 개장">
    </head><body><p>Text</p></body></html>"""
    assert (
        extract_metadata(fromstring(page), "https://harbour.example/a").title
        == "여객선 터미널 개장"
    )
