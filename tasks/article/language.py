"""Language of an article: detected from its text (py3langid), reconciled with the declared one."""

from __future__ import annotations

import logging
import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

logger = logging.getLogger(__name__)

# The start of the text is enough to tell the language, and the cost grows with the length.
SAMPLE_CHARS = 400
MIN_TEXT_CHARS = 40
MIN_CONFIDENCE = 0.8
NOT_LANGUAGES = frozenset({"zxx", "und"})  # "no linguistic content", "undetermined"
LANGUAGE_TAG = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$")


@cache
def _identifier() -> LanguageIdentifier:
    """The py3langid model, loaded once per process (about a second)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm_up() -> None:
    """Load the model now (the worker pool's fork server does, so that its workers share it)."""
    _identifier()


def primary_language(tag: str | None) -> str | None:
    """ISO 639 primary subtag of a language tag ("de-AT" -> "de"), None when not a tag."""
    match = LANGUAGE_TAG.match(tag or "")
    return match.group(1).lower() if match else None


def detect_language(text: str) -> str | None:
    """Language of the text as an ISO 639-1 code, or None when too short or unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_TEXT_CHARS:
        return None
    language, confidence = _identifier().classify(sample)
    if language in NOT_LANGUAGES or confidence < MIN_CONFIDENCE:
        return None
    return language


def resolve_language(text: str, declared: str | None) -> tuple[str | None, str | None]:
    """The article's language and the declared one when the two disagree.

    Args:
        text: the article text.
        declared: the page's declared language tag (<html lang>, og:locale...), if any.

    Returns:
        (language, declared_language): the detected language, else the declared one; the
        second item is the declared primary subtag only when detection disagrees with it.

    """
    declared_code = primary_language(declared)
    detected = detect_language(text)
    if detected is None:
        return declared_code, None
    return detected, declared_code if declared_code not in (None, detected) else None
