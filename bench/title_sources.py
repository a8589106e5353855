"""`python bench/title_sources.py`: which of a page's headlines the news-meta references follow.

For every page of ../shared/corpus/news-meta this reads the headlines the title choice weighs
(tasks/article/metadata.py: og:title, the JSON-LD headline, the first <h1>, the <title>), each
cleaned as extract_metadata cleans it, and compares them with the reference title as score.py
does (NFKC, case-folded, spacing collapsed). It prints how often each source alone is the
reference, and, on the pages where og:title and the JSON-LD headline differ, which one the
reference follows and whether anything on the page predicts it: the <h1>'s side, the longer
of the two, and the variant with typographic quotes where og:title is the same words in ASCII.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

# Run as a script, Python puts bench/ on sys.path, not the repository the tasks package is in.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.extraction import load_norm
from tasks.article import metadata
from tasks.article.extract import _parse
from tasks.encoding import decode_html
from tasks.urls import site_domain

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news-meta"
ASCII_QUOTES = str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\"")


def headlines(html: bytes, url: str) -> dict[str, str | None]:
    """The page's headlines by source, cleaned (entities, site suffix) as extract_metadata does."""
    tree = _parse(decode_html(html))
    ld, _ = metadata._json_ld_article(tree)  # noqa: SLF001 - the sources extract_metadata reads
    meta = metadata._meta_tags(tree)  # noqa: SLF001
    site_names = (
        metadata._first(meta.get("og:site_name"), meta.get("application-name")),  # noqa: SLF001
        metadata._first(metadata._name_of(ld.get("publisher"))),  # noqa: SLF001
        site_domain(url),
    )
    h1 = next((metadata.element_text(h) for h in tree.iter("h1")), None)
    found = {"og": meta.get("og:title"), "ld": ld.get("headline"), "h1": h1,
             "title": metadata._title_tag(tree)}  # noqa: SLF001  # fmt: skip
    return {source: metadata._headline(value, site_names) for source, value in found.items()}  # noqa: SLF001


def side(value: str | None, og: str, ld: str) -> str:
    """Which of og:title and the JSON-LD headline a normalised value is: og, ld or neither."""
    return "og" if value == og else "ld" if value == ld else "neither"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="news-meta folder")
    args = parser.parse_args()
    norm = load_norm(args.corpus)  # score.py's title comparison
    items = json.loads((args.corpus / "index.json").read_text(encoding="utf-8"))

    alone: Counter[str] = Counter()
    differ: Counter[str] = Counter()
    h1_sides: Counter[tuple[str, str]] = Counter()
    longer_right = typographic_gain = typographic_loss = 0
    for item in items:
        found = headlines(gzip.decompress((args.corpus / item["page"]).read_bytes()), item["url"])
        want = norm(item["title"])
        alone.update(source for source, value in found.items() if value and norm(value) == want)
        if not (found["og"] and found["ld"]):
            continue
        og, ld = norm(found["og"]), norm(found["ld"])
        if og == ld:
            continue
        reference = side(want, og, ld)
        differ[reference] += 1
        h1_sides[side(norm(found["h1"]), og, ld), reference] += 1
        longer = og if len(og) > len(ld) else ld
        longer_right += longer == want
        if found["ld"].translate(ASCII_QUOTES) == found["og"]:  # the same words, quotes curled
            typographic_gain += reference == "ld"
            typographic_loss += reference == "og"

    print(f"{len(items)} pages; each source alone is the reference on: "
          + ", ".join(f"{source} {alone[source]}" for source in ("og", "ld", "h1", "title")))  # fmt: skip
    total = sum(differ.values())
    print(f"og:title and JSON-LD headline differ on {total}: the reference is og:title on "
          f"{differ['og']}, JSON-LD on {differ['ld']}, neither on {differ['neither']}")  # fmt: skip
    for h1 in ("og", "ld", "neither"):
        counts = {ref: h1_sides[h1, ref] for ref in ("og", "ld", "neither")}
        print(f"  <h1> is {h1:7}: reference og {counts['og']}, ld {counts['ld']}, "
              f"neither {counts['neither']}")  # fmt: skip
    print(f"  the longer of the two is the reference on {longer_right}")
    print(f"  taking the typographic-quote variant over an ASCII og:title: +{typographic_gain} "
          f"pages, -{typographic_loss}")  # fmt: skip


if __name__ == "__main__":
    main()
