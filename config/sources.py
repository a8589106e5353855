"""Sources: the [[sources]] tables of a feeds file, read into plain records and written back.

A bad file never produces a traceback: every problem becomes a ConfigError naming the file, the
source and what is wrong with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.settings import CONFIG_DIR, ConfigError, describe_error, read_toml

DEFAULT_FEEDS_FILE = CONFIG_DIR / "feeds.toml"


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source: a feed (RSS, Atom, JSON Feed) or a sitemap."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    language: str | None = None
    # Lower bound in seconds between two fetches of this source; None = the settings default.
    min_interval_s: int | None = None
    enabled: bool = True


class _SourceModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    url: str = Field(min_length=1)
    tags: list[str] = []
    language: str | None = None
    min_interval_s: int | None = Field(None, ge=0)
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


def load_sources(path: Path | None = None) -> list[Source]:
    """Read the [[sources]] tables of a feeds file.

    Raises:
        ConfigError: naming the file, the source (by position and name) and the problem.

    """
    path = Path(path) if path else DEFAULT_FEEDS_FILE
    data = read_toml(path)
    unknown = set(data) - {"sources"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    tables = data.get("sources", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    sources, seen = [], set()
    for index, table in enumerate(tables):
        label = f"sources[{index}]" + (
            f" ({table.get('name')})" if isinstance(table, dict) and table.get("name") else ""
        )
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {label}: must be a table")
        try:
            model = _SourceModel(**table)
        except ValidationError as exc:
            raise describe_error(path, exc, prefix=f"{label}.") from None
        if model.name in seen:
            raise ConfigError(f"{path}: {label}.name: duplicate source name {model.name!r}")
        seen.add(model.name)
        sources.append(
            Source(
                name=model.name,
                url=model.url,
                tags=tuple(model.tags),
                language=model.language,
                min_interval_s=model.min_interval_s,
                enabled=model.enabled,
            )
        )
    return sources


def sources_toml(sources: list[Source], header: str | None = None) -> str:
    """Sources as the text of a feeds file: one [[sources]] table each, optional fields omitted.

    JSON string escapes are valid TOML basic-string escapes, so json.dumps quotes safely.
    """
    lines = [f"# {header}"] if header else []
    for source in sources:
        lines += [
            "",
            "[[sources]]",
            f"name = {json.dumps(source.name)}",
            f"url = {json.dumps(source.url)}",
        ]
        if source.tags:
            lines.append(f"tags = {json.dumps(list(source.tags))}")
        if source.language:
            lines.append(f"language = {json.dumps(source.language)}")
        if source.min_interval_s is not None:
            lines.append(f"min_interval_s = {source.min_interval_s}")
        if not source.enabled:
            lines.append("enabled = false")
    return "\n".join(lines).lstrip("\n") + "\n"
