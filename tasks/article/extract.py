"""Article extraction: one parse of the page, trafilatura plus newsflow's layers, an Article out."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring
from trafilatura import bare_extraction
from trafilatura.baseline import baseline
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from tasks.article.authors import clean_authors, page_authors
from tasks.article.boilerplate import Cleaned, Line, clean_lines
from tasks.article.language import resolve_language
from tasks.article.metadata import PageMetadata, extract_metadata, page_dates
from tasks.article.templates import remove_template_paragraphs
from tasks.dates import first_plausible, parse_datetimes, url_date
from tasks.dedup import content_hash
from tasks.encoding import decode_html
from tasks.records import Article, FeedEntry

logger = logging.getLogger(__name__)

# 2: trafilatura fast pass first, full pass on short texts; 3: the fast pass is judged by its
# links and the structured body, titles lose site suffixes, authors of caseless scripts;
# 4: a body split by ads read whole, the standfirst under the headline kept, teaser cards dropped;
# 5: a <meta name="headline"> takes the section and site tail off og:title
EXTRACTOR_VERSION = "5"

SPACE = re.compile(r"\s+")
LINE_KINDS = {"head": "head", "list": "item", "quote": "quote", "table": "table", "code": "code"}
# Index, tag, author and search pages: lists of other pages, not an article.
# A listing keyword ending the path: /tag/energy/, /author/jane-doe, /page/2, /archive/2022/05.
LISTING_PATH = re.compile(
    r"/(tags?|category|categories|kategorie|author|autor|search|suche)"
    r"(/[^/]+)?/?$|/(page|seite)/\d+/?$|/(archive|archiv)(/\d+){0,3}/?$|^/?$",
    re.IGNORECASE,
)
# Titles of consent walls ("Before you continue to Google", "Cookie settings").
CONSENT_TITLE = re.compile(
    r"^(before you continue|cookie|consent|privacy (settings|preferences)|"
    r"datenschutz-?einstellungen|einwilligung|zustimmung|avant d'accéder|antes de continuar)",
    re.IGNORECASE,
)
MIN_ANCHOR_CHARS = 20  # shorter link texts ("Home", "More") say nothing about a line
LONG_LINKS = etree.XPath(f"//a[string-length(normalize-space(.)) >= {MIN_ANCHOR_CHARS}]")
TEXT_CONTAINING = etree.XPath("//body//text()[contains(., $p)]")
# Paragraph-level blocks, each once: a list item or quote made of paragraphs counts by those.
FEED_BLOCKS = etree.XPath(".//p|.//h2|.//h3|.//h4|.//li[not(.//p)]|.//blockquote[not(.//p)]|.//pre")
PARAGRAPHS = etree.XPath("//body//p")
HEADINGS = ("h2", "h3", "h4")
# The text after an element, up to the next part of a split body (a bound: pages are long).
FOLLOWING_TEXT = etree.XPath(
    "following::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
    "[position() <= 100]"
)
# The class of a body container, as CMSs name it: "article-body", "story__text", "rich-text".
BODY_CLASS = re.compile(
    r"(article|story|post|entry|news)[-_]*(body|content|text)|articlebody|body[-_]*text|rich[-_]*text",
    re.IGNORECASE,
)
MAX_GAP_CHARS = 50  # between two parts of a split body: an ad's label ("Advertisement")
# Between the parts of a teaser list or of a listing page: titles, links.
GAP_BREAKS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "a"))
LATER_PARTS = etree.XPath(
    "following::*[local-name() = $tag and contains(concat(' ', normalize-space(@class), ' '), $css)]"
)
MIN_LEAD_CHARS = 60
LEAD_PREFIX_CHARS = 40
MAX_LEAD_CHARS = 1500
HEADLINE = etree.XPath("(//body//h1)[1]")
LEAD_SEARCH_ELEMENTS = 200  # elements after the headline searched for a standfirst
FOLLOWING = etree.XPath(f"following::*[position() <= {LEAD_SEARCH_ELEMENTS}]")
MEDIA = etree.XPath(
    "boolean(descendant-or-self::*"
    "[self::img or self::picture or self::figure or self::video or self::iframe])"
)
# The classes CMSs give a standfirst; matched per class name ("article__lead", "teaser-text").
LEAD_CLASS = re.compile(
    r"(?:^|\s|[-_])(lead|intro|introtext|standfirst|teaser-?text|excerpt|summary|chapo|dek|"
    r"subtitle|sub-?headline)(?:$|\s|[-_])",
    re.IGNORECASE,
)
LEAD_SEARCH_LINES = 3  # the body's first lines: where the search for a standfirst ends
# trafilatura runs without its readability/jusText fallbacks first (the costliest part of it);
# a text shorter than this, mostly links or clearly shorter than the page's structured body
# gets the full run, where the fallbacks can find the rest (_plausible_article).
MIN_FAST_CHARS = 1000
# Below this, trafilatura's text is not trusted over the page's structured data.
MIN_TRUSTED_CHARS = 250
# Some sites fill articleBody with the text of the whole page, scripts included.
SCRIPT_TEXT = re.compile(r"function\s*\(|document\.\w|window\.\w|\}\);|var \w+ =")
FULLER_RATIO = 1.3  # another source must be this much longer to replace the extraction
TOO_SHORT_CHARS = 300
LINK_LIST_SHARE = 0.5
LINK_LIST_MIN_LINES = 8
COVERED_SHARE = 0.8  # of a text found in a fuller one: the two are the same article
MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,500})\]\((?:https?://|/)[^)\s]{0,2000}\)")
MARKDOWN_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}([^*\n]{1,500}?)\*{1,2}(?![\w*])")
MARKDOWN_DIRECTIVE = re.compile(r"^\+{3}\S*$")
# A JSON string literal long enough to hold an article's paragraphs.
JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.){500,}"')
HTML_PARAGRAPH = re.compile(r"<(?:p|h[2-4]|li|blockquote)[\s>]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Page:
    """What one extraction knows about the page besides its text."""

    url: str | None
    tree: HtmlElement | None
    meta: PageMetadata
    feed_entry: FeedEntry | None

    @property
    def site_names(self) -> tuple[str | None, ...]:
        return (self.meta.site_name, self.meta.publisher)


def extract_article(
    html: bytes | str,
    url: str | None = None,
    *,
    feed_entry: FeedEntry | None = None,
    template_fingerprints: frozenset[str] = frozenset(),
    max_html_bytes: int | None = None,
) -> Article:
    """Extract the article text and metadata of one page.

    Args:
        html: the page, raw bytes (decoded with tasks.encoding.decode_html) or text.
        url: the page's URL (final URL after redirects), used for dates and absolute links.
        feed_entry: the feed item that pointed at the page; its fields fill gaps and its full
            content replaces a much shorter page extraction.
        template_fingerprints: paragraph fingerprints known to be this site's template
            (tasks.article.templates); those lines are removed from Article.text, not from .paragraphs.
        max_html_bytes: pages larger than this are not parsed (flag "too_large").

    Returns:
        An Article with quality flags (too_short, paywall, consent_page, not_article,
        fallback_extraction); on a page without article text, one with empty text and flags
        such as "empty" or "too_large". Never raises: an unexpected failure inside a dependency
        gives an empty Article flagged "extraction_error".

    """
    try:
        return _extract(html, url, feed_entry, template_fingerprints, max_html_bytes)
    except Exception:  # a bug in a dependency must not cost the batch; the page is flagged
        logger.exception("extraction failed url=%s", url)
        return Article(
            url=url,
            canonical_url=url,
            text="",
            flags=("empty", "extraction_error"),
            extractor_version=EXTRACTOR_VERSION,
        )


# A page short enough for every pass: trafilatura's readability and jusText fallbacks, its
# baseline, htmldate. Their data (jusText's stoplists of every language: ~27 MB) loads lazily.
WARM_UP_PAGE = (
    b"<html lang='en'><head><title>Warm-up</title></head>"
    b"<body><article><p>A short paragraph, so every fallback runs.</p></article></body></html>"
)


def warm_up() -> None:
    """Run one extraction now, so the data every pass loads lazily is in memory.

    The worker pool's fork server calls this: its workers then share one copy instead of each
    loading its own on its first short page.
    """
    extract_article(WARM_UP_PAGE, "http://warm-up.invalid/a")


def score_text(html: bytes, url: str) -> str:
    """Adapter for ../shared/corpus/dev-pages/score.py: the extracted article text."""
    return extract_article(html, url).text


def _extract(
    html: bytes | str,
    url: str | None,
    feed_entry: FeedEntry | None,
    template_fingerprints: frozenset[str],
    max_html_bytes: int | None,
) -> Article:
    flags: list[str] = []
    tree = None
    if max_html_bytes is not None and len(html) > max_html_bytes:
        flags.append("too_large")
    elif html:
        tree = _parse(decode_html(html) if isinstance(html, bytes) else html)
    page = _Page(
        url, tree, extract_metadata(tree, url) if tree is not None else PageMetadata(), feed_entry
    )
    lines = _page_lines(page, flags) if tree is not None else []
    cleaned = clean_lines(lines, page.site_names)
    feed_lines = _feed_lines(feed_entry)
    if _fuller(feed_lines, cleaned.lines):
        cleaned = clean_lines(feed_lines, page.site_names)
        flags.append("fallback_extraction")
    if _is_listing(page, lines):
        flags.append("not_article")
    paragraphs = tuple(line.text for line in cleaned.lines)
    text = remove_template_paragraphs("\n".join(paragraphs), template_fingerprints)
    return _article(page, text, paragraphs, cleaned, flags)


def _parse(text: str) -> HtmlElement | None:
    """The page's tree; a fragment or bare text (which trafilatura refuses) gets a body first."""
    tree = load_html(text)
    if tree is None and text.strip():
        tree = load_html(f"<html><body>{text}</body></html>")
    return tree


def _page_lines(page: _Page, flags: list[str]) -> list[Line]:
    """The page's article lines: trafilatura's, or a fuller source when it falls short."""
    tree = page.tree
    anchors = _anchor_texts(tree, page.meta.title)
    structured = _structured_lines(page.meta.article_body)
    lines = _trafilatura_lines(tree, page.url, anchors, fast=True)
    if not _plausible_article(lines, structured):
        lines = _trafilatura_lines(tree, page.url, anchors, fast=False)
    lines = _with_continuations(tree, lines)
    found_chars = _text_chars(lines)  # a restored standfirst does not make a short find trusted
    lead = _standfirst(tree, lines) or _lead_line(tree, page.meta.description, lines)
    if lead is not None:
        lines.insert(0, lead)
    if structured and len(structured) > len(lines) and _squashed(structured) == _squashed(lines):
        flags.append("fallback_extraction")  # trafilatura took the JSON-LD body, minus its breaks
        return structured
    if _fuller(structured, lines) and _covered(lines, structured):
        flags.append("fallback_extraction")  # the same article, and trafilatura saw only part of it
        return structured
    if found_chars >= MIN_TRUSTED_CHARS:
        return lines
    # trafilatura found (almost) nothing: schema.org articleBody, else trafilatura's baseline,
    # else the body a client-rendered page carries in its scripts
    fallback = structured or _text_lines(baseline(tree)[1]) or _script_lines(tree)
    if _fuller(fallback, lines):
        flags.append("fallback_extraction")
        return fallback
    return lines


def _trafilatura_lines(
    tree: HtmlElement, url: str | None, anchors: str, *, fast: bool
) -> list[Line]:
    document = bare_extraction(tree, url=url, include_comments=False, fast=fast)
    body = getattr(document, "body", None)  # a Document, or None when nothing was found
    return _body_lines(body, anchors) if body is not None else []


def _with_continuations(tree: HtmlElement, lines: list[Line]) -> list[Line]:
    """The lines plus the article's later parts, when ads or embeds split its body in several.

    CMSs cut a long body into blocks of one class ("article-body") with an ad or a teaser
    between them, and trafilatura keeps the first block only. The element holding most of the
    extracted paragraphs is found in the page; the paragraphs of later elements with the same
    tag and body class go in after its last line, each when only an ad or an embed (a short text,
    no headline) stands between it and the part before.
    """
    known = {_normal(line.text) for line in lines}
    extracted = _squashed(lines)
    chars: dict[HtmlElement, int] = {}
    for paragraph in PARAGRAPHS(tree):
        if (text := _normal(paragraph.text_content())) in known:
            parent = paragraph.getparent()
            chars[parent] = chars.get(parent, 0) + len(text)
    body = max(chars, key=chars.__getitem__, default=None)
    if body is None or chars[body] < MIN_TRUSTED_CHARS:
        return lines
    css = next((name for name in body.get("class", "").split() if BODY_CLASS.search(name)), None)
    if css is None:
        return lines
    added: list[Line] = []
    previous = body
    for part in LATER_PARTS(body, tag=body.tag, css=f" {css} "):
        if not _adjacent(previous, part):
            break
        previous = part
        for block in FEED_BLOCKS(part):
            text = _normal(block.text_content())
            if (
                text
                and text not in known
                and _squash(text) not in extracted
                and _link_share(block, text) < LINK_LIST_SHARE
            ):
                known.add(text)
                added.append(Line(text, "head" if block.tag in HEADINGS else "p"))
    if not added:
        return lines
    own = {_normal(p.text_content()) for p in body.iter("p")}
    last = max(
        (i for i, line in enumerate(lines) if _normal(line.text) in own), default=len(lines) - 1
    )
    return lines[: last + 1] + added + lines[last + 1 :]


def _adjacent(part: HtmlElement, later: HtmlElement) -> bool:
    """Whether only an ad or an embed stands between two parts: little text, no headline."""
    gap = 0
    for node in FOLLOWING_TEXT(part):
        holder = node.getparent()
        if holder is later or later in holder.iterancestors():
            return True
        if holder.tag in GAP_BREAKS or (gap := gap + len(node.strip())) > MAX_GAP_CHARS:
            return False
    return False


def _normal(text: str) -> str:
    return " ".join(text.split())


def _link_share(element: HtmlElement, text: str) -> float:
    """The share of the element's text that is link text."""
    linked = sum(len(_normal(anchor.text_content())) for anchor in element.iter("a"))
    return linked / len(text)


def _script_lines(tree: HtmlElement) -> list[Line]:
    """The longest article HTML held in a JSON string of a script, as lines.

    Client-rendered pages (Next.js, Nuxt and their kin) ship the article's HTML as a string in
    their hydration data (self.__next_f.push([1, "<p>..."])) and show nothing without it.
    """
    best: list[Line] = []
    for script in tree.iter("script"):
        code = script.text or ""
        if "\\u003cp" not in code and "<p" not in code:
            continue
        for literal in JSON_STRING.finditer(code):
            try:
                markup = json.loads(literal.group())
            except ValueError:
                continue
            if HTML_PARAGRAPH.search(markup) and _fuller(lines := _html_lines(markup), best):
                best = lines
    return best


def _plausible_article(lines: list[Line], structured: list[Line]) -> bool:
    """Whether the fast pass's text can stand without the full pass.

    Length alone is not enough: a navigation menu or the first paragraph of a long article
    passes any length bar. The text must not be mostly link titles, and not be clearly shorter
    than the article body the page declares in its structured data.
    """
    linked = sum(line.linked for line in lines)
    return (
        _text_chars(lines) >= MIN_FAST_CHARS
        and linked < LINK_LIST_SHARE * len(lines)
        and not _fuller(structured, lines)
    )


def _covered(lines: list[Line], fuller: list[Line]) -> bool:
    """Whether most of the text (by characters) is found in the fuller text, line by line."""
    haystack = _squashed(fuller)
    found = sum(len(line.text) for line in lines if "".join(line.text.split()) in haystack)
    return found >= COVERED_SHARE * _text_chars(lines)


def _text_chars(lines: list[Line]) -> int:
    return sum(len(line.text) for line in lines)


def _squashed(lines: list[Line]) -> str:
    return "".join("".join(line.text for line in lines).split())


def _anchor_texts(tree: HtmlElement, title: str | None) -> str:
    """The texts of the page's links long enough to be titles, without spaces, one a line.

    A line found in it is all link text: a teaser's title, or the summary a teaser card wraps
    in its link along with the title. Spaces are left out because the markup decides them
    (a title and a summary in two blocks of one link are not separated in its text). A teaser
    of the page itself (related lists often hold it) repeats the article's own headline and
    standfirst: links holding the headline (the first <h1>, or the title) are left out.
    """
    own = [_squash(text) for text in (*(h.text_content() for h in HEADLINE(tree)), title or "")]
    own = [text for text in own if len(text) >= MIN_ANCHOR_CHARS]
    # The length test runs inside libxml2: most links are short menu entries.
    texts = (_squash(anchor.text_content()) for anchor in LONG_LINKS(tree))
    return "\n".join(text for text in texts if not any(headline in text for headline in own))


def _squash(text: str) -> str:
    return "".join(text.split())


def _body_lines(body: etree._Element, anchors: str) -> list[Line]:
    """Trafilatura's output tree as lines, each list item and paragraph on its own."""
    lines: list[Line] = []
    for child in body:
        kind = LINE_KINDS.get(child.tag, "p")
        elements = child.findall("item") if child.tag == "list" else [child]
        for element in elements:
            # NFC as trafilatura's own text output: decomposed accents would not match queries.
            for raw in unicodedata.normalize(
                "NFC", xmltotxt(element, include_formatting=False)
            ).split("\n"):
                text = raw.strip()
                if text:
                    linked = len(text) >= MIN_ANCHOR_CHARS and (
                        _squash(text.lstrip("-•* ")) in anchors
                    )
                    lines.append(Line(text, kind, linked))
    return lines


def _text_lines(text: str) -> list[Line]:
    return [Line(line.strip()) for line in text.split("\n") if line.strip()]


def _lead_line(tree: HtmlElement, description: str | None, lines: list[Line]) -> Line | None:
    """The standfirst shown on the page when trafilatura left it out.

    Pages often show their meta description as the lead paragraph, in markup outside the
    article container; it is restored when it is visible in the body and not in the text.
    """
    if not description or len(description) < MIN_LEAD_CHARS:
        return None
    prefix = description[:LEAD_PREFIX_CHARS]
    if any(prefix in SPACE.sub(" ", line.text) for line in lines):
        return None
    for node in TEXT_CONTAINING(tree, p=prefix):
        element = node.getparent()
        while element is not None and element.tag in (
            "a",
            "span",
            "strong",
            "b",
            "em",
            "i",
            "font",
        ):
            element = element.getparent()
        if element is None or element.tag in ("script", "style", "noscript", "template", "title"):
            continue
        text = SPACE.sub(" ", element.text_content()).strip()
        if len(text) > MAX_LEAD_CHARS:  # unclosed markup: the element swallowed the page
            text = SPACE.sub(" ", node).strip()
        if MIN_LEAD_CHARS <= len(text) <= MAX_LEAD_CHARS:
            return Line(text)
    return None


def _standfirst(tree: HtmlElement, lines: list[Line]) -> Line | None:
    """The standfirst between the headline and the body, when trafilatura left it out.

    CMSs mark it by class ("lead", "intro", "standfirst", "teaser-text", "excerpt") and
    trafilatura drops such blocks as teasers; between the page's <h1> and the first extracted
    paragraph, such a block is this article's own summary.
    """
    headline = HEADLINE(tree)
    if not headline or not lines:
        return None
    first = {_normal(line.text) for line in lines[:LEAD_SEARCH_LINES]}
    text = _squashed(lines)
    for element in FOLLOWING(headline[0]):
        if element.tag == "p" and _normal(element.text_content()) in first:
            return None
        if not LEAD_CLASS.search(element.get("class") or "") or MEDIA(element):
            continue  # "lead-image", "intro-video": the lead's picture
        lead = _normal(element.text_content())
        if (
            MIN_LEAD_CHARS <= len(lead) <= MAX_LEAD_CHARS
            and _squash(lead)[:LEAD_PREFIX_CHARS] not in text
            and _link_share(element, lead) < LINK_LIST_SHARE
        ):
            return Line(lead)
    return None


def _fuller(candidate: list[Line], current: list[Line]) -> bool:
    """Whether the candidate text is clearly longer than the current one."""
    size = sum(len(line.text) for line in candidate)
    return size > FULLER_RATIO * sum(len(line.text) for line in current) + 100


def _structured_lines(article_body: str | None) -> list[Line]:
    """schema.org articleBody as lines, unless it is a dump of the whole page with its scripts.

    Some sites put the body's HTML there instead of its text: its paragraphs are read.
    """
    if not article_body or SCRIPT_TEXT.search(article_body):
        return []
    if HTML_PARAGRAPH.search(article_body):
        return _html_lines(article_body)
    # ...or its Markdown: links and emphasis are unwrapped, directive lines ("+++") dropped
    text = MARKDOWN_EMPHASIS.sub(r"\1", MARKDOWN_LINK.sub(r"\1", article_body))
    return [line for line in _text_lines(text) if not MARKDOWN_DIRECTIVE.match(line.text)]


def _feed_lines(feed_entry: FeedEntry | None) -> list[Line]:
    """The lines of the feed's full content (content:encoded and the like), if it has any."""
    if feed_entry is None or not feed_entry.content_html:
        return []
    return _html_lines(feed_entry.content_html)


def _html_lines(markup: str) -> list[Line]:
    """An HTML fragment's paragraph-level blocks as lines."""
    try:
        fragment = fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    blocks = FEED_BLOCKS(fragment)
    texts = [SPACE.sub(" ", block.text_content()).strip() for block in blocks] or [
        SPACE.sub(" ", fragment.text_content()).strip()
    ]
    return [Line(text) for text in texts if text]


def _article(
    page: _Page, text: str, paragraphs: tuple[str, ...], cleaned: Cleaned, flags: list[str]
) -> Article:
    meta, entry = page.meta, page.feed_entry
    published, updated = _dates(page)
    language, declared = resolve_language(
        text, meta.declared_language or (entry.language if entry else None)
    )
    return Article(
        url=page.url,
        canonical_url=meta.canonical_url or page.url,
        text=text,
        title=meta.title or (entry.title if entry else None),
        authors=_authors(page, cleaned),
        published_at=published,
        updated_at=updated,
        language=language,
        declared_language=declared,
        site_name=meta.site_name,
        categories=meta.categories or (entry.categories if entry else ()),
        tags=meta.tags,
        image_url=meta.image_url or (entry.image_url if entry else None),
        summary=meta.description or (entry.summary if entry else None),
        word_count=len(text.split()),
        content_hash=content_hash(text),
        flags=_flags(page, text, cleaned, flags),
        paragraphs=paragraphs,
        extractor_version=EXTRACTOR_VERSION,
    )


def _authors(page: _Page, cleaned: Cleaned) -> tuple[str, ...]:
    """Authors: structured data and the text's byline; else meta tags; else the feed's; else the markup's.

    Meta tags come after the article's own structured data: many sites put the publisher or
    its parent group in <meta name="author"> on every page. The page's byline markup
    (rel="author", "byline" classes) is the least sure and comes last, except that a byline
    naming everyone the other sources name and more is the complete list (metadata often
    names the first author only).
    """
    found = (
        clean_authors(page.meta.authors + cleaned.authors, page.site_names)
        or clean_authors(page.meta.meta_authors, page.site_names)
        or clean_authors(page.feed_entry.authors if page.feed_entry else (), page.site_names)
    )
    byline = page_authors(page.tree, page.site_names) if page.tree is not None else ()
    known = {name.casefold() for name in found}
    return byline if known < {name.casefold() for name in byline} else found


def _dates(page: _Page) -> tuple[datetime | None, datetime | None]:
    """Published and updated times: structured data, meta, URL, feed, page, in that order."""
    now = datetime.now(UTC)
    entry = page.feed_entry
    published_raw, modified_raw = page.meta.published_raw, page.meta.modified_raw
    times = parse_datetimes(published_raw + modified_raw)  # one page: one offset for one clock
    published = first_plausible(
        chain(
            times[: len(published_raw)],
            [url_date(page.url)],
            [entry.published_at if entry else None],
            page_dates(page.tree) if page.tree is not None else (),
        ),  # lazy: the slowest source
        now,
    )
    updated = first_plausible(
        chain(
            times[len(published_raw) :],
            [entry.updated_at if entry else None],
        ),
        now,
    )
    if published is not None and updated is not None and updated < published:
        updated = None
    return published, updated


def _flags(page: _Page, text: str, cleaned: Cleaned, flags: list[str]) -> tuple[str, ...]:
    """Quality flags: empty, too_short, paywall, consent_page, plus those found on the way."""
    found = list(flags)
    if not text:
        found.append("empty")
    elif len(text) < TOO_SHORT_CHARS:
        found.append("too_short")
    if page.meta.free_access is False or "paywall" in cleaned.signals:
        found.append("paywall")
    # A consent wall leaves little besides its notice; a notice above an article is just removed.
    if CONSENT_TITLE.search(page.meta.title or "") or (
        "consent" in cleaned.signals and len(text) < TOO_SHORT_CHARS
    ):
        found.append("consent_page")
    return tuple(dict.fromkeys(found))


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path if "://" in url else "-"
    except ValueError:
        return "-"


def _is_listing(page: _Page, lines: list[Line]) -> bool:
    """An index, tag or author page: typed so, at such a path, or mostly a list of links."""
    if page.tree is None or page.meta.is_article_typed:
        return False
    url = page.url or ""
    if page.meta.is_listing_typed or ("?" not in url and LISTING_PATH.search(_url_path(url))):
        return True
    linked = sum(line.linked for line in lines)
    return len(lines) >= LINK_LIST_MIN_LINES and linked >= LINK_LIST_SHARE * len(lines)
