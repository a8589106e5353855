"""Functions run in worker processes by the pool tests (importable by the fork server)."""

import os
import time


def square(x: int) -> int:
    return x * x


def hang(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def die() -> None:
    os._exit(3)


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def pid() -> int:
    return os.getpid()


def preloaded() -> tuple[bool, bool, bool]:
    """What this worker loaded before it did any work.

    Returns (extractor imported, language model loaded, jusText stoplists loaded).
    """
    import sys

    from tasks.article.language import _identifier

    stoplists = getattr(sys.modules.get("trafilatura.external"), "JT_STOPLIST", None)
    return (
        "tasks.article.page" in sys.modules,
        _identifier.cache_info().currsize == 1,
        bool(stoplists),
    )
