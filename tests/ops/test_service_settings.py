"""ServiceSettings: environment names, Camunda/Spring aliases, defaults and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices, ValidationError

from worker.config import ServiceSettings

_NAMES = [
    name
    for field in ServiceSettings.model_fields.values()
    if isinstance(field.validation_alias, AliasChoices)
    for name in field.validation_alias.choices
    if isinstance(name, str)
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = ServiceSettings()
    assert (settings.log_level, settings.log_format, settings.log_levels) == ("INFO", "auto", {})
    assert (settings.health_host, settings.health_port) == ("0.0.0.0", 8080)


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"LOG_LEVEL": "debug"}, "log_level", "DEBUG"),
        ({"LOGGING_LEVEL_ROOT": "warning"}, "log_level", "WARNING"),
        ({"LOG_LEVEL": "ERROR", "LOGGING_LEVEL_ROOT": "DEBUG"}, "log_level", "ERROR"),
        ({"LOG_FORMAT": "json"}, "log_format", "json"),
        (
            {"LOG_LEVELS": "pyzeebe=debug, grpc=ERROR"},
            "log_levels",
            {"pyzeebe": "DEBUG", "grpc": "ERROR"},
        ),
        ({"HEALTH_HOST": "127.0.0.1"}, "health_host", "127.0.0.1"),
        ({"SERVER_ADDRESS": "::1"}, "health_host", "::1"),
        ({"HEALTH_PORT": "9100"}, "health_port", 9100),
        ({"MANAGEMENT_SERVER_PORT": "9101"}, "health_port", 9101),
        ({"SERVER_PORT": "9102"}, "health_port", 9102),
        ({"HEALTH_PORT": "0"}, "health_port", 0),
    ],
)
def test_environment_names(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], field: str, expected: object
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert getattr(ServiceSettings(), field) == expected


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_FORMAT=console\nHEALTH_PORT=9200\n")
    settings = ServiceSettings()
    assert (settings.log_format, settings.health_port) == ("console", 9200)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOG_LEVEL", "LOUD", "unknown log level 'LOUD'"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        ("LOG_LEVELS", "pyzeebe", "expected LOGGER=LEVEL"),
        ("LOG_LEVELS", "pyzeebe=LOUD", "got 'pyzeebe=LOUD'"),
        ("HEALTH_PORT", "70000", "less than or equal to 65535"),
        ("HEALTH_PORT", "http", "HEALTH_PORT"),
    ],
)
def test_bad_values_name_the_setting_and_the_problem(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        ServiceSettings()
    assert message in str(caught.value)
