"""Durations as users write them: ISO-8601 in task headers, friendlier forms in settings.

- `parse_iso_duration`: the `PnDTnHnMn.nS` form that Camunda's headers use
  (`jobTimeout`, `retryBackoff`), the same subset as Java's `Duration.parse`: days,
  hours, minutes and seconds, each optionally negative, fractions on seconds only.
  Years, months and weeks are refused: their length is not fixed.
- `parse_setting_duration`: a setting value, either ISO-8601 (`PT5M`), a number with a
  unit (`500ms`, `30s`, `5m`, `1h`, `2d`) or a bare number of milliseconds, as Camunda's
  clients take their timeouts (`CAMUNDA_CLIENT_WORKER_DEFAULTS_TIMEOUT=300000`).
"""

from __future__ import annotations

import re
from datetime import timedelta

_ISO = re.compile(
    r"(?P<sign>[-+]?)P"
    r"(?:(?P<days>[-+]?\d+)D)?"
    r"(?:T(?:(?P<hours>[-+]?\d+)H)?(?:(?P<minutes>[-+]?\d+)M)?"
    r"(?:(?P<seconds>[-+]?\d+(?:[.,]\d{0,9})?)S)?)?",
    re.IGNORECASE,
)
_WITH_UNIT = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_iso_duration(text: str) -> timedelta:
    """Parse an ISO-8601 duration such as `PT5M`, `P1DT2H` or `PT0.5S`.

    Raises:
        ValueError: not of the form `PnDTnHnMn.nS` (with at least one part).
    """
    match = _ISO.fullmatch(text.strip())
    parts = match.groupdict() if match else {}
    if not match or all(parts[name] is None for name in ("days", "hours", "minutes", "seconds")):
        raise ValueError(f"expected an ISO-8601 duration such as PT5M or P1DT2H, got {text!r}")
    if text.strip().upper().endswith("T"):
        raise ValueError(f"expected an ISO-8601 duration such as PT5M or P1DT2H, got {text!r}")
    seconds = (parts["seconds"] or "0").replace(",", ".")
    value = timedelta(
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=float(seconds),
    )
    return -value if parts["sign"] == "-" else value


def parse_setting_duration(value: object) -> timedelta:
    """Parse a duration setting: a timedelta, ISO-8601, `<number><unit>` or milliseconds.

    Raises:
        ValueError: none of those forms.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, int | float):
        return timedelta(milliseconds=value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration, got {value!r}")
    text = value.strip()
    if re.fullmatch(r"\d+", text):
        return timedelta(milliseconds=int(text))
    unit_match = _WITH_UNIT.fullmatch(text)
    if unit_match:
        number = float(unit_match["number"])
        return timedelta(seconds=number * _UNIT_SECONDS[unit_match["unit"].lower()])
    if text[:1] in "Pp+-":
        return parse_iso_duration(text)
    raise ValueError(
        f"expected a duration such as 30s, 5m, PT5M or a number of milliseconds, got {value!r}"
    )
