"""Capped exponential backoff with jitter, for retrying gateway calls."""

from __future__ import annotations

import random


class Backoff:
    """Capped exponential backoff with jitter: initial, 2x, 4x, ... up to the maximum."""

    def __init__(self, initial_s: float, max_s: float) -> None:
        self.initial_s = initial_s
        self.max_s = max_s
        self.failures = 0

    def next(self) -> float:
        ceiling = min(self.max_s, self.initial_s * float(2 ** min(self.failures, 30)))
        self.failures += 1
        return ceiling * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0
