"""Quality gate on real news pages never tuned on: body, title, authors and date of pinned pages.

The pages and their references are ../shared/corpus/news-meta (fundus's test pages, 30 countries);
the floors are per field, in tests/fixtures/news_meta_subset.json.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.paths import FIXTURES, REPO, SHARED

NEWS_META = SHARED / "corpus" / "news-meta"
SUBSET = FIXTURES / "news_meta_subset.json"


@pytest.fixture(scope="module")
def subset_scores() -> dict[str, float]:
    if not (NEWS_META / "index.json").is_file():
        pytest.skip(
            f"news-meta pages not found at {NEWS_META} (the shared corpus sits beside the repo)"
        )
    scored = subprocess.run(
        [sys.executable, "-m", "tests.article.news_meta_scoring", str(NEWS_META), str(SUBSET)],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return json.loads(scored.stdout)


@pytest.mark.parametrize("field", ["body_f1", "title_exact", "persons_set", "day", "instant"])
def test_field_on_pinned_news_pages_does_not_regress(subset_scores: dict, field: str) -> None:
    floor = json.loads(SUBSET.read_text(encoding="utf-8"))["floors"][field]
    assert subset_scores[field] >= floor, subset_scores


def test_no_pinned_news_page_collapses(subset_scores: dict) -> None:
    floors = json.loads(SUBSET.read_text(encoding="utf-8"))["floors"]
    assert subset_scores["collapsed"] <= floors["collapsed"], subset_scores
