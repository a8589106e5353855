"""extract_article on pages in the markup of common themes and CMSs, and on hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tasks.article.extract import EXTRACTOR_VERSION, extract_article, score_text
from tasks.dedup import content_hash
from tasks.records import Article, FeedEntry
from tests.paths import FIXTURES
from tests.test_encoding import TEXT

PAGES = FIXTURES / "pages"


def extract(name: str, url: str | None = None, **kwargs) -> Article:
    return extract_article((PAGES / name).read_bytes(), url, **kwargs)


def test_seed_page_keeps_the_body_whole_and_nothing_else() -> None:
    """The page newsflow was designed from: byline, caption, bio and comment form in the body."""
    url = "https://dailydispatch.example/political/putin-found-new-allies/"
    article = extract("seed-article-inline-bio.html", url)
    for kept in (
        "Russia was largely marginalized internationally in the Ukraine war.",
        "Havana/Moscow – Given almost exactly nine months ago",
        "Ukrainian War: Russia is isolated internationally",
        "Relations between Russia and Cuba are not entirely new.",
        "In his speech, Putin referred to the last conversation he had with Castro in 2014.",
        "Editor’s Note",
        "Some of these cannot be immediately independently verified.",
        "(do it with dpa/AFP)",
    ):
        assert kept in article.text
    for dropped in (
        "Home page",
        "political",
        "Made:",
        "From: Tobias Utz",
        "A graffiti showing Vladimir Putin",
        "Imago Pictures",
        "Ambrose Fernandez",
        "Subtly charming web junkie",
        "Leave a Reply",
        "Your email address will not be published",
        "Required fields are marked",
        "Recent Posts",
    ):
        assert dropped not in article.text
    assert article.authors == ("Tobias Utz",)
    assert article.published_at == datetime(2022, 11, 23, 8, 41, tzinfo=UTC)
    assert article.title == "Putin found new allies"
    assert article.site_name == "Daily Dispatch"
    assert article.canonical_url == url
    assert article.language == "en" and article.declared_language is None
    assert article.flags == ()


def test_wordpress_twenty_twenty_one() -> None:
    url = "https://riverside-notes.example/2023/04/18/community-garden-opens-on-elm-street/"
    article = extract("wordpress-twentytwentyone.html", url)
    assert article.text.startswith("Forty raised beds, a tool shed and a waiting list")
    assert article.text.endswith(
        "Beds for wheelchair users were built at table height along the south fence."
    )
    assert "Shared tools, shared harvest" in article.text
    for dropped in (
        "Photo: Riverside Notes",
        "Share this",
        "Like this",
        "Loading",
        "Related",
        "Seed library opens",
        "Leave a comment",
        "Previous post",
        "View all of Maria",
    ):
        assert dropped not in article.text
    assert article.authors == ("Maria Lopez",)
    assert article.published_at == datetime(2023, 4, 18, 8, 30, tzinfo=UTC)
    assert article.updated_at == datetime(2023, 4, 19, 10, 5, tzinfo=UTC)
    assert article.categories == ("Neighbourhood",)
    assert article.tags == ("gardens", "volunteers")
    assert (
        article.image_url == "https://riverside-notes.example/wp-content/uploads/2023/04/garden.jpg"
    )
    assert article.summary and article.summary.startswith("Forty raised beds")


def test_wordpress_twenty_twenty_three_in_german() -> None:
    article = extract(
        "wordpress-twentytwentythree.html",
        "https://stadtblatt-nord.example/neue-radwege-am-kanalufer/",
    )
    assert article.text.startswith("Nach zwei Jahren Bauzeit ist der Radweg")
    assert "Anschluss an die Innenstadt folgt" in article.text
    assert article.text.endswith("erhält eine eigene Ampelphase für den Radverkehr.")
    for dropped in (
        "Foto:",
        "Lesen Sie auch",
        "Teilen mit",
        "Twitter",
        "Ähnliche Beiträge",
        "Tempo 30",
        "Newsletter",
        "Schreibe einen Kommentar",
        "Stadtfest lockt",
        "Verfasst von",
    ):
        assert dropped not in article.text
    assert article.authors == ("Jonas Weber",)  # from the block theme's byline markup
    assert article.published_at == datetime(2023, 9, 14, 5, 15, tzinfo=UTC)  # from <time datetime>
    assert article.language == "de"
    assert article.tags == ("Verkehr", "Radverkehr")


def test_news_cms_article_with_truncated_structured_body() -> None:
    """JSON-LD articleBody is cut short ("..."): the fuller page extraction wins."""
    article = extract(
        "news-cms-article.html",
        "https://harbourherald.example/business/2024/03/02/port-strike-ends/?utm_source=rss",
    )
    assert "in talks that ran through the night, ending a strike" in article.text
    assert "The port handled 1.2 million containers last year" in article.text
    assert "..." not in article.text
    for dropped in (
        "Photo: Reuters",
        "Idle cranes",
        "Read more",
        "Business Briefing",
        "newsletter",
        "Share this article",
        "Follow us",
        "Related articles",
        "Port talks resume",
        "All rights reserved",
        "We use cookies",
        "By Jane Doe",
        "Published March 2",
    ):
        assert dropped not in article.text
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.published_at == datetime(2024, 3, 2, 11, 45, tzinfo=UTC)
    assert article.updated_at == datetime(2024, 3, 2, 14, 10, tzinfo=UTC)
    assert article.published_at.tzinfo is UTC
    assert (
        article.canonical_url
        == "https://harbourherald.example/business/2024/03/02/port-strike-ends/"
    )
    assert article.site_name == "The Harbour Herald"
    assert article.categories == ("Business",)
    assert article.tags == ("Ports", "Labour", "Strikes")
    assert article.flags == ()  # the cookie notice was removed, the page is no consent wall


def test_page_rendered_by_javascript_falls_back_to_structured_body() -> None:
    article = extract("js-rendered-jsonld.html", "https://metro-daily.example/council-tram")
    lines = article.text.split("\n")
    assert lines[0].startswith("The city council voted 31 to 12 on Monday evening")
    assert lines[-1].startswith("Opponents had argued for an underground route.")
    assert "Loading" not in article.text and "JavaScript" not in article.text
    assert article.authors == ("Priya Natarajan",)


def test_one_paragraph_per_line() -> None:
    article = extract("wordpress-twentytwentyone.html")
    assert article.text.split("\n") == list(article.paragraphs)
    assert all(line.strip() == line and line for line in article.paragraphs)


def test_record_fields() -> None:
    article = extract("news-cms-article.html")
    assert article.word_count == len(article.text.split())
    assert article.content_hash == content_hash(article.text)
    assert article.extractor_version == EXTRACTOR_VERSION
    assert (
        score_text((PAGES / "news-cms-article.html").read_bytes(), "https://x.example/")
        == article.text
    )


def test_paywalled_page_is_flagged_and_the_feed_content_replaces_the_teaser() -> None:
    teaser = extract("paywall-teaser.html", "https://valley-ledger.example/mill")
    assert {"paywall", "too_short"} <= set(teaser.flags)
    assert "Subscribe" not in teaser.text
    body = "".join(
        f"<p>{sentence} {'More detail on the plans follows here. ' * 4}</p>"
        for sentence in (
            "For thirty years the old mill on the river stood empty.",
            "The investors presented their plans at the town hall on Tuesday.",
            "A decision by the council is expected in June.",
        )
    )
    entry = FeedEntry(
        entry_key="k",
        url="https://valley-ledger.example/mill",
        content_html=body,
        authors=("By Tom Baker",),
        published_at=datetime(2024, 1, 15, 9, 0, tzinfo=UTC),
    )
    article = extract("paywall-teaser.html", "https://valley-ledger.example/mill", feed_entry=entry)
    assert "A decision by the council is expected in June." in article.text
    assert "fallback_extraction" in article.flags and "too_short" not in article.flags
    assert article.authors == ("Tom Baker",)  # the page names nobody; the feed does
    assert article.published_at == datetime(
        2024, 1, 15, 8, 0, tzinfo=UTC
    )  # the page's date is trusted first


def test_tag_page_is_not_an_article() -> None:
    article = extract("tag-listing.html", "https://green-ledger.example/tag/climate/")
    assert "not_article" in article.flags


def test_consent_wall_is_flagged() -> None:
    article = extract("consent-wall.html", "https://news.example/story")
    assert "consent_page" in article.flags


@pytest.mark.parametrize(
    ("html", "flags"),
    [
        (b"", {"empty"}),
        ("", {"empty"}),
        (b"\x00\xff\xfe garbage \x00", {"empty"}),
        (b"<html><body></body></html>", {"empty"}),
        ("<html><body><p>Short.</p></body></html>", {"too_short"}),
        (b"<p>" * 5000, {"empty"}),
    ],
)
def test_bad_html_never_raises(html: bytes | str, flags: set[str]) -> None:
    article = extract_article(html, "https://example.org/a")
    assert flags <= set(article.flags)
    assert article.extractor_version == EXTRACTOR_VERSION


def test_too_large_page_is_not_parsed() -> None:
    html = (PAGES / "news-cms-article.html").read_bytes()
    article = extract_article(html, "https://example.org/a", max_html_bytes=len(html) - 1)
    assert article.text == "" and {"too_large", "empty"} <= set(article.flags)
    assert "too_large" not in extract_article(html, max_html_bytes=len(html)).flags


def page_with(head: str = "", body: str = "", lang: str = "en") -> str:
    paragraph = (
        "The harbour authority said on Monday that the new terminal would open in the spring, "
        "two years later than planned, because of delays in the delivery of the cranes. "
    )
    article = f"<article><p>{paragraph * 3}</p>{body}</article>"
    return f"<html lang='{lang}'><head>{head}</head><body>{article}</body></html>"


def test_date_in_the_future_is_ignored_for_the_next_source() -> None:
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    html = page_with(f'<meta property="article:published_time" content="{future}">')
    article = extract_article(html, "https://example.org/2021/06/30/terminal")
    assert article.published_at == datetime(2021, 6, 30, tzinfo=UTC)  # the URL's date


def test_feed_date_is_used_when_the_page_has_none() -> None:
    entry = FeedEntry(
        entry_key="k",
        url=None,
        published_at=datetime(2023, 5, 1, 12, 0, tzinfo=UTC),
        updated_at=datetime(2023, 5, 2, 12, 0, tzinfo=UTC),
    )
    article = extract_article(page_with(), "https://example.org/terminal", feed_entry=entry)
    assert article.published_at == entry.published_at and article.updated_at == entry.updated_at


def test_date_shown_on_the_page_is_the_last_resort() -> None:
    html = page_with(
        body='<p class="meta"><time datetime="2020-02-03T10:00:00+01:00">3 Feb</time></p>'
    )
    assert extract_article(html, "https://example.org/terminal").published_at == datetime(
        2020, 2, 3, 9, tzinfo=UTC
    )


def test_declared_language_is_kept_when_the_text_disagrees() -> None:
    german = (
        "Die Hafenbehörde teilte am Montag mit, dass das neue Terminal im Frühjahr eröffnet werde, "
        "zwei Jahre später als geplant, weil sich die Lieferung der Kräne verzögert habe. "
    )
    html = f"<html lang='en-GB'><body><article><p>{german * 3}</p></article></body></html>"
    article = extract_article(html)
    assert (article.language, article.declared_language) == ("de", "en")
    assert extract_article(page_with(lang="en-US")).declared_language is None


def test_extract_article_decodes_bytes_itself() -> None:
    html = page_with(body=f"<p>{TEXT}</p>").encode("cp1252")
    assert TEXT in extract_article(html).text


def test_feed_content_is_cleaned_like_a_page() -> None:
    """content:encoded replaces an empty page: each block once, the feed's own footer dropped."""
    sentence = (
        "The council will vote on the new bus routes on Thursday after months of consultation. "
    )
    content = (
        f"<p>{sentence * 3}</p><ul><li><p>{sentence * 2}Route 12 is extended.</p></li></ul>"
        '<p>The post <a href="https://x.example/a">Bus routes</a> appeared first on City Desk.</p>'
    )
    entry = FeedEntry(entry_key="k", url="https://x.example/a", content_html=content)
    article = extract_article("<html><body></body></html>", "https://x.example/a", feed_entry=entry)
    assert article.text.count("Route 12 is extended.") == 1
    assert "appeared first on" not in article.text
    assert "fallback_extraction" in article.flags


def test_fragment_and_plain_text_input() -> None:
    sentence = "A fragment of an article with enough words to count as text. "
    assert sentence.strip() in extract_article(f"<p>{sentence * 10}</p>").text
    assert sentence.strip() in extract_article(sentence * 10).text


# Sentences of a news story, each one paragraph of the test pages below.
STORY = [
    f"Paragraph {n}: the regional transport board said on Tuesday that the tram line to the "
    f"airport will open next spring, after a dispute over its cost and stop number {n}."
    for n in range(12)
]


def news_page(body: str, after: str = "", headline: str = "Tram line to open in spring") -> str:
    return (
        f"<html lang='en'><head><title>{headline}</title></head><body>"
        f"<header><h1>{headline}</h1></header><article>{body}</article>{after}</body></html>"
    )


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def test_teaser_cards_of_other_articles_are_not_text() -> None:
    """Teaser cards that wrap a title and a summary in one link: no line of them stays."""
    card = (
        '<li><a href="/news/{n}"><h3>Bus fares rise in district {n}</h3>'
        "<p>The council raised bus fares in district {n} by ten cents on Monday, citing fuel "
        "costs and the drivers' new wage deal.</p></a></li>"
    )
    cards = "".join(card.format(n=n) for n in range(4))
    article = extract_article(news_page(paragraphs(STORY) + f"<ul>{cards}</ul>"))
    assert article.paragraphs == tuple(STORY)


def test_a_teaser_of_the_article_itself_does_not_remove_its_standfirst() -> None:
    """Related lists often hold the page itself: its headline and standfirst stay in the text."""
    standfirst = "The board approved the last section of track after a two-year dispute."
    headline = "Tram line to open in spring after long dispute"
    own = f'<a href="/tram"><h3>{headline}</h3><p>{standfirst}</p></a>'
    other = '<a href="/bus"><h3>Bus fares rise again this winter</h3><p>Fares rise.</p></a>'
    page = (
        f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
        f"<h2>{standfirst}</h2>{paragraphs(STORY)}</article><div>{own}{other}</div></body></html>"
    )
    assert standfirst in extract_article(page).paragraphs


def test_a_body_split_by_ads_is_read_whole() -> None:
    """The CMS cuts the body into blocks of one class with an ad between: every block is text."""
    ad = "<div class='ad-slot'><span>Advertisement</span><script>show_ad(1)</script></div>"
    parts = [
        f"<div class='row'><div class='article-body'>{paragraphs(STORY[start : start + 4])}</div>"
        f"</div><div class='row'>{ad}</div>"
        for start in (0, 4, 8)
    ]
    article = extract_article(news_page("".join(parts)))
    assert article.paragraphs == tuple(STORY)


def test_a_block_of_the_body_class_after_a_headline_is_another_article() -> None:
    """An endless page appends the next story in the same markup: it is not this one's text."""
    own = f"<div class='article-body'>{paragraphs(STORY[:6])}</div>"
    page = news_page(
        own,
        f"<article><h1>Next story</h1><div class='article-body'>"
        f"{paragraphs(STORY[6:])}</div></article>",
    )
    article = extract_article(page)
    assert article.paragraphs == tuple(STORY[:6])


def test_standfirst_marked_by_class_between_headline_and_body_is_kept() -> None:
    """A "lead"/"intro" block, which trafilatura drops as a teaser, is the summary under the headline."""
    standfirst = (
        "The tram line to the airport opens next spring, two years late and forty million over "
        "its budget."
    )
    body = (
        f"<div class='article-header'><p class='article__lead'>{standfirst}</p></div>"
        f"<div class='article-text'>{paragraphs(STORY)}</div>"
    )
    teaser = f"<div class='teaser-text'><p>{STORY[0].replace('tram', 'bus')} More.</p></div>"
    article = extract_article(news_page(body, teaser))
    assert article.paragraphs == (standfirst, *STORY)


def test_a_standfirst_marked_by_class_wins_over_a_caption_matching_the_description() -> None:
    """The meta description often repeats a photo caption; the marked standfirst is the lead."""
    caption = "1/5 The first tram of the new line on a test run at the airport stop on Sunday."
    standfirst = (
        "The tram line to the airport opens next spring, two years late and forty million over "
        "its budget."
    )
    body = (
        f"<div class='tb-article-intro'>{standfirst}</div>"
        f"<figure><img src='/tram.jpg'><figcaption>{caption}</figcaption></figure>"
        f"<div class='article-text'>{paragraphs(STORY)}</div>"
    )
    page = news_page(body).replace("<head>", f"<head><meta name='description' content='{caption}'>")
    assert extract_article(page).paragraphs[0] == standfirst
