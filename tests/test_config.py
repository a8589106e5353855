"""Settings and feeds files: defaults, overrides, and errors that name file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings
from config.sources import load_sources


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_defaults_load_and_db_path_is_relative_to_the_file():
    settings = load_settings()
    assert settings.per_host_concurrency == 2
    assert settings.db_path.is_absolute()
    assert settings.db_path.parent.name == "data"


def test_relative_db_path_resolves_against_the_settings_file(tmp_path):
    path = write(tmp_path / "s.toml", 'db_path = "db/news.duckdb"\n')
    assert load_settings(path).db_path == tmp_path / "db" / "news.duckdb"


def test_environment_overrides_file_and_flags_override_environment(tmp_path):
    path = write(tmp_path / "s.toml", "batch_size = 10\nper_host_delay_s = 3\n")
    env = {"NEWSFLOW_BATCH_SIZE": "20", "NEWSFLOW_ALLOW_PRIVATE_HOSTS": "127.0.0.1, 10.0.0.0/8"}
    settings = load_settings(path, overrides={"batch_size": 30}, environ=env)
    assert settings.batch_size == 30
    assert settings.per_host_delay_s == 3
    assert settings.allow_private_hosts == ("127.0.0.1", "10.0.0.0/8")
    assert load_settings(path, environ=env).batch_size == 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("batch_size = 'lots'\n", "batch_size: Input should be a valid integer"),
        ("per_host_concurency = 3\n", "per_host_concurency: unknown key"),
        ("retries = -1\n", "retries: Input should be greater than or equal to 0"),
        ("db_path = \n", "not valid TOML"),
    ],
    ids=["wrong-type", "typo", "out-of-range", "syntax"],
)
def test_bad_settings_name_the_file_key_and_problem(tmp_path, text, expected):
    path = write(tmp_path / "settings.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_bad_environment_value_is_reported_as_such(tmp_path):
    path = write(tmp_path / "s.toml", "")
    with pytest.raises(ConfigError, match=r"NEWSFLOW_.*batch_size"):
        load_settings(path, environ={"NEWSFLOW_BATCH_SIZE": "many"})


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")


def test_sources_are_read_with_optional_fields(tmp_path):
    path = write(
        tmp_path / "feeds.toml",
        '[[sources]]\nname = "a"\nurl = "https://a.example/feed"\ntags = ["x"]\nlanguage = "de"\n'
        '[[sources]]\nname = "b"\nurl = "http://b.example/rss"\nmin_interval_s = 60\nenabled = false\n',
    )
    a, b = load_sources(path)
    assert (a.name, a.tags, a.language) == ("a", ("x",), "de")
    assert (b.min_interval_s, b.enabled) == (60, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[sources]]\nname = "a"\n', "sources[0] (a).url: Field required"),
        ('[[sources]]\nname = "a"\nurl = "ftp://x/"\n', "must be an http:// or https:// URL"),
        (
            '[[sources]]\nname = "a"\nurl = "http://x/"\n[[sources]]\nname = "a"\nurl = "http://y/"\n',
            "duplicate source name 'a'",
        ),
        (
            '[[sources]]\nname = "a"\nurl = "http://x/"\ncolour = 1\n',
            "sources[0] (a).colour: unknown key",
        ),
        ('[[feeds]]\nname = "a"\n', "unknown top-level key(s): feeds"),
    ],
    ids=["missing-url", "bad-scheme", "duplicate", "unknown-key", "wrong-table"],
)
def test_bad_feeds_files_name_the_source_and_problem(tmp_path, text, expected):
    path = write(tmp_path / "feeds.toml", text)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)
