"""Full-text search: BM25 ranking, filters, index freshness, the substring fallback and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.cli import analysis
from tests.analytics_data import (
    ARTICLES,
    article_id,
    copy_warehouse,
    make_analytics_db,
    writer_holding,
)
from warehouse.db import connect
from warehouse.search import (
    fts_extension_path,
    make_snippet,
    rebuild_search_index,
    search,
)
from warehouse.sql import statements

BRIDGE_TITLE = ARTICLES[0][3]


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """The test data without and with a search index, built once and copied by each test."""
    folder = tmp_path_factory.mktemp("search")
    plain = make_analytics_db(folder / "plain.duckdb")
    indexed = copy_warehouse(plain, folder / "indexed.duckdb")
    with connect(indexed) as con:
        rebuild_search_index(con)
    return {"plain": plain, "indexed": indexed}


@pytest.fixture
def db(templates, tmp_path) -> Path:
    return copy_warehouse(templates["plain"], tmp_path / "news.duckdb")


@pytest.fixture
def indexed_db(templates, tmp_path) -> Path:
    return copy_warehouse(templates["indexed"], tmp_path / "news.duckdb")


def _add_article(db: Path, key: str, title: str, text: str) -> None:
    """Store an article as the loaders do: the row, and its id queued for the search index."""
    with connect(db) as con:
        con.execute(
            "INSERT INTO articles (article_id, canonical_url, url, source_name, title, text, word_count, content_hash, "
            "fetched_at, first_run_id, run_id, extractor_version) VALUES (?, ?, ?, 'gazette', ?, ?, ?, ?, ?, 'run-9', 'run-9', 't')",
            [
                key,
                f"http://127.0.0.1/{key}",
                f"http://127.0.0.1/{key}",
                title,
                text,
                len(text.split()),
                key,
                datetime(2024, 3, 8, tzinfo=UTC),
            ],
        )
        con.execute("INSERT INTO search_queue VALUES (?)", [key])


def _delete_article(con, key: str) -> None:
    """Delete an article as pruning does: the row, and its id queued for the search index."""
    con.execute("DELETE FROM articles WHERE article_id = ?", [article_id(key)])
    con.execute("INSERT INTO search_queue VALUES (?)", [article_id(key)])


def test_the_installed_wheel_provides_the_extension():
    path = fts_extension_path("linux_amd64")
    assert path is not None and path.name == "fts.duckdb_extension" and path.is_file()
    assert fts_extension_path("no_such_platform") is None


def test_bm25_matches_word_forms_and_ranks_the_headline_match_first(indexed_db):
    found = search(indexed_db, "closing bridges")
    assert found.attrs == {"mode": "bm25", "notice": None}
    assert found["title"].tolist() == [BRIDGE_TITLE]
    assert "bridge" in found["snippet"][0].lower()

    rates = search(indexed_db, "interest rates")
    assert rates["title"].iloc[0].startswith("Central bank holds interest rates")
    assert rates["score"].is_monotonic_decreasing


def test_numbers_are_words_and_stopwords_match_nothing(indexed_db):
    assert search(indexed_db, "1911")["title"].tolist() == [BRIDGE_TITLE]
    assert search(indexed_db, "the over")["title"].tolist() == []


def test_since_and_source_filters(indexed_db):
    both = search(indexed_db, "freight strike")
    assert len(both) == 2
    # "freight-strike-ends" is the gazette's article, also listed by the wire
    assert search(indexed_db, "freight strike", source="wire")["article_id"].tolist() == [
        article_id("freight-strike-ends")
    ]
    assert search(indexed_db, "strike", since=date(2024, 3, 7))["title"].size == 2
    naive = datetime(2024, 3, 7, 9, 0)  # noqa: DTZ001 - search reads a naive datetime as UTC
    assert search(indexed_db, "strike", since=naive)["article_id"].tolist() == [
        article_id("freight-strike-ends")
    ]
    assert search(indexed_db, "bridge", limit=1, source="gazette").empty


def test_index_follows_articles_after_a_rebuild(indexed_db):
    _add_article(
        indexed_db,
        "harbour-crane",
        "Harbour crane collapses",
        "A crane collapsed at the harbour overnight.",
    )
    stale = search(indexed_db, "crane")
    assert stale.empty
    assert "search index is behind on 1 new, changed or deleted" in stale.attrs["notice"]

    with connect(indexed_db) as con:
        rebuild_search_index(con)
        _delete_article(con, "bridge-closure")
        rebuild_search_index(con)
    assert search(indexed_db, "crane")["title"].tolist() == ["Harbour crane collapses"]
    assert search(indexed_db, "bridge").empty


def test_rebuild_does_nothing_when_articles_did_not_change(indexed_db):
    with connect(indexed_db) as con:
        first = con.execute("SELECT max(indexed_at) FROM search_docs").fetchone()[0]
        rebuild_search_index(con)
        assert con.execute("SELECT max(indexed_at) FROM search_docs").fetchone()[0] == first


def test_without_an_index_search_falls_back_to_substrings_with_a_notice(db):
    found = search(db, "Freight STRIKE")
    assert found.attrs["mode"] == "substring"
    assert "no search index yet" in found.attrs["notice"]
    assert set(found["title"]) == {ARTICLES[2][3], ARTICLES[3][3]}


def test_an_extension_that_cannot_load_means_fallback_and_no_stale_index(
    indexed_db, tmp_path, monkeypatch
):
    broken = tmp_path / "fts.duckdb_extension"
    broken.write_bytes(b"not a shared library")
    monkeypatch.setattr("warehouse.search.fts_extension_path", lambda _platform: broken)
    found = search(indexed_db, "bridge")
    assert found.attrs["mode"] == "substring"
    assert "extension unavailable" in found.attrs["notice"]
    assert found["title"].tolist() == [BRIDGE_TITLE]

    _add_article(
        indexed_db, "harbour-crane", "Harbour crane collapses", "A crane collapsed at the harbour."
    )
    with connect(indexed_db) as con:
        rebuild_search_index(con)
        assert (
            con.execute(
                "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_search_docs'"
            ).fetchone()[0]
            == 0
        )
        # Nothing is kept for an index that does not exist: creating one queues every article.
        assert con.execute("SELECT count(*) FROM search_queue").fetchone()[0] == 0
    monkeypatch.undo()
    assert "no search index yet" in search(indexed_db, "crane").attrs["notice"]


def test_a_query_without_words_returns_an_empty_frame_with_a_notice(indexed_db):
    found = search(indexed_db, " ?! ")
    assert found.empty and "no words" in found.attrs["notice"]


def test_snippet_is_a_window_around_the_first_match():
    text = "lead " * 100 + "The bridge was closing for repairs. " + "tail " * 100
    snippet = make_snippet(text, ["closed"], width=80)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "closing" in snippet and len(snippet) <= 82
    assert make_snippet("Short text.", ["nothing"]) == "Short text."
    assert make_snippet(text, ["absent"], width=40).startswith("lead lead")


def test_search_waits_for_a_writer_that_holds_the_file(indexed_db):
    with writer_holding(indexed_db):
        assert search(indexed_db, "bridge")["title"].tolist() == [BRIDGE_TITLE]


def test_search_command_prints_results_and_the_fallback_notice(db):
    app = typer.Typer()
    analysis.register(app)
    result = CliRunner().invoke(app, ["search", "ferry", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "Sunday ferry sailings to return in May" in result.stdout
    assert "no search index yet" in result.stderr


QUERIES = ["bridge", "strike pay", "rates 2025", "having", "crane harbour", "closed"]
SCORES = (
    "SELECT article_id, round(fts_main_{table}.match_bm25(article_id, ?, fields := ?), 9) AS s "
    "FROM {table} WHERE s IS NOT NULL ORDER BY ALL"
)


def _all_scores(con, table: str = "search_docs") -> list:
    query = SCORES.format(table=table)
    return [con.execute(query, [q, f]).fetchall() for q in QUERIES for f in (None, "title")]


def _full_rebuild_scores(con) -> list:
    """What the incremental index must score: fts's own full create_fts_index of every article.

    It is made on a copy of every title and text, with the options search_create_index uses.
    """
    con.execute("CREATE TABLE reference_docs AS SELECT article_id, title, text FROM articles")
    create = next(s for s in statements("search_create_index") if "create_fts_index" in s)
    con.execute(create.replace("'search_docs'", "'reference_docs'"))
    return _all_scores(con, "reference_docs")


def test_an_index_built_in_small_chunks_scores_equal_a_full_rebuild(db, monkeypatch):
    monkeypatch.setattr("warehouse.search.SEARCH_CHUNK_ARTICLES", 2)
    monkeypatch.setattr("warehouse.search.SEARCH_BLOCK_DOCS", 3)  # blocks sorted by term
    with connect(db) as con:
        rebuild_search_index(con)
        chunked = _all_scores(con)
        assert con.execute("SELECT count(*) FROM search_docs").fetchone()[0] == len(ARTICLES)
        assert chunked == _full_rebuild_scores(con)
    assert any(chunked)


@pytest.mark.parametrize("chunk", [1, 500])
def test_incremental_index_scores_equal_a_full_rebuild(indexed_db, chunk, monkeypatch):
    monkeypatch.setattr("warehouse.search.SEARCH_CHUNK_ARTICLES", chunk)
    monkeypatch.setattr("warehouse.search.SEARCH_BLOCK_DOCS", 2)
    with connect(indexed_db) as con:
        con.execute(
            "UPDATE articles SET text = text || ' Having said that, the bridges reopen in 2025.', content_hash = 'changed' "
            "WHERE article_id = ?",
            [article_id("rates-hold")],
        )
        con.execute("INSERT INTO search_queue VALUES (?)", [article_id("rates-hold")])
        _delete_article(con, "ferry-sunday-sailings")
    _add_article(
        indexed_db,
        "harbour-crane",
        "Crane collapse at the harbour",
        "A crane collapsed; the harbour closed.",
    )
    with connect(indexed_db) as con:
        rebuild_search_index(con)
        incremental = _all_scores(con)
        full = _full_rebuild_scores(con)
    assert incremental == full
    assert any(incremental)
