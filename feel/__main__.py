"""Command line: `python -m feel 'expression' --vars '{"a": 1}'`.

Prints the result as JSON on stdout and the warnings on stderr; exit status 0, or 1 for
a syntax error. With no expression, reads expressions from an interactive prompt (the
variables stay the same; `:vars {...}` replaces them, `:quit` ends).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import feel


def _show(expression: str, variables: dict[str, Any]) -> int:
    try:
        value, warnings = feel.compile(expression, variables).evaluate_with_warnings(variables)
    except feel.FeelSyntaxError as error:
        print(f"syntax error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(feel.to_json(value), ensure_ascii=False, indent=None))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _prompt(variables: dict[str, Any]) -> int:
    print("FEEL - enter an expression; :vars {json} sets the variables, :quit ends.")
    while True:
        try:
            line = input("feel> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        line = line.strip()
        if not line:
            continue
        if line in (":quit", ":q", ":exit"):
            return 0
        if line.startswith(":vars"):
            try:
                loaded = json.loads(line[len(":vars") :] or "{}")
            except json.JSONDecodeError as error:
                print(f"invalid JSON: {error}", file=sys.stderr)
                continue
            if not isinstance(loaded, dict):
                print("variables must be a JSON object", file=sys.stderr)
                continue
            variables = loaded
            continue
        _show(line, variables)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m feel", description="Evaluate a FEEL expression."
    )
    parser.add_argument("expression", nargs="?", help="the expression (omit it for a prompt)")
    parser.add_argument("--vars", default="{}", help="variables as a JSON object")
    args = parser.parse_args(argv)
    try:
        variables = json.loads(args.vars)
    except json.JSONDecodeError as error:
        parser.error(f"--vars is not valid JSON: {error}")
    if not isinstance(variables, dict):
        parser.error("--vars must be a JSON object")
    if args.expression is None:
        return _prompt(variables)
    return _show(args.expression, variables)


if __name__ == "__main__":
    sys.exit(main())
