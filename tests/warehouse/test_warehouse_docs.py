"""warehouse/README.md: every example query runs, every table and view is documented, every view column commented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.analytics_data import make_analytics_db
from tests.paths import REPO
from warehouse.db import connect
from warehouse.export import export_articles
from warehouse.search import load_fts, rebuild_search_index

README = REPO / "warehouse" / "README.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
HEADING = re.compile(r"^### (\w+)$", re.MULTILINE)
EXAMPLES = SQL_BLOCK.findall(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def populated_db(tmp_path_factory) -> Path:
    """The analytics test data with a search index and one export, so every table has rows."""
    folder = tmp_path_factory.mktemp("docs")
    db_path = make_analytics_db(folder / "news.duckdb")
    with connect(db_path) as con:
        rebuild_search_index(con)
    export_articles(db_path, folder / "export")
    return db_path


@pytest.fixture(scope="module")
def reader(populated_db):
    """One read-only connection with the fts extension loaded (loading it takes ~0.3 s)."""
    with connect(populated_db, read_only=True) as con:
        assert load_fts(con)
        yield con


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("query", EXAMPLES, ids=[q.split("FROM")[1].split()[0] for q in EXAMPLES])
def test_example_query_runs_and_returns_rows(reader, query):
    rows = reader.execute(query).fetchall()
    assert rows, f"example returned nothing on the test data:\n{query}"


def test_every_table_and_view_is_documented(reader):
    names = {
        row[0]
        for row in reader.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()
    }
    documented = set(HEADING.findall(README.read_text(encoding="utf-8")))
    assert names - documented == set(), "add a ### section with an example to warehouse/README.md"
    assert documented - names == set(), "README documents a table or view that does not exist"


def test_every_view_column_has_a_comment(reader):
    missing = reader.execute(
        "SELECT c.table_name || '.' || c.column_name FROM duckdb_columns() c "
        "JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name "
        "WHERE c.schema_name = 'main' AND NOT v.internal AND coalesce(c.comment, '') = ''"
    ).fetchall()
    view_comments = reader.execute(
        "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND comment IS NULL"
    ).fetchone()[0]
    assert missing == [], "add COMMENT ON COLUMN lines to warehouse/views.sql"
    assert view_comments == 0
