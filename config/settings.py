"""Settings: a TOML file plus NEWSFLOW_* environment overrides, validated once.

A bad file never produces a traceback: every problem becomes a ConfigError naming the file, the
key and what is wrong with it.
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_SETTINGS_FILE = CONFIG_DIR / "settings.toml"
ENV_PREFIX = "NEWSFLOW_"


class ConfigError(Exception):
    """A configuration problem, worded for the person who wrote the file."""


class Settings(BaseModel):
    """Every tunable of a run. Frozen: parsed once, passed down explicitly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    db_path: Path = Path("data/newsflow.duckdb")
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
    global_concurrency: int = Field(16, ge=1, le=512)
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay_s: float = Field(1.0, ge=0)
    connect_timeout_s: float = Field(10.0, gt=0)
    read_timeout_s: float = Field(20.0, gt=0)
    request_deadline_s: float = Field(60.0, gt=0)
    max_redirects: int = Field(5, ge=0, le=30)
    max_response_bytes: int = Field(10_000_000, ge=1024)
    retries: int = Field(3, ge=0, le=10)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)
    respect_robots: bool = True
    allow_private_hosts: tuple[str, ...] = ()
    feed_min_interval_s: int = Field(900, ge=0)
    max_entries_per_feed: int = Field(2000, ge=1)
    max_attempts: int = Field(5, ge=1)
    batch_size: int = Field(100, ge=1, le=10_000)
    extraction_workers: int = Field(0, ge=0, le=256)
    extraction_timeout_s: float = Field(30.0, gt=0)
    max_html_bytes: int = Field(5_000_000, ge=1024)
    extra_tracking_params: tuple[str, ...] = ()
    schedule_cron: str = ""
    schedule_interval_s: int = Field(900, ge=10)
    dask_address: str = ""
    dask_workers: int = Field(0, ge=0, le=1024)
    prefect_tags: tuple[str, ...] = ("newsflow",)
    prefect_history_days: int = Field(30, ge=0)
    # Retention (warehouse/retention.py), in days; 0 keeps forever. Article texts are never
    # pruned by age: only `newsflow prune --articles-before DATE` deletes articles.
    keep_raw_pages_days: int = Field(90, ge=0)
    keep_fetch_log_days: int = Field(90, ge=0)
    keep_article_versions_days: int = Field(365, ge=0)
    keep_site_paragraphs_days: int = Field(90, ge=0)

    @field_validator("schedule_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if value:
            try:
                CronSim(value, datetime.now(UTC))
            except CronSimError as exc:
                raise ValueError(f"not a cron expression ({exc})") from None
        return value

    @field_validator("allow_private_hosts", "extra_tracking_params", "prefect_tags", mode="before")
    @classmethod
    def _split_comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @property
    def distributed(self) -> bool:
        """True when tasks run on a Dask cluster instead of the flow's own threads."""
        return bool(self.dask_address or self.dask_workers)

    @property
    def workers(self) -> int:
        """Extraction processes: the configured number, or one per core."""
        return self.extraction_workers or os.cpu_count() or 1


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file's tables; any problem reading it is a ConfigError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def describe_error(path: Path, exc: ValidationError, prefix: str = "") -> ConfigError:
    """One line per invalid key: the file, the key (after `prefix`) and what is wrong."""
    problems = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(file)"
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(f"{path}: {prefix}{key}: {message}")
    return ConfigError("\n".join(problems))


def _env_overrides(environ: dict[str, str]) -> dict[str, str]:
    known = Settings.model_fields
    overrides = {}
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX):
            key = name[len(ENV_PREFIX) :].lower()
            if key in known:
                overrides[key] = value
    return overrides


def load_settings(
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Read settings: the file, then NEWSFLOW_* variables, then explicit overrides (CLI flags).

    Args:
        path: settings TOML; the packaged config/settings.toml when None.
        overrides: values that win over everything else; None values are ignored.
        environ: the environment to read (os.environ when None).

    Raises:
        ConfigError: naming the file, key and problem.

    """
    path = Path(path) if path else DEFAULT_SETTINGS_FILE
    values = read_toml(path)
    env = _env_overrides(dict(os.environ if environ is None else environ))
    values.update(env)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        source = f"{path} (or NEWSFLOW_* environment)" if env else str(path)
        raise describe_error(Path(source), exc) from None
    db_path = settings.db_path.expanduser()
    if not db_path.is_absolute() and "db_path" not in env and not (overrides or {}).get("db_path"):
        # A path in the file is relative to the file, so runs work from any directory.
        db_path = (path.parent / db_path).resolve()
    return settings.model_copy(update={"db_path": db_path})
