"""`python -m feel`: one expression from the command line, or a prompt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feel", *args], cwd=ROOT, input=stdin, capture_output=True, text=True
    )


def test_prints_the_result_as_json_and_warnings_on_stderr() -> None:
    done = run("{a: x + 1, b: y}", "--vars", '{"x": 1.5}')
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"a": 2.5, "b": None}
    assert "no variable found with name 'y'" in done.stderr


def test_syntax_error_exits_1_with_a_caret() -> None:
    done = run("1 +")
    assert done.returncode == 1
    assert "line 1, column 4" in done.stderr and "^" in done.stderr


def test_invalid_vars_is_a_usage_error() -> None:
    assert run("1", "--vars", "[1]").returncode == 2
    assert run("1", "--vars", "{nope").returncode == 2


def test_prompt_evaluates_lines_until_quit() -> None:
    done = run(stdin='1 + 1\n:vars {"a": 3}\na * 2\n:quit\n')
    assert done.returncode == 0
    assert "2\n" in done.stdout and "6\n" in done.stdout
