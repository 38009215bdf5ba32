"""String functions (DMN 1.5 10.3.4.3) and XPath regular expressions, as tables."""

from __future__ import annotations

import re
import time
from decimal import Decimal as D
from typing import Any

import pytest

import feel
from feel.builtins import xml_regex
from tests.feel.builtin_checks import check, check_fails

VALUES: list[tuple[str, dict[str, Any] | None, Any]] = [
    # substring: 1-based, negative from the end, fractions dropped, code points
    ('substring("foobar", 3)', None, "obar"),
    ('substring("foobar", 3, 3)', None, "oba"),
    ('substring("foobar", -2, 1)', None, "a"),
    ('substring("foobar", -6, 6)', None, "foobar"),
    ('substring("foobar", 3, 10)', None, "obar"),
    ('substring("foobar", 3, 3.8)', None, "oba"),
    ('substring("foobar", 7)', None, ""),
    ('substring("foobar", 0, 2)', None, "f"),
    ('substring("foobar", -8, 4)', None, "fo"),
    ('substring("foobar", 2, 0)', None, ""),
    ('substring("\U0001f40efoo", 2)', None, "foo"),
    ("substring(s, 2, 2)", {"s": "😀😁😂"}, "😁😂"),
    ("substring(s, 2)", {"s": "\ud83d\ude00a"}, "a"),
    ('substring(string: "foobar", start position: 3)', None, "obar"),
    ('substring(start position: 2, length: 1, string: "ab")', None, "b"),
    ('substring(["foobar"], 4)', None, "bar"),
    # string length counts code points
    ('string length("")', None, D(0)),
    ('string length("foo")', None, D(3)),
    ('string length("😀😁")', None, D(2)),
    ("string length(s)", {"s": "\ud83d\ude00\ud83d\ude01"}, D(2)),
    ('contains(s, "😁")', {"s": "\ud83d\ude00\ud83d\ude01"}, True),
    ('string length(string: "ab c")', None, D(4)),
    # case
    ('upper case("aBc4")', None, "ABC4"),
    ('upper case("straße")', None, "STRASSE"),
    ('lower case("aBc4")', None, "abc4"),
    ('lower case(string: "ÀÉ")', None, "àé"),
    ('upper case(names[item = "bob"])', {"names": ["ann", "bob"]}, "BOB"),
    # before and after
    ('substring before("foobar", "bar")', None, "foo"),
    ('substring before("foobar", "o")', None, "f"),
    ('substring before("foobar", "x")', None, ""),
    ('substring before("abc", "")', None, ""),
    ('substring before(string: "foobar", match: "b")', None, "foo"),
    ('substring after("foobar", "ob")', None, "ar"),
    ('substring after("foobar", "o")', None, "obar"),
    ('substring after("foobar", "x")', None, ""),
    ('substring after("abc", "")', None, "abc"),
    ('substring after(string: "foobar", match: "b")', None, "ar"),
    # contains, starts with, ends with
    ('contains("foobar", "of")', None, False),
    ('contains("foobar", "ob")', None, True),
    ('contains("", "")', None, True),
    ('contains(string: "foobar", match: "bar")', None, True),
    ('starts with("foobar", "fo")', None, True),
    ('starts with("foobar", "ob")', None, False),
    ('starts with(string: "foobar", match: "")', None, True),
    ('ends with("foobar", "r")', None, True),
    ('ends with("foobar", "b")', None, False),
    ('ends with(match: "bar", string: "foobar")', None, True),
    # matches
    ('matches("foobar", "^fo*bar")', None, True),
    ('matches("foobar", "^fo*baz")', None, False),
    ('matches("FooBar", "foo", "i")', None, True),
    ('matches("FooBar", "foo", null)', None, False),
    ('matches(input: "abc", pattern: "b")', None, True),
    ('matches(input: "ABC", pattern: "b", flags: "i")', None, True),
    # replace
    ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', None, "[1=ab][2=]cd"),
    ('replace("0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3")', None, "(012) 345-6789"),
    ('replace("facetiously", "[iouy]", "[$0]")', None, "facet[i][o][u]sl[y]"),
    ('replace("abracadabra", "a.*?a", "*")', None, "*c*bra"),
    ('replace("How do you feel?", "Feel", "FEEL", "i")', None, "How do you FEEL?"),
    ('replace("a.b.c", ".", "-", "q")', None, "a-b-c"),
    ('replace("abc", "b", "$1", "q")', None, "a$1c"),
    ('replace("abc", "b", "\\\\$")', None, "a$c"),
    ('replace("abc", "(b)", "$11")', None, "ab1c"),
    ('replace("abc", "(b)", "$2")', None, "ac"),
    ('replace(input: "abc", pattern: "[a-z]", replacement: "#")', None, "###"),
    ('replace(input: "abc", pattern: "[A-Z]", replacement: "#", flags: "i")', None, "###"),
    # split (XPath tokenize)
    ('split("John Doe", "\\s")', None, ["John", "Doe"]),
    ('split("a;b;c;;", ";")', None, ["a", "b", "c", "", ""]),
    ('split("a1b22c", "\\d+")', None, ["a", "b", "c"]),
    ('split("a,b", "(,)")', None, ["a", "b"]),
    ('split("", ",")', None, []),
    ('split(delimiter: ",", string: "foo,bar")', None, ["foo", "bar"]),
    # string join, with feel-scala's prefix and suffix
    ('string join(["a", "b", "c"])', None, "abc"),
    ('string join(["a", "b", "c"], ", ")', None, "a, b, c"),
    ('string join(["a", null, "c"], "X")', None, "aXc"),
    ('string join(["a", "b"], null)', None, "ab"),
    ("string join([])", None, ""),
    ('string join(["a", "b", "c"], ", ", "[", "]")', None, "[a, b, c]"),
    ('string join([], ", ", "[", "]")', None, "[]"),
    ('string join("a", "X")', None, "a"),
    ('string join(delimiter: "X", list: ["a", "c"])', None, "aXc"),
    ('string join(list: ["a"], delimiter: "-", prefix: "<", suffix: ">")', None, "<a>"),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), VALUES)
def test_string_functions(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    check(expression, variables, expected)


ERRORS: list[tuple[str, tuple[str, ...]]] = [
    ("substring(123, 1)", ("'substring'", "'string' must be a string")),
    ('substring("abc")', ("'substring'", "got 1")),
    ('substring("abc", "1")', ("'substring'", "'start position' must be a number")),
    ('substring("abc", 1, null)', ("'substring'", "'length'")),
    ("substring(null, 1)", ("'substring'",)),
    ('substring(text: "abc", start position: 1)', ("'substring'", "text")),
    ("string length(null)", ("'string length'",)),
    ("string length(123)", ("'string length'", "123")),
    ('string length("a", "b")', ("'string length'",)),
    ("upper case(true)", ("'upper case'", "boolean")),
    ('lower case(["a", "b"])', ("'lower case'",)),
    ('substring before(null, "a")', ("'substring before'",)),
    ('substring after("a", 1)', ("'substring after'", "'match'")),
    ('contains(null, "bar")', ("'contains'",)),
    ('contains("bar", null)', ("'contains'",)),
    ('starts with("a", 1)', ("'starts with'",)),
    ('ends with(1, "a")', ("'ends with'",)),
    ('matches(null, "a")', ("'matches'",)),
    ('matches("a", null)', ("'matches'",)),
    ('matches("a", "a", "g")', ("'matches'", "unknown regular expression flag", "g")),
    ('matches("a", "a", 1)', ("'matches'", "'flags'")),
    ('replace("abc", "b")', ("'replace'",)),
    ('replace("abc", "b", "$")', ("'replace'", "'$' must be followed by a group number")),
    ('replace("abc", "b", "\\\\x")', ("'replace'", "must be followed by")),
    ('replace("abc", "x*", "-")', ("'replace'", "matches the empty string")),
    ('replace("abc", "b", null)', ("'replace'", "'replacement'")),
    ('split("foo")', ("'split'",)),
    ('split(null, ",")', ("'split'",)),
    ('split("foo", null)', ("'split'",)),
    ('split("abc", "x?")', ("'split'", "matches the empty string")),
    ('split(delimiter: ",", str: "foo,bar")', ("'split'", "str")),
    ("string join(null)", ("'string join'",)),
    ('string join([1, 2], "X")', ("'string join'", "item 1", "not a string")),
    ('string join(["a", "c"], "X", "foo")', ("'string join'", "got 3")),
    ('string join(list: ["a"], delimitr: "X")', ("'string join'", "delimitr")),
    ('string join(["a"], 1)', ("'string join'", "'delimiter'")),
]


@pytest.mark.parametrize(("expression", "fragments"), ERRORS)
def test_wrong_arguments_give_null_and_a_warning(
    expression: str, fragments: tuple[str, ...]
) -> None:
    check_fails(expression, None, *fragments)


# XPath regular expressions: (input, pattern, flags, matches?)
PATTERNS: list[tuple[str, str, str, bool]] = [
    # . excludes \n and \r unless the s flag
    ("a\nb", "a.b", "", False),
    ("a\rb", "a.b", "", False),
    ("a\nb", "a.b", "s", True),
    # ^ and $ anchor the whole string; with m, lines
    ("abc\n", "abc$", "", False),
    ("abc\ndef", "^def", "", False),
    ("abc\ndef", "^def", "m", True),
    ("abc\ndef", "abc$", "m", True),
    ("abc\n", "^$", "m", False),
    ("abc", ".^b", "", False),
    # XML's \s is space, tab, CR and LF only
    ("a b", "a\\sb", "", True),
    ("a\u000bb", "a\\sb", "", False),
    ("a\u00a0b", "a\\Sb", "", True),
    # XML's \w excludes punctuation (the underscore too) but not symbols
    ("a_b", "^\\w+$", "", False),
    ("a$b+c", "^\\w+$", "", True),
    ("_", "\\W", "", True),
    # \d is any Unicode decimal digit
    ("٣", "^\\d$", "", True),
    ("x", "\\D", "", True),
    # \i and \c: XML name characters
    ("x1-y", "^\\i\\c*$", "", True),
    ("1x", "^\\i\\c*$", "", False),
    ("a", "\\I", "", False),
    # categories and blocks
    ("Ä", "^\\p{Lu}$", "", True),
    ("ä", "^\\p{Lu}$", "", False),
    ("ä", "^\\P{Lu}$", "", True),
    ("!", "\\p{P}", "", True),
    ("a", "\\p{IsBasicLatin}", "", True),
    ("é", "\\p{IsBasicLatin}", "", False),
    ("é", "\\p{IsLatin-1Supplement}", "", True),
    # character classes, negation and subtraction
    ("acc", "^[a-z-[b]]+$", "", True),
    ("abc", "^[a-z-[b]]+$", "", False),
    ("B", "^[^a-z-[b]]$", "", True),
    ("b", "^[^a-z-[b]]$", "", False),
    ("e", "^[a-z-[aeiou-[e]]]$", "", True),
    ("a", "^[a-z-[aeiou-[e]]]$", "", False),
    ("y", "^[\\S-[x]]$", "", True),
    ("x", "^[\\S-[x]]$", "", False),
    (" ", "^[^\\S]$", "", True),
    ("5", "[^\\d\\s]", "", False),
    ("-", "^[a-]$", "", True),
    ("-", "^[-a]$", "", True),
    ("]", "^[\\]]$", "", True),
    ("[", "^[\\[]$", "", True),
    ("\n", "[^a]", "", True),
    # groups, alternatives, quantifiers, back-references
    ("abab", "^(ab)\\1$", "", True),
    ("aA", "(a)\\1", "i", True),
    ("a1", "^(a)\\12$", "", False),
    ("aa1", "^(a)\\11$", "", True),
    ("ab", "^(?:a|b)+$", "", True),
    ("aaa", "^a{2,3}$", "", True),
    ("aaaa", "^a{2,3}$", "", False),
    ("aaaa", "^a{2,}$", "", True),
    ("aa", "^a{2}$", "", True),
    ("aa", "^a+?$", "", True),
    # flags x and q
    ("abc", "a b c", "x", True),
    ("abc", "a b c", "", False),
    ("a b", "a[ ]b", "x", True),
    ("a.c", "a.c", "q", True),
    ("abc", "a.c", "q", False),
    ("A.C", "a.c", "qi", True),
    ("FOO", "foo", "ix", True),
]


@pytest.mark.parametrize(("text", "pattern", "flags", "expected"), PATTERNS)
def test_xpath_regular_expressions(text: str, pattern: str, flags: str, expected: bool) -> None:
    check(
        "matches(text, pattern, flags)",
        {"text": text, "pattern": pattern, "flags": flags},
        expected,
    )


INVALID_PATTERNS = [
    ("(?=a)", "only allowed as '(?:'"),
    ("a{,2}", "a quantifier must be"),
    ("a{3,2}", "bounds reversed"),
    ("a++", "cannot follow a quantifier"),
    ("a**", "cannot follow a quantifier"),
    ("*a", "follows nothing"),
    ("[", "unterminated character class"),
    ("[a", "unterminated character class"),
    ("[a[b]]", "unescaped '['"),
    ("a]", "unescaped ']'"),
    ("a}", "unescaped '}'"),
    ("(a", "unbalanced '('"),
    ("a)", "unbalanced ')'"),
    ("\\b", "not an escape"),
    ("\\x41", "not an escape"),
    ("\\1(a)", "not closed"),
    ("(a\\1)", "not closed"),
    ("\\0", "not a back-reference"),
    ("\\p{Foo}", "unknown character category"),
    ("\\p{IsNoSuchBlock}", "invalid regular expression"),
    ("[z-a]", "out of order"),
    ("[a-\\d]", "cannot end with"),
    ("a\\", "ends with"),
    ("[a" + "-[a" * 5000 + "]" * 5001, "nested too deeply"),
]


@pytest.mark.parametrize(("pattern", "reason"), INVALID_PATTERNS)
def test_patterns_xpath_does_not_allow_give_null_and_a_warning(pattern: str, reason: str) -> None:
    check_fails('matches("abc", pattern)', {"pattern": pattern}, "'matches'", reason)


@pytest.mark.parametrize(
    "expression",
    [
        'matches(text, "(a|aa)+$")',
        'replace(text, "(a|aa)+$", "x")',
        'split(text, "(a|aa)+$")',
        'extract(text, "(a|aa)+$")',
        # stopped once, not once per item
        'for i in 1..100 return matches(text, "(a|aa)+$")',
        '{a: matches(text, "(a|aa)+$"), b: 1}',
    ],
)
def test_catastrophic_backtracking_ends_the_evaluation_quickly_with_null(
    monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    if not xml_regex.HAS_TIMEOUT:
        pytest.skip("the 'regex' package is not installed")
    monkeypatch.setattr(xml_regex, "TIMEOUT_SECONDS", 0.1)
    started = time.monotonic()
    result, warnings = feel.compile(expression).evaluate_with_warnings({"text": "a" * 200 + "b"})
    assert time.monotonic() - started < 2
    assert result is None
    assert [(w.kind, "ran longer than 0.1 s" in w.message) for w in warnings] == [
        ("LIMIT_EXCEEDED", True)
    ]


def test_the_standard_re_engine_runs_the_same_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the `regex` package (a bare interpreter), `re` runs the translated patterns."""
    monkeypatch.setattr(xml_regex, "_engine", re)
    monkeypatch.setattr(xml_regex, "HAS_TIMEOUT", False)
    xml_regex._compile.cache_clear()
    try:
        for text, pattern, flags, expected in PATTERNS:
            if "\\p{Is" in pattern:
                continue
            check("matches(t, p, f)", {"t": text, "p": pattern, "f": flags}, expected)
        check_fails('matches("a", "\\p{IsBasicLatin}")', None, "needs the 'regex' package")
        check('replace("a1b2", "(\\d)", "<$1>")', None, "a<1>b<2>")
    finally:
        xml_regex._compile.cache_clear()


def test_a_replacement_may_not_grow_a_string_past_the_limit() -> None:
    check_fails('replace(s, ".", "$0$0$0$0$0$0$0$0$0$0")', {"s": "x" * 2_000_000}, "longer than")


def test_string_join_refuses_a_result_past_the_limit_before_building_it() -> None:
    text = "x" * 1_000_000
    check_fails(
        'string join([s, s, s, s, s, s, s, s, s, s, s], "")',
        {"s": text},
        "string join",
        "longer than",
    )
