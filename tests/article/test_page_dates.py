"""Which of the dates on a page is the article's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks.article.extract import extract_article

BODY = "<p>The council voted on Tuesday to close the old bridge to cars for good.</p>" * 6


def page(head: str = "", body: str = "") -> bytes:
    return (
        f"<html><head><title>Bridge closes</title>{head}</head><body><article>"
        f"<h1>Bridge closes</h1>{body}{BODY}</article></body></html>"
    ).encode()


def test_the_same_clock_with_an_offset_beats_the_bare_one() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2023-04-28 18:11:01.0"}</script>'
        '<meta property="article:published_time" content="2023-04-28T18:11:01+02:00">'
    )
    published = extract_article(page(head), "https://news.example/a").published_at
    assert published == datetime(2023, 4, 28, 16, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "teaser",
    [
        '<a href="/older"><time datetime="2021-01-05T08:00:00Z">5 Jan</time> Older story</a>',
        '<aside><time datetime="2021-01-05T08:00:00Z">5 Jan</time> Older story</aside>',
        '<div class="related-stories"><time datetime="2021-01-05T08:00:00Z">5 Jan</time></div>',
    ],
    ids=["in-a-link", "in-an-aside", "in-a-related-block"],
)
def test_a_teasers_time_does_not_date_the_article(teaser: str) -> None:
    body = (
        f'{teaser}<p class="dateline"><time datetime="2024-03-02T09:30:00+01:00">2 March</time></p>'
    )
    published = extract_article(page(body=body), "https://news.example/a").published_at
    assert published == datetime(2024, 3, 2, 8, 30, tzinfo=UTC)
