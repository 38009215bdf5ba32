"""The worker's shortcuts give exactly what the long way gives (differential properties).

Each shortcut skips work in the common case: inputs checked and searched for placeholders
on one JSON text, URLs split and encoded from a cache, query components left as they are
when `quote` would keep them, a flat log event masked with one search, the egress policy's
host patterns matched with one expression. Hypothesis compares each with the long way on
plausible and hostile values, results and errors alike.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.strategies import any_character, job_variables, json_like, nasty_text, urls
from tests.security.test_input_fuzz import LOOPBACK, STORE
from worker import egress, request
from worker import urls as url_module
from worker.redaction import SecretMask
from worker.wire import MAX_NESTING

FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """What `call` gives: its value, or its error's type and message."""
    try:
        return "value", call()
    except Exception as error:  # the comparison is the point: any error, same on both sides
        return type(error).__name__, str(error)


def both_ways(raw: dict[str, Any]) -> None:
    used_short: dict[str, str] = {}
    used_long: dict[str, str] = {}
    job_type = "io.camunda:http-json:1"
    short = outcome(lambda: request._checked_and_resolved(dict(raw), STORE, used_short, job_type))
    long = outcome(
        lambda: request._checked_and_resolved_one_by_one(dict(raw), STORE, used_long, job_type)
    )
    assert short == long
    assert used_short == used_long


@FUZZ
@given(job_variables(LOOPBACK))
def test_inputs_checked_at_once_as_one_by_one(variables: dict[str, Any]) -> None:
    both_ways(variables)


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    "depth", [1, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, MAX_NESTING + 5, 1000]
)
@pytest.mark.parametrize("leaf", [1, "\ud800", "{{secrets.A}}", "[[{{", "é"])
def test_deep_and_broken_values_checked_at_once_as_one_by_one(depth: int, leaf: Any) -> None:
    both_ways({"method": "POST", "url": LOOPBACK + "/x", "body": nested(depth, leaf)})
    both_ways({"method": "POST", "url": LOOPBACK + "/x", "headers": {"X": "a"}, leaf: 1})


@FUZZ
@given(st.one_of(urls(LOOPBACK), st.text(any_character, max_size=40).map("http://h/".__add__)))
def test_cached_urls_split_and_encode_as_uncached(url: str) -> None:
    for _ in range(2):  # the second answer comes from the cache
        assert outcome(lambda: url_module.split_url(url)) == outcome(
            lambda: url_module._split_url(url)
        )
        for skip in (False, True):
            cached = outcome(partial(url_module.encode_url, url, skip_encoding=skip))
            assert cached == outcome(partial(url_module._encode_url, url, skip))


def test_urls_with_credentials_or_very_long_are_not_kept() -> None:
    before = url_module._split_url_cached.cache_info().currsize
    url_module.split_url("http://user:s3cret@127.0.0.1:8/")
    url_module.split_url("http://127.0.0.1:8/" + "a" * 5000)
    assert url_module._split_url_cached.cache_info().currsize == before
    url_module.split_url("http://127.0.0.1:8/kept")
    assert url_module._split_url_cached.cache_info().currsize == before + 1


@FUZZ
@given(st.text(any_character, max_size=30))
def test_query_components_encode_as_quote_does(text: str) -> None:
    assert outcome(lambda: url_module._component(text)) == outcome(lambda: quote(text, safe=""))


SECRETS = ("tok3n-value", 'quo"te', "x\ny", "ü-secret", "a" * 300)
flat_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    nasty_text,
    st.sampled_from(SECRETS).map(lambda secret: f"before {secret} after"),
)


@FUZZ
@given(
    st.dictionaries(st.one_of(nasty_text, st.integers(), st.sampled_from(SECRETS)), flat_values),
    st.one_of(st.none(), json_like),
)
def test_flat_events_are_masked_as_the_full_walk_masks_them(
    event: dict[Any, Any], extra: Any
) -> None:
    mask = SecretMask()
    mask.add_all(SECRETS)
    assert mask.redact_value(event) == mask._walk(event)
    event["extra"] = extra  # nested values take the walk
    assert mask.redact_value(event) == mask._walk(event)


HOSTS = ["a.internal", "internal", "metadata.google.internal", "abc", "b.x", "xaz", "xyz", ""]
host_patterns = st.lists(
    st.one_of(
        st.sampled_from(["*", "*.internal", "metadata.google.internal", "a?c", "[ab]*", "x[!y]z"]),
        st.text("ab.x*?[]!\\é-", max_size=6),
    ),
    max_size=4,
)


@FUZZ
@given(host_patterns, st.one_of(st.text("ab.x*?[]!\\é-\n", max_size=8), st.sampled_from(HOSTS)))
def test_host_patterns_match_at_once_as_one_by_one(patterns: list[str], host: str) -> None:
    assert egress._any_pattern(patterns)(host) == any(
        fnmatch.fnmatchcase(host, pattern) for pattern in patterns
    )
