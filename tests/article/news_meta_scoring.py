"""Score extract_article on pinned news-meta pages; run as a script, it prints the summary as JSON.

A separate process because ../shared/corpus/news-meta/score.py refuses network access for the
whole process it is imported into (it patches socket), which the test process must keep.

usage: python -m tests.article.news_meta_scoring CORPUS_DIR SUBSET_JSON
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

from tasks.article.extract import extract_article


def summary(corpus: Path, pages: set[str]) -> dict:
    """score.py's summary over the pinned pages (fields as in its --json output)."""
    spec = importlib.util.spec_from_file_location("news_meta_score", corpus / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    items = [item for item in json.loads((corpus / "index.json").read_text(encoding="utf-8"))
             if item["page"] in pages]  # fmt: skip
    if len(items) != len(pages):
        msg = "the pinned pages are no longer all in the corpus"
        raise SystemExit(msg)
    rows = []
    for item in items:
        article = extract_article(
            gzip.decompress((corpus / item["page"]).read_bytes()), item["url"]
        )
        got = score.answer_fields(
            {
                "text": article.text,
                "title": article.title,
                "authors": list(article.authors),
                "published": article.published_at,
            }
        )
        rows.append(
            {"got": got, "scores": score.score_page(item, got), "error": None, "seconds": 0}
        )
    return score.summarise(rows)


if __name__ == "__main__":
    corpus_dir, subset_file = Path(sys.argv[1]), Path(sys.argv[2])
    pinned = set(json.loads(subset_file.read_text(encoding="utf-8"))["pages"])
    print(json.dumps(summary(corpus_dir, pinned)))  # noqa: T201 - the script's output
