"""Author names: bylines found in the text or the page's markup, and the filter that keeps persons."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

from tasks.article.metadata import element_text, names_site

# @class first: the costly contains() then runs only on elements that have a class. Any class
# naming an author counts ("authorname", "article__author", "metaInfoAuthorList"): what is not
# a short name (a bio, an avatar) is rejected by the name filter and the next element is tried.
# Buttons and forms ("Follow", "Cancel" in an author box) and menus name no one; nor do the
# readers who wrote comments: "comment-author" classes and the lists and widgets of comments
# (a page-wide class such as <body class="has-comments"> is no comment).
BYLINE_ELEMENTS = etree.XPath(
    "//a[@rel='author'] | //*[@class][contains(@class, 'byline') or contains(translate(@class, "
    "'AUTHOR', 'author'), 'author')][not(self::body or self::html or self::article)]"
    "[not(ancestor-or-self::button or ancestor-or-self::form or ancestor::nav)]"
    "[not(contains(@class, 'comment') or ancestor::*[self::ol or self::ul or self::li or "
    "self::aside][contains(@class, 'comment') or contains(@id, 'comment')])]"
)
MAX_BYLINE_ELEMENTS = 10  # further down are teasers of other articles and comments
# The sign-off that closes an article on many sites (Vietnamese, Indonesian, Spanish ones among
# them): a right-aligned paragraph that is nothing but a name in bold.
SIGN_OFFS = etree.XPath(
    "//p[contains(translate(@style, ' ', ''), 'text-align:right')]"
    "[normalize-space(.) = normalize-space(strong | b)]"
)
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
     "anonymous", "unknown", "null", "none", "user", "gast", "autor", "autorin", "author", "auteur",
     # the "News" account a CMS posts agency copy under
     "news", "nachrichten", "noticias", "notizie", "nouvelles", "nieuws", "haberler", "nyheter",
     # the follow buttons inside author boxes
     "follow", "folgen", "suivre", "seguir", "segui", "volgen", "obserwuj", "следить"}
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
# "Anna Muster (amu)": the initials newsrooms sign short items with, after the name.
SIGNATURE_INITIALS = re.compile(r"\s*\(\s*[^\W\d_]{1,5}\.?\s*\)$")
# CJK bylines put the role after the name with or without a space: "신현주 기자", "松岡大地記者".
TRAILING_CJK_ROLE = re.compile(r"\s*(?:기자|특파원|논설위원|記者|记者|特派員|特派员|編集委員)$")
# A login name, not a person's ("jane.doe", "sauli.giliard"): letters joined by a dot or "_".
USER_NAME = re.compile(r"^[^\W\d_]{2,}[._][^\W\d_]{2,}$")
MAX_NAME_WORDS = 5
MIN_PEN_NAME_CHARS = 3  # a one-word name shorter than this is an initial or a fragment
MIN_CASELESS_NAME_CHARS = 2  # two Han characters are a full name (岳弘彬, 牛镛)
MAX_ACRONYM_CHARS = 3  # "AFP" stays as written; "JANE DOE" is title-cased


def page_authors(tree: HtmlElement, site_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Author names of the first byline in the page's markup, else of the article's sign-off.

    Bylines are rel="author" links and elements classed "byline" or "author"; only the first
    that names someone counts: later ones belong to teasers of other articles and to comments.
    The sign-off is the last right-aligned paragraph in bold alone, where the article ends.
    """
    for element in BYLINE_ELEMENTS(tree)[:MAX_BYLINE_ELEMENTS]:
        # Names in sibling elements (<span>Jane Doe</span><span>John Roe</span>) are one name
        # each; their joined text would read as one over-long name, or fuse "DoeJohn".
        parts = [text for child in element if (text := element_text(child))]
        # one list, so that a lone word among them ("Artikel", "Share") is not a pen name
        if (len(parts) > 1 and (names := clean_authors(["; ".join(parts)], site_names))) or (
            names := clean_authors([element_text(element)], site_names)
        ):
            return names
    sign_offs = SIGN_OFFS(tree)
    return clean_authors([element_text(sign_offs[-1])], site_names) if sign_offs else ()


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
    sites = tuple(site_names)  # read once per name
    names: dict[str, str] = {}
    for value in raw:
        parts = AUTHOR_LIST_SEPARATOR.split(BYLINE_PREFIX.sub("", value.strip()))
        for part in parts:
            part = TRAILING_CJK_ROLE.sub("", part.strip())  # noqa: PLW2901 - the part, role cut
            # "Jane Doe, Staff Writer": the role goes as a whole, before splitting on "and".
            if ROLE.search(part) or NEWSROOM.search(part):
                continue
            for candidate in AUTHOR_CONJUNCTION.split(part):
                name = _clean_name(candidate, single_word_ok=len(parts) == 1)
                if name and not names_site(name, sites):
                    names.setdefault(name.casefold(), name)
    return _without_joined_names(tuple(names.values()))


def _without_joined_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names without those that are two or more of the others run together.

    A byline read as one text and again name by name gives "Jane Doe John Roe" beside
    "Jane Doe" and "John Roe".
    """
    words = {name: name.casefold().split() for name in names}

    def joined(rest: list[str], exclude: str) -> bool:
        return not rest or any(
            other != exclude and rest[: len(w)] == w and joined(rest[len(w) :], exclude)
            for other, w in words.items()
            if len(w) < len(words[exclude])
        )

    return tuple(name for name in names if not joined(words[name], name))


def _clean_name(part: str, *, single_word_ok: bool) -> str | None:
    """A person's name, or None when the part is a role, a date, an address or not a name.

    A one-word name is taken only when it was the whole value: in "ACME, Frankfurt, Germany"
    the single words are places and firms, while "Cornel" alone is a pen name.
    """
    part = SIGNATURE_INITIALS.sub("", part.strip())
    part = BYLINE_PREFIX.sub("", part.strip(" \t-–—:()[]\"'")).strip()
    words = part.split()
    if not words or len(words) > MAX_NAME_WORDS or NOT_A_NAME.search(part) or USER_NAME.match(part):
        return None
    # Scripts without letter case (Han, kana, Hangul, Devanagari) have no capital to check.
    caseless = not any(w[0].isupper() or w[0].islower() for w in words)
    min_chars = MIN_CASELESS_NAME_CHARS if caseless else MIN_PEN_NAME_CHARS
    if len(words) == 1 and (
        not single_word_ok or part.casefold() in GENERIC_AUTHORS or len(part) < min_chars
    ):
        return None
    if any(w[0].islower() and w.casefold() not in NAME_PARTICLES for w in words):
        return None
    # a particle ends no name: "Kommentar von", "Un reportage de" are a byline's lead-in
    if words[-1].casefold() in NAME_PARTICLES:
        return None
    return part.title() if part.isupper() and len(part) > MAX_ACRONYM_CHARS else part
