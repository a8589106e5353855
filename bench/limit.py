"""The limit: plain trafilatura.extract over the benchmark's pages in memory, on every core.

Also newsflow's own extractor in the same pool, so that a gap can be told apart between
"extraction does more" and "the pipeline costs more".
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from bench.site import BasePage, article_html

# A worker's pages: the pool's initializer sets them, and forked workers inherit the list
# instead of receiving it pickled.
_pages: list[BasePage] = []


def _use_pages(bases: list[BasePage]) -> None:
    _pages[:] = bases


def trafilatura_page(k: int) -> int:
    """The length of the text plain trafilatura extracts from article k."""
    import trafilatura

    text = trafilatura.extract(article_html(_pages, k), url=f"http://127.0.0.1/a/{k}.html")
    return len(text or "")


def newsflow_page(k: int) -> int:
    """The length of the article text newsflow's extractor finds in article k."""
    from tasks.article.page import process_page

    extraction = process_page(
        body=article_html(_pages, k),
        content_type="text/html",  # what the bench site sends
        final_url=f"http://127.0.0.1/a/{k}.html",
        entry=None,
        template_fingerprints=frozenset(),
        max_html_bytes=5_000_000,
    )
    return len(extraction.article.text) if extraction.article else 0


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pool_rate(function: Callable[[int], int], bases: list[BasePage], n: int, workers: int) -> dict:
    """Pages per second of function(k) for k < n over a forked pool of `workers` processes.

    CPU seconds are the workers' (reaped when the pool closes), warm-up included.
    """
    context = multiprocessing.get_context("fork")
    cpu_before = _children_cpu_s()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_use_pages, initargs=(bases,)
    ) as pool:
        list(pool.map(function, range(workers)))  # workers started and warm
        began = time.monotonic()
        lengths = list(pool.map(function, range(n), chunksize=4))
        seconds = time.monotonic() - began
    cpu_s = _children_cpu_s() - cpu_before
    return {
        "n": n,
        "workers": workers,
        "seconds": round(seconds, 2),
        "pages_per_s": round(n / seconds, 2),
        "cpu_s": round(cpu_s, 1),
        "cpu_ms_per_page": round(1000 * cpu_s / n, 1),
        "with_text": sum(1 for length in lengths if length),
        "load_1m": round(os.getloadavg()[0], 2),
    }
