"""Where the end-to-end benchmark reads its pages and writes its results and scratch files."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO.parent / "shared" / "corpus" / "dev-pages"
OUT = REPO / "bench" / "out"  # feeds files, DuckDB files, profiles, Prefect's home
RESULTS = REPO / "bench" / "results"  # pipeline.json and pipeline.png, as committed
