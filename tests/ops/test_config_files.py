"""Example env files and generated docs: every name is a setting, every value is valid,
and the README table and worker.env.example match worker/config.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.settings_names import SETTINGS_CLASSES, is_worker_variable, read_env_file

REPO = Path(__file__).resolve().parents[2]
ENV_FILES = [*sorted((REPO / "config" / "env").glob("*.example")), REPO / "config" / "compose.env"]


def test_readme_table_and_env_example_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "config_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_generated_example_lists_every_setting() -> None:
    text = (REPO / "config" / "env" / "worker.env.example").read_text()
    commented = {
        line[2:].split("=", 1)[0]
        for line in text.splitlines()
        if line.startswith("# ") and "=" in line
    }
    readme = (REPO / "README.md").read_text()
    documented = {name for name in commented if name.isupper()}
    assert len(documented) == sum(len(s.model_fields) for s in SETTINGS_CLASSES)
    for name in documented:
        assert f"| `{name}` |" in readme, name


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda path: path.name)
def test_env_files_name_only_settings_and_secrets_and_their_values_load(
    path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    values = read_env_file(path.read_text())
    unknown = sorted(name for name in values if not is_worker_variable(name))
    assert not unknown, f"{path.name} sets variables the worker does not read: {unknown}"
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if is_worker_variable(name):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for settings in SETTINGS_CLASSES:
        settings()  # raises ValidationError on a bad example value


def test_an_unknown_name_is_caught() -> None:
    assert not is_worker_variable("ZEEBE_ADRESS")
    assert is_worker_variable("ZEEBE_ADDRESS") and is_worker_variable("SECRET_ANYTHING")
