"""What may reach the wire: header names and values, URL text, and how deep values nest.

Inputs come from process variables, FEEL and secrets, so any of them may hold a line break
meant to smuggle a header (`X-A: 1\\r\\nX-Admin: yes`), a NUL, a lone surrogate that no
encoding can send, or JSON nested thousands of levels deep. These checks find such values
before a request is built, so the job fails with a message naming the field instead of
the request being cut, rewritten or crashing deep in a library.

Every walk here is iterative: a hostile value must not exhaust the stack that checks it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Deeper values are refused (inputs) or kept as text (responses). Real documents stay far
# below; every recursive step after this check (JSON encoding, masking, FEEL) stays well
# inside Python's recursion limit.
MAX_NESTING = 200

HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Control characters other than horizontal tab, which RFC 9110 allows inside a value.
_HEADER_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_URL_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _describe(char: str, index: int) -> str:
    return f"{char!r} at position {index + 1}"


def header_value_problem(text: str) -> str | None:
    """Say what makes `text` unusable as a header value, or None when it is fine."""
    found = _HEADER_VALUE_FORBIDDEN.search(text)
    if found is not None:
        return "must not contain line breaks or other control characters, found " + _describe(
            found.group(), found.start()
        )
    return surrogate_problem(text)


def header_name_problem(name: str) -> str | None:
    """Say what makes `name` unusable as a header name (an RFC 9110 token), or None."""
    if HEADER_NAME.fullmatch(name):
        return None
    return f"{name[:60]!r} is not a valid header name (letters, digits and !#$%&'*+.^_`|~-)"


def url_problem(text: str) -> str | None:
    """Say what makes `text` unusable as a URL (control characters), or None."""
    found = _URL_FORBIDDEN.search(text)
    if found is not None:
        return "must not contain line breaks, tabs or other control characters, found " + _describe(
            found.group(), found.start()
        )
    return surrogate_problem(text)


def surrogate_problem(text: str) -> str | None:
    """Say where `text` holds a lone surrogate (no encoding can send it), or None."""
    found = None if text.isascii() else _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"holds a lone surrogate {found.group()!r} at position {found.start() + 1} "
        "(broken UTF-16 in the variable), which cannot be sent"
    )


# json.dumps with options builds an encoder at every call; this one is built once
_TEXT_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def json_text(value: Any) -> str | None:
    """`value` as JSON text (lone surrogates kept), or None when it cannot be written."""
    try:
        return _TEXT_ENCODER.encode(value)
    except (ValueError, TypeError, RecursionError):
        return None


def _few_brackets(text: str | None, limit: int) -> bool:
    # a JSON text with fewer brackets than `limit`, strings included, nests less deeply
    return text is not None and text.count("[") + text.count("{") < limit


def plain_json(text: str) -> bool:
    """True when the value whose `json_text` is `text` is certainly fine to send: no lone
    surrogate in it and fewer than `MAX_NESTING` levels (fewer brackets than that).

    False says nothing: `first_problem` looks closer. Any part of the value (a field, an
    item, a key) is fine too, its text being part of this one.
    """
    return _few_brackets(text, MAX_NESTING) and (text.isascii() or _SURROGATE.search(text) is None)


def first_problem(value: Any, path: str, text: str | None = None) -> str | None:
    """Find, in `value` at any depth, a lone surrogate or nesting beyond `MAX_NESTING`.

    Returns `"<path>: <problem>"` for the first one found, or None. The common case is
    decided on the value's JSON text, at the encoder's speed: no surrogate in it, and fewer
    brackets than `MAX_NESTING` (so no deeper nesting either). Otherwise one pass that
    builds no path, and only a value with a problem is walked again to say where.
    `text`, when given, is `json_text(value)`.
    """
    if isinstance(value, str):
        problem = surrogate_problem(value)
        return None if problem is None else f"{path}: {problem}"
    if not isinstance(value, dict | list | tuple):
        return None
    if text is None:
        text = json_text(value)
    if text is not None and plain_json(text):
        return None
    if _clean(value):
        return None
    return _locate(value, path)


def _clean(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    push = stack.append
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and _SURROGATE.search(item) is not None:
                return False
        elif kind is dict or kind is list or kind is tuple:
            if depth >= MAX_NESTING:
                return False
            children = item.values() if kind is dict else item
            if kind is dict:
                for key in item:
                    if type(key) is str and not key.isascii() and _SURROGATE.search(key):
                        return False
            for child in children:
                child_kind = type(child)
                if child_kind is str:
                    if not child.isascii() and _SURROGATE.search(child) is not None:
                        return False
                elif isinstance(child, dict | list | tuple | str):  # subclasses too
                    push((child, depth + 1))
        elif isinstance(item, str | dict | list | tuple):  # subclasses: the slow, sure way
            return _locate(item, "") is None
    return True


def _locate(value: Any, path: str) -> str | None:
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            problem = surrogate_problem(item)
            if problem is not None:
                return f"{where}: {problem}"
        elif isinstance(item, dict | list | tuple):
            if depth >= MAX_NESTING:
                return f"{where}: is nested more than {MAX_NESTING} levels deep"
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str) and (problem := surrogate_problem(key)) is not None:
                        return f"{where}: a key {problem}"
                    stack.append((child, f"{where}.{key}", depth + 1))
            else:
                stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
    return None


def deeper_than(value: Any, limit: int = MAX_NESTING, text: str | None = None) -> bool:
    """True when `value` nests lists and dicts more than `limit` levels deep.

    `text`, the value's JSON text when the caller has it, settles most cases at once.
    """
    if _few_brackets(text, limit):
        return False
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
    return False


def sendable_text(text: str) -> str:
    """`text` with lone surrogates written as `\\udXXX` escapes: Zeebe takes UTF-8 only."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def sendable_value(value: Any) -> Any:
    """`value` with `sendable_text` applied to every string, keys included.

    Recursive: call it on values already known to nest at most a few hundred levels.
    """
    if isinstance(value, str):
        return sendable_text(value)
    if isinstance(value, dict):
        return {sendable_value(key): sendable_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [sendable_value(item) for item in value]
    return value
