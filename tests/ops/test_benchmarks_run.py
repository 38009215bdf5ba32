"""The worker benchmark still runs end to end (tiny sizes; the figures mean nothing here).

It is not run by the other tests, so without this a change to the worker or the double
could break it unnoticed. The bench itself checks that every job it hands out ends
exactly once and completed, and exits non-zero otherwise.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_worker_bench_runs_every_contender_and_reports() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "bench/worker_bench.py",
            "--rounds=1",
            "--round-jobs=150",
            "--jobs=200",
            "--fetch-jobs=60",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout
    for line in (
        "ceiling (bare stub loop, no HTTP)",
        "raw aiohttp loop",
        "bare worker (stub loop + aiohttp)",
        "worker (python -m worker)",
        "worker/ceiling",
        "bare/ceiling",
        "worker CPU",
        "with every core busy in every run",
        "with a core for each process",
        "worker memory",
        "fetch inputs",
    ):
        assert line in report, f"{line!r} missing from the report:\n{report}"
