"""Compare extract_article with plain trafilatura on the annotated dev pages, side by side.

Both extractors run in one process on the same pages, alternating which goes first on each
page so that neither profits from caches warmed by the other. Precision, recall and F1 are over
the annotated snippets exactly as ../shared/corpus/dev-pages/score.py counts them ("with"
snippets found are true positives, "without" snippets found are false positives); a page is
clean when it has no miss and no leak. Times are wall-clock per page, extraction only.

usage: python bench/extraction.py [--pages DIR] [--limit N] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import trafilatura

from tasks.article.extract import EXTRACTOR_VERSION, score_text

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "dev-pages"
DEFAULT_OUT = REPO / "bench" / "out" / "extraction.json"


@dataclass
class Tally:
    """Snippet counts and time of one extractor over the pages."""

    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    clean: int = 0
    pages: int = 0
    seconds: float = 0.0

    def add(self, text: str, item: dict, norm: Callable[[str], str]) -> None:
        """Count one page's extracted text against its annotated snippets."""
        missed = sum(norm(s) not in text for s in item["with"])
        leaked = sum(norm(s) in text for s in item["without"])
        self.true_positives += len(item["with"]) - missed
        self.false_negatives += missed
        self.false_positives += leaked
        self.clean += not missed and not leaked
        self.pages += 1

    def summary(self) -> dict[str, float]:
        """Precision, recall and F1 over the snippets, the share of clean pages, the timing."""
        found = self.true_positives + self.false_positives
        expected = self.true_positives + self.false_negatives
        precision = self.true_positives / found if found else 0.0
        recall = self.true_positives / expected if expected else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "clean_pages": round(self.clean / self.pages, 4) if self.pages else 0.0,
            "ms_per_page": round(1000 * self.seconds / self.pages, 1) if self.pages else 0.0,
        }


def plain_trafilatura(html: bytes, url: str) -> str:
    """The baseline: trafilatura 2.3.1 with its default options."""
    return trafilatura.extract(html, url=url) or ""


def load_norm(pages_dir: Path) -> Callable[[str], str]:
    """score.py's own text normalisation, so both tools count matches identically.

    dev-pages' and news-meta's score.py both have one (bench/title_sources.py uses the latter).
    """
    spec = importlib.util.spec_from_file_location("corpus_score", pages_dir / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no score.py in {pages_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.norm


def run(pages_dir: Path, limit: int) -> dict[str, dict]:
    """Score both extractors on the pages; returns their summaries by name."""
    norm = load_norm(pages_dir)
    items = json.loads((pages_dir / "index.json").read_text(encoding="utf-8"))[: limit or None]
    extractors: dict[str, Callable[[bytes, str], str]] = {
        "extract_article": score_text,
        "trafilatura": plain_trafilatura,
    }
    tallies = {name: Tally() for name in extractors}
    first = gzip.decompress((pages_dir / items[0]["page"]).read_bytes())
    for extract in extractors.values():  # load models and caches before timing anything
        extract(first, items[0]["url"])
    for index, item in enumerate(items):
        html = gzip.decompress((pages_dir / item["page"]).read_bytes())
        order = list(extractors) if index % 2 == 0 else list(reversed(extractors))
        for name in order:
            start = time.perf_counter()
            text = norm(extractors[name](html, item["url"]))
            tallies[name].seconds += time.perf_counter() - start
            tallies[name].add(text, item, norm)
    return {name: {**tally.summary(), **asdict(tally)} for name, tally in tallies.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="dev-pages directory")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args()
    if not (args.pages / "index.json").is_file():
        sys.exit(f"no dev pages at {args.pages} (expected index.json); pass --pages DIR")
    results = run(args.pages, args.limit)
    ours, plain = results["extract_article"], results["trafilatura"]
    ratio = ours["seconds"] / plain["seconds"] if plain["seconds"] else 0.0
    print(f"{'extractor':16} {'precision':>9} {'recall':>7} {'F1':>7} {'clean':>7} {'ms/page':>8}")
    for name, row in results.items():
        print(
            f"{name:16} {row['precision']:9.4f} {row['recall']:7.4f} {row['f1']:7.4f} "
            f"{row['clean_pages']:7.3f} {row['ms_per_page']:8.1f}"
        )
    print(f"pages {ours['pages']}  time ratio extract_article/trafilatura {ratio:.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "extractor_version": EXTRACTOR_VERSION,
        "pages": ours["pages"],
        "time_ratio": round(ratio, 3),
        "results": results,
    }
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
