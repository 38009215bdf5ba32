"""Request bodies as bytes, chosen by the body's type and the Content-Type header.

No body (null or the empty string) sends nothing and adds no Content-Type. A string is sent as
is, encoded with the Content-Type's charset (UTF-8 by default): JSON text typed by the user is
sent byte for byte. An object is form-encoded (`application/x-www-form-urlencoded`) or sent as
`multipart/form-data` when the Content-Type says so; any other value is JSON.
`Content-Type: application/json` is added only when a body is sent and none was given.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from worker.errors import InputError

# json.dumps with options builds an encoder at every call; this one is built once
_BODY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def scalar_text(value: object) -> str | None:
    """Return the text of a JSON scalar as it would be written in a URL or header."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return json.dumps(value) if isinstance(value, float) else str(value)
    return None


def encode_body(
    body: Any, content_type: str | None, *, ignore_nulls: bool = False
) -> tuple[bytes | None, str | None]:
    """Return the body bytes and the Content-Type to set (None: keep the user's).

    No body (null or the empty string) sends nothing and adds no Content-Type. A string is
    sent as is, encoded with the Content-Type's charset (UTF-8 by default). An object is
    form-encoded or sent as multipart when the Content-Type says so; anything else is JSON.
    `Content-Type: application/json` is added only when a body is sent and none was given.

    Raises:
        InputError: the body cannot be encoded as asked.
    """
    if body is None or body == "":
        return None, None
    if ignore_nulls:
        body = _without_nulls(body)
    mime, charset, boundary = _content_type_parts(content_type)
    added = None if content_type is not None else "application/json"
    if isinstance(body, str):
        return _encode_text(body, charset or "utf-8"), added
    if isinstance(body, dict) and mime == "application/x-www-form-urlencoded":
        return _form(body).encode("ascii"), None
    if isinstance(body, dict) and mime == "multipart/form-data":
        boundary = boundary or uuid.uuid4().hex
        return _multipart(body, boundary), f"multipart/form-data; boundary={boundary}"
    try:
        text = _BODY_ENCODER.encode(body)
    except (TypeError, ValueError) as exc:
        raise InputError(f"body: cannot be written as JSON: {exc}") from None
    return text.encode("utf-8"), added


def _content_type_parts(content_type: str | None) -> tuple[str, str | None, str | None]:
    if content_type is None:
        return "", None, None
    mime, *params = content_type.split(";")
    values = {}
    for param in params:
        key, _, value = param.partition("=")
        values[key.strip().lower()] = value.strip().strip('"')
    return mime.strip().lower(), values.get("charset") or None, values.get("boundary") or None


def _encode_text(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset)
    except LookupError:
        raise InputError(f"headers: Content-Type names an unknown charset {charset!r}") from None
    except UnicodeEncodeError as exc:
        raise InputError(f"body: cannot be encoded as {charset}: {exc.reason}") from None


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _form_values(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    fields: list[tuple[str, str | None]] = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                text: str | None = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
            else:
                text = scalar_text(item)
            fields.append((str(name), text))
    return fields


def _form(body: dict[str, Any]) -> str:
    return "&".join(
        quote_plus(name) if value is None else f"{quote_plus(name)}={quote_plus(value)}"
        for name, value in _form_values(body)
    )


def _multipart(body: dict[str, Any], boundary: str) -> bytes:
    chunks: list[bytes] = []
    for name, value in _form_values(body):
        if value is None:
            continue
        escaped = name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D")
        escaped = escaped.replace("\n", "%0A")
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{escaped}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)
