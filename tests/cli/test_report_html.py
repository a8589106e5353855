"""The HTML report: self-contained, charts as inline SVG, failing sources highlighted, text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flows.cli import analysis
from flows.cli.report_html import _nice_step, render_report, write_report
from warehouse.db import connect
from warehouse.query import report_data

NOW = datetime(2024, 3, 8, 12, tzinfo=UTC)


class _Collector(HTMLParser):
    """Every tag with its attributes, and the text of each table row, by row class."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[tuple[str | None, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append((dict(attrs).get("class"), []))

    def handle_data(self, data):
        if self.rows and data.strip():
            self.rows[-1][1].append(data.strip())


@pytest.fixture
def db(analytics_db: Path) -> Path:
    return analytics_db


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_report_is_self_contained(db, tmp_path):
    page = write_report(db, tmp_path / "sub" / "report.html").read_text(encoding="utf-8")
    tags = _parse(page).tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe")]
    assert not [
        a
        for _, a in tags
        if any(
            str(v).startswith(("http:", "https:", "//"))
            for k, v in a.items()
            if k in ("src", "href")
        )
    ]
    assert page.count("<svg") == 2


def test_volume_chart_has_one_bar_per_day_and_source(db):
    page = render_report(report_data(db), db_label="news.duckdb", generated_at=NOW)
    bars = re.findall(r"<rect [^>]*><title>([^<]+)</title>", page)
    assert len(bars) == 9  # (day, source) pairs in the test data, the wire counting its one story
    assert "2024-03-07 wire: 1" in bars
    assert "articles dated 2024-03-04" in page


def test_failing_sources_are_listed_first_and_highlighted(db):
    rows = _parse(render_report(report_data(db), db_label="x", generated_at=NOW)).rows
    health = [
        (css, cells[0])
        for css, cells in rows
        if cells and cells[0] in {"daily-planet", "gazette", "tech-blog", "wire", "old-radio"}
    ]
    failing = [name for css, name in health if css == "failing"]
    assert failing == ["old-radio", "wire"]
    assert [name for _, name in health][:2] == ["old-radio", "wire"]


def test_extraction_flags_section_counts_flags_per_source(db):
    page = render_report(report_data(db), db_label="x", generated_at=NOW)
    rows = {cells[0]: cells for _, cells in _parse(page).rows if cells}
    assert rows["gazette"][1:] == ["3", "2", "paywall 1, too_short 1"]
    assert "0% clean" in page  # tech-blog: both articles flagged


def test_names_from_the_data_are_escaped(db):
    with connect(db) as con:
        con.execute(
            "UPDATE sources SET name = '<script>alert(1)</script>' WHERE name = 'old-radio'"
        )
    page = render_report(report_data(db), db_label="x", generated_at=NOW)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_warehouse_still_renders(tmp_path):
    with connect(tmp_path / "empty.duckdb"):
        pass
    page = render_report(report_data(tmp_path / "empty.duckdb"), db_label="x", generated_at=NOW)
    assert "No articles yet." in page


@pytest.mark.parametrize(
    ("maximum", "step"), [(0, 1), (3, 1), (9, 5), (40, 10), (130, 50), (4100, 2000)]
)
def test_axis_steps_are_round(maximum, step):
    assert _nice_step(maximum) == step


def test_report_command(db, tmp_path):
    app = typer.Typer()
    analysis.register(app)
    result = CliRunner().invoke(
        app, ["report", "--out", str(tmp_path / "r.html"), "--db", str(db), "--since", "2024-03-06"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("<rect") > 0
