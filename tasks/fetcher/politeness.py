"""Politeness toward servers: per-host pacing, robots.txt, back-off and their own wait hints."""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from protego import Protego

from tasks.records import FetchResult, FetchStatus

logger = logging.getLogger(__name__)

MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
DELTA_SECONDS = re.compile(r"\d+")


def host_key(url: str) -> str:
    """The host a URL points at, lower-cased: the unit of politeness ("" when there is none)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date).

    Returns:
        The wait in seconds (0 for a date in the past), or None when absent or unparsable.

    """
    if not value:
        return None
    value = value.strip()
    if DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_max_age(cache_control: str | None) -> int | None:
    """The max-age directive of a Cache-Control header in seconds, or None."""
    match = MAX_AGE.search(cache_control or "")
    return int(match.group(1)) if match else None


def retry_delay(
    attempt: int,
    base_s: float,
    max_s: float,
    retry_after_s: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """How long to sleep before retry number `attempt` (1 for the first retry).

    Exponential back-off (base_s * 2**(attempt-1), capped at max_s) with "equal jitter": a
    random point in the upper half, so parallel clients spread out but never retry early.
    A Retry-After from the server is a floor.

    Returns:
        Seconds to sleep, or None when the server asked for longer than max_s (give up).

    """
    if retry_after_s is not None and retry_after_s > max_s:
        return None
    backoff = min(max_s, base_s * 2 ** (attempt - 1))
    jittered = backoff / 2 + rand() * backoff / 2
    return max(jittered, retry_after_s or 0.0)


@dataclass
class _HostState:
    in_flight: threading.BoundedSemaphore
    delay_s: float
    next_start: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostLimiter:
    """Concurrency and pacing: at most N requests per host and M overall, starts spaced per host."""

    def __init__(self, per_host: int, delay_s: float, global_limit: int) -> None:
        self._per_host = per_host
        self._delay_s = delay_s
        self._global = threading.BoundedSemaphore(global_limit)
        self._hosts: dict[str, _HostState] = {}
        self._lock = threading.Lock()

    def _state(self, host: str) -> _HostState:
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = _HostState(
                    threading.BoundedSemaphore(self._per_host), self._delay_s
                )
            return self._hosts[host]

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one request slot for `host`; entering blocks until the host's turn comes."""
        state = self._state(host)
        with state.in_flight:
            self._take_turn(state)
            try:
                yield
            finally:
                self._global.release()

    def _take_turn(self, state: _HostState) -> None:
        """Wait for the host's next start time, then return holding a global slot."""
        while True:
            with state.lock:
                wait = state.next_start - time.monotonic()
            if wait > 0:
                time.sleep(wait)
                continue
            # The global slot is taken only once the host is due, so a host's pacing never
            # holds capacity other hosts could use; the start time is re-checked under the lock
            # because another request to this host may have started meanwhile.
            self._global.acquire()
            with state.lock:
                now = time.monotonic()
                if now >= state.next_start:
                    state.next_start = now + state.delay_s
                    return
            self._global.release()

    def defer(self, host: str, seconds: float) -> None:
        """Start no request to `host` for `seconds` (a Retry-After applies to the whole host)."""
        state = self._state(host)
        with state.lock:
            state.next_start = max(state.next_start, time.monotonic() + seconds)

    def slow_down(self, host: str, delay_s: float) -> None:
        """Space requests to `host` at least `delay_s` apart from now on (robots Crawl-delay)."""
        state = self._state(host)
        with state.lock:
            state.delay_s = max(state.delay_s, delay_s)


@dataclass
class _RobotsEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    loaded: bool = False
    rules: Protego | None = None  # None: everything allowed


class RobotsCache:
    """robots.txt rules, fetched once per origin and kept for the cache's lifetime.

    A robots.txt that is missing or answers 4xx allows everything (RFC 9309). One that answers
    5xx, times out or cannot be reached also allows everything: newsflow only fetches pages the
    site's own feeds link to, so a broken robots.txt should not silently drop articles, and the
    per-host limits still protect the server. Crawl-delay is honoured up to `max_delay_s`.
    """

    def __init__(self, user_agent: str, limiter: HostLimiter, max_delay_s: float) -> None:
        self._user_agent = user_agent
        self._limiter = limiter
        self._max_delay_s = max_delay_s
        self._entries: dict[str, _RobotsEntry] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str, fetch: Callable[[str], FetchResult]) -> str | None:
        """Why robots.txt forbids fetching `url`, or None when it may be fetched.

        `fetch` GETs the origin's robots.txt when it is not cached yet: the caller's, so the
        request is recorded for the work that needed it.
        """
        parts = urlsplit(url)
        rules = self._rules(f"{parts.scheme}://{parts.netloc}", fetch)
        if rules is None or rules.can_fetch(url, self._user_agent):
            return None
        return f"robots.txt of {parts.netloc} disallows {parts.path or '/'} for our user agent"

    def _rules(self, origin: str, fetch: Callable[[str], FetchResult]) -> Protego | None:
        with self._lock:
            entry = self._entries.setdefault(origin, _RobotsEntry())
        with entry.lock:  # concurrent callers for one origin wait for a single fetch
            if not entry.loaded:
                entry.rules = self._load(origin, fetch)
                entry.loaded = True
        return entry.rules

    def _load(self, origin: str, fetch: Callable[[str], FetchResult]) -> Protego | None:
        result = fetch(f"{origin}/robots.txt")
        if result.status != FetchStatus.OK:
            logger.info(
                "robots.txt origin=%s status=%s: allowing all (%s)",
                origin,
                result.status,
                result.error,
            )
            return None
        rules = Protego.parse(result.body.decode("utf-8", errors="replace").lstrip("\ufeff"))
        delay = rules.crawl_delay(self._user_agent)
        if delay:
            self._limiter.slow_down(host_key(origin), min(float(delay), self._max_delay_s))
        return rules
