"""Named SQL files from warehouse/queries, run with bound parameters, and their transactions."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

PARAMETER = re.compile(r"\$([a-z_]+)")
STATEMENT_END = re.compile(r";\s*(?:\n|$)")
COMMENT_LINE = re.compile(r"^\s*--.*$", re.MULTILINE)


@functools.cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of warehouse/queries/<name>.sql, comments removed."""
    text = (resources.files("warehouse") / "queries" / f"{name}.sql").read_text(encoding="utf-8")
    text = COMMENT_LINE.sub("", text)
    return tuple(s.strip() for s in STATEMENT_END.split(text) if s.strip())


def run(con: duckdb.DuckDBPyConnection, query: str, /, **params: Any) -> duckdb.DuckDBPyConnection:
    """Execute every statement of a named query; each gets the parameters it mentions.

    Returns the connection, positioned on the last statement's result.
    """
    for statement in statements(query):
        used = {key: params[key] for key in PARAMETER.findall(statement)}
        con.execute(statement, used)
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[None]:
    """BEGIN ... COMMIT, rolled back on any exception (KeyboardInterrupt included).

    `commit=False` rolls back at the end too: a dry run that counts what it would change.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT" if commit else "ROLLBACK")


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """The table readable by queries as `name` for the block, then unregistered."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)
