"""The environment names the worker reads, for checking example and deployment files."""

from __future__ import annotations

from pydantic import AliasChoices

from worker.config import ConnectorSettings, ServiceSettings, ZeebeSettings

SETTINGS_CLASSES = (ZeebeSettings, ConnectorSettings, ServiceSettings)


def known_names() -> set[str]:
    """Return every environment name of every setting, aliases included."""
    names: set[str] = set()
    for settings in SETTINGS_CLASSES:
        for name, field in settings.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                names |= {choice for choice in alias.choices if isinstance(choice, str)}
            elif isinstance(alias, str):
                names.add(alias)
            else:
                names.add(name.upper())
    return names


def is_worker_variable(name: str, secrets_prefix: str = "SECRET_") -> bool:
    """True when the worker reads `name`: a setting, or a connector secret."""
    return name in known_names() or name.startswith(secrets_prefix)


def read_env_file(text: str) -> dict[str, str]:
    """Parse KEY=VALUE lines, skipping blanks and comments (the .env subset we write)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip()
    return values
