"""Managing the feeds file: discovering a site's feeds, OPML import and export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from config.settings import Settings
from config.sources import Source, load_sources, sources_toml
from tasks.feeds.discover import COMMON_FEED_PATHS, find_feed_links
from tasks.feeds.opml import parse_opml
from tasks.feeds.parse import parse_feed
from tasks.fetcher.client import Fetcher
from tasks.urls import normalize_url

SLUG_BREAK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class FeedCandidate:
    """A feed found on a site: where it is, what it calls itself, how many entries it has."""

    url: str
    title: str | None
    format: str
    entries: int


def discover_feeds(site_url: str, settings: Settings) -> list[FeedCandidate]:
    """Feeds of a site, of which only URLs that parse as feeds count.

    The URL itself if it is a feed, else its <link rel=alternate> feeds, else whichever common
    feed paths answer with a feed.
    """
    with Fetcher(settings) as fetcher:
        page = fetcher.fetch(site_url, kind="discovery")
        if not page.ok:
            return []
        own = _candidate(page.final_url, page.body, page.content_type)
        if own:
            return [own]
        links = find_feed_links(page.body, page.final_url) or [
            urljoin(page.final_url, p) for p in COMMON_FEED_PATHS
        ]
        found = [
            _candidate(result.final_url, result.body, result.content_type)
            for result in fetcher.fetch_many(links, kind="discovery")
            if result.ok
        ]
    order = {url: index for index, url in enumerate(links)}
    return sorted((c for c in found if c), key=lambda c: order.get(c.url, len(order)))


def _candidate(url: str, body: bytes, content_type: str | None) -> FeedCandidate | None:
    parsed = parse_feed(body, url, content_type=content_type)
    if parsed.error_class:
        return None
    return FeedCandidate(
        url=url, title=parsed.title, format=parsed.format, entries=len(parsed.entries)
    )


def source_name(candidate: FeedCandidate, taken: set[str]) -> str:
    """A readable, unique name: the feed's title (or host) as a slug."""
    base = SLUG_BREAK.sub(
        "-", (candidate.title or urlsplit(candidate.url).hostname or "feed").lower()
    ).strip("-")
    base = base[:48] or "feed"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def add_sources(feeds_file: Path, new: list[Source]) -> list[Source]:
    """Append sources whose URL the feeds file does not list yet; returns those added.

    Appending keeps the file's comments and layout.
    """
    existing = load_sources(feeds_file) if feeds_file.exists() else []
    known = {normalize_url(s.url) for s in existing}
    taken = {s.name for s in existing}
    added = []
    for source in new:
        if normalize_url(source.url) in known:
            continue
        name, n = source.name, 2
        while name in taken:
            name, n = f"{source.name}-{n}", n + 1
        added.append(Source(name=name, url=source.url, tags=source.tags, language=source.language))
        known.add(normalize_url(source.url))
        taken.add(name)
    if added:
        with feeds_file.open("a", encoding="utf-8") as handle:
            handle.write("\n" + sources_toml(added))
    return added


def import_opml(feeds_file: Path, opml_file: Path) -> list[Source]:
    """Add the feeds of an OPML subscription list; raises ValueError for a bad OPML file."""
    return add_sources(feeds_file, parse_opml(opml_file.read_bytes()))
