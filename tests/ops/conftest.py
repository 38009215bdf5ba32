"""Fixtures of the operations tests: a clean logging setup and secret mask per test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog

from worker.redaction import SECRET_MASK


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    logging.captureWarnings(False)
    SECRET_MASK.clear()
