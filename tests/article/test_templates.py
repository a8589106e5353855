"""Site templates: fingerprints of recurring paragraphs and their removal from stored texts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tasks.article.extract import extract_article
from tasks.article.templates import (
    MIN_FINGERPRINT_CHARS,
    fingerprint,
    paragraph_fingerprints,
    remove_template_paragraphs,
    site_key,
)
from tasks.dedup import content_hash
from tasks.records import ParagraphsRow
from tasks.rows import cleaned_texts
from warehouse import load, query
from warehouse.db import connect

TEMPLATE_LINE = (
    "Riverside Notes is published by the East Bank Community Media Cooperative since 1998."
)
STORIES = [
    (
        "The library on Elm Street extends its weekend opening hours from May, the council decided on "
        "Tuesday after a petition signed by more than two thousand residents."
    ),
    (
        "Bridge repairs will close the river path between the mill and the ferry landing until June, "
        "the transport department said, and cyclists are asked to use the upper road."
    ),
    (
        "Forty raised beds, a tool shed and a waiting list: the neighbourhood's first community garden "
        "opened on Saturday on the former car park behind the library."
    ),
    (
        "The ferry to the island will run every twenty minutes during the summer festival, twice as "
        "often as usual, and night crossings are added on Friday and Saturday."
    ),
]


def page(story: str) -> str:
    """A page of the site: the story, two more sentences of it, and the site's footer line."""
    return f"""<html><head><title>Riverside Notes</title></head><body><article>
    <h1>Local news</h1><p>{story}</p>
    <p>Residents can send questions to the newsroom until the end of the month, a spokesperson said.</p>
    <p>{story.split(",", maxsplit=1)[0]} was first reported by this newspaper last week.</p>
    <p>{TEMPLATE_LINE}</p></article></body></html>"""


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.COM/news/a?x=1", "example.com"),
        ("http://blog.example.org:8080/post", "blog.example.org"),
        ("https://wwwexample.com/", "wwwexample.com"),
        ("/relative/path", None),
        ("hard::example.com-page.html", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_site_key(url: str | None, key: str | None) -> None:
    assert site_key(url) == key


def test_fingerprint_ignores_case_width_and_spacing_but_not_words() -> None:
    base = fingerprint("Subscribe to the Riverside Notes weekly digest")
    assert fingerprint("  subscribe TO the  Riverside\u00a0Notes weekly digest ") == base
    assert fingerprint("Subscribe to the Riverside Notes monthly digest") != base
    assert len(base) == 16 and int(base, 16) >= 0


def test_paragraph_fingerprints_skip_short_lines_and_repeat_each_once() -> None:
    long_line = "x" * MIN_FINGERPRINT_CHARS
    fingerprints = paragraph_fingerprints(["Share", long_line, "Photo: AP", long_line.upper()])
    assert fingerprints == [fingerprint(long_line)]


def test_remove_template_paragraphs_drops_only_known_lines() -> None:
    text = "First paragraph of the story, long enough.\nShort\n" + TEMPLATE_LINE
    cleaned = remove_template_paragraphs(text, frozenset({fingerprint(TEMPLATE_LINE)}))
    assert cleaned == "First paragraph of the story, long enough.\nShort"
    assert remove_template_paragraphs(text, frozenset()) == text


def test_recurring_paragraph_learned_from_pages_is_removed_from_the_next_article() -> None:
    """The pipeline's loop: count fingerprints per site over pages, pass those seen on >= 3."""
    counts: Counter[str] = Counter()
    for story in STORIES[:3]:
        article = extract_article(page(story), "https://riverside-notes.example/news/x")
        assert TEMPLATE_LINE in article.text  # not known yet: kept
        counts.update(paragraph_fingerprints(article.paragraphs))
    template = frozenset(fp for fp, pages in counts.items() if pages >= 3)
    assert fingerprint(TEMPLATE_LINE) in template

    article = extract_article(
        page(STORIES[3]), "https://riverside-notes.example/news/y", template_fingerprints=template
    )
    assert TEMPLATE_LINE not in article.text
    assert STORIES[3] in article.text
    # paragraphs stay as extracted, so the counts keep growing on later runs
    assert TEMPLATE_LINE in article.paragraphs
    assert article.word_count == len(article.text.split())


def _store(con, key: str, paragraphs: list[str], site: str = "riverside-notes.example") -> None:
    text = "\n".join(paragraphs)
    con.execute(
        "INSERT INTO articles (article_id, canonical_url, url, site, source_name, title, text, "
        "word_count, content_hash, fetched_at, first_run_id, run_id, extractor_version, stored_on) "
        "VALUES (?, ?, ?, ?, 'notes', ?, ?, ?, ?, ?, 'run-1', 'run-1', 't', DATE '2024-03-08')",
        [
            key,
            f"https://{site}/{key}",
            f"https://{site}/{key}",
            site,
            key,
            text,
            len(text.split()),
            content_hash(text),
            datetime(2024, 3, 8, tzinfo=UTC),
        ],
    )
    for fp in set(paragraph_fingerprints(paragraphs)):
        con.execute("INSERT INTO site_paragraphs VALUES (?, ?, ?)", [site, fp, key])
    fingerprints = tuple(set(paragraph_fingerprints(paragraphs)))
    load.learn_templates(con, [ParagraphsRow(site, fingerprints, key)], datetime.now(UTC))


def test_stored_articles_lose_a_template_learned_after_they_were_loaded(tmp_path) -> None:
    """The end-of-run clean-up: articles stored before their site's template was known."""
    with connect(tmp_path / "news.duckdb") as con:
        for number, story in enumerate(STORIES[:3]):
            _store(con, f"a{number}", [story, TEMPLATE_LINE])
        _store(con, "plain", [STORIES[3]])
        _store(con, "elsewhere", [STORIES[0], TEMPLATE_LINE], site="other.example")

        learned = query.template_fingerprints(con, {"riverside-notes.example"})
        assert learned == {"riverside-notes.example": frozenset({fingerprint(TEMPLATE_LINE)})}
        cleaned = cleaned_texts(query.site_texts(con, learned), learned)
        assert load.apply_cleaned_texts(con, cleaned) == 3

        rows = {
            key: (text, flags, stored_hash)
            for key, text, flags, stored_hash in con.execute(
                "SELECT article_id, text, flags, content_hash FROM articles"
            ).fetchall()
        }
    for number, story in enumerate(STORIES[:3]):
        text, flags, stored_hash = rows[f"a{number}"]
        assert text == story and "template_removed" in flags
        assert stored_hash == content_hash(story)
    assert rows["plain"][0] == STORIES[3] and "template_removed" not in rows["plain"][1]
    # Another site's article keeps the line: templates are per site.
    assert TEMPLATE_LINE in rows["elsewhere"][0]
