"""URLs as sent on the wire: encode what must be, never decode what the user encoded.

Characters that are not allowed in a URL (space, non-ASCII, control characters,
`"<>\\^`{|}`) are percent-encoded as UTF-8, a `%` that does not start an escape becomes
`%25`, and everything else is kept byte for byte: `%2F` stays `%2F` (Camunda decodes it to
`/`), `+` stays `+` (Camunda turned it into a space), reserved characters keep their meaning.
Host names are IDNA-encoded. Parameters added to the query (`queryParameters`, an API key)
are encoded as components: `a b&c=d` becomes `a%20b%26c%3Dd`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

import yarl

# A part of an IPv4 address as inet_aton reads it: decimal, octal (leading 0) or 0x hex.
_NUMERIC_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_NOT_URL_SAFE = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]%]")


def split_url(url: str) -> tuple[str, str, str, str | None, str | None]:
    """Split `url` into origin (scheme, IDNA host, port), raw path, raw query, user, password.

    Raises:
        ValueError: not an absolute http(s) URL with a host, or an invalid port or host.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"must be an http:// or https:// URL, got {url!r}")
    if not parts.hostname:
        raise ValueError(f"has no host name: {url!r}")
    numeric = parts.hostname.rstrip(".").split(".")
    if (
        len(numeric) <= 4
        and all(_NUMERIC_PART.fullmatch(part) for part in numeric)
        and not _CANONICAL_IPV4.fullmatch(parts.hostname.rstrip("."))
    ):
        # 2130706433, 127.1, 0x7f.0.0.1 all mean 127.0.0.1 to the C library: refuse what
        # reads as one address to a person and another to the network stack
        raise ValueError(
            f"has the host {parts.hostname!r}, an unusual spelling of an IPv4 address; "
            "write it as four decimal numbers, a.b.c.d"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"has an invalid port: {url!r}") from None
    try:
        built = yarl.URL.build(scheme=scheme, host=parts.hostname, port=port)
        if "xn--" in (built.raw_host or ""):
            built.host  # noqa: B018 - an IDNA name that does not decode back is no host name
    except ValueError:
        raise ValueError(f"has an invalid host name {parts.hostname!r}") from None
    origin = str(built)
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return origin, parts.path, parts.query, user, password


def encode_url(url: str, *, skip_encoding: bool = False) -> tuple[str, str | None, str | None]:
    """Return `url` encoded for the wire (fragment and credentials removed), user, password.

    Raises:
        ValueError: the URL is invalid, or holds characters that need encoding while
            `skipEncoding` is on.
    """
    origin, path, query, user, password = split_url(url)
    if skip_encoding:
        if _NOT_URL_SAFE.search(path + query):
            raise ValueError(
                f"holds characters that need encoding (such as spaces), and skipEncoding "
                f"is on: {url!r}"
            )
    else:
        path, query = _quote_unsafe(path), _quote_unsafe(query)
    return f"{origin}{path or '/'}{'?' + query if query else ''}", user, password


def add_query(url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Append `pairs` to the query of the encoded `url`, each name and value encoded."""
    encoded = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
    if not encoded:
        return url
    separator = "" if url.endswith(("?", "&")) else "&" if "?" in url else "?"
    return f"{url}{separator}{encoded}"


def _quote_unsafe(text: str) -> str:
    return _NOT_URL_SAFE.sub(lambda match: quote(match.group(), safe=""), text)
