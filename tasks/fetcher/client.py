"""HTTP fetching behind the SSRF guard: bounded, polite, retried, every outcome a FetchResult."""

from __future__ import annotations

import logging
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx

from config.settings import Settings
from tasks.fetcher.body import ACCEPT_ENCODING, FetchFailedError, drain, html_problem, read_body
from tasks.fetcher.netguard import AddressPolicy
from tasks.fetcher.politeness import (
    HostLimiter,
    RobotsCache,
    host_key,
    parse_max_age,
    parse_retry_after,
    retry_delay,
)
from tasks.fetcher.transport import BlockedAddressError, GuardedTransport, deadline
from tasks.records import FetchResult, FetchStatus

logger = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/feed+json,application/json;q=0.9,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5",
    "robots": "text/plain,*/*;q=0.5",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_error(exc: BaseException) -> tuple[str, str]:
    """Map any exception raised while fetching to (FetchStatus value, human-readable reason)."""
    if isinstance(exc, FetchFailedError):
        return exc.status, exc.message
    if isinstance(exc, BlockedAddressError):
        return FetchStatus.BLOCKED_ADDRESS, str(exc)
    return _classify_network_error(exc)


def _classify_network_error(exc: BaseException) -> tuple[str, str]:
    """(FetchStatus value, reason) for an exception from httpx, ssl or the socket layer."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return FetchStatus.TIMEOUT, detail
    tls = next((e for e in _chain(exc) if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return FetchStatus.TLS_ERROR, f"{type(tls).__name__}: {tls}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FetchStatus.BAD_URL, detail
    if isinstance(exc, httpx.TransportError | OSError):
        return FetchStatus.NETWORK_ERROR, detail
    logger.error("unexpected fetch error", exc_info=exc)
    return FetchStatus.NETWORK_ERROR, f"unexpected {detail}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched (unparsable, not http/https, no host), or None."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        return f"unparsable URL: {exc}"
    if parsed.scheme not in ("http", "https"):
        return f"unsupported scheme {parsed.scheme!r}: only http and https are fetched"
    if not parsed.host:
        return "URL has no host"
    return None


def _interleave_by_host(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts, so workers are not all parked behind one host's limit."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(host_key(url), []).append(url)
    queues = list(by_host.values())
    return [
        queue[i]
        for i in range(max(map(len, queues), default=0))
        for queue in queues
        if i < len(queue)
    ]


@dataclass(frozen=True)
class _Reply:
    url: str
    status_code: int
    headers: httpx.Headers
    body: bytes = b""
    body_gzip: bytes | None = None


class _Budget:
    """request_deadline_s of one attempt: time on the wire incl. redirects, queueing excluded."""

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.spent_s = 0.0

    @contextmanager
    def running(self) -> Iterator[None]:
        timeout = FetchFailedError(
            FetchStatus.TIMEOUT, f"request deadline of {self.total_s:g} s exceeded"
        )
        remaining = self.total_s - self.spent_s
        if remaining <= 0:
            raise timeout
        start = time.monotonic()
        try:
            with deadline(start + remaining, self.total_s):
                yield
        except httpx.TimeoutException as exc:
            if time.monotonic() - start >= remaining:
                raise timeout from exc
            raise
        finally:
            self.spent_s += time.monotonic() - start


class RequestLog:
    """The requests made for one unit of work (a feed, a batch of pages), as they finished.

    The fetcher is shared by every task of a process, so each task passes its own log to
    fetch() and fetch_many(); robots.txt requests made for its pages land in it too.
    Thread-safe: fetch_many() records from its worker threads.
    """

    def __init__(self) -> None:
        self._results: list[FetchResult] = []
        self._lock = threading.Lock()

    def record(self, result: FetchResult) -> None:
        """Add one finished request."""
        with self._lock:
            self._results.append(result)

    @property
    def results(self) -> list[FetchResult]:
        """Every request recorded so far (feeds, pages and robots.txt), in the order they ended."""
        with self._lock:
            return list(self._results)


class Fetcher:
    """The HTTP client every task of a process shares: guarded, bounded, polite, thread-safe.

    Its connections, per-host limits and robots.txt rules are the process's; the requests made
    are recorded only in the RequestLog each caller passes. Use as a context manager (or call
    close()). fetch() and fetch_many() never raise for a per-URL problem: the FetchResult's
    status and error say what happened.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._limiter = HostLimiter(
            settings.per_host_concurrency, settings.per_host_delay_s, settings.global_concurrency
        )
        self._robots = RobotsCache(settings.user_agent, self._limiter, settings.backoff_max_s)
        # HTTP/2 is negotiated by the guarded pool (ALPN on https); trust_env=False: no proxy or
        # netrc from the environment may route requests around the guard.
        self._client = httpx.Client(
            transport=GuardedTransport(
                AddressPolicy(settings.allow_private_hosts), settings.global_concurrency
            ),
            trust_env=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                settings.read_timeout_s,
                connect=settings.connect_timeout_s,
                pool=settings.request_deadline_s,
            ),
        )

    def __enter__(self) -> typing.Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        kind: str = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        log: RequestLog | None = None,
    ) -> FetchResult:
        """GET one URL, following redirects, with conditional headers when given.

        Args:
            url: an absolute http(s) URL; `FetchResult.url` is this exact string.
            kind: "page" (robots.txt is honoured and the body must be HTML), "feed", "robots"
                (one attempt) or "discovery".
            etag: sent as If-None-Match.
            last_modified: sent as If-Modified-Since.
            log: records this request and any robots.txt request made for it.

        Returns:
            A FetchResult: OK with the decoded body, NOT_MODIFIED on 304, or a failure status
            (see FetchStatus) with `error` saying why; `attempts` counts retries too.

        """
        started_at, began = datetime.now(UTC), time.monotonic()
        problem = url_problem(url)
        if problem:
            result = FetchResult(
                url=url, final_url=url, status=FetchStatus.BAD_URL, kind=kind, error=problem
            )
        else:
            headers = _request_headers(kind, etag, last_modified)
            result = self._with_retries(url, kind, headers, log)
        result = replace(
            result, elapsed_ms=(time.monotonic() - began) * 1000, started_at=started_at
        )
        if log is not None:
            log.record(result)
        quiet = result.succeeded or self._client.is_closed  # closed: the run is stopping
        logger.log(
            logging.DEBUG if quiet else logging.WARNING,
            "fetch kind=%s url=%s status=%s http=%s attempts=%s error=%s",
            kind,
            url,
            result.status,
            result.http_status,
            result.attempts,
            result.error,
        )
        return result

    def fetch_many(
        self, urls: Iterable[str], *, kind: str = "page", log: RequestLog | None = None
    ) -> Iterator[FetchResult]:
        """Fetch URLs concurrently (global_concurrency threads), yielding results as they complete.

        Every request is recorded in `log` when one is given. Closing the iterator early cancels
        the fetches that have not started.
        """
        ordered = _interleave_by_host(urls)
        if not ordered:
            return
        workers = min(self._settings.global_concurrency, len(ordered))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsflow-fetch") as pool:
            futures = [pool.submit(self.fetch, url, kind=kind, log=log) for url in ordered]
            try:
                for future in as_completed(futures):
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()

    def _with_retries(
        self, url: str, kind: str, headers: dict[str, str], log: RequestLog | None
    ) -> FetchResult:
        settings = self._settings
        allowed = 1 if kind == "robots" else settings.retries + 1
        attempt = 1
        while True:
            result = self._attempt(url, kind, headers, log)
            if attempt == allowed or not result.transient or self._client.is_closed:
                break
            delay = retry_delay(
                attempt, settings.backoff_base_s, settings.backoff_max_s, result.retry_after_s
            )
            if delay is None:
                result = replace(
                    result,
                    error=f"{result.error}; Retry-After {result.retry_after_s:g} s is "
                    f"longer than backoff_max_s={settings.backoff_max_s:g}: gave up",
                )
                break
            if result.retry_after_s:
                self._limiter.defer(host_key(result.final_url), result.retry_after_s)
            logger.info(
                "retry url=%s in %.2f s after %s (%s)", url, delay, result.status, result.error
            )
            time.sleep(delay)
            attempt += 1
        return replace(result, attempts=attempt)

    def _attempt(
        self, url: str, kind: str, headers: dict[str, str], log: RequestLog | None
    ) -> FetchResult:
        """One attempt: the request and its redirect hops, each hop guarded and paced."""
        budget, current = _Budget(self._settings.request_deadline_s), url
        redirects: list[tuple[int, str]] = []
        try:
            while True:
                reply = self._hop(current, kind, headers, budget, log)
                target = _redirect_target(reply)
                if target is None:
                    return _result(url, kind, reply, redirects)
                redirects.append((reply.status_code, target))
                self._check_redirects(url, redirects)
                current = target
        except Exception as exc:  # noqa: BLE001 - per-URL failures become results (classify_error)
            # Closed under a request: the run is stopping (Ctrl-C, SIGTERM), not a fetch bug.
            status, message = (
                (FetchStatus.NETWORK_ERROR, "not fetched: the run stopped")
                if self._client.is_closed
                else classify_error(exc)
            )
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                kind=kind,
                error=message,
                http_status=getattr(exc, "http_status", None),
                redirects=tuple(redirects),
            )

    def _check_redirects(self, url: str, redirects: list[tuple[int, str]]) -> None:
        *earlier, (_, target) = redirects
        if target == str(httpx.URL(url)) or any(target == seen for _, seen in earlier):
            raise FetchFailedError(
                FetchStatus.TOO_MANY_REDIRECTS, f"redirect loop back to {target}"
            )
        if len(redirects) > self._settings.max_redirects:
            raise FetchFailedError(
                FetchStatus.TOO_MANY_REDIRECTS,
                f"more than max_redirects={self._settings.max_redirects}",
            )

    def _hop(
        self,
        url: str,
        kind: str,
        headers: dict[str, str],
        budget: _Budget,
        log: RequestLog | None,
    ) -> _Reply:
        """GET `url` without following redirects; the body is read only for a 2xx.

        A page's robots.txt, when not cached yet, is fetched first and recorded in `log`.
        """
        problem = url_problem(url)
        if problem:
            raise FetchFailedError(FetchStatus.BAD_URL, f"redirect to {url!r}: {problem}")
        if kind == "page" and self._settings.respect_robots:
            refusal = self._robots.refusal(
                url, lambda robots_url: self.fetch(robots_url, kind="robots", log=log)
            )
            if refusal:
                raise FetchFailedError(FetchStatus.ROBOTS_DISALLOWED, refusal)
        with (
            self._limiter.slot(host_key(url)),
            budget.running(),
            self._client.stream("GET", url, headers=headers) as response,
        ):
            reply = _Reply(str(response.url), response.status_code, response.headers)
            if response.is_success:
                body, body_gzip = read_body(response, self._settings.max_response_bytes)
                return replace(reply, body=body, body_gzip=body_gzip)
            drain(response)
            return reply


def _request_headers(kind: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT.get(kind, "*/*")}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _redirect_target(reply: _Reply) -> str | None:
    """The absolute URL a 3xx points to, or None when `reply` is not a usable redirect."""
    location = reply.headers.get("location", "").strip()
    if reply.status_code not in REDIRECT_CODES or not location:
        return None
    try:
        return str(httpx.URL(reply.url).join(location))
    except httpx.InvalidURL as exc:
        raise FetchFailedError(
            FetchStatus.BAD_URL, f"unusable redirect Location {location!r}: {exc}"
        ) from exc


def _outcome(kind: str, reply: _Reply) -> tuple[str, str | None]:
    code = reply.status_code
    if code == httpx.codes.NOT_MODIFIED:
        return FetchStatus.NOT_MODIFIED, None
    if not httpx.codes.is_success(code):
        hint = " without a usable Location header" if code in REDIRECT_CODES else ""
        return (
            FetchStatus.HTTP_ERROR,
            f"HTTP {code} {httpx.codes.get_reason_phrase(code)}{hint}".strip(),
        )
    if kind == "page":
        problem = html_problem(reply.headers.get("content-type"), reply.body)
        if problem:
            return FetchStatus.NOT_HTML, problem
    return FetchStatus.OK, None


def _result(url: str, kind: str, reply: _Reply, redirects: list[tuple[int, str]]) -> FetchResult:
    status, error = _outcome(kind, reply)
    headers = reply.headers
    return FetchResult(
        url=url,
        final_url=reply.url,
        status=status,
        kind=kind,
        http_status=reply.status_code,
        body=reply.body if status == FetchStatus.OK else b"",
        body_gzip=reply.body_gzip if status == FetchStatus.OK else None,
        content_type=headers.get("content-type"),
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        max_age_s=parse_max_age(headers.get("cache-control")),
        retry_after_s=parse_retry_after(headers.get("retry-after")),
        redirects=tuple(redirects),
        error=error,
    )
