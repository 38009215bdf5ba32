"""`python -m worker invoke --job FILE`: the exact output, stdin, and exit 2 on bad job files."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.connector.servers import Api
from worker.invoke import main, read_job, render
from worker.job import Complete, Fail, ThrowError

ROOT = Path(__file__).resolve().parents[2]


async def invoke(
    job_text: str, *, file: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, Any, str]:
    """Run the command in a subprocess; return exit status, parsed stdout and stderr."""
    source = "-" if file is None else str(file)
    if file is not None:
        file.write_text(job_text)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "worker",
        "invoke",
        "--job",
        source,
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", **(env or {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate(job_text.encode() if file is None else b"")
    assert process.returncode is not None
    output = json.loads(stdout) if stdout.strip() else None
    return process.returncode, output, stderr.decode()


async def test_complete_from_a_file(api: Api, tmp_path: Path) -> None:
    job = {
        "variables": {
            "method": "POST",
            "url": api.url("/echo/x"),
            "body": {"key": "{{secrets.KEY}}"},
        },
        "customHeaders": {"resultExpression": "={sent: body.body, path: body.path}"},
        "retries": 3,
    }
    status, output, _ = await invoke(
        json.dumps(job), file=tmp_path / "job.json", env={"SECRET_KEY": "k"}
    )
    assert status == 0
    assert output == {
        "outcome": "complete",
        "variables": {"sent": '{"key":"k"}', "path": "/echo/x"},
    }


async def test_fail_and_error_from_stdin(api: Api) -> None:
    failing = {
        "variables": {"method": "GET", "url": api.url("/status/503?body=down")},
        "customHeaders": {"retryBackoff": "PT10S"},
    }
    status, output, stderr = await invoke(json.dumps(failing))
    assert status == 0, stderr
    assert output == {
        "outcome": "fail",
        "errorMessage": "HTTP 503 Service Unavailable: down",
        "retries": 2,
        "retryBackOff": 10000,
        "variables": output["variables"],
    }
    assert output["variables"]["error"]["code"] == "503"
    throwing = {
        "variables": {"method": "GET", "url": api.url("/status/404")},
        "customHeaders": {
            "errorExpression": '=bpmnError("NOT_FOUND", "no such thing", {code: error.code})'
        },
        "retries": 1,
    }
    status, output, _ = await invoke(json.dumps(throwing))
    assert status == 0
    assert output == {
        "outcome": "error",
        "errorCode": "NOT_FOUND",
        "errorMessage": "no such thing",
        "variables": {"code": "404"},
    }


async def test_bad_file_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    status, output, stderr = await invoke("{not json", file=tmp_path / "job.json")
    assert (status, output) == (2, None)
    assert "invoke: the job file" in stderr and "is not valid JSON" in stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "is not valid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 2)",
        ),
        ('{"variables": {}}\n{', "is not valid JSON: Extra data (line 2, column 1)"),
        ("[]", "must hold a JSON object with keys 'variables', 'customHeaders', 'retries'"),
        ('{"variables": {}, "customheaders": {}}', "has unknown keys 'customheaders'"),
        ('{"variables": []}', "'variables' in"),
        ('{"customHeaders": {"resultVariable": 1}}', "'customHeaders' in"),
        ('{"retries": -1}', "'retries' in"),
        ('{"retries": true}', "'retries' in"),
        ('{"retries": 1.5}', "'retries' in"),
    ],
)
def test_malformed_job_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "job.json"
    path.write_text(content)
    assert main(["--job", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("invoke: ")
    assert message in captured.err


def test_unreadable_job_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--job", str(tmp_path / "missing.json")]) == 2
    assert "cannot read the job file" in capsys.readouterr().err
    assert main(["--job", str(tmp_path)]) == 2
    assert "cannot read the job file" in capsys.readouterr().err
    (tmp_path / "latin1.json").write_bytes(b'{"variables": {"x": "\xe9"}}')
    assert main(["--job", str(tmp_path / "latin1.json")]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_job_file_defaults(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text("{}")
    job = read_job(str(path))
    assert (job.variables, job.custom_headers, job.retries) == ({}, {}, 3)


def test_missing_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "--job" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("outcome", "printed"),
    [
        (Complete({"a": 1}), {"outcome": "complete", "variables": {"a": 1}}),
        (
            Fail("m", 2, 500, {"error": "m"}),
            {
                "outcome": "fail",
                "errorMessage": "m",
                "retries": 2,
                "retryBackOff": 500,
                "variables": {"error": "m"},
            },
        ),
        (
            ThrowError("C", "m", {"v": True}),
            {"outcome": "error", "errorCode": "C", "errorMessage": "m", "variables": {"v": True}},
        ),
    ],
)
def test_render(outcome: Complete | Fail | ThrowError, printed: dict[str, Any]) -> None:
    assert render(outcome) == printed
