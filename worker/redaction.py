"""Secret values the process must never print, and the masking that hides them.

`SECRET_MASK` is the process-wide registry. Whoever learns a secret value registers it
once with `mask_secret` (the secret store as it resolves `{{secrets.NAME}}`, the Zeebe
layer for its OAuth client secret, the auth code for a derived `Authorization` value);
the log processors in `worker.logs`, and anyone building an incident message or an
exception text, pass text through `redact`.

A value is masked in the forms in which it usually leaks: as is, JSON-escaped,
`repr`-escaped and URL-encoded (as a component, as a path, and as the worker encodes URLs:
only what is illegal). The base64 form of Basic credentials is registered by `worker.auth`
as a value of its own. Every non-empty value is masked, however short: a noisy log line
is better than a leaked secret.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
# Longer forms are replaced one by one: a regular expression alternating long literals
# that share a prefix takes quadratic time to compile (a 1 MB password took minutes).
_LONG_FORM = 256
# What `worker.urls` percent-encodes in a URL (kept here: masking must not import the rest).
_ILLEGAL_IN_URL = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]%]")
# Values `redact_value` passes through unchanged.
_SCALARS = frozenset({int, float, bool, type(None)})


def _leak_forms(value: str) -> set[str]:
    """Return the spellings under which `value` may show up in rendered text."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        quote(value, safe=""),
        quote(value),
        quote_plus(value, safe=""),
        _ILLEGAL_IN_URL.sub(lambda match: quote(match.group(), safe=""), value),
    }
    return {form for form in forms if form}


class SecretMask:
    """A set of secret values, and the replacement of each of them by `***`.

    Registration is rare (once per secret value) and takes a lock; masking is frequent
    and reads one immutable compiled pattern, so it needs none.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._long_forms: tuple[str, ...] = ()
        self._version = 0
        self._derived: dict[int, tuple[int, SecretMask]] = {}

    def add(self, value: str) -> None:
        """Mask `value` from now on; empty values are ignored."""
        if not value or value in self._values:
            return
        with self._lock:
            self._values.add(value)
            self._forms |= _leak_forms(value)
            # Longest first: an alternation takes the first branch that matches, and a
            # secret containing another secret must be hidden whole.
            ordered = sorted(self._forms, key=lambda form: (-len(form), form))
            self._long_forms = tuple(form for form in ordered if len(form) > _LONG_FORM)
            short = [re.escape(form) for form in ordered if len(form) <= _LONG_FORM]
            # a pattern that never matches keeps `redact` on one path when all forms are long
            self._pattern = re.compile("|".join(short) or "(?!)")
            self._version += 1

    def add_all(self, values: Iterable[str]) -> None:
        """Mask each of `values`."""
        for value in values:
            self.add(value)

    def clear(self) -> None:
        """Forget every value (for tests)."""
        with self._lock:
            self._values.clear()
            self._forms.clear()
            self._pattern = None
            self._long_forms = ()
            self._version += 1

    def at_least(self, length: int) -> SecretMask:
        """A mask of only the values of `length` characters or more (kept until one is added).

        Masking a job's outcome with every secret of the process would turn each `7` of a
        message into `***` once some secret is `7`; longer values are worth hiding even
        when the job did not use them (a server may echo them).
        """
        version, derived = self._derived.get(length, (-1, None))
        if derived is None or version != self._version:
            derived = SecretMask()
            derived.add_all(value for value in list(self._values) if len(value) >= length)
            self._derived[length] = (self._version, derived)
        return derived

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def redact(self, text: str) -> str:
        """Return `text` with every known secret form replaced by `***`."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        for form in self._long_forms:
            if form in text:
                text = text.replace(form, MASK)
        return pattern.sub(MASK, text)

    def redact_value(self, value: Any) -> Any:
        """Return `value` with secrets masked in every string it contains.

        Walks dicts (keys and values), lists, tuples and sets; other objects are left as
        they are (their rendered text is scrubbed later by `redact`).
        """
        if self._pattern is None:
            return value
        if type(value) is dict and self._flat_and_clean(value):
            return value
        return self._walk(value)

    def _flat_and_clean(self, value: dict[Any, Any]) -> bool:
        """True when `value` holds only text and plain scalars, and no text holds a secret.

        A log event is such a dict: one search over its texts joined replaces a walk that
        searches each of them (the walk would change nothing: every text is part of the
        joined one, so a secret in any of them is found there).
        """
        texts = []
        for key, item in value.items():
            for part in (key, item):
                kind = type(part)
                if kind is str:
                    texts.append(part)
                elif kind not in _SCALARS:
                    return False
        joined = "\n".join(texts)
        pattern = self._pattern
        if pattern is None or pattern.search(joined) is not None:
            return False
        return not any(form in joined for form in self._long_forms)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {self._walk(key): self._walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self._walk(item) for item in value)
        if isinstance(value, set | frozenset):
            return {self._walk(item) for item in value}
        return value


SECRET_MASK = SecretMask()


def mask_secret(value: str) -> None:
    """Register `value` in the process-wide mask: it will never be logged."""
    SECRET_MASK.add(value)


def redact(text: str) -> str:
    """Return `text` with every registered secret value masked."""
    return SECRET_MASK.redact(text)
