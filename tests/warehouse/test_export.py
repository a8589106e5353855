"""Export: day folders readable by DuckDB, pandas and polars; incremental per folder; --full."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows.cli import analysis
from tests.analytics_data import ARTICLES, article_id, queue_articles, writer_holding
from warehouse.db import WarehouseError, connect
from warehouse.export import export_articles

DAYS = ["day=2024-03-04", "day=2024-03-05", "day=2024-03-06", "day=2024-03-07"]


@pytest.fixture
def db(analytics_db: Path) -> Path:
    return analytics_db


def _parquet(out: Path) -> pd.DataFrame:
    return duckdb.execute(
        "SELECT * FROM read_parquet($files, hive_partitioning = true) ORDER BY article_id",
        {"files": f"{out}/**/*.parquet"},
    ).df()


def _files(out: Path) -> dict[str, int]:
    """Each day folder's file and its inode: a rewritten folder gets new ones."""
    return {str(path.relative_to(out)): path.stat().st_ino for path in sorted(out.glob("day=*/*"))}


def test_first_export_writes_one_hive_folder_per_day_readable_by_duckdb_and_pandas(db, tmp_path):
    out = tmp_path / "out"
    result = export_articles(db, out)
    assert result.full and result.articles == len(ARTICLES)
    assert sorted(p.name for p in out.iterdir()) == DAYS
    assert list(_files(out)) == [f"{day}/articles.parquet" for day in DAYS]

    frame = _parquet(out)
    assert len(frame) == len(ARTICLES) and frame["article_id"].is_unique
    bridge = frame.set_index("article_id").loc[article_id("bridge-closure")]
    assert bridge["day"].date() == date(2024, 3, 5) and list(bridge["listed_by"]) == [
        "daily-planet"
    ]

    with_pandas = pd.read_parquet(out)
    assert len(with_pandas) == len(ARTICLES)
    assert sorted(with_pandas["day"].astype(str).unique()) == [d.split("=")[1] for d in DAYS]
    assert (
        "Northbridge's Victoria Bridge"
        in with_pandas.set_index("article_id").loc[article_id("bridge-closure"), "text"]
    )


def test_polars_reads_the_export(db, tmp_path):
    pl = pytest.importorskip("polars")
    export_articles(db, tmp_path / "out")
    frame = pl.read_parquet(str(tmp_path / "out" / "**" / "*.parquet"), hive_partitioning=True)
    assert frame.height == len(ARTICLES) and "day" in frame.columns


def test_later_exports_rewrite_only_the_days_that_changed(db, tmp_path):
    out = tmp_path / "out"
    export_articles(db, out)
    before = _files(out)
    assert export_articles(db, out).days == ()
    assert _files(out) == before

    with connect(db) as con:
        con.execute(
            "UPDATE articles SET title = 'Rates held again' WHERE article_id = ?",
            [article_id("rates-hold")],
        )
        queue_articles(con, article_id("rates-hold"))
    result = export_articles(db, out)
    assert result.days == (date(2024, 3, 6),) and not result.full
    after = _files(out)
    assert after["day=2024-03-06/articles.parquet"] != before["day=2024-03-06/articles.parquet"]
    assert {k: v for k, v in after.items() if "03-06" not in k} == {
        k: v for k, v in before.items() if "03-06" not in k
    }
    frame = _parquet(out)
    assert len(frame) == len(ARTICLES)
    assert "Rates held again" in set(frame["title"])


def test_an_article_moved_to_another_day_or_deleted_leaves_no_duplicate(db, tmp_path):
    out = tmp_path / "out"
    export_articles(db, out)
    with connect(db) as con:
        con.execute(
            "UPDATE articles SET published_at = ? WHERE article_id = ?",
            [datetime(2024, 3, 7, 6, tzinfo=UTC), article_id("kernel-rust")],
        )
        queue_articles(con, article_id("kernel-rust"), article_id("ferry-sunday-sailings"))
        con.execute(
            "DELETE FROM articles WHERE article_id = ?", [article_id("ferry-sunday-sailings")]
        )
    result = export_articles(db, out)
    assert result.days == (date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 7))
    assert (
        sorted(p.name for p in out.iterdir()) == DAYS[1:]
    )  # 2024-03-04 had only the deleted article
    frame = _parquet(out)
    assert len(frame) == len(ARTICLES) - 1 and frame["article_id"].is_unique
    assert frame.set_index("article_id").loc[article_id("kernel-rust"), "day"].date() == date(
        2024, 3, 7
    )


def test_since_limits_the_days_and_full_rewrites_everything(db, tmp_path):
    out = tmp_path / "out"
    result = export_articles(db, out, since=date(2024, 3, 6))
    assert sorted(p.name for p in out.iterdir()) == DAYS[2:]
    assert result.articles == 5
    (out / "day=2020-01-01").mkdir()  # a stale day folder, e.g. of an article since re-dated
    full = export_articles(db, out, full=True)
    assert full.full and full.articles == len(ARTICLES)
    assert sorted(p.name for p in out.iterdir()) == DAYS


def test_deleted_export_files_are_written_again(db, tmp_path):
    out = tmp_path / "out"
    export_articles(db, out)
    shutil.rmtree(out)
    again = export_articles(db, out)
    assert again.full and len(_parquet(out)) == len(ARTICLES)


def test_csv_and_jsonl_use_the_same_layout(db, tmp_path):
    export_articles(db, tmp_path / "csv", "csv")
    export_articles(db, tmp_path / "jsonl", "jsonl")
    csv = duckdb.execute(
        "SELECT * FROM read_csv($files, hive_partitioning = true)",
        {"files": f"{tmp_path}/csv/**/*.csv"},
    ).df()
    jsonl = pd.concat(
        pd.read_json(path, lines=True)
        for path in sorted((tmp_path / "jsonl").glob("day=*/*.jsonl"))
    )
    assert len(csv) == len(jsonl) == len(ARTICLES)
    assert set(jsonl["title"]) == {a[3] for a in ARTICLES}
    assert jsonl.set_index("article_id").loc[article_id("mortgage-holders"), "flags"] == [
        "paywall",
        "too_short",
    ]


def test_mixing_formats_in_one_folder_is_refused_unless_full(db, tmp_path):
    out = tmp_path / "out"
    export_articles(db, out, "csv")
    with pytest.raises(WarehouseError, match="holds a csv export"):
        export_articles(db, out, "parquet")
    export_articles(db, out, "parquet", full=True)
    assert list(_files(out)) == [f"{day}/articles.parquet" for day in DAYS]


def test_exports_are_recorded_per_folder(db, tmp_path):
    export_articles(db, tmp_path / "a")
    export_articles(db, tmp_path / "b", "jsonl", since=date(2024, 3, 7))
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT format, since, articles, partitions FROM exports ORDER BY finished_at"
        ).fetchall()
        state = con.execute(
            "SELECT out_dir, count(*) FROM exported_articles GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert rows == [("parquet", None, 8, 4), ("jsonl", date(2024, 3, 7), 3, 1)]
    assert state == [(str(tmp_path / "a"), 8), (str(tmp_path / "b"), 3)]


def test_export_waits_for_a_writer_that_holds_the_file(db, tmp_path):
    with writer_holding(db):
        result = export_articles(db, tmp_path / "out")
    assert result.articles == len(ARTICLES) and len(_parquet(tmp_path / "out")) == len(ARTICLES)


def test_export_command(db, tmp_path):
    app = typer.Typer()
    analysis.register(app)
    args = ["export", "--out", str(tmp_path / "out"), "--db", str(db), "--since", "2024-03-07"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 articles in 1 day folders written" in first.stdout
    assert "nothing changed" in CliRunner().invoke(app, args).stdout


def test_a_rewritten_day_keeps_its_unchanged_rows_and_a_lost_file_is_read_whole(db, tmp_path):
    out = tmp_path / "out"
    export_articles(db, out)
    exported = _parquet(out).set_index("article_id")
    rates = article_id("rates-hold")
    same_day = exported["day"] == exported.loc[rates, "day"]
    unchanged = [aid for aid in exported.index[same_day] if aid != rates]
    assert unchanged  # the day holds other articles
    with connect(db) as con:
        # A column outside the fingerprint: an unchanged article keeps the row exported.
        con.execute(
            "UPDATE articles SET summary = 'not exported' WHERE list_contains($ids, article_id)",
            {"ids": unchanged},
        )
        con.execute(
            "UPDATE articles SET title = 'Rates held again' WHERE article_id = ?",
            [article_id("rates-hold")],
        )
        queue_articles(con, article_id("rates-hold"))
    assert export_articles(db, out).days == (date(2024, 3, 6),)
    frame = _parquet(out).set_index("article_id")
    assert (
        len(frame) == len(ARTICLES)
        and frame.loc[article_id("rates-hold"), "title"] == "Rates held again"
    )
    assert "not exported" not in set(frame["summary"])

    (out / "day=2024-03-06" / "articles.parquet").unlink()  # lost: read whole, not kept from
    with connect(db) as con:
        con.execute(
            "UPDATE articles SET title = 'Rates held once more' WHERE article_id = ?",
            [article_id("rates-hold")],
        )
        queue_articles(con, article_id("rates-hold"))
    export_articles(db, out)
    frame = _parquet(out).set_index("article_id")
    assert (
        len(frame) == len(ARTICLES)
        and frame.loc[article_id("rates-hold"), "title"] == "Rates held once more"
    )
    assert set(frame.loc[unchanged, "summary"]) == {"not exported"}
