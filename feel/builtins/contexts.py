"""Context functions: `get value`, `get entries`, `context`, `context put`, `context merge`.

Contexts are never changed in place: `context put` and `context merge` return new ones.
feel-scala's key paths are supported: `get value(m, ["a", "b"])` reads `m.a.b` and
`context put(m, ["a", "b"], v)` writes it, creating the contexts on the way. feel-scala's
former `put` and `put all` are kept as other names of `context put` and `context merge`.
"""

from __future__ import annotations

from typing import Any

from feel.builtins import arguments
from feel.functions import FunctionError, builtin


def _key_path(keys: Any) -> list[str]:
    if type(keys) is not list or not keys:
        raise FunctionError(
            f"'keys' must be a non-empty list of strings, not {arguments.describe(keys)}"
        )
    for key in keys:
        if type(key) is not str:
            raise FunctionError(f"'keys' must hold strings only, not {arguments.describe(key)}")
    return keys


def _get(context: Any, key: Any) -> Any:
    entries = arguments.context(context, "context")
    if type(key) is list:
        value: Any = entries
        for part in _key_path(key):
            if type(value) is not dict:
                return None
            value = value.get(part)
        return value
    return entries.get(arguments.string(key, "key"))


@builtin("get value", ["m", "key"])
def get_value(m: Any, key: Any) -> Any:
    """The value of the entry with that key (or key path); null when there is none."""
    return _get(m, key)


@builtin("get value", ["context", "key"])
def get_value_of_context(context: Any, key: Any) -> Any:
    return _get(context, arguments.string(key, "key"))


@builtin("get value", ["context", "keys"])
def get_value_at_path(context: Any, keys: Any) -> Any:
    return _get(context, _key_path(keys))


def _entries(context: Any) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in arguments.context(context, "m").items()]


builtin("get entries", ["m"])(_entries)
builtin("get entries", ["context"])(_entries)


@builtin("context", ["entries"])
def context_(entries: Any) -> dict[str, Any]:
    """The context of a list of `{key, value}` contexts; null when a key repeats."""
    result: dict[str, Any] = {}
    for position, entry in enumerate(arguments.items(entries, "entries"), 1):
        if type(entry) is not dict or "key" not in entry or "value" not in entry:
            raise FunctionError(
                f"entry {position} is {arguments.describe(entry)}, not a context with key and value"
            )
        key = entry["key"]
        if type(key) is not str:
            raise FunctionError(
                f"the key of entry {position} is {arguments.describe(key)}, not a string"
            )
        if key in result:
            raise FunctionError(f"the key '{key}' appears twice")
        result[key] = entry["value"]
    return result


def _put(context: Any, key: Any, value: Any) -> dict[str, Any]:
    entries = arguments.context(context, "context")
    if type(key) is not list:
        return {**entries, arguments.string(key, "key"): value}
    first, *rest = _key_path(key)
    if not rest:
        return {**entries, first: value}
    inner = entries.get(first, {})
    if type(inner) is not dict:
        raise FunctionError(f"the entry '{first}' is {arguments.describe(inner)}, not a context")
    return {**entries, first: _put(inner, rest, value)}


@builtin("context put", ["context", "keys", "value"])
def context_put(context: Any, keys: Any, value: Any) -> dict[str, Any]:
    """A copy of the context with the entry at the key (or key path) set to the value."""
    return _put(context, keys, value)


@builtin("context put", ["context", "key", "value"])
def context_put_key(context: Any, key: Any, value: Any) -> dict[str, Any]:
    return _put(context, arguments.string(key, "key"), value)


def _merge(contexts: list[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for position, entries in enumerate(contexts, 1):
        if type(entries) is not dict:
            raise FunctionError(f"item {position} is {arguments.describe(entries)}, not a context")
        result.update(entries)
    return result


@builtin("context merge", ["contexts"], variadic=True)
def context_merge(*contexts: Any) -> dict[str, Any]:
    """One context with the entries of all; a later context's entry wins.

    The contexts come as one list or, as feel-scala accepts (and Camunda's list
    expressions page uses), one by one: `context merge(a, b)`.
    """
    return _merge(arguments.variadic(contexts, "contexts"))


# feel-scala's former names of `context put` and `context merge`, still accepted there
builtin("put", ["context", "key", "value"])(context_put_key)


builtin("put all", ["contexts"], variadic=True)(context_merge)
