"""SecretMask: every registered value, in every usual spelling, becomes ***."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from worker.redaction import MASK, SecretMask


@pytest.fixture
def mask() -> SecretMask:
    return SecretMask()


@pytest.mark.parametrize(
    ("secret", "text", "expected"),
    [
        ("s3cr3t", "token=s3cr3t;", f"token={MASK};"),
        ("s3cr3t", "twice s3cr3t and s3cr3t", f"twice {MASK} and {MASK}"),
        ("s3cr3t", "nothing here", "nothing here"),
        ('pa"ss\\word', json.dumps({"p": 'pa"ss\\word'}), json.dumps({"p": MASK})),
        ("p@ss w/rd&", "url?x=" + quote("p@ss w/rd&", safe=""), f"url?x={MASK}"),
        ("p@ss w/rd&", "form=" + quote_plus("p@ss w/rd&", safe=""), f"form={MASK}"),
        ("line\nbreak", repr("line\nbreak"), f"'{MASK}'"),
        ("clé-ü", json.dumps("clé-ü"), f'"{MASK}"'),
        ("clé-ü", json.dumps("clé-ü", ensure_ascii=False), f'"{MASK}"'),
    ],
)
def test_redact_text(mask: SecretMask, secret: str, text: str, expected: str) -> None:
    mask.add(secret)
    assert mask.redact(text) == expected


def test_longer_secret_containing_a_shorter_one_is_masked_whole(mask: SecretMask) -> None:
    mask.add("abc")
    mask.add("xxabcxx")
    assert mask.redact("[xxabcxx] [abc]") == f"[{MASK}] [{MASK}]"


def test_empty_value_is_ignored_and_nothing_registered_changes_nothing(mask: SecretMask) -> None:
    mask.add("")
    assert len(mask) == 0
    assert mask.redact("anything") == "anything"
    value = {"a": ["b"]}
    assert mask.redact_value(value) is value


def test_regex_metacharacters_are_literal(mask: SecretMask) -> None:
    mask.add("a.c*(")
    assert mask.redact("abc a.c*( aXc") == f"abc {MASK} aXc"


def test_short_values_are_masked_too(mask: SecretMask) -> None:
    mask.add("42")
    assert mask.redact("port 4242") == f"port {MASK}{MASK}"


def test_redact_value_walks_nested_structures(mask: SecretMask) -> None:
    mask.add("tok")
    value = {
        "headers": {"Authorization": "Bearer tok"},
        "list": ["tok", 1, None, ("x-tok",)],
        "tok": True,
        "set": {"tok"},
    }
    assert mask.redact_value(value) == {
        "headers": {"Authorization": f"Bearer {MASK}"},
        "list": [MASK, 1, None, (f"x-{MASK}",)],
        MASK: True,
        "set": {MASK},
    }


def test_contains_len_and_clear(mask: SecretMask) -> None:
    mask.add_all(["one", "two", "one"])
    assert "one" in mask and "three" not in mask
    assert len(mask) == 2
    mask.clear()
    assert len(mask) == 0
    assert mask.redact("one two") == "one two"
