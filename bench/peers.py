"""The peer: newspaper4k doing newsflow's job over the same feeds, in its own process.

Feeds fetched through newspaper's network layer, their links read with feedparser, then
`Article(url).download(); .parse()` for every link in a process pool with one process per core
(newspaper's own fetch_news uses threads, which the GIL limits to one core: the pool is the
stronger peer). The process can reach 127.0.0.1 only. `python -m bench.peers SPEC` is that
process; run_peer starts and measures it.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import socket
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.measure import measure
from bench.paths import OUT, REPO
from bench.runs import newsflow_env
from bench.site import BenchSite, count_requests


def peer_available() -> str | None:
    """newspaper4k's version, or None when it is not installed."""
    try:
        return metadata.version("newspaper4k")
    except metadata.PackageNotFoundError:
        return None


def lock_network_to_loopback() -> None:
    """Refuse every connection and name lookup that is not 127.0.0.1 in this process (and forks)."""
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and (
            not isinstance(address, tuple) or address[0] != "127.0.0.1"
        ):
            raise ConnectionRefusedError(f"benchmark network guard: {address!r} is not 127.0.0.1")

    def connect(sock: socket.socket, address: object) -> None:
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: str | bytes | None, *args: Any, **kwargs: Any) -> list:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(f"benchmark network guard: no lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
        connect,
        connect_ex,
        getaddrinfo,
    )


@functools.cache  # made once before the pool forks: every worker inherits it
def _peer_config() -> Any:
    """newspaper4k's configuration for the job: no image, binary-probe or NLP requests."""
    import newspaper

    config = newspaper.Config()
    config.fetch_images = False  # would download every top image
    config.allow_binary_content = True  # else a HEAD and a ranged GET precede every page
    config.memorize_articles = False
    config.disable_category_cache = True
    config.follow_meta_refresh = False
    config.request_timeout = 20
    return config


def _peer_page(url: str) -> tuple[str, int, str | None]:
    import newspaper

    article = newspaper.Article(url, config=_peer_config())
    try:
        article.download()
        article.parse()
    except Exception as exc:  # noqa: BLE001 - one page's failure is a result, not the end of the run
        return url, 0, f"{type(exc).__name__}: {exc}"[:200]
    return url, len(article.text or ""), None


def peer_worker(spec_file: Path) -> None:
    """The peer's job in this process: feeds -> links -> download and parse every page."""
    lock_network_to_loopback()
    import tldextract.tldextract

    tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()  # the bundled suffix list; no fetch
    import feedparser
    import newspaper.network

    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    config = _peer_config()
    began = time.monotonic()
    with ThreadPoolExecutor(16) as threads:
        bodies = list(
            threads.map(lambda url: newspaper.network.get_html(url, config), spec["feeds"])
        )
    links = list(
        dict.fromkeys(entry.link for body in bodies for entry in feedparser.parse(body).entries)
    )
    discovered = time.monotonic()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(spec["workers"], mp_context=context) as pool:
        results = list(pool.map(_peer_page, links, chunksize=2))
    done = time.monotonic()
    errors = Counter(error.split(":")[0] for _, _, error in results if error)
    json.dump(
        {
            "links": len(links),
            "seconds": done - began,
            "discover_s": discovered - began,
            "with_text": sum(1 for _, length, _ in results if length),
            "errors": dict(errors),
            "error_samples": [f"{url}: {error}" for url, _, error in results if error][:5],
        },
        sys.stdout,
    )


def run_peer(site: BenchSite, name: str, workers: int) -> dict:
    """newspaper4k over an edition's feeds, in a subprocess; pages per second after its imports."""
    spec = OUT / f"peer-{name}.json"
    spec.write_text(
        json.dumps({"feeds": site.feed_urls(name), "workers": workers}), encoding="utf-8"
    )
    site.take_requests()
    command = [sys.executable, "-m", "bench.peers", str(spec)]
    measured = measure(command, newsflow_env(), cwd=REPO)
    if measured.returncode:
        raise RuntimeError(f"peer failed:\n{measured.stderr[-4000:]}")
    result = json.loads(measured.stdout)
    result.update(
        {
            "version": peer_available(),
            "workers": workers,
            "pages_per_s": round(result["links"] / result["seconds"], 2),
            "wall_s": round(measured.wall_s, 2),
            "cpu_s": round(measured.cpu_s, 1),
            "cpu_ms_per_page": round(1000 * measured.cpu_s / max(1, result["links"]), 1),
            "peak_rss_mb": round(measured.memory.peak_rss_mb, 1),
            "peak_pss_mb": round(measured.memory.peak_pss_mb, 1),
            "requests": count_requests(site.take_requests()),
            "load_1m": round(os.getloadavg()[0], 2),
            "seconds": round(result["seconds"], 2),
            "discover_s": round(result["discover_s"], 2),
        }
    )
    return result


if __name__ == "__main__":
    peer_worker(Path(sys.argv[1]))
