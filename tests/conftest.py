"""Project-wide test configuration.

Tests marked `long` (100,000-input fuzzing, soak runs) are skipped unless RUN_LONG=1,
so that `make test` stays well under ten minutes.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("RUN_LONG") == "1":
        return
    skip = pytest.mark.skip(reason="long test: set RUN_LONG=1 to run it")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)
