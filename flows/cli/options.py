"""Options and settings resolution shared by every `newsflow` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from config.settings import Settings, load_settings

# soft_wrap: long lines stay whole when output goes to a file or a pipe.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

FeedsOpt = Annotated[
    Path | None,
    typer.Option("--feeds", help="Feeds file ([[sources]] tables).", show_default=False),
]
SettingsOpt = Annotated[
    Path | None, typer.Option("--settings", help="Settings file.", show_default=False)
]
DbOpt = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file (overrides db_path).", show_default=False)
]


def cli_overrides(db: Path | None) -> dict[str, Any]:
    """CLI flags that override settings, as flow parameters (JSON-able)."""
    return {"db_path": str(db.resolve())} if db else {}


def resolve_settings(settings_file: Path | None, db: Path | None) -> Settings:
    """Settings from the file, the environment and the --db flag."""
    return load_settings(settings_file, cli_overrides(db))
