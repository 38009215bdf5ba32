"""The log pipeline's shortcuts: cached loggers follow a new configuration, the secret
mask's quick answer for flat events equals its full walk, timestamps formatted once a second
read as datetime's."""

from __future__ import annotations

import datetime
import io
import json
import logging
import time
from typing import Any

import pytest
import structlog

from worker.logs import add_timestamp, configure_logging, get_logger
from worker.redaction import MASK, SecretMask

# One logger made before any configuration and kept, as modules keep theirs.
KEPT = structlog.get_logger("worker.kept")


def test_a_kept_logger_follows_every_new_configuration() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "json", stream=first)
    KEPT.info("to the first")
    KEPT.debug("below the level")
    configure_logging("DEBUG", "console", stream=second)
    KEPT.debug("to the second")
    assert [json.loads(line)["event"] for line in first.getvalue().splitlines()] == ["to the first"]
    assert "to the second" in second.getvalue() and not second.getvalue().startswith("{")


def test_per_logger_levels_apply_to_kept_loggers() -> None:
    out = io.StringIO()
    configure_logging("DEBUG", "json", levels={"worker.kept": "WARNING"}, stream=out)
    try:
        KEPT.info("hidden")
        KEPT.warning("shown")
        get_logger("worker.other").debug("shown too")
    finally:
        logging.getLogger("worker.kept").setLevel(logging.NOTSET)
    assert [json.loads(line)["event"] for line in out.getvalue().splitlines()] == [
        "shown",
        "shown too",
    ]


SECRETS = ("tok3n-value", 'quo"te', "x", "ü-secret", "a" * 300)


@pytest.mark.parametrize(
    "event",
    [
        {"event": "http.request", "url": "http://h/tok3n-value", "status": 200},
        {"event": "clean", "status": 200, "ratio": 1.5, "ok": True, "none": None},
        {"event": "json form", "body": json.dumps('quo"te')},
        {"tok3n-value": "as a key", 7: "int key"},
        {"event": "long " + "a" * 300 + " form"},
        {"event": "unicode", "v": "ü-secret"},
        {"event": "nested", "headers": {"Authorization": "Bearer tok3n-value"}},
        {"event": "list", "items": ["x", ("y", "tok3n-value")]},
        {"event": "object", "value": object()},
        {"event": "split across\n", "b": "tok3n-value"[:4], "c": "tok3n-value"[4:]},
    ],
)
def test_flat_events_are_masked_exactly_as_the_full_walk_masks_them(event: dict[Any, Any]) -> None:
    mask = SecretMask()
    mask.add_all(SECRETS)
    assert mask.redact_value(event) == mask._walk(event)


def test_a_clean_flat_event_is_passed_through_and_a_dirty_one_copied() -> None:
    mask = SecretMask()
    mask.add("tok3n-value")
    clean = {"event": "ok", "status": 200}
    assert mask.redact_value(clean) is clean
    assert mask.redact_value({"event": "tok3n-value"}) == {"event": MASK}


@pytest.mark.parametrize(
    "nanoseconds",
    [0, 999, 1_700_000_000_000_000_000, 1_700_000_000_123_456_789, 1_700_000_001_999_999_999],
)
def test_timestamps_read_as_datetime_isoformat_in_utc(
    nanoseconds: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time_ns", lambda: nanoseconds)
    seconds, micros = divmod(nanoseconds // 1000, 1_000_000)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(microsecond=micros)
    stamp = add_timestamp(None, "info", {})["timestamp"]
    assert stamp == moment.isoformat().replace("+00:00", "Z")
    assert datetime.datetime.fromisoformat(stamp) == moment
