"""`newsflow demo`: serve the bundled sample news site on 127.0.0.1, ingest it, show the result."""

from __future__ import annotations

import errno
from pathlib import Path

from rich.console import Console

from config.settings import load_settings
from flows.cli import report
from flows.cli.errors import UserError
from flows.demo.server import DemoSite
from flows.runner import run_ingest_flow
from warehouse.query import run_query

# The demo site is on loopback, which the network guard refuses unless allow-listed; it is
# also one host, so politeness is turned down to keep the demo quick.
DEMO_OVERRIDES = {
    "allow_private_hosts": "127.0.0.1",
    "per_host_concurrency": 4,
    "per_host_delay_s": 0.0,
    "retries": 1,
}
EXAMPLE_QUERIES = (
    "SELECT title, source_name, word_count FROM latest_articles LIMIT 10",
    "SELECT * FROM articles_per_day ORDER BY day DESC",
    "SELECT source_name, articles, error_rate, last_error_class FROM source_health",
    "SELECT story_id, articles, sources, first_title FROM story_clusters WHERE articles > 1",
    "SELECT kind, error_class, requests, example_error FROM fetch_errors",
)


def run_demo(console: Console, *, port: int, db_path: Path) -> dict:
    """Serve the demo site, ingest it into db_path and print what landed; returns the summary."""
    try:
        site = DemoSite(port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} is in use: pass --port with a free one") from None
        raise
    with site:
        feeds_file = db_path.parent / "demo-feeds.toml"
        feeds_file.parent.mkdir(parents=True, exist_ok=True)
        feeds_file.write_text(site.feeds_toml(), encoding="utf-8")
        console.print(
            f"demo site on {site.base_url} with {len(site.sources())} feeds; ingesting into {db_path}"
        )
        settings = load_settings(None, {**DEMO_OVERRIDES, "db_path": str(db_path)})
        summary = run_ingest_flow(settings, site.sources(), force=True)
    report.print_summary(console, summary)
    latest = run_query(db_path, EXAMPLE_QUERIES[0])
    report.print_frame(console, latest, "table", 10)
    console.print("\nTry these (newsflow sql QUERY --db " + str(db_path) + "):")
    for query in EXAMPLE_QUERIES:
        console.print(f"  {query}", highlight=False)
    return summary
