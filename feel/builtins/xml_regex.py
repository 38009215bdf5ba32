"""XML Schema regular expressions (as XPath 3.1 extends them), run by Python's engines.

FEEL's `matches`, `replace` and `split` take XPath regular expressions with the flags
`s` (dot matches newlines), `m` (multi-line), `i` (ignore case), `x` (ignore whitespace)
and `q` (the pattern is literal text). Their syntax and meaning differ from Python's,
so a pattern is parsed and rewritten:

    .            any character but \\n and \\r (any at all with `s`)
    ^ $          start / end of the whole string; of a line with `m`
    \\s \\w \\i \\c  XML's sets (\\s is only space, tab, CR, LF; \\w excludes punctuation)
    \\p{IsX}      the Unicode block X;  \\p{Lu}: a general category
    [a-z-[aeiou]]  character class subtraction
    \\1           a back-reference to a closed group

and whatever XPath does not allow (`\\b`, `(?=`, `{,3}`, possessive `*+`) is an error.

The `regex` package runs the result when it is installed, with a timeout against
catastrophic backtracking (`(a|aa)+$`) that ends the whole evaluation (null and a
LIMIT_EXCEEDED warning); otherwise the standard `re` module does, without a timeout,
and Unicode blocks are not available.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from feel.errors import LIMIT_EXCEEDED
from feel.evaluation import LimitExceeded, Run
from feel.functions import FunctionError

_engine: Any
try:
    import regex  # type: ignore[import-untyped, unused-ignore]

    _engine = regex
    HAS_TIMEOUT = True
except ImportError:  # pragma: no cover - the package is a dependency; bare interpreters lack it
    _engine = re
    HAS_TIMEOUT = False

TIMEOUT_SECONDS = 1.0
"""How long one regular expression operation may run (with the `regex` package)."""

# general categories by letter: L with Lu, Ll, Lt, Lm, Lo, and so on
_CATEGORY_LETTERS = {
    "L": "ultmo",
    "M": "nce",
    "N": "dlo",
    "P": "cdseifo",
    "Z": "slp",
    "S": "mcko",
    "C": "cfon",
}
_CATEGORIES = frozenset(
    [*_CATEGORY_LETTERS, *(main + sub for main, subs in _CATEGORY_LETTERS.items() for sub in subs)]
)
_SINGLE_ESCAPES = {
    "n": "\n", "r": "\r", "t": "\t", "\\": "\\", "|": "|", ".": ".", "?": "?", "*": "*",
    "+": "+", "(": "(", ")": ")", "{": "{", "}": "}", "-": "-", "[": "[", "]": "]",
    "^": "^", "$": "$",
}  # fmt: skip
# XML 1.0 (fifth edition) name characters, for \i and \c
_NAME_START = (
    (0x3A, 0x3A), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6),
    (0xF8, 0x2FF), (0x370, 0x37D), (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F),
    (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF),
)  # fmt: skip
_NAME_EXTRA = ((0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040))
_WHITESPACE = " \t\n\r"
_BOUNDS = re.compile(r"([0-9]+)(,([0-9]*))?\}")
_PROPERTY = re.compile(r"\{([A-Za-z0-9\-]+)\}")
_DIGITS = re.compile(r"[0-9]+")
_ANY = "(?s:.)"


class RegexError(FunctionError):
    """A pattern, flags or replacement that XPath does not accept."""


class ResultTooLong(Exception):
    """A replacement would make a string longer than allowed."""


class RegexTimeout(Exception):
    """A regular expression ran past the timeout (catastrophic backtracking, likely)."""


@contextlib.contextmanager
def time_limited(run: Run) -> Iterator[None]:
    """Turn a regular expression's timeout into the end of the whole evaluation.

    One pathological pattern would otherwise cost the timeout again on every item of a
    loop; stopping the evaluation bounds an expression's regular expression time to one
    timeout.
    """
    try:
        yield
    except RegexTimeout as error:
        run.warn(LIMIT_EXCEEDED, str(error))
        raise LimitExceeded from None


def _shown(pattern: str) -> str:
    return pattern if len(pattern) <= 60 else pattern[:57] + "..."


def _char(code: int) -> str:
    """One character as it can stand anywhere in a Python pattern, in a set or outside."""
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _ranges_body(ranges: Any) -> str:
    return "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in ranges)


@functools.cache
def _category_ranges() -> dict[str, list[tuple[int, int]]]:
    """Code point ranges of each general category (for the `re` engine, which lacks \\p)."""
    table: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\x00")
    for code in range(1, 0x110000):
        category = unicodedata.category(chr(code))
        if category != current:
            table.setdefault(current, []).append((start, code - 1))
            start, current = code, category
    table.setdefault(current, []).append((start, 0x10FFFF))
    return table


def _property_body(name: str) -> str:
    """A set body for `\\p{name}`."""
    if name.startswith("Is") and len(name) > 2:
        if _engine is re:
            raise RegexError(f"\\p{{{name}}} (a Unicode block) needs the 'regex' package")
        block = name[2:]
        if not re.fullmatch(r"[A-Za-z0-9\-]+", block):
            raise RegexError(f"unknown Unicode block '{block}'")
        return f"\\p{{Block={block}}}"
    if name not in _CATEGORIES:
        raise RegexError(f"unknown character category '{name}'")
    if _engine is not re:
        return f"\\p{{{name}}}"
    table = _category_ranges()
    ranges = sorted(
        r for category, found in table.items() if category.startswith(name) for r in found
    )
    return _ranges_body(ranges)


class _Set:
    """A set of characters: the characters a Python set body matches, or all others."""

    __slots__ = ("body", "negated")

    def __init__(self, body: str, negated: bool = False) -> None:
        self.body = body
        self.negated = negated

    def standalone(self) -> str:
        return f"[^{self.body}]" if self.negated else f"[{self.body}]"


def _multi_escape(letter: str) -> _Set | None:
    lower = letter.lower()
    negated = letter != lower
    if lower == "s":
        return _Set("\\u0020\\t\\n\\r", negated)
    if lower == "d":
        return _Set("\\d", negated)
    if lower == "w":  # XML's \w is everything but punctuation, separators and "other"
        return _Set("".join(_property_body(c) for c in "PZC"), not negated)
    if lower == "i":
        return _Set(_ranges_body(_NAME_START), negated)
    if lower == "c":
        return _Set(_ranges_body(sorted(_NAME_START + _NAME_EXTRA)), negated)
    return None


class _Translator:
    """Rewrites one XPath pattern (after the `x` flag's whitespace removal) for Python."""

    def __init__(self, pattern: str, dot_all: bool, multi_line: bool) -> None:
        self.text = pattern
        self.pos = 0
        self.dot_all = dot_all
        self.multi_line = multi_line
        self.closed_groups = 0

    def error(self, message: str) -> RegexError:
        return RegexError(
            f"invalid regular expression '{_shown(self.text)}': {message} at position {self.pos}"
        )

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def translate(self) -> str:
        out: list[str] = []
        open_groups: list[bool] = []
        quantifiable = False
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char in "*+?{":
                if not quantifiable:
                    raise self.error(f"'{char}' follows nothing it can repeat")
                out.append(self.quantifier(char))
                quantifiable = False
                continue
            quantifiable = True
            if char == "\\":
                out.append(self.escape_outside())
            elif char == "[":
                out.append(self.character_class())
            elif char == ".":
                out.append(_ANY if self.dot_all else "[^\\n\\r]")
            elif char == "^":
                out.append("(?:\\A|(?<=\\n)(?!\\Z))" if self.multi_line else "\\A")
                quantifiable = False
            elif char == "$":
                out.append("(?:(?=\\n)|(?<!\\n)\\Z)" if self.multi_line else "\\Z")
                quantifiable = False
            elif char == "(":
                capturing = self.peek() != "?"
                if not capturing:
                    if self.peek(1) != ":":
                        raise self.error("'(?' is only allowed as '(?:'")
                    self.pos += 2
                open_groups.append(capturing)
                out.append("(" if capturing else "(?:")
                quantifiable = False
            elif char == ")":
                if not open_groups:
                    raise self.error("unbalanced ')'")
                if open_groups.pop():
                    self.closed_groups += 1
                out.append(")")
            elif char == "|":
                out.append("|")
                quantifiable = False
            elif char in "]}":
                raise self.error(f"unescaped '{char}'")
            else:
                out.append(re.escape(char))
        if open_groups:
            raise self.error("unbalanced '('")
        return "".join(out)

    def quantifier(self, char: str) -> str:
        text = char
        if char == "{":
            match = _BOUNDS.match(self.text, self.pos)
            if not match:
                raise self.error("a quantifier must be {n}, {n,} or {n,m}")
            low, high = match.group(1), match.group(3)
            if high and int(high) < int(low):
                raise self.error(f"quantifier {{{low},{high}}} has its bounds reversed")
            self.pos = match.end()
            text += match.group(0)
        if self.peek() == "?":  # reluctant
            self.pos += 1
            text += "?"
        if self.peek() and self.peek() in "*+?{":
            raise self.error("a quantifier cannot follow a quantifier")
        return text

    def escape_char(self) -> str | _Set:
        """The character or set of an escape (after the backslash), in or out of a class."""
        char = self.peek()
        if not char:
            raise self.error("the pattern ends with '\\'")
        self.pos += 1
        if char in _SINGLE_ESCAPES:
            return _SINGLE_ESCAPES[char]
        multi = _multi_escape(char)
        if multi is not None:
            return multi
        if char in "pP":
            match = _PROPERTY.match(self.text, self.pos)
            if not match:
                raise self.error(f"'\\{char}' needs a name in braces")
            self.pos = match.end()
            return _Set(_property_body(match.group(1)), char == "P")
        raise self.error(f"'\\{char}' is not an escape of XML Schema regular expressions")

    def escape_outside(self) -> str:
        char = self.peek()
        if char.isdigit() and char.isascii():
            return self.back_reference()
        escaped = self.escape_char()
        if isinstance(escaped, _Set):
            return escaped.standalone()
        return re.escape(escaped)

    def back_reference(self) -> str:
        digits = self.peek()
        if digits == "0":
            raise self.error("'\\0' is not a back-reference")
        self.pos += 1
        # XPath takes as many digits as still name a group that exists
        while (
            self.peek().isdigit()
            and self.peek().isascii()
            and int(digits + self.peek()) <= self.closed_groups
        ):
            digits += self.peek()
            self.pos += 1
        if int(digits) > self.closed_groups:
            raise self.error(f"back-reference \\{digits} to a group that is not closed")
        return f"(?:\\{digits})"

    def class_char(self) -> str | _Set:
        """One character (or escape set) inside a character class."""
        char = self.peek()
        if not char:
            raise self.error("unterminated character class")
        if char == "\\":
            self.pos += 1
            return self.escape_char()
        if char == "[":
            raise self.error("unescaped '[' in a character class")
        self.pos += 1
        return char

    def character_class(self) -> str:
        """A class after its '[', up to and including its ']'."""
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        positive: list[str] = []
        complements: list[str] = []
        subtracted: str | None = None
        first = True
        while True:
            char = self.peek()
            if not char:
                raise self.error("unterminated character class")
            if char == "]" and not first:
                self.pos += 1
                break
            if char == "-" and self.peek(1) == "[" and not first:
                self.pos += 2
                subtracted = self.character_class()
                if self.peek() != "]":
                    raise self.error("a subtraction must end its character class")
                self.pos += 1
                break
            first = False
            item = self.class_char()
            if isinstance(item, _Set):
                (complements if item.negated else positive).append(item.body)
                continue
            if self.peek() == "-" and self.peek(1) not in ("]", "[", ""):
                self.pos += 1
                end = self.class_char()
                if isinstance(end, _Set):
                    raise self.error("a range cannot end with a multi-character escape")
                if ord(end) < ord(item):
                    raise self.error(f"range {item}-{end} is out of order")
                positive.append(f"{_char(ord(item))}-{_char(ord(end))}")
            else:
                positive.append(_char(ord(item)))
        body = "".join(positive)
        parts = ([f"[{body}]"] if body else []) + [f"[^{c}]" for c in complements]
        union = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if not negated:
            result = union
        elif not complements:
            result = f"[^{body}]"
        elif not body and len(complements) == 1:
            result = f"[{complements[0]}]"
        else:
            result = f"(?:(?!{union}){_ANY})"
        if subtracted is not None:
            result = f"(?:(?!{subtracted}){result})"
        return result


def _strip_whitespace(pattern: str) -> str:
    """The `x` flag: whitespace goes, except inside character classes."""
    out: list[str] = []
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char in _WHITESPACE and not depth:
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


class Pattern:
    """A compiled XPath regular expression; its operations honour the timeout."""

    def __init__(self, compiled: Any, literal: bool) -> None:
        self._compiled = compiled
        self.groups: int = compiled.groups
        self.literal = literal

    def _run(self, operation: Callable[..., Any], *args: Any) -> Any:
        try:
            if HAS_TIMEOUT:
                return operation(*args, timeout=TIMEOUT_SECONDS)
            return operation(*args)
        except TimeoutError:
            raise RegexTimeout(
                f"a regular expression ran longer than {TIMEOUT_SECONDS} s and was stopped"
            ) from None

    def search(self, text: str) -> bool:
        return self._run(self._compiled.search, text) is not None

    def _check_not_empty(self) -> None:
        if self.search(""):
            raise RegexError("the pattern matches the empty string")

    def find_all(self, text: str) -> list[str]:
        return [
            m.group(0)
            for m in self._run(lambda s, **kw: list(self._compiled.finditer(s, **kw)), text)
        ]

    def split(self, text: str) -> list[str]:
        """fn:tokenize: the parts between matches (an empty string has no parts)."""
        self._check_not_empty()
        if not text:
            return []
        parts, start = [], 0
        for match in self._run(lambda s, **kw: list(self._compiled.finditer(s, **kw)), text):
            parts.append(text[start : match.start()])
            start = match.end()
        parts.append(text[start:])
        return parts

    def replace(self, text: str, replacement: str, max_length: int) -> str:
        """fn:replace: each match replaced; `$n` in the replacement is group n.

        Raises:
            ResultTooLong: the result would be longer than `max_length` (found before
                it is built).
        """
        self._check_not_empty()
        parts = [replacement] if self.literal else _template(replacement, self.groups)
        length = len(text)

        def substitute(match: Any) -> str:
            nonlocal length
            piece = "".join(p if type(p) is str else (match.group(p) or "") for p in parts)
            length += len(piece) - (match.end() - match.start())
            if length > max_length:
                raise ResultTooLong
            return piece

        result: str = self._run(self._compiled.sub, substitute, text)
        return result


def _template(replacement: str, groups: int) -> list[str | int]:
    """The parts of a replacement string: literal texts and group numbers.

    Raises:
        RegexError: a `\\` or `$` that XPath does not allow there.
    """
    parts: list[str | int] = []
    literal: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char == "\\":
            following = replacement[index + 1 : index + 2]
            if following not in ("\\", "$"):
                raise RegexError("in a replacement, '\\' must be followed by '\\' or '$'")
            literal.append(following)
            index += 2
            continue
        if char != "$":
            literal.append(char)
            index += 1
            continue
        match = _DIGITS.match(replacement, index + 1)
        if not match:
            raise RegexError("in a replacement, '$' must be followed by a group number")
        digits = match.group(0)
        # $N beyond the groups gives its last digits back as literal text (XPath rules)
        while len(digits) > 1 and int(digits) > groups and int(digits) > 9:
            digits = digits[:-1]
        index += 1 + len(digits)
        parts.append("".join(literal))
        literal = []
        if int(digits) <= groups:
            parts.append(int(digits))
    parts.append("".join(literal))
    return parts


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, flags: str) -> Pattern:
    unknown = set(flags) - set("smixq")
    if unknown:
        letters = "".join(sorted(unknown))
        raise RegexError(f"unknown regular expression flag(s) '{letters}' (known: s, m, i, x, q)")
    options = _engine.IGNORECASE if "i" in flags else 0
    try:
        if "q" in flags:
            source = re.escape(pattern)
        else:
            text = _strip_whitespace(pattern) if "x" in flags else pattern
            source = _Translator(text, "s" in flags, "m" in flags).translate()
        return Pattern(_engine.compile(source, options), literal="q" in flags)
    except (re.error, _engine.error, OverflowError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise RegexError(f"invalid regular expression '{_shown(pattern)}': {reason}") from None


def compile_pattern(pattern: str, flags: str = "") -> Pattern:
    """The compiled form of an XPath pattern with XPath flags (cached).

    Raises:
        RegexError: the pattern or flags are not valid XPath.
    """
    return _compile(pattern, flags)
