"""Author names: bylines found in the text or the page's markup, and the filter that keeps persons."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

from tasks.article.metadata import element_text

# @class first: the costly contains() then runs only on elements that have a class
BYLINE_ELEMENTS = etree.XPath(
    "//a[@rel='author'] | //*[@class][contains(@class, 'byline') or contains(@class, 'author-name') "
    "or contains(@class, 'author__name')]"
)
MAX_BYLINE_ELEMENTS = 10  # further down are teasers of other articles and comments
BYLINE_PREFIX = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|words\s+by|text\s+(?:by|von)|(?:verfasst|geschrieben)\s+von|"
    r"escrito\s+por|écrit\s+par|scritto\s+da|geschreven\s+door|by|from|von|par|por|di|door|"
    r"autor(?:in)?|autore|auteur|author|text|texto|tekst)\s*[:.]?(?:\s+|$)",
    re.IGNORECASE,
)
AUTHOR_LIST_SEPARATOR = re.compile(r"\s*[,;|/•·]\s*")
AUTHOR_CONJUNCTION = re.compile(r"\s+(?:and|&|und|et|y|e|en|i|oraz|og|och)\s+", re.IGNORECASE)
# A part that is a job title, not a person ("Staff Writer", "Redakteur", "correspondent").
ROLE = re.compile(
    r"\b(?:staff|writer|reporter|editor|editorial|correspondent|contributor|columnist|"
    r"photographer|producer|journalist|freelance|senior|chief|desk|intern|"
    r"redakteur(?:in)?|redaktion|korrespondent(?:in)?|journalistin|mitarbeiter(?:in)?|"
    r"rédact(?:eur|rice)|journaliste|correspondant|envoyée?|spécial|redactora?|periodista|"
    r"corresponsal|giornalista|redattore|inviat[oa]|jornalista|redator|correspondente|"
    r"verslaggever|redacteur|dziennikarz|redaktor)\b",
    re.IGNORECASE,
)
GENERIC_AUTHORS = frozenset(
    {"admin", "administrator", "editor", "editors", "staff", "team", "guest", "webmaster",
     "anonymous", "unknown", "null", "none", "user", "gast", "autor", "autorin", "author", "auteur"}
)  # fmt: skip
# Lowercase words allowed inside a name: nobiliary particles, not sentence words.
NAME_PARTICLES = frozenset(
    {"von", "van", "de", "der", "den", "da", "das", "del", "della", "di", "du", "le", "la",
     "dos", "zu", "bin", "al", "el", "ter", "ten", "y", "st."}
)  # fmt: skip
NOT_A_NAME = re.compile(
    r"\d|@|https?:|www\.|\.(?:com|net|org|de|fr|es|it|pl)\b|\b(?:bild|fotos?|photos?|image)\s*:",
    re.IGNORECASE,
)
# A newsroom, agency desk or company, not a person: "Redacción Trome", "Newsdesk", "ACME GmbH".
NEWSROOM = re.compile(
    r"\b(?:redaktion|redacción|redakcja|rédaction|redazione|redação|redactie|newsroom|newsdesk|"
    r"agencies|agencias|agenturen|gmbh|ag|inc|ltd|llc|plc|corp|kg|srl|spa|verlag|media|group|sponsored|"
    r"zeitung|magazine?)\b\.?",
    re.IGNORECASE,
)
MAX_NAME_WORDS = 5
MIN_PEN_NAME_CHARS = 3  # a one-word name shorter than this is an initial or a fragment
MAX_ACRONYM_CHARS = 3  # "AFP" stays as written; "JANE DOE" is title-cased


def page_authors(tree: HtmlElement, site_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Author names of the first byline in the page's markup (rel="author", "byline" classes).

    Only the first byline that names someone counts: later ones belong to teasers of other
    articles and to comments.
    """
    for element in BYLINE_ELEMENTS(tree)[:MAX_BYLINE_ELEMENTS]:
        if names := clean_authors([element_text(element)], site_names):
            return names
    return ()


def clean_authors(raw: Iterable[str], site_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Person names from raw author strings and bylines, split and cleaned.

    "By Jane Doe and John Roe" gives two names; roles ("Staff Writer"), dates, e-mail and web
    addresses, generic accounts ("admin") and the site's own name are dropped.

    Args:
        raw: author strings as found (meta tags, JSON-LD, byline lines).
        site_names: names of the site or publisher, never accepted as authors.

    Returns:
        Distinct names in the order found; empty when nothing looks like a person's name.

    """
    sites = [name.casefold() for name in site_names if name]
    names: dict[str, str] = {}
    for value in raw:
        parts = AUTHOR_LIST_SEPARATOR.split(BYLINE_PREFIX.sub("", value.strip()))
        for part in parts:
            # "Jane Doe, Staff Writer": the role goes as a whole, before splitting on "and".
            if ROLE.search(part) or NEWSROOM.search(part):
                continue
            for candidate in AUTHOR_CONJUNCTION.split(part):
                name = _clean_name(candidate, single_word_ok=len(parts) == 1)
                if name and not any(_contains_words(name.casefold(), site) for site in sites):
                    names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _contains_words(name: str, site: str) -> bool:
    """Whether the site's name is the author's name or a whole-word part of it."""
    return f" {site} " in f" {name} "


def _clean_name(part: str, *, single_word_ok: bool) -> str | None:
    """A person's name, or None when the part is a role, a date, an address or not a name.

    A one-word name is taken only when it was the whole value: in "ACME, Frankfurt, Germany"
    the single words are places and firms, while "Cornel" alone is a pen name.
    """
    part = BYLINE_PREFIX.sub("", part.strip(" \t-–—:()[]\"'")).strip()
    words = part.split()
    if not words or len(words) > MAX_NAME_WORDS or NOT_A_NAME.search(part):
        return None
    if len(words) == 1 and (
        not single_word_ok or part.casefold() in GENERIC_AUTHORS or len(part) < MIN_PEN_NAME_CHARS
    ):
        return None
    if any(not w[0].isupper() and w.casefold() not in NAME_PARTICLES for w in words):
        return None
    if all(w.casefold() in NAME_PARTICLES for w in words):
        return None
    return part.title() if part.isupper() and len(part) > MAX_ACRONYM_CHARS else part
