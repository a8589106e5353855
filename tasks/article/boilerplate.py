"""Boilerplate in extracted text: prompts, credits, bylines, bios, related lists, comment forms."""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tasks.article.authors import BYLINE_PREFIX, ROLE, clean_authors

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Line:
    """One line (paragraph) of extracted text and what it was in the page."""

    text: str
    kind: str = "p"  # p | head | item | quote | table | code
    linked: bool = False  # the whole line is the text of one link of the page
    key: str = field(default="", compare=False)  # what the rules match: see _key

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", _key(self.text))


@dataclass(slots=True)
class Cleaned:
    """The article lines that survived, the byline authors found, and what was seen."""

    lines: list[Line]
    authors: tuple[str, ...] = ()
    signals: set[str] = field(default_factory=set)  # paywall, consent, comment_form, related


PATTERNS_FILE = Path(__file__).with_name("boilerplate.toml")
PROMPT_MAX_CHARS = 300  # a prompt or credit is a short line; longer lines are article text
LABEL_MAX_CHARS = 100
TOP_LINES = 6  # bylines, breadcrumbs and date lines sit in the first lines
BODY_LINE_CHARS = 150  # a line this long is article text: what follows is no longer top matter
TAIL_LINES = 4  # author bios sit in the last lines
TEASER_MAX_CHARS = 160
HEADING_MAX_CHARS = 60
CRUMB_MIN_SEPARATORS = 2
CRUMB_MAX_WORDS = 4  # per part of a "Home > Politics > Europe" line
CRUMB_ITEM_MAX_WORDS = 3  # per list item of a breadcrumb list
PERSON_WORDS = range(2, 5)  # a name line over an author bio
BIO_MAX_LINES = 2


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


with PATTERNS_FILE.open("rb") as patterns_file:
    _TABLES = tomllib.load(patterns_file)

# Each category's patterns match at the start of a short line (PROMPT_MAX_CHARS).
LINE_RULES: dict[str, re.Pattern[str]] = {
    name: _rx(*patterns) for name, patterns in _TABLES["line_start"].items()
}
COMMENT_FORM = LINE_RULES["comment_form"]
RELATED = LINE_RULES["related"]
PHRASE_SOURCES: dict[str, list[str]] = _TABLES["phrases"]
PHRASE_HINTS: tuple[str, ...] = tuple(_TABLES["phrase_hints"]["hints"])
_PROMPTS = _TABLES["two_word_prompts"]
NEWSLETTER_WORDS: tuple[str, ...] = tuple(_PROMPTS["newsletter_words"])
NEWSLETTER_ASK = re.compile(rf"\b({'|'.join(_PROMPTS['newsletter_asks'])})", re.IGNORECASE)
SOCIAL_WORDS: tuple[str, ...] = tuple(_PROMPTS["social_words"])
# ...or "Follow The Daily Planet on Instagram"
SOCIAL_ASK = re.compile(
    rf"\b({'|'.join(_PROMPTS['social_asks'])})|^follow \S.{{0,40}} on\b", re.IGNORECASE
)
_LABELS = _TABLES["labels"]
# A caption ending in its credit: "Putin in Moscow. © Vitaliy Belousov / Imago Pictures"
TRAILING_CREDIT = re.compile(
    rf"(?:©|\(c\)|\b(?:{'|'.join(_LABELS['credit_words'])})s?\s*:)\s*[^.!?]{{2,80}}\)?\.?$",
    re.IGNORECASE,
)
UI_TEXT = _rx(*_LABELS["ui_text"])
LABEL_LINE = re.compile(
    rf"^({'|'.join(_LABELS['date_labels'])})\s*[:|]?\s*(?P<value>.{{0,60}})$", re.IGNORECASE
)
TAXONOMY_LINE = re.compile(
    rf"^({'|'.join(_LABELS['taxonomy_headings'])})$|"
    rf"^({'|'.join(_LABELS['taxonomy_labels'])})\s*[:|]\s*[^.!?]{{0,80}}$",
    re.IGNORECASE,
)
HOME_CRUMB = re.compile(rf"^({'|'.join(_LABELS['home_crumbs'])})$", re.IGNORECASE)
SECTION_HEAD = _rx(*_LABELS["section_heads"])
MONTHS = "|".join(_TABLES["dates"]["months"])
DATE_ANCHOR = re.compile(
    rf"\b(\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}:\d{{2}}|"
    rf"{MONTHS})\b",
    re.IGNORECASE,
)
# Everything a line that is only a date or time may contain besides the date itself.
DATE_TOKENS = re.compile(
    rf"\b({MONTHS}|{'|'.join(_TABLES['dates']['words'])})\b|\d+|[^\w]", re.IGNORECASE
)
_BIO = _TABLES["bio"]
BIO_SENTENCE = re.compile(
    rf"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){{1,3}} (?:{'|'.join(_BIO['verbs'])})\s+"
    rf"(?:{'|'.join(_BIO['articles'])})\b.{{0,300}}\b(?i:{'|'.join(_BIO['roles'])})"
)
CRUMB_SEPARATOR = re.compile(r"\s[»›>/|]\s|\s»|»\s")
PIPE = re.compile(r"\s+\|\s+")
DIGIT = re.compile(r"\d")
QUOTES = "\"“”„«»'‘’"
SENTENCE_END = re.compile(r"[.!?:;…\"”»)]$")
SPACE = re.compile(r"\s+")
LIST_MARKER = re.compile(r"^(?:[-•*·▪►>]+|\d+[.)])\s+")

# All rules of a kind in one pattern, one named group per category: one scan per line.
LINE_START = re.compile(
    "|".join(f"(?P<{name}>{rx.pattern})" for name, rx in LINE_RULES.items()), re.IGNORECASE
)
# \b first: the scan then tries the alternatives at word starts only, not at every character.
PHRASE = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<{name}>{'|'.join(srcs)})" for name, srcs in PHRASE_SOURCES.items())
    + ")",
    re.IGNORECASE,
)


def clean_lines(lines: Sequence[Line], site_names: Sequence[str | None] = ()) -> Cleaned:
    """Remove boilerplate lines from extracted article text.

    Args:
        lines: the extracted text, one Line per paragraph, in page order.
        site_names: the site's and publisher's names (never taken as byline authors).

    Returns:
        A Cleaned with the kept lines, the authors of a byline found at the top and the
        signals seen (paywall, consent, comment_form...); never raises.

    """
    cleaned = Cleaned(lines=[])
    kept = _drop_sections(lines, cleaned.signals)
    kept = _drop_prompt_lines(kept, cleaned.signals)
    kept = _drop_link_runs(kept)
    kept = _drop_top_matter(kept, site_names, cleaned)
    cleaned.lines = _drop_tail_bio(kept)
    logger.debug(
        "boilerplate: kept %s of %s lines, signals=%s",
        len(cleaned.lines),
        len(lines),
        cleaned.signals,
    )
    return cleaned


def _key(text: str) -> str:
    """The line as matched by the rules: list markers removed, spaces normalised."""
    return LIST_MARKER.sub("", SPACE.sub(" ", text).strip())


def _rule_key(line: Line) -> str | None:
    """The key the line rules look at; a table row only when it has a single cell."""
    if line.kind == "code":
        return None
    if line.kind == "table":
        cells = [cell for cell in (c.strip() for c in line.text.split("|")) if cell]
        return _key(cells[0]) if len(cells) == 1 else None
    return line.key


def _category(key: str) -> str | None:
    """The boilerplate category of a line (its key) that is boilerplate on its own, else None."""
    if len(key) > PROMPT_MAX_CHARS or not key:
        return None
    lowered = key.lower()
    match = LINE_START.match(key) or (
        any(hint in lowered for hint in PHRASE_HINTS) and PHRASE.search(key)
    )
    if match:
        return match.lastgroup
    if any(word in lowered for word in NEWSLETTER_WORDS) and NEWSLETTER_ASK.search(key):
        category = "newsletter"
    elif any(word in lowered for word in SOCIAL_WORDS) and SOCIAL_ASK.search(key):
        category = "social"
    elif ("©" in key or ":" in key or "(c)" in lowered) and TRAILING_CREDIT.search(key):
        category = "photo_credit"
    elif len(key) <= LABEL_MAX_CHARS and (_is_label_line(key) or UI_TEXT.fullmatch(key)):
        category = "label"
    else:
        category = None
    return category


def _is_label_line(key: str) -> bool:
    """A date, a "Published: <date>" or "Category: News" line: page furniture, no content."""
    if " | " in key:
        return all(
            _is_label_line(part) or UI_TEXT.fullmatch(part) or COMMENT_FORM.match(part)
            for part in PIPE.split(key)
            if part
        )
    if TAXONOMY_LINE.match(key):
        return True
    label = LABEL_LINE.match(key)
    if label and (not label["value"] or DIGIT.search(label["value"])):
        return True
    return bool(DIGIT.search(key) and DATE_ANCHOR.search(key)) and not DATE_TOKENS.sub("", key)


def _drop_prompt_lines(lines: Sequence[Line], signals: set[str]) -> list[Line]:
    """Drop lines that are boilerplate on their own; a comment form ends the article."""
    kept: list[Line] = []
    for index, line in enumerate(lines):
        key = _rule_key(line)
        category = _category(key) if key else None
        if category is None:
            kept.append(line)
            continue
        signals.add(category)
        # Everything after a comment-form heading in the second half is the form or comments.
        if category == "comment_form" and index >= len(lines) / 2:
            break
    return kept


def _drop_link_runs(lines: list[Line]) -> list[Line]:
    """Drop runs of consecutive lines that are each a whole link: teaser and navigation lists."""
    kept: list[Line] = []
    for index, line in enumerate(lines):
        in_run = line.linked and (
            (index > 0 and lines[index - 1].linked)
            or (index + 1 < len(lines) and lines[index + 1].linked)
        )
        if not in_run:
            kept.append(line)
    return kept


def _drop_top_matter(
    lines: list[Line], site_names: Sequence[str | None], cleaned: Cleaned
) -> list[Line]:
    """Move a byline above the body into the authors; drop breadcrumbs above the body."""
    authors: list[str] = []
    kept: list[Line] = []
    in_body = False  # bylines and breadcrumbs come before the first paragraph of text
    for index, line in enumerate(lines):
        key = line.key
        in_body = (
            in_body or index >= TOP_LINES or len(key) > BODY_LINE_CHARS or line.kind == "table"
        )
        if not in_body and len(key) <= LABEL_MAX_CHARS:
            if BYLINE_PREFIX.match(key) and (names := clean_authors([key], site_names)):
                authors.extend(names)
                continue
            if _is_breadcrumb(lines, index):
                continue
        kept.append(line)
    cleaned.authors = tuple(dict.fromkeys(authors))
    return kept


def _is_breadcrumb(lines: Sequence[Line], index: int) -> bool:
    """A "Home > Politics" line, or a run of short list items starting with a home link."""
    key = lines[index].key
    if len(CRUMB_SEPARATOR.findall(key)) >= CRUMB_MIN_SEPARATORS and all(
        len(part.split()) <= CRUMB_MAX_WORDS for part in CRUMB_SEPARATOR.split(key)
    ):
        return True
    start = index
    while (
        start > 0
        and lines[start - 1].kind == "item"
        and len(lines[start - 1].key.split()) <= CRUMB_ITEM_MAX_WORDS
    ):
        start -= 1
    return (
        lines[index].kind == "item"
        and len(key.split()) <= CRUMB_ITEM_MAX_WORDS
        and start < TOP_LINES
        and bool(HOME_CRUMB.match(lines[start].key))
    )


def _is_teaser(line: Line) -> bool:
    """A line of a link list: a link, a short list item or a short unpunctuated title."""
    key = line.key
    if line.linked:
        return True
    if len(key) > TEASER_MAX_CHARS:
        return False
    return line.kind == "item" or not SENTENCE_END.search(key)


def _drop_sections(lines: Sequence[Line], signals: set[str]) -> list[Line]:
    """Drop "Related"/"About the author" headings with the link list or bio that follows."""
    kept: list[Line] = []
    skipping = False
    for line in lines:
        key = line.key
        is_head = len(key) <= HEADING_MAX_CHARS and not SENTENCE_END.search(key.rstrip(":"))
        if is_head and (RELATED.match(key) or SECTION_HEAD.match(key)):
            signals.add("related")
            skipping = True
            continue
        if skipping and _is_teaser(line):
            continue
        skipping = False
        kept.append(line)
    return kept


def _is_person_line(key: str) -> bool:
    words = key.split()
    return len(words) in PERSON_WORDS and clean_authors([key]) == (key,)


def _is_bio(line: Line, name: str) -> bool:
    """A line under an author's name that describes them: a quoted tagline, or about them."""
    key = line.key
    return key[:1] in QUOTES or key.startswith(name) or bool(ROLE.search(key[:80]))


def _drop_tail_bio(lines: list[Line]) -> list[Line]:
    """Drop an author box at the end: a name line over a short bio, or a bio sentence."""
    for index in range(max(1, len(lines) - TAIL_LINES), len(lines)):
        key = lines[index].key
        rest = lines[index + 1 :]
        if (
            _is_person_line(key)
            and 1 <= len(rest) <= BIO_MAX_LINES
            and _is_bio(rest[0], key)
            and all(len(line.text) <= 2 * PROMPT_MAX_CHARS for line in rest)
        ):
            return lines[:index]
        if BIO_SENTENCE.match(key) and len(key) <= 2 * PROMPT_MAX_CHARS and len(rest) <= 1:
            return lines[:index]
    return lines
