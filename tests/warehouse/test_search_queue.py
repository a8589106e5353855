"""The search index follows search_queue: changed and deleted articles, no copy of the texts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tasks.dedup import content_hash
from tasks.records import CleanedText
from tests.analytics_data import ARTICLES, article_id, copy_warehouse, make_analytics_db
from warehouse.db import connect
from warehouse.load import apply_cleaned_texts
from warehouse.migrate import _migrations
from warehouse.publish import writer_path
from warehouse.search import load_fts, rebuild_search_index, search
from warehouse.sql import statements

BRIDGE = article_id("bridge-closure")
BRIDGE_TITLE = ARTICLES[0][3]
VIADUCT_TEXT = "The viaduct reopens to buses after a structural survey found no damage."


@pytest.fixture(scope="module")
def indexed_template(tmp_path_factory) -> Path:
    db = make_analytics_db(tmp_path_factory.mktemp("queue") / "news.duckdb")
    with connect(db) as con:
        rebuild_search_index(con)
    return db


@pytest.fixture
def indexed_db(indexed_template, tmp_path) -> Path:
    return copy_warehouse(indexed_template, tmp_path / "news.duckdb")


def _queued(db: Path) -> int:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM search_queue").fetchone()[0]


def test_a_changed_text_is_found_by_its_new_words_only(indexed_db):
    assert search(indexed_db, "corrosion")["article_id"].tolist() == [BRIDGE]
    with connect(indexed_db) as con:
        apply_cleaned_texts(con, [CleanedText(BRIDGE, VIADUCT_TEXT, content_hash(VIADUCT_TEXT))])
    assert _queued(indexed_db) == 1
    assert "behind on 1 " in search(indexed_db, "viaduct").attrs["notice"]

    with connect(indexed_db) as con:
        rebuild_search_index(con)
    assert search(indexed_db, "corrosion").empty
    found = search(indexed_db, "viaduct survey")
    assert found["title"].tolist() == [BRIDGE_TITLE]
    assert found.attrs["notice"] is None
    assert found["snippet"][0] == VIADUCT_TEXT
    assert _queued(indexed_db) == 0
    with connect(indexed_db, read_only=True) as con:
        indexed, stored = con.execute(
            "SELECT s.content_hash, a.content_hash FROM search_docs s JOIN articles a USING (article_id) "
            "WHERE article_id = ?",
            [BRIDGE],
        ).fetchone()
    assert indexed == stored


def test_a_deleted_article_leaves_the_results(indexed_db):
    with connect(indexed_db) as con:
        con.execute("DELETE FROM articles WHERE article_id = ?", [BRIDGE])
        con.execute("INSERT INTO search_queue VALUES (?)", [BRIDGE])
        rebuild_search_index(con)
        assert con.execute("SELECT count(*) FROM search_queue").fetchone()[0] == 0
        assert con.execute(
            "SELECT count(*) FROM search_docs WHERE article_id = ?", [BRIDGE]
        ).fetchone() == (0,)
    assert search(indexed_db, "bridge corrosion").empty
    assert search(indexed_db, "ferry")["title"].size == 1


def test_an_article_queued_by_several_writes_is_indexed_once(indexed_db):
    with connect(indexed_db) as con:
        con.execute("INSERT INTO search_queue VALUES (?), (?), (?)", [BRIDGE] * 3)
        rebuild_search_index(con)
        docs = con.execute(
            "SELECT count(*) FROM fts_main_search_docs.docs WHERE name = ?", [BRIDGE]
        ).fetchone()[0]
    assert docs == 1
    assert _queued(indexed_db) == 0
    assert search(indexed_db, "corrosion")["article_id"].tolist() == [BRIDGE]


def test_search_docs_holds_no_title_or_text(indexed_db):
    with connect(indexed_db) as con:
        copies = con.execute(
            "SELECT count(*), count(title), count(text) FROM search_docs"
        ).fetchone()
        assert copies == (len(ARTICLES), 0, 0)
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE search_docs SET text = 'a copy' WHERE article_id = ?", [BRIDGE])
    assert search(indexed_db, "corrosion")["article_id"].tolist() == [BRIDGE]


def _warehouse_before_0006(folder: Path, monkeypatch) -> Path:
    """The analytics data in a warehouse of migrations 0001-0005, indexed as newsflow then did.

    That is a copy of every title and text in search_docs, the BM25 index made on it, and
    nothing queued.
    """
    every = _migrations()
    with monkeypatch.context() as older:
        older.setattr("warehouse.migrate._migrations", lambda: [m for m in every if m[0] < 6])
        old = make_analytics_db(folder / "old.duckdb")
    with duckdb.connect(str(writer_path(old))) as con:
        con.execute(
            "INSERT INTO search_docs SELECT article_id, title, text, content_hash, now() FROM articles"
        )
        assert load_fts(con)
        con.execute(next(s for s in statements("search_create_index") if "create_fts_index" in s))
    return copy_warehouse(old, folder / "news.duckdb")


def test_migration_0006_drops_the_text_copy_and_keeps_the_index(tmp_path, monkeypatch):
    db = _warehouse_before_0006(tmp_path, monkeypatch)
    with connect(db) as con:  # migrates
        assert con.execute("SELECT count(*), count(text) FROM search_docs").fetchone() == (
            len(ARTICLES),
            0,
        )
        assert con.execute("SELECT count(*) FROM search_queue").fetchone()[0] == 0
        indexed_at = "SELECT max(indexed_at) FROM search_docs"
        before = con.execute(indexed_at).fetchone()
        rebuild_search_index(con)  # nothing queued: nothing is tokenised again
        assert con.execute(indexed_at).fetchone() == before
    found = search(db, "closing bridges")
    assert found["title"].tolist() == [BRIDGE_TITLE]
    assert found.attrs == {"mode": "bm25", "notice": None}
