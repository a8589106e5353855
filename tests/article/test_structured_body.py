"""The article body a page declares in its structured data, when trafilatura sees only part of it."""

from __future__ import annotations

import json

import pytest

from tasks.article.extract import extract_article

PARAGRAPHS = [
    f"Paragraph {n}: the harbour authority said on Tuesday that the new ferry terminal will "
    f"open next spring, after a long dispute over its cost, its noise and berth number {n}."
    for n in range(24)
]


def page(article_body: str, shown: int) -> bytes:
    """A page showing its first paragraphs in the markup, the whole body in its JSON-LD."""
    ld = json.dumps({"@type": "NewsArticle", "headline": "Terminal", "articleBody": article_body})
    visible = "".join(f"<p>{text}</p>" for text in PARAGRAPHS[:shown])
    return (
        f'<html><head><title>Terminal</title><script type="application/ld+json">{ld}</script>'
        f"</head><body><article><h1>Terminal</h1>{visible}</article>"
        '<div class="paywall"><p>Subscribe to read on.</p></div></body></html>'
    ).encode()


@pytest.mark.parametrize(
    "article_body",
    [
        "\n".join(PARAGRAPHS),
        "".join(f"<p>{text}</p>" for text in PARAGRAPHS),
        "\n+++dropcap\n".join(
            text.replace("ferry terminal", "[ferry terminal](https://port.example/t)").replace(
                "Tuesday", "*Tuesday*"
            )
            for text in PARAGRAPHS
        ),
    ],
    ids=["text", "html", "markdown"],
)
def test_a_fuller_structured_body_of_the_same_article_replaces_a_partial_text(
    article_body: str,
) -> None:
    # 8 of 24 paragraphs visible: over 1,000 characters, which the fast pass used to accept
    article = extract_article(page(article_body, shown=8), "https://port.example/terminal")
    assert article.paragraphs == tuple(PARAGRAPHS)


def test_a_structured_body_of_another_text_does_not_replace_the_page() -> None:
    other = "\n".join(
        text.replace("ferry", "cargo").replace("harbour", "airport") for text in PARAGRAPHS
    )
    article = extract_article(page(other, shown=8), "https://port.example/terminal")
    assert article.paragraphs[-8:] == tuple(PARAGRAPHS[:8])
    assert "cargo" not in article.text


def test_a_client_rendered_page_is_read_from_its_hydration_data() -> None:
    markup = "".join(f'<p class="editor-p">{text}</p>' for text in PARAGRAPHS[:6])
    payload = json.dumps([1, markup]).replace("<", "\\u003c").replace(">", "\\u003e")
    html = (
        "<html><head><title>Terminal</title></head><body><div id='root'></div>"
        f"<script>self.__next_f.push({payload})</script></body></html>"
    ).encode()
    article = extract_article(html, "https://port.example/terminal")
    assert article.paragraphs == tuple(PARAGRAPHS[:6])
