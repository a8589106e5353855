"""Retention: what each keep_*_days setting deletes, what it keeps, and explicit article pruning.

Runs on the analytics sample warehouse (tests/analytics_data.py, dated 2024-03-04 to 03-07)
with `now` chosen so each setting's cutoff falls inside those days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb

from config.settings import Settings
from tasks.records import ParagraphsRow
from tests.analytics_data import ARTICLES, SOURCES, article_id
from warehouse import load
from warehouse.db import connect
from warehouse.retention import apply_retention, retention_cutoffs
from warehouse.search import rebuild_search_index, search

# Cutoffs fall at midnight UTC: keeping 1 day at this instant keeps 03-06 and 03-07.
NOW = datetime(2024, 3, 7, 12, 0, tzinfo=UTC)
SITE = "127.0.0.1:8765"
KEEP_ONE_DAY = Settings(
    keep_raw_pages_days=1,
    keep_fetch_log_days=1,
    keep_article_versions_days=1,
    keep_site_paragraphs_days=1,
)


def _count(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> int:
    return con.execute(sql, list(params)).fetchone()[0]


def _texts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT article_id, text FROM articles").fetchall())


def _add_raw_page(con: duckdb.DuckDBPyConnection, key: str, fetched_at: datetime) -> None:
    con.execute(
        "INSERT INTO raw_pages (article_id, url, final_url, html_compressed, html_bytes, fetched_at) "
        "VALUES (?, 'u', 'u', '\\x00'::BLOB, 1, ?)",
        [article_id(key), fetched_at],
    )


def _add_paragraph(con: duckdb.DuckDBPyConnection, fingerprint: str, *keys: str) -> None:
    for key in keys:
        con.execute(
            "INSERT INTO site_paragraphs VALUES (?, ?, ?)", [SITE, fingerprint, article_id(key)]
        )


def test_cutoffs_are_whole_utc_days_and_zero_keeps_forever():
    cutoffs = retention_cutoffs(Settings(keep_raw_pages_days=1, keep_fetch_log_days=0), NOW)
    assert cutoffs["raw_pages"] == datetime(2024, 3, 6, tzinfo=UTC)
    assert "fetch_log" not in cutoffs
    assert cutoffs["article_versions"] == datetime(2023, 3, 8, tzinfo=UTC)  # 365 days


def test_old_raw_pages_log_and_versions_go_recent_ones_and_every_text_stay(analytics_db):
    with connect(analytics_db) as con:
        _add_raw_page(con, "kernel-rust", datetime(2024, 3, 6, 0, 0, tzinfo=UTC))
        texts = _texts(con)
        report = apply_retention(con, KEEP_ONE_DAY, NOW)
        # the bridge's page and earlier draft (03-04) go; a page fetched at the cutoff stays
        assert con.execute("SELECT article_id FROM raw_pages").fetchall() == [
            (article_id("kernel-rust"),)
        ]
        assert _count(con, "SELECT count(*) FROM article_versions") == 0
        days = con.execute(
            "SELECT DISTINCT CAST(requested_at AS DATE) FROM fetch_log ORDER BY 1"
        ).fetchall()
        assert days == [(date(2024, 3, 6),), (date(2024, 3, 7),)]
        assert _texts(con) == texts  # article texts are never pruned by age
    assert report.deleted == {
        "raw_pages": 1,
        "fetch_log": 5,
        "article_versions": 1,
        "site_paragraphs": 0,
    }
    assert report.cutoffs["fetch_log"] == datetime(2024, 3, 6, tzinfo=UTC)
    assert report.articles_deleted == {}


def test_fetch_log_days_that_lose_rows_are_queued_for_publishing(analytics_db):
    with connect(analytics_db):
        pass  # the first writable connection publishes the copy, emptying the queue
    with connect(analytics_db) as con:
        apply_retention(con, KEEP_ONE_DAY, NOW)
        queued = con.execute("SELECT table_name, part FROM publish_queue").fetchall()
    assert queued == [("fetch_log", "2024-03-04")]


def test_a_dry_run_counts_what_a_run_deletes_and_deletes_nothing(analytics_db):
    def snapshot(con):
        return [
            _count(con, f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            for table in ("raw_pages", "fetch_log", "article_versions", "articles", "publish_queue")
        ]

    with connect(analytics_db) as con:
        before = snapshot(con)
        dry = apply_retention(
            con, KEEP_ONE_DAY, NOW, articles_before=date(2024, 3, 6), dry_run=True
        )
        assert snapshot(con) == before
        real = apply_retention(con, KEEP_ONE_DAY, NOW, articles_before=date(2024, 3, 6))
    assert dry.dry_run and dry.total > 0
    assert (dry.deleted, dry.articles_deleted) == (real.deleted, real.articles_deleted)


def test_settings_of_zero_keep_everything(analytics_db):
    forever = Settings(
        keep_raw_pages_days=0,
        keep_fetch_log_days=0,
        keep_article_versions_days=0,
        keep_site_paragraphs_days=0,
    )
    with connect(analytics_db) as con:
        _add_paragraph(con, "fp-old", "ferry-sunday-sailings")
        report = apply_retention(con, forever, datetime(2030, 1, 1, tzinfo=UTC))
        assert _count(con, "SELECT count(*) FROM raw_pages") == 1
        assert _count(con, "SELECT count(*) FROM site_paragraphs") == 2
    assert report.deleted == {} and report.cutoffs == {} and report.total == 0


def test_templates_are_learned_from_the_window_and_learned_ones_stay(analytics_db):
    with connect(analytics_db) as con:
        # fp-old recurs in three stories fetched before the window (03-04, 03-05) and one in it;
        # fp-new in three stories of the window (03-06, 03-07).
        _add_paragraph(
            con,
            "fp-old",
            "ferry-sunday-sailings",
            "kernel-rust",
            "bridge-closure",
            "freight-strike-ends",
        )
        _add_paragraph(con, "fp-new", "rates-hold", "mortgage-holders", "freight-strike-deal")
        report = apply_retention(con, KEEP_ONE_DAY, NOW)
        batch = [
            ParagraphsRow(SITE, ("fp-old",), article_id("freight-strike-ends")),
            ParagraphsRow(SITE, ("fp-new",), article_id("freight-strike-deal")),
        ]
        load.learn_templates(con, batch, NOW)
        templates = {
            fingerprint
            for (fingerprint,) in con.execute("SELECT fingerprint FROM site_templates").fetchall()
        }
        kept = _count(con, "SELECT count(*) FROM site_paragraphs")
    assert report.deleted["site_paragraphs"] == 3
    assert templates == {"fp-newsletter", "fp-new"}  # fp-newsletter: learned before, kept
    assert kept == 5  # rates-hold's fp-newsletter, fp-new x3, fp-old of freight-strike-ends


def test_paragraphs_of_an_old_article_fetched_again_in_the_window_stay(analytics_db):
    with connect(analytics_db) as con:
        _add_paragraph(con, "fp-old", "ferry-sunday-sailings")
        con.execute(
            "UPDATE articles SET fetched_at = ? WHERE article_id = ?",
            [NOW, article_id("ferry-sunday-sailings")],
        )
        report = apply_retention(con, KEEP_ONE_DAY, NOW)
    assert report.deleted["site_paragraphs"] == 0


def test_articles_go_only_when_asked_with_every_row_about_them(analytics_db):
    gone = ("ferry-sunday-sailings", "kernel-rust", "bridge-closure")  # stored 03-04 and 03-05
    with connect(analytics_db) as con:
        rebuild_search_index(con)
        _add_paragraph(con, "fp-old", "kernel-rust")
    with connect(analytics_db) as con:  # the first connection published the copy
        forever = Settings(keep_raw_pages_days=0, keep_article_versions_days=0)
        report = apply_retention(con, forever, datetime.now(UTC), articles_before=date(2024, 3, 6))
        rebuild_search_index(con)
        ids = [article_id(key) for key in gone]
        left = {
            table: _count(
                con,
                f"SELECT count(*) FROM {table} WHERE article_id IN (SELECT unnest(?))",  # noqa: S608
                ids,
            )
            for table in (
                "articles",
                "article_sources",
                "article_versions",
                "raw_pages",
                "site_paragraphs",
            )
        }
        indexed = _count(
            con,
            "SELECT count(*) FROM fts_main_search_docs.docs WHERE name IN (SELECT unnest(?))",
            ids,
        )
        queued = con.execute(
            "SELECT part FROM publish_queue WHERE table_name = 'articles' ORDER BY part"
        ).fetchall()
        remaining = _count(con, "SELECT count(*) FROM articles")
    assert report.articles_deleted == {
        "articles": 3,
        "article_sources": 3,
        "article_versions": 1,
        "raw_pages": 1,
        "site_paragraphs": 1,
    }
    assert set(left.values()) == {0} and indexed == 0
    assert queued == [("2024-03-04",), ("2024-03-05",)]
    assert remaining == len(ARTICLES) - 3
    assert search(analytics_db, "Victoria Bridge").empty
    assert not search(analytics_db, "freight strike").empty


def test_the_first_prune_with_the_defaults_leaves_the_published_tables_readable(analytics_db):
    """Every default applies to data over a year old: all of it goes but the articles."""
    with connect(analytics_db) as con:
        report = apply_retention(con, Settings(), datetime(2026, 1, 1, tzinfo=UTC))
    assert report.deleted == {
        "raw_pages": 1,
        "fetch_log": 16,
        "article_versions": 1,
        "site_paragraphs": 1,
    }
    reader = duckdb.connect(str(analytics_db), read_only=True)  # the catalog readers open
    try:
        assert _count(reader, "SELECT count(*) FROM clean_articles") == len(ARTICLES)
        assert _count(reader, "SELECT count(*) FROM fetch_log") == 0
        assert _count(reader, "SELECT count(*) FROM source_health") == len(SOURCES)
    finally:
        reader.close()


def test_nothing_is_due_twice_in_a_day(analytics_db):
    """A later prune the same day finds nothing: a day's rows go together, once."""
    with connect(analytics_db) as con:
        first = apply_retention(con, KEEP_ONE_DAY, NOW)
        again = apply_retention(con, KEEP_ONE_DAY, NOW.replace(hour=23))
    assert first.total > 0
    assert again.total == 0
