"""A small, realistic warehouse for analytics tests, filled by plain INSERTs (no pipeline run)."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warehouse.db import connect
from warehouse.publish import queue_everything, writer_path

BASE = "http://127.0.0.1:8765"
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)

SOURCES = [
    # name, feed path, format, consecutive failures, last error class, last error, enabled, disabled reason
    ("daily-planet", "/daily-planet/rss.xml", "rss", 0, None, None, True, None),
    ("gazette", "/gazette/atom.xml", "atom", 0, None, None, True, None),
    ("tech-blog", "/tech-blog/feed.json", "jsonfeed", 0, None, None, True, None),
    ("wire", "/wire/rss.xml", "rss", 3, "http_error", "HTTP 503 Service Unavailable", True, None),
    ("old-radio", "/old-radio/rss.xml", "rss", 1, "http_error", "HTTP 410 Gone", False, "410 Gone"),
]

# key, source, hours after T0 (None = undated), title, flags, story, also listed by, text
ARTICLES = [
    (
        "bridge-closure",
        "daily-planet",
        33,
        "Victoria Bridge to close to traffic for six weeks of emergency repairs",
        [],
        "s-bridge",
        [],
        (
            "Northbridge's Victoria Bridge will close to all motor traffic from Monday for at least six weeks after "
            "engineers discovered serious corrosion in the steel bearings that support its central span. The bridge, "
            "which opened in 1911, carries about 30,000 vehicles a day across the River Wend. Drivers will be "
            "directed to the Riverside Way and Kingsmead crossings during the closure."
        ),
    ),
    (
        "rates-hold",
        "daily-planet",
        50,
        "Central bank holds interest rates at 5.25% for a fifth month",
        [],
        "s-rates",
        [],
        (
            "The central bank kept its main interest rate unchanged for a fifth consecutive meeting, saying inflation "
            "was falling but remained above target. Economists had expected the decision; markets now price the first "
            "cut for the summer. Mortgage lenders said fixed deals were unlikely to move."
        ),
    ),
    (
        "freight-strike-deal",
        "daily-planet",
        72,
        "Freight strike called off after overnight deal on pay",
        [],
        "s-freight",
        [],
        (
            "A national freight rail strike planned for Monday has been called off after unions and operators reached "
            "an overnight agreement on pay. The deal gives drivers a 6% rise this year and a further 4% next year. "
            "Ports had warned that containers would pile up within days of a walkout."
        ),
    ),
    (
        "freight-strike-ends",
        "gazette",
        74,
        "Freight strike ends as unions accept pay offer",
        [],
        "s-freight",
        ["wire"],
        (
            "A national freight rail strike planned for Monday has been called off after unions and operators reached "
            "an overnight agreement on pay. The deal gives drivers a 6% rise this year and 4% next year, the unions said. "
            "Ports had warned that containers would pile up within days of a walkout."
        ),
    ),
    (
        "ferry-sunday-sailings",
        "gazette",
        2,
        "Sunday ferry sailings to return in May",
        [],
        "s-ferry",
        [],
        (
            "Sunday ferry sailings between the harbour and the islands will return in May after a two-year gap, the "
            "operator said. Crew shortages had forced the cancellation of weekend crossings since 2022."
        ),
    ),
    (
        "mortgage-holders",
        "gazette",
        52,
        "Mortgage holders face higher payments despite rates hold",
        ["paywall", "too_short"],
        "s-mortgage",
        [],
        "Subscribe to read the full story. Mortgage holders coming off fixed deals face higher payments.",
    ),
    (
        "kernel-rust",
        "tech-blog",
        30,
        "Rust in the kernel: what changed in 6.8",
        ["fallback_extraction"],
        "s-kernel",
        [],
        (
            "Linux 6.8 ships more Rust abstractions for drivers. The release adds bindings for network PHY drivers and "
            "the first Rust driver merged upstream, a small step that maintainers describe as a test of the tooling."
        ),
    ),
    (
        "cookie-wall",
        "tech-blog",
        None,
        "Before you continue",
        ["consent_page", "not_article"],
        None,
        [],
        "We use cookies and data to deliver and maintain our services. Accept all or reject all to continue.",
    ),
]

RUNS = [
    # run id, hours after T0, status, feeds fetched, feeds failed, articles new, error
    ("run-1", 0, "completed", 4, 1, 4, None),
    ("run-2", 48, "completed", 4, 1, 3, None),
    ("run-3", 76, "failed", 2, 1, 1, "database locked past 30 s"),
]


def article_id(key: str) -> str:
    """The article id of an ARTICLES key (sha256 of its canonical URL, 24 hex digits)."""
    return hashlib.sha256(_url(key).encode()).hexdigest()[:24]


def _url(key: str) -> str:
    source = next(a[1] for a in ARTICLES if a[0] == key)
    return f"{BASE}/{source}/{key}.html"


def _at(hours: float | None) -> datetime | None:
    return None if hours is None else T0 + timedelta(hours=hours)


def _article_row(key, source, hours, title, flags, story, text, run_id) -> tuple:
    fetched = T0 + timedelta(hours=(hours or 75) + 1)
    return (
        article_id(key),
        _url(key),
        _url(key),
        "127.0.0.1:8765",
        source,
        title,
        ["Staff reporter"],
        _at(hours),
        None,
        "en",
        None,
        source.replace("-", " ").title(),
        ["News"],
        [],
        None,
        text[:120],
        text,
        len(text.split()),
        hashlib.sha256(text.encode()).hexdigest(),
        flags,
        story,
        None,
        fetched,
        run_id,
        run_id,
        "test-1",
        1,
        fetched.date(),
    )


def _insert_articles(con) -> None:
    articles = con.table("articles")
    for index, (key, source, hours, title, flags, story, also, text) in enumerate(ARTICLES):
        run_id = RUNS[min(index // 3, 2)][0]
        articles.insert(_article_row(key, source, hours, title, flags, story, text, run_id))
        fetched = T0 + timedelta(hours=(hours or 75) + 1)
        for name in [source, *also]:
            con.execute(
                "INSERT INTO article_sources VALUES (?, ?, ?)", [article_id(key), name, fetched]
            )
        con.execute(
            "INSERT INTO discoveries (source_name, entry_key, url, title, published_at, state, attempts, article_id, "
            "first_seen_at, last_seen_at, first_run_id) VALUES (?, ?, ?, ?, ?, 'done', 1, ?, ?, ?, ?)",
            [
                source,
                hashlib.sha256(key.encode()).hexdigest(),
                _url(key),
                title,
                _at(hours),
                article_id(key),
                fetched,
                fetched,
                run_id,
            ],
        )
    html = b"<html><body><article><p>" + ARTICLES[0][7].encode() + b"</p></article></body></html>"
    con.execute(
        "INSERT INTO raw_pages (article_id, url, final_url, content_type, html_compressed, html_bytes, fetched_at) "
        "VALUES (?, ?, ?, 'text/html', ?, ?, ?)",
        [
            article_id("bridge-closure"),
            _url("bridge-closure"),
            _url("bridge-closure"),
            zlib.compress(html),
            len(html),
            T0,
        ],
    )
    con.execute(
        "INSERT INTO article_versions VALUES (?, 1, ?, 'An earlier draft of the bridge story.', 'old-hash', ?, 'run-1')",
        [article_id("bridge-closure"), ARTICLES[0][3], T0],
    )
    con.execute(
        "INSERT INTO site_paragraphs VALUES ('127.0.0.1:8765', 'fp-newsletter', ?)",
        [article_id("rates-hold")],
    )
    con.execute(
        "INSERT INTO site_templates VALUES ('127.0.0.1:8765', 'fp-newsletter', ?, TRUE)", [T0]
    )


def _insert_sources_and_log(con) -> None:
    for name, path, fmt, failures, error_class, error, enabled, reason in SOURCES:
        last_success = (
            None if name == "old-radio" else T0 + timedelta(hours=76 if not failures else 26)
        )
        con.execute(
            "INSERT INTO sources (name, url, configured_url, tags, language, enabled, disabled_reason, feed_title, "
            "feed_format, last_fetched_at, last_success_at, next_fetch_at, consecutive_failures, last_error_class, "
            "last_error, added_at) VALUES (?, ?, ?, ['news'], 'en', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                name,
                BASE + path,
                BASE + path,
                enabled,
                reason,
                name.title(),
                fmt,
                T0 + timedelta(hours=76),
                last_success,
                T0 + timedelta(hours=77),
                failures,
                error_class,
                error,
                T0,
            ],
        )
        for run_index, (run_id, hours, *_rest) in enumerate(RUNS):
            failed = failures and run_index >= 3 - failures
            con.execute(
                "INSERT INTO fetch_log VALUES (?, 'feed', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                [
                    run_id,
                    name,
                    BASE + path,
                    BASE + path,
                    (503 if name == "wire" else 410) if failed else 200,
                    error_class if failed else None,
                    error if failed else None,
                    0 if failed else 5120,
                    40.0 + run_index * 10,
                    T0 + timedelta(hours=hours),
                ],
            )
    con.execute(
        "INSERT INTO fetch_log VALUES ('run-2', 'page', 'daily-planet', ?, NULL, NULL, 'timeout', "
        "'read timeout after 20 s', 0, 20000.0, 3, ?)",
        [f"{BASE}/daily-planet/slow-page.html", T0 + timedelta(hours=48)],
    )


def _insert_runs(con) -> None:
    for run_id, hours, status, fetched, failed, new, error in RUNS:
        started = T0 + timedelta(hours=hours)
        con.execute(
            "INSERT INTO ingest_runs (run_id, flow_run_id, started_at, finished_at, status, feeds_total, feeds_fetched, "
            "feeds_failed, entries_seen, entries_new, pages_fetched, articles_new, duration_s, error) "
            "VALUES (?, ?, ?, ?, ?, 5, ?, ?, 12, ?, ?, ?, 4.2, ?)",
            [
                run_id,
                f"flow-{run_id}",
                started,
                started + timedelta(seconds=4.2),
                status,
                fetched,
                failed,
                new,
                new,
                new,
                error,
            ],
        )


def make_analytics_db(path: Path) -> Path:
    """Create a DuckDB file at path (migrations applied by warehouse.db.connect) and fill it.

    Five sources (wire failing, old-radio disabled), eight articles over four days (one story
    carried by two sources, flagged and undated articles), fetch_log rows with failures, and
    three runs. The search index is not built: call warehouse.search.rebuild_search_index.
    """
    with connect(path) as con:
        _insert_sources_and_log(con)
        _insert_articles(con)
        _insert_runs(con)
        queue_everything(con)  # inserted directly, not through the loaders that queue them
    return path


def queue_articles(con, *ids: str) -> None:
    """Queue the partitions of these articles for publishing, as the loaders do for theirs.

    For a test that changes or deletes articles with its own SQL (before deleting them).
    """
    con.execute(
        "INSERT INTO publish_queue SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')"
        " FROM articles WHERE list_contains($ids, article_id)",
        {"ids": list(ids)},
    )


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy the warehouse at source to target: its writer's file, published where it lands.

    The copy is read where it is until its first writable connection moves it in as the
    writer's file of target and publishes it (warehouse.db.connect).
    """
    return Path(shutil.copyfile(writer_path(source), target))


@contextlib.contextmanager
def writer_holding(path: Path, seconds: float = 1.5) -> Iterator[None]:
    """Another process holds the database open for writing, as an ingest batch does, for `seconds`.

    Yields once the file is held; the caller's reads must wait for the writer, not fail.
    """
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from warehouse.db import connect\n"
                "with connect(Path(sys.argv[1])):\n"
                "    print('holding', flush=True); time.sleep(float(sys.argv[2]))"
            ),
            str(path),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.wait(timeout=30)
