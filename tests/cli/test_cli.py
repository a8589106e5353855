"""The command line, in-process: help texts, sources management, extract, sql and stats."""

from __future__ import annotations

import json

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from config.sources import load_sources
from flows.cli.app import app
from flows.demo.server import DemoSite
from tests.httpserver import LocalServer
from warehouse.db import connect

runner = CliRunner()


def all_commands():
    root = get_command(app)
    for name, command in root.commands.items():
        if hasattr(command, "commands"):
            yield from ((f"{name} {sub}", c) for sub, c in command.commands.items())
        else:
            yield name, command


@pytest.mark.parametrize(
    ("name", "command"), list(all_commands()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_command_has_help_with_an_example(name, command):
    assert command.help, f"{name} has no help"
    assert "Example:" in command.help, f"{name} help has no example"


@pytest.fixture
def demo_site():
    with DemoSite() as site:
        yield site


def test_sources_add_discovers_feeds_from_a_page(demo_site, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    monkeypatch.setenv("NEWSFLOW_PER_HOST_DELAY_S", "0")
    feeds = tmp_path / "feeds.toml"
    page = demo_site.article_urls()[0]
    result = runner.invoke(app, ["sources", "add", page, "--feeds", str(feeds), "--all"])
    assert result.exit_code == 0, result.output
    added = load_sources(feeds)
    assert added and all(s.url.startswith(demo_site.base_url) for s in added)
    again = runner.invoke(app, ["sources", "add", page, "--feeds", str(feeds), "--all"])
    assert "none new" in again.output
    assert len(load_sources(feeds)) == len(added)


def test_sources_add_refuses_loopback_unless_allowed(demo_site, tmp_path):
    result = runner.invoke(
        app,
        ["sources", "add", demo_site.base_url + "/tech-blog/", "--feeds", str(tmp_path / "f.toml")],
    )
    assert result.exit_code != 0
    assert "no feed found" in str(result.exception)


def test_opml_export_then_import_round_trips(demo_site, tmp_path):
    original = tmp_path / "feeds.toml"
    original.write_text(demo_site.feeds_toml(), encoding="utf-8")
    opml = tmp_path / "subs.opml"
    assert (
        runner.invoke(
            app, ["sources", "export", "--feeds", str(original), "--out", str(opml)]
        ).exit_code
        == 0
    )
    copy = tmp_path / "copy.toml"
    result = runner.invoke(app, ["sources", "import", str(opml), "--feeds", str(copy)])
    assert result.exit_code == 0, result.output
    assert [(s.name, s.url) for s in load_sources(copy)] == [
        (s.name, s.url) for s in load_sources(original)
    ]


def test_extract_prints_text_or_json(tmp_path, demo_site):
    import httpx

    url = demo_site.base_url + "/wire/2022/11/putin-found-new-allies/"
    page = tmp_path / "page.html"
    page.write_bytes(httpx.get(url, trust_env=False).content)
    text = runner.invoke(app, ["extract", str(page), "--url", url])
    assert "Diaz-Canel" in text.output and "Leave a Reply" not in text.output
    data = json.loads(runner.invoke(app, ["extract", str(page), "--url", url, "--json"]).output)
    for key in (
        "text",
        "title",
        "authors",
        "published_at",
        "updated_at",
        "language",
        "site_name",
        "categories",
        "tags",
        "image_url",
        "canonical_url",
        "word_count",
    ):
        assert key in data
    assert "Tobias Utz" in data["authors"]


def test_sql_and_stats_read_the_warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        con.execute(
            "INSERT INTO sources (name, url, configured_url) VALUES ('s', 'http://x/', 'http://x/')"
        )
    result = runner.invoke(
        app, ["sql", "SELECT name, url FROM sources", "--db", str(db), "--format", "json"]
    )
    assert json.loads(result.output) == {"name": "s", "url": "http://x/"}
    stats = runner.invoke(app, ["stats", "--db", str(db)])
    assert stats.exit_code == 0 and "0 articles" in stats.output


def test_run_reads_its_settings_and_feeds_once(prefect_server, tmp_path, monkeypatch):
    """`newsflow run` builds the run's settings and sources once; the flow is handed them."""
    import config.settings
    import config.sources
    import flows.cli.app

    reads, read = [], config.settings.read_toml

    def read_toml(path):
        reads.append(path.name)
        return read(path)

    monkeypatch.setattr(config.settings, "read_toml", read_toml)
    monkeypatch.setattr(config.sources, "read_toml", read_toml)
    # Its handlers would outlive the test and take the library loggers from pytest's capture.
    monkeypatch.setattr(flows.cli.app, "_setup_logging", lambda **_: None)
    with LocalServer() as server:
        feeds = tmp_path / "feeds.toml"
        feeds.write_text(f'[[sources]]\nname = "missing"\nurl = "{server.url("/feed.xml")}"\n')
        settings = tmp_path / "settings.toml"
        settings.write_text('db_path = "news.duckdb"\nallow_private_hosts = ["127.0.0.1"]\n')
        result = runner.invoke(app, ["run", "--feeds", str(feeds), "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    assert sorted(reads) == ["feeds.toml", "settings.toml"]
