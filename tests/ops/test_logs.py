"""Logging: one formatter for our events and the libraries', job context, redaction."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import warnings
from typing import Any

import pytest

from worker.job import JobInput
from worker.logs import configure_logging, get_logger, job_context
from worker.redaction import MASK, mask_secret


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def _job(key: int, element: str = "call_api") -> JobInput:
    return JobInput(
        key=key,
        variables={},
        custom_headers={},
        retries=3,
        process_instance_key=key * 10,
        bpmn_process_id="demo",
        element_id=element,
    )


def test_json_lines_for_structlog_and_library_records() -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    get_logger("worker.test").info("job completed", status=200)
    logging.getLogger("pyzeebe.worker").warning("poll failed: %s", "UNAVAILABLE")
    logging.getLogger("aiohttp.client").info("connection reset")
    logging.getLogger("grpc._cython").error("channel closed")

    lines = _lines(out)
    assert [(line["logger"], line["level"], line["event"]) for line in lines] == [
        ("worker.test", "info", "job completed"),
        ("pyzeebe.worker", "warning", "poll failed: UNAVAILABLE"),
        ("aiohttp.client", "info", "connection reset"),
        ("grpc._cython", "error", "channel closed"),
    ]
    assert lines[0]["status"] == 200
    assert all(line["timestamp"].endswith("Z") for line in lines)


def test_level_filters_ours_and_theirs_and_per_logger_levels_apply() -> None:
    out = io.StringIO()
    configure_logging("WARNING", "json", levels={"pyzeebe": "DEBUG"}, stream=out)
    get_logger("worker.x").info("hidden")
    logging.getLogger("aiohttp").info("hidden too")
    logging.getLogger("pyzeebe.grpc").debug("shown")
    get_logger("worker.x").error("shown too")
    assert [line["event"] for line in _lines(out)] == ["shown", "shown too"]


def test_console_renderer_when_asked_and_no_color_codes_off_a_terminal() -> None:
    out = io.StringIO()
    configure_logging("INFO", "console", stream=out)
    get_logger("worker.test").info("job completed", status=200)
    text = out.getvalue()
    assert "job completed" in text and "status=200" in text and "worker.test" in text
    assert "\x1b[" not in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_auto_format_is_console_on_a_terminal_and_json_otherwise() -> None:
    primary, secondary = os.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as tty:
            configure_logging("INFO", "auto", stream=tty)
            get_logger("worker.test").info("on a terminal")
            tty.flush()
        seen = os.read(primary, 65536).decode()
    finally:
        os.close(primary)
        os.close(secondary)
    assert "on a terminal" in seen and not seen.lstrip().startswith("{")

    out = io.StringIO()
    configure_logging("INFO", "auto", stream=out)
    get_logger("worker.test").info("in a pipe")
    assert _lines(out)[0]["event"] == "in a pipe"


async def test_every_line_of_a_job_carries_its_identity_even_from_libraries() -> None:
    out = io.StringIO()
    configure_logging("DEBUG", "json", stream=out)
    log = get_logger("worker.connector")

    async def run(job: JobInput) -> None:
        with job_context(job):
            log.info("request sent")
            await asyncio.sleep(0.01)
            logging.getLogger("pyzeebe.job").debug("completing")
            await asyncio.sleep(0)
            log.info("job done")

    await asyncio.gather(run(_job(1, "a")), run(_job(2, "b")))
    log.info("between jobs")

    lines = _lines(out)
    job_lines = [line for line in lines if line["event"] != "between jobs"]
    assert len(job_lines) == 6
    for line in job_lines:
        key = line["job_key"]
        assert line["process_instance_key"] == key * 10
        assert line["element_id"] == {1: "a", 2: "b"}[key]
        assert line["job_type"] == "io.camunda:http-json:1"
        assert line["bpmn_process_id"] == "demo"
    outside = next(line for line in lines if line["event"] == "between jobs")
    assert "job_key" not in outside


class _Opaque:
    """An object the structured pass cannot look into; only its rendering shows it."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __repr__(self) -> str:
        return f"<Request password={self.secret}>"


def test_secrets_never_reach_the_output_in_any_form() -> None:
    secret = 'Sup3r"S\\ecret-ü'
    mask_secret(secret)
    for fmt in ("json", "console"):
        out = io.StringIO()
        configure_logging("INFO", fmt, stream=out)  # type: ignore[arg-type]
        log = get_logger("worker.auth")
        log.info("token is " + secret, headers={"Authorization": f"Bearer {secret}"})
        log.info("nested", payload=[{"deep": (secret,)}], **{secret: "as a key"})
        log.info("object", request=_Opaque(secret))
        logging.getLogger("aiohttp.client").warning("sent %s to %r", secret, {"pw": secret})
        try:
            raise RuntimeError(f"login failed for {secret}")
        except RuntimeError:
            log.exception("request failed")
            logging.getLogger("pyzeebe").exception("library saw it too")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(f"deprecated {secret}", UserWarning, stacklevel=1)
        text = out.getvalue()
        assert "login failed for" in text and "RuntimeError" in text
        assert text.count(MASK) >= 8
        for form in (secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], "Sup3r"):
            assert form not in text, (fmt, form)
        if fmt == "json":
            assert all(isinstance(line, dict) for line in _lines(out))


def test_unknown_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown log level 'LOUD'"):
        configure_logging("LOUD", "json", stream=io.StringIO())


def test_grpc_core_is_kept_to_errors_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRPC_VERBOSITY", raising=False)
    configure_logging("INFO", "json", stream=io.StringIO())
    assert os.environ["GRPC_VERBOSITY"] == "ERROR"
    monkeypatch.setenv("GRPC_VERBOSITY", "DEBUG")
    configure_logging("INFO", "json", stream=io.StringIO())
    assert os.environ["GRPC_VERBOSITY"] == "DEBUG"
