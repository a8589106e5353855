"""Author names: bylines split and cleaned, roles, newsrooms and the site's own name dropped."""

from __future__ import annotations

import pytest

from tasks.article.authors import clean_authors
from tasks.article.extract import extract_article

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
        (["Nachrichten"], ()),  # the "News" account a CMS posts agency copy under
        (["News"], ()),
    ],
)
def test_clean_authors(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, [SITE]) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["구현모"], ("구현모",)),  # Korean: no letter case to check
        (["신현주 기자"], ("신현주",)),  # the role follows the name
        (["松岡大地記者"], ("松岡大地",)),
        (["牛镛", "岳弘彬"], ("牛镛", "岳弘彬")),  # two-character Chinese names
        (["अनिल कुमार"], ("अनिल कुमार",)),  # Devanagari
        (["Anna Muster (amu)", "Corina Gall (cog.)"], ("Anna Muster", "Corina Gall")),
        (["Sauli Giliard", "Sauli.giliard"], ("Sauli Giliard",)),  # a login name
        (["VnExpress"], ()),  # the site's name spelled as its domain
        (["Jane Doe", "John Roe", "Jane Doe John Roe"], ("Jane Doe", "John Roe")),
        (["Folgen"], ()),  # the follow button in an author box
    ],
)
def test_clean_authors_beyond_latin_bylines(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, [SITE, "vnexpress.net"]) == expected


def byline_page(byline: str, head: str = "") -> bytes:
    body = "<p>The council voted on Tuesday to close the old bridge to cars for good.</p>" * 6
    return (
        f"<html><head><title>Bridge closes</title>{head}</head><body><article>"
        f"<h1>Bridge closes</h1>{byline}{body}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        (
            (
                '<div class="byline"><span>Jane Doe</span><span>John Roe</span>'
                "<span>Ann Smith-Jones</span></div>"
            ),
            ("Jane Doe", "John Roe", "Ann Smith-Jones"),
        ),
        ('<p class="meta">Von <span class="authorname">Eva Kirchner</span></p>', ("Eva Kirchner",)),
        (
            '<ul class="metaInfoAuthorList"><li><a href="/a/nf">Nat Flakin</a></li></ul>',
            ("Nat Flakin",),
        ),
    ],
    ids=["names-in-sibling-spans", "unknown-author-class", "capitalised-author-class"],
)
def test_bylines_in_page_markup(byline: str, expected: tuple[str, ...]) -> None:
    assert extract_article(byline_page(byline), "https://news.example/a").authors == expected


def test_the_articles_authors_win_over_a_site_wide_author_tag() -> None:
    head = (
        '<meta name="author" content="Castell Brothers">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge closes",'
        ' "author": {"@type": "Person", "name": "Rachel Rivers"}}</script>'
    )
    article = extract_article(byline_page("", head), "https://news.example/a")
    assert article.authors == ("Rachel Rivers",)


def test_a_byline_naming_more_than_the_metadata_is_the_full_list() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge closes",'
        ' "author": {"@type": "Person", "name": "John Roe"}}</script>'
    )
    byline = (
        '<div class="bylines"><div class="byline"><a rel="author" href="/a/jd">Jane Doe</a></div>'
        '<div class="byline"><a rel="author" href="/a/jr">John Roe</a></div></div>'
    )
    article = extract_article(byline_page(byline, head), "https://news.example/a")
    assert article.authors == ("Jane Doe", "John Roe")


@pytest.mark.parametrize(
    "byline",
    [
        '<div class="author-box"><span>Artikel</span><span>Jane Doe</span></div>',
        '<div class="article-author"><span>Kommentar von</span> <span>Jane Doe</span></div>',
        '<button class="followAuthorBtn">Abbrechen</button><span class="authorname">Jane Doe</span>',
    ],
    ids=["a-lone-word-beside-a-name", "a-lead-in-ending-in-a-particle", "a-button"],
)
def test_author_box_furniture_is_no_author(byline: str) -> None:
    assert extract_article(byline_page(byline), "https://news.example/a").authors == ("Jane Doe",)


def test_the_sign_off_closing_the_article_names_its_author() -> None:
    sign_off = '<p style="text-align: right;"><strong>Lê Phương</strong></p>'
    page = byline_page("").replace(b"</article>", sign_off.encode() + b"</article>")
    assert extract_article(page, "https://news.example/a").authors == ("Lê Phương",)


@pytest.mark.parametrize(
    "comments",
    [
        (
            '<aside class="widget widget_recent_comments"><ul id="recentcomments">'
            '<li class="recentcomments"><span class="comment-author-link">Karl Weber</span> on'
            ' <a href="/b#comment-1">Another story</a></li></ul></aside>'
        ),
        (
            '<ol class="comment-list"><li id="comment-7"><div class="vcard">'
            '<span class="author">Karl Weber</span></div><p>Great read.</p></li></ol>'
        ),
    ],
    ids=["recent-comments-widget", "comment-thread"],
)
def test_the_authors_of_comments_are_not_the_articles(comments: str) -> None:
    page = byline_page("").replace(b"</body>", comments.encode() + b"</body>")
    assert extract_article(page, "https://news.example/a").authors == ()


def test_a_page_wide_comments_class_hides_no_byline() -> None:
    page = byline_page('<span class="author">Jane Doe</span>').replace(
        b"<body>", b'<body class="single has-comments">'
    )
    assert extract_article(page, "https://news.example/a").authors == ("Jane Doe",)
