"""The guarded connection layer: every socket checked by the AddressPolicy and the deadline."""

from __future__ import annotations

import logging
import socket
import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpcore
import httpx

from tasks.fetcher.netguard import AddressPolicy

logger = logging.getLogger(__name__)


class BlockedAddressError(Exception):
    """Every address a host resolved to is refused by the AddressPolicy; nothing was connected."""

    def __init__(self, host: str, refused: list[tuple[str, str]]) -> None:
        detail = ", ".join(f"{ip} ({reason})" for ip, reason in refused)
        super().__init__(
            f"{host} resolves only to refused addresses: {detail}; see allow_private_hosts"
        )


@dataclass(frozen=True)
class _Deadline:
    at: float  # time.monotonic() value
    total_s: float


# The running request's deadline, read by every socket operation of this thread.
_DEADLINE: ContextVar[_Deadline | None] = ContextVar("newsflow_fetch_deadline", default=None)


@contextmanager
def deadline(at: float, total_s: float) -> Iterator[None]:
    """Bound every socket operation of this thread inside the block by one deadline.

    Args:
        at: the time.monotonic() value after which reads, writes and connects fail.
        total_s: the whole budget, quoted in the timeout message.

    Yields:
        None. Past `at`, socket operations raise httpcore's Read/Write/ConnectTimeout.

    """
    token = _DEADLINE.set(_Deadline(at, total_s))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    """The socket timeout shortened to the time left before the deadline; raise once it passed."""
    current = _DEADLINE.get()
    if current is None:
        return timeout
    remaining = current.at - time.monotonic()
    if remaining <= 0:
        raise error(f"request deadline of {current.total_s:g} s exceeded")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write is bounded by the request deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, checking every resolved address at connect time.

    The host is resolved once here and the socket is opened to the checked IP literal, so DNS
    rebinding and numeric host spellings (2130706433, 0x7f000001, 127.1) cannot slip past.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """A socket to the first allowed address `host` resolves to, never to a refused one."""
        allowed = self._allowed_addresses(host, port)
        error: Exception | None = None
        for ip in allowed:
            try:
                limit = _capped(timeout, httpcore.ConnectTimeout)
                return _DeadlineStream(
                    super().connect_tcp(ip, port, limit, local_address, socket_options)
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise typing.cast("Exception", error)

    def _allowed_addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"DNS lookup of {host} failed: {exc}") from exc
        allowed, refused = [], []
        for ip in dict.fromkeys(str(info[4][0]) for info in infos):
            reason = self._policy.refusal(host, ip)
            if reason:
                refused.append((ip, reason))
            else:
                allowed.append(ip)
        if refused:
            logger.info("netguard host=%s refused=%s allowed=%s", host, refused, allowed)
        if not allowed:
            raise BlockedAddressError(host, refused)
        return allowed


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that connects only through GuardedBackend."""

    # No super().__init__(): it would build an unguarded pool; the parent only uses self._pool.
    def __init__(self, policy: AddressPolicy, max_connections: int) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            http1=True,
            http2=True,
            network_backend=GuardedBackend(policy),
        )
