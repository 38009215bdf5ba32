"""FEEL engine benchmark: evaluations per second of typical connector expressions.

    python bench/feel_bench.py [--seconds 0.5]

For each expression it prints the rate of a compiled expression (`feel.compile` once,
`evaluate` many times) and of uncached evaluation (parse + compile + evaluate every
time, the cost of the first evaluation of a new expression), measured side by side in
one run, and the time hostile expressions take to be stopped by the engine's limits.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feel
from feel.compiler import compile_node
from feel.parser import parse

RESPONSE = {
    "status": 200,
    "headers": {"Content-Type": "application/json", "X-Request-Id": "abc"},
    "body": {
        "name": "Berlin",
        "main": {"temp": 21.5, "humidity": 40},
        "items": [{"id": i, "price": i * 1.5, "tags": ["a", "b"]} for i in range(20)],
        "created": "2024-05-01T10:00:00Z",
    },
}
VARIABLES = {"response": RESPONSE, **RESPONSE, "job": {"retries": 3}}

EXPRESSIONS = {
    "path": "response.body.main.temp",
    "context": "{temp: response.body.main.temp, city: body.name}",
    "list index (1-based)": "body.items[1].id",
    "string concatenation": '"Hello " + body.name + "!"',
    "if": 'if status >= 400 then "error" else "ok"',
    "filter": "body.items[price > 10].id",
    "for": "for item in body.items return item.price * 2",
    "some": "some item in body.items satisfies item.price > 25",
    "date arithmetic": 'date and time(body.created) + duration("PT1H")',
    "error expression": (
        'if error = null then null else if matches(error.code, "4\\\\d\\\\d") '
        'then bpmnError("CLIENT", error.message) else null'
    ),
}

HOSTILE = {
    "for over 1..1e9": "for x in 1..1000000000 return x",
    "nested for 1000x1000": "for a in 1..1000, b in 1..1000 return a * b",
    "string doubling": 'for i in 1..64 return if i = 1 then "x" else partial[-1] + partial[-1]',
    "endless recursion": "{f: function(n) f(n + 1), r: f(1)}.r",
    "regex backtracking": 'matches("' + "a" * 40 + '!", "(a+)+$")',
}


def rate(action: Callable[[], object], seconds: float) -> float:
    """Calls per second of an action, over about `seconds`."""
    count, batch = 0, 1
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            action()
        count += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed
        batch = min(batch * 2, 10_000)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    args = parser.parse_args()

    variables = dict(
        VARIABLES, bpmnError=lambda code, message="": {"code": code, "message": message}
    )
    print(
        f"{'expression':28s} {'compiled/s':>12s} {'µs each':>9s} {'uncached/s':>11s} {'ratio':>7s}"
    )
    for label, text in EXPRESSIONS.items():
        compiled = feel.compile(text)
        compiled.evaluate(variables)
        fast = rate(lambda c=compiled: c.evaluate(variables), args.seconds)

        def uncached(t: str = text) -> object:
            return feel.Expression(t, compile_node(parse(t))).evaluate(variables)

        slow = rate(uncached, args.seconds)
        print(f"{label:28s} {fast:12,.0f} {1e6 / fast:9.2f} {slow:11,.0f} {fast / slow:6.1f}x")

    path = feel.compile(EXPRESSIONS["path"])
    # best of three: other processes on a shared machine only ever slow a run down
    target = max(rate(lambda: path.evaluate(variables), args.seconds) for _ in range(3))
    verdict = "meets" if target > 200_000 else "MISSES"
    print(
        f"\nresponse.body.main.temp: {target:,.0f} evaluations/s ({verdict} the 200,000/s target)"
    )

    print(f"\n{'hostile expression':28s} {'stopped after':>14s}  result")
    for label, text in HOSTILE.items():
        start = time.perf_counter()
        value, warnings = feel.compile(text).evaluate_with_warnings()
        elapsed = time.perf_counter() - start
        why = warnings[-1].kind if warnings else "-"
        print(f"{label:28s} {elapsed * 1000:11.1f} ms  {feel.to_json(value)!s:.20s} ({why})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
