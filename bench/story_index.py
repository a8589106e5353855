"""`python bench/story_index.py [--stored 10000]`: build and query the near-duplicate story index.

A run loads the index with the stored articles of its story window (flows/ingest.py,
STORY_WINDOW_DAYS), then assigns each new article a story. This times both and measures the
index's memory (tracemalloc), for `--stored` articles: copies of a few hundred base stories
with part of their MinHash values replaced, so lookups find candidates as wire copy does.
Signatures are generated, not extracted: the index's cost depends on their count and on how
many share bands, not on the texts. Runs on earlier commits too (before
StoryClusterer.from_stored, the articles are added one by one, as rows.story_index did).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

# Run as a script, Python puts bench/ on sys.path, not the repository the tasks package is in.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.dedup import NUM_PERM, SHINGLE_SIZE, SIGNATURE_VERSION, StoryClusterer

BASE_STORIES = 500
SEED = 14


def signatures(count: int, rng: np.random.Generator, bases: np.ndarray) -> list[bytes]:
    """`count` signatures, each a base story with 0-100% of its hash values replaced."""
    header = bytes((SIGNATURE_VERSION, SHINGLE_SIZE))
    made = []
    for base in rng.integers(0, len(bases), count):
        values = bases[base].copy()
        replaced = rng.random(NUM_PERM) < rng.random()
        values[replaced] = rng.integers(0, 2**32, int(replaced.sum()), dtype=np.uint32)
        made.append(header + values.astype("<u4").tobytes())
    return made


def load(stored: list[tuple[str, str, bytes]]) -> StoryClusterer:
    if hasattr(StoryClusterer, "from_stored"):
        return StoryClusterer.from_stored(stored)
    clusterer = StoryClusterer()
    for article in stored:
        clusterer.add_existing(*article)
    return clusterer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=10_000, help="articles in the window")
    parser.add_argument("--new", type=int, default=1_000, help="articles to assign")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    bases = rng.integers(0, 2**32, (BASE_STORIES, NUM_PERM), dtype=np.uint32)
    stored = [
        (f"stored-{n}", f"story-{n}", signature)
        for n, signature in enumerate(signatures(args.stored, rng, bases))
    ]
    new = signatures(args.new, rng, bases)

    began = time.perf_counter()
    clusterer = load(stored)
    build_s = time.perf_counter() - began
    began = time.perf_counter()
    stories = [clusterer.assign(f"new-{n}", signature) for n, signature in enumerate(new)]
    assign_s = time.perf_counter() - began
    # Memory apart: tracing slows the build, most of all an index of many small objects.
    tracemalloc.start()
    traced = load(stored)
    index_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del traced
    joined = sum(not story.startswith("new-") for story in stories)
    # Equal digests on two commits: both indexes gave every new article the same story.
    digest = hashlib.sha256("\n".join(stories).encode()).hexdigest()[:12]
    print(
        f"{args.stored} stored: index built in {build_s:.2f} s, {index_bytes / 2**20:.1f} MB "
        f"({index_bytes / args.stored:,.0f} B an article); {args.new} assigned in "
        f"{assign_s:.2f} s ({1000 * assign_s / args.new:.2f} ms each), {joined} joined a "
        f"stored story; stories digest {digest}"
    )


if __name__ == "__main__":
    main()
