"""An HTTP response as received, and as the job's variables and expressions see it.

`response_value` gives `{status, headers, body, reason}`:

- `headers`: one entry per header name, in the server's case; a string, or a list of strings
  when the header came more than once (`Set-Cookie` twice gives a list, once a string).
  Names that differ only in case are grouped under the first spelling received.
- `body`: null when empty. JSON (any value, scalars included) when the Content-Type says so
  (`application/json`, `application/*+json`) and the text parses; a JSON object or array
  whatever the Content-Type; otherwise text decoded with the charset the Content-Type gives
  (UTF-8 by default). Content that is not text (an image, a PDF) becomes a base64 string.
  JSON nested more than `worker.wire.MAX_NESTING` levels deep stays text.
  With `documentReturnFormat` (template 17): `TEXT` decodes with its encoding and never parses
  JSON; `JSON` parses any JSON value whatever the Content-Type and keeps the text otherwise.
- `reason`: the reason phrase, or the standard phrase of the status when the server sent
  none (HTTP/2 has no reason phrases).
"""

from __future__ import annotations

import base64
import codecs
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from worker.inputs import ReturnFormat
from worker.wire import deeper_than

_TEXT_TYPES = (
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/yaml",
    "application/x-yaml",
    "application/graphql",
    "application/csv",
)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The status line, headers (as received, in order) and body bytes of a response."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def reason_phrase(self) -> str:
        """The reason phrase sent, else the standard one for the status, else ''."""
        if self.reason:
            return self.reason
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return ""


def response_value(
    response: HttpResponse, response_format: ReturnFormat | None = None
) -> dict[str, Any]:
    """Return the response as the job sees it: `{status, headers, body, reason}`."""
    return {
        "status": response.status,
        "headers": header_map(response.headers),
        "body": decode_body(response.content, response.header("Content-Type"), response_format),
        "reason": response.reason_phrase,
    }


def header_map(headers: tuple[tuple[str, str], ...]) -> dict[str, str | list[str]]:
    """Group headers by name (case-insensitively): a string each, a list when repeated."""
    grouped: dict[str, str | list[str]] = {}
    spelling: dict[str, str] = {}
    for name, value in headers:
        key = spelling.setdefault(name.lower(), name)
        previous = grouped.get(key)
        if previous is None:
            grouped[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            grouped[key] = [previous, value]
    return grouped


def decode_body(
    content: bytes, content_type: str | None, response_format: ReturnFormat | None = None
) -> Any:
    """Turn body bytes into the value the job sees (see the module docstring)."""
    if not content:
        return None
    mime, charset = _media_type(content_type)
    if response_format is not None and response_format.choice == "TEXT":
        return _decode(content, response_format.encoding, strict=False)
    text = _text(content, mime, charset)
    if text is None:
        return base64.b64encode(content).decode("ascii")
    if response_format is not None or _is_json(mime):
        parsed, ok = _parse_json(text)
        return parsed if ok else text
    if text.lstrip()[:1] in ("{", "["):
        parsed, ok = _parse_json(text)
        if ok and isinstance(parsed, dict | list):
            return parsed
    return text


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    mime, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return mime.strip().lower(), charset


def _is_json(mime: str) -> bool:
    return mime in ("application/json", "text/json") or mime.endswith("+json")


def _is_text(mime: str) -> bool:
    return (
        mime.startswith("text/") or _is_json(mime) or mime.endswith("+xml") or mime in _TEXT_TYPES
    )


def _text(content: bytes, mime: str, charset: str | None) -> str | None:
    """Decode text content; None when the content is binary."""
    if _is_text(mime):
        # JSON is UTF-8 unless the server says otherwise (RFC 8259).
        return _decode(content, charset or "utf-8", strict=False)
    if charset is not None:
        return _decode(content, charset, strict=False)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _decode(content: bytes, charset: str, *, strict: bool) -> str:
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = "utf-8"
    if codec == "utf-8":
        codec = "utf-8-sig"
    return content.decode(codec, "strict" if strict else "replace")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# json.loads(text, parse_constant=...) builds a decoder at every call; this one is built once
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _parse_json(text: str) -> tuple[Any, bool]:
    """Parse JSON text; JSON nested deeper than `MAX_NESTING` stays text (a hostile server's
    `[[[[...]]]]` would otherwise exhaust the stack of whatever walks it next)."""
    if text.startswith("\ufeff"):
        return None, False  # json.loads refuses a byte order mark left in the text
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        return None, False
    if deeper_than(value, text=text):
        return None, False
    return value, True
