"""The demo sites rendered from data: site.toml, articles and templates into pages and feeds."""

from __future__ import annotations

import hashlib
import html
import json
import math
import mimetypes
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

BASE_URL_MARK = "{{BASE_URL}}"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
BLANK_LINES = re.compile(r"\n\s*\n")
WORD = re.compile(r"\w+")
# Validators must survive restarts, so static files carry a fixed date rather than their mtime.
STATIC_DATE = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
    "news-sitemap": "application/xml",
}
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class _Article:
    key: str  # "<site>/<file stem>", how site.toml refers to the article
    path: str  # URL path on the demo server
    site: dict[str, Any]
    data: dict[str, Any]  # the article's TOML


@dataclass(frozen=True, slots=True)
class SiteContent:
    """Everything below the demo root that the pages and feeds are rendered from."""

    sites: dict[str, dict[str, Any]]
    feeds: list[dict[str, Any]]
    articles: list[_Article]  # newest first
    templates: dict[str, str]  # by path below templates/
    static: dict[str, Path]  # URL path -> file


def load_content(root: Path) -> SiteContent:
    """Read site.toml, the article files, the templates and the static files below root.

    Args:
        root: directory holding site.toml, articles/, templates/ and static/.

    Returns:
        The content, articles newest first.

    Raises:
        OSError, tomllib.TOMLDecodeError, KeyError: a file is missing, unreadable or incomplete.

    """
    config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    sites = {site["slug"]: site for site in config["sites"]}
    articles = []
    for file in sorted((root / "articles").glob("*/*.toml")):
        site = sites[file.parent.name]
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        path = site["article_path"].format(
            slug=file.stem, date=data["published"], section=_slug(data["section"])
        )
        articles.append(_Article(f"{site['slug']}/{file.stem}", path, site, data))
    articles.sort(key=lambda article: (article.data["published"], article.key), reverse=True)
    templates = {
        file.relative_to(root / "templates").as_posix(): file.read_text(encoding="utf-8")
        for file in (root / "templates").rglob("*")
        if file.is_file()
    }
    static = {
        "/" + file.relative_to(root / "static").as_posix(): file
        for file in (root / "static").rglob("*")
        if file.is_file()
    }
    return SiteContent(sites, config["feeds"], articles, templates, static)


def _fill(template: str, context: dict[str, str]) -> str:
    """Replace {{name}} placeholders; {{BASE_URL}} stays until the server knows its port."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        # A KeyError here names a placeholder that a template uses and no renderer provides.
        return match.group(0) if name == "BASE_URL" else context[name]

    return PLACEHOLDER.sub(value, template)


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _escaped(values: dict[str, Any]) -> dict[str, str]:
    return {name: html.escape(str(value)) for name, value in values.items()}


def _body_html(body: str) -> str:
    """Render blank-line separated blocks: '## ' heading, '> ' quote, '<' raw HTML, else <p>."""
    blocks = []
    for block in BLANK_LINES.split(body.strip()):
        text = " ".join(line.strip() for line in block.splitlines())
        if text.startswith("<"):
            blocks.append(block.strip())
        elif text.startswith("## "):
            blocks.append(f"<h2>{html.escape(text[3:])}</h2>")
        elif text.startswith("> "):
            blocks.append(f"<blockquote><p>{html.escape(text[2:])}</p></blockquote>")
        else:
            blocks.append(f"<p>{html.escape(text)}</p>")
    return "\n".join(blocks)


def _modified(article: _Article) -> datetime:
    modified: datetime = article.data.get("modified", article.data["published"])
    return modified


def _summary_values(article: _Article) -> dict[str, Any]:
    """Collect the fields every view of an article uses: pages, related lists, feed items."""
    data, site = article.data, article.site
    published = data["published"]
    return {
        "url": BASE_URL_MARK + article.path,
        "title": data["title"],
        "description": data["summary"],
        "author": data["author"],
        "author_slug": _slug(data["author"]),
        "section": data["section"],
        "section_slug": _slug(data["section"]),
        "lang": data.get("language", site["language"]),
        "image_url": f"{BASE_URL_MARK}{site['path']}images/{article.key.split('/')[1]}.jpg",
        "published_iso": published.isoformat(),
        "published_human": f"{published.day} {published:%B %Y}",
        "modified_iso": _modified(article).isoformat(),
        "reading_minutes": math.ceil(len(WORD.findall(data["body"])) / 230),
        "guid": f"tag:demo.newsflow,2024:{article.key}",
    }


def _jsonld(article: _Article, values: dict[str, Any]) -> str:
    """schema.org metadata as the site's CMS would emit it; '</' escaped for the script element."""
    data = {
        "@context": "https://schema.org",
        "@type": article.site["schema_type"],
        "headline": values["title"],
        "description": values["description"],
        "image": [values["image_url"]],
        "datePublished": values["published_iso"],
        "dateModified": values["modified_iso"],
        "author": [{"@type": "Person", "name": values["author"]}],
        "publisher": {"@type": "Organization", "name": article.site["title"]},
        "mainEntityOfPage": {"@type": "WebPage", "@id": values["url"]},
        "articleSection": values["section"],
        "keywords": article.data.get("tags", []),
        "inLanguage": values["lang"],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


def _related(article: _Article, content: SiteContent) -> list[_Article]:
    """Pick the three stories of the same site published just before this one (wrapping around)."""
    same_site = [other for other in content.articles if other.site is article.site]
    start = same_site.index(article) + 1
    return [same_site[(start + i) % len(same_site)] for i in range(min(3, len(same_site) - 1))]


def _link_list(articles: list[_Article]) -> str:
    return "\n".join(
        f'<li><a href="{BASE_URL_MARK}{a.path}">{html.escape(a.data["title"])}</a></li>'
        for a in articles
    )


def _render_article(article: _Article, content: SiteContent) -> str:
    """One article page in its site's theme."""
    theme = article.site["theme"]
    values = _summary_values(article)
    values["caption"] = article.data["caption"]
    values["credit"] = article.data["credit"]
    values["author_bio"] = article.site.get("authors", {}).get(article.data["author"], "")
    values["post_id"] = int(hashlib.sha256(article.key.encode()).hexdigest()[:4], 16)
    related_template = content.templates[f"{theme}/related.html"]
    context = _escaped(values) | {
        "body": _body_html(article.data["body"]),
        "jsonld": _jsonld(article, values),
        "related": "\n".join(
            _fill(related_template, _escaped(_summary_values(other)))
            for other in _related(article, content)
        ),
        "recent": _link_list([a for a in content.articles if a.site is article.site][:5]),
        "tag_links": ", ".join(
            f'<a href="{BASE_URL_MARK}{article.site["path"]}tag/{html.escape(tag.lower())}/" '
            f'rel="tag">{html.escape(tag)}</a>'
            for tag in article.data.get("tags", [])
        ),
        "site_title": html.escape(article.site["title"]),
        "site_url": BASE_URL_MARK + article.site["path"],
    }
    return _fill(content.templates[f"{theme}/article.html"], context)


def _render_index(title: str, lang: str, items: str, content: SiteContent) -> str:
    return _fill(
        content.templates["index.html"], {"title": html.escape(title), "lang": lang, "items": items}
    )


def _feed_items(feed: dict[str, Any], content: SiteContent) -> list[dict[str, Any]]:
    """List a feed's entries, newest first: its articles (default: all its site's) plus extras."""
    by_key = {article.key: article for article in content.articles}
    keys = feed.get("articles") or [
        a.key for a in content.articles if a.site["slug"] == feed["site"]
    ]
    items = []
    for key in keys:
        article = by_key[key]
        values = _summary_values(article)
        values["published"], values["modified"] = article.data["published"], _modified(article)
        values["body_html"] = _body_html(article.data["body"])
        items.append(values)
    for extra in feed.get("extra", []):
        published = extra["published"]
        items.append(
            {
                "url": BASE_URL_MARK + extra["path"],
                "published": published,
                "modified": published,
                "guid": f"tag:demo.newsflow,2024:{extra['path'].strip('/')}",
                "body_html": "",
                **extra,
            }
        )
    query = feed.get("link_query")
    for item in items:
        item["link"] = f"{item['url']}?{query}" if query else item["url"]
    return sorted(items, key=lambda item: item["published"], reverse=True)


def _xml_item_context(item: dict[str, Any], feed: dict[str, Any]) -> dict[str, str]:
    values = {
        key: item[key] for key in ("title", "link", "guid", "author", "section", "description")
    }
    values.update(
        published_rfc822=format_datetime(item["published"]),
        published_iso=item["published"].isoformat(),
        modified_iso=item["modified"].isoformat(),
    )
    context = _escaped(values)
    # Only RSS has a place for the full article; the other formats link to the page.
    full = feed.get("full_content") and item["body_html"]
    context["content"] = (
        f"<content:encoded><![CDATA[{item['body_html']}]]></content:encoded>" if full else ""
    )
    return context


def _json_feed(feed: dict[str, Any], site: dict[str, Any], items: list[dict[str, Any]]) -> str:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed["title"],
        "home_page_url": BASE_URL_MARK + site["path"],
        "feed_url": BASE_URL_MARK + feed["path"],
        "description": site["tagline"],
        "language": site["language"],
        "items": [
            {
                "id": item["guid"],
                "url": item["link"],
                "title": item["title"],
                "summary": item["description"],
                "content_text": item["description"],
                "date_published": item["published"].isoformat(),
                "date_modified": item["modified"].isoformat(),
                "authors": [{"name": item["author"]}],
                "tags": [item["section"]],
                "language": item.get("lang", site["language"]),
            }
            for item in items
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _render_feed(feed: dict[str, Any], content: SiteContent) -> tuple[str, datetime]:
    """Render a feed document; also return the date of its newest entry (its Last-Modified)."""
    site = content.sites[feed["site"]]
    items = _feed_items(feed, content)
    updated = max(item["modified"] for item in items)
    if feed["format"] == "jsonfeed":
        return _json_feed(feed, site, items), updated
    channel = _escaped(
        {
            "name": feed["name"],
            "title": feed["title"],
            "description": site["tagline"],
            "language": site["language"],
            "site_title": site["title"],
            "updated_rfc822": format_datetime(updated),
            "updated_iso": updated.isoformat(),
        }
    ) | {"site_url": BASE_URL_MARK + site["path"], "feed_url": BASE_URL_MARK + feed["path"]}
    item_template = content.templates[f"feeds/{feed['format']}-item.xml"]
    channel["items"] = "\n".join(
        _fill(item_template, channel | _xml_item_context(item, feed)) for item in items
    )
    return _fill(content.templates[f"feeds/{feed['format']}.xml"], channel), updated


def _static_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def render_site(content: SiteContent) -> dict[str, tuple[str, str, datetime]]:
    """Render every servable path before a port is bound: pages, indexes, feeds, static files.

    Args:
        content: what load_content read.

    Returns:
        URL path -> (text, content type, last modified); links in the text start with
        BASE_URL_MARK, which the server replaces with its address.

    Raises:
        KeyError: a template uses a placeholder that no renderer provides.

    """
    pages: dict[str, tuple[str, str, datetime]] = {}
    for article in content.articles:
        page = _render_article(article, content)
        pages[article.path] = (page, HTML_TYPE, _modified(article))
    for site in content.sites.values():
        own = [a for a in content.articles if a.site is site]
        page = _render_index(site["title"], site["language"], _link_list(own), content)
        pages[site["path"]] = (page, HTML_TYPE, max(map(_modified, own)))
    links = [(site["path"], site["title"]) for site in content.sites.values()]
    links += [(feed["path"], f"{feed['title']} ({feed['format']})") for feed in content.feeds]
    items = "\n".join(
        f'<li><a href="{BASE_URL_MARK}{path}">{html.escape(label)}</a></li>'
        for path, label in links
    )
    root = _render_index("newsflow demo sites", "en", items, content)
    pages["/"] = (root, HTML_TYPE, max(map(_modified, content.articles)))
    for feed in content.feeds:
        text, updated = _render_feed(feed, content)
        content_type = FEED_TYPES[feed["format"]] + "; charset=utf-8"
        pages[feed["path"]] = (text, content_type, updated)
    for path, file in content.static.items():
        text = file.read_text(encoding="utf-8")
        pages[path] = (text, _static_type(file), STATIC_DATE)
    return pages
