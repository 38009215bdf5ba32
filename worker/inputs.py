"""The connector's inputs as a model: what each input may hold, and what is wrong with it.

`RequestInput` and its parts (authentication, client TLS, return format) are pydantic models
under the names the element templates use. Each field's validator returns a clean value or
says what is wrong in words a modeller understands; `validate_inputs` turns every problem
into one `InputError` naming each field: `Invalid inputs: method: must be one of GET, ...;
url: is required`. Where the values come from (variables, FEEL, secrets) is
`worker.request`'s business.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from worker.content import scalar_text
from worker.errors import InputError
from worker.urls import split_url
from worker.wire import header_name_problem, header_value_problem, url_problem

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
AUTH_TYPES = (
    "noAuth",
    "basic",
    "bearer",
    "apiKey",
    "oauth-client-credentials-flow",
    "oauth-refresh-token",
)
# Camunda's Modeler stores this marker for a Basic password left empty on purpose.
_EMPTY_PASSWORD_MARKER = "SPEC_PASSWORD_EMPTY_PATTERN"
_SECONDS = re.compile(r"\d+(?:\.\d+)?")


# --- field validators: each returns a clean value or raises ValueError with the problem ---


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _required_text(value: object) -> str:
    text = scalar_text(value) if not isinstance(value, bool) else None
    if text is None:
        raise ValueError(
            "is required" if value is None else f"must be text, got {_describe(value)}"
        )
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _optional_text(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _required_text(value)


def _password(value: object) -> str:
    if value is None or value == _EMPTY_PASSWORD_MARKER:
        return ""
    text = scalar_text(value)
    if text is None:
        raise ValueError(f"must be text, got {_describe(value)}")
    return text


def _flag(value: object) -> object:
    return False if value is None or value == "" else value


def _method(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is required")
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {_describe(value)}")
    method = value.strip().upper()
    if method not in METHODS:
        raise ValueError(f"must be one of {', '.join(METHODS)}, got {value!r}")
    return method


def _seconds(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and _SECONDS.fullmatch(value.strip()):
        seconds = float(value.strip())
    else:
        raise ValueError(f"must be a number of seconds (0 for no limit), got {_describe(value)}")
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValueError(f"must be a finite number of seconds, got {_describe(value)}")
    if seconds < 0:
        raise ValueError(f"must not be negative, got {_describe(value)}")
    return seconds


def _url(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is required")
    if not isinstance(value, str):
        raise ValueError(f"must be a URL, got {_describe(value)}")
    url = value.strip()
    problem = url_problem(url)
    if problem is not None:
        raise ValueError(problem)
    split_url(url)
    return url


def _pairs(value: object, what: str) -> dict[str, tuple[str, ...]]:
    """Normalize a headers or query parameters object: each name to its list of values."""
    if value is None:
        return {}
    if isinstance(value, str):
        # Templates before 2022-09 took these as plain text: JSON written by the user.
        text = value.strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise ValueError(
                f'must be an object, e.g. ={{"name": "value"}}, got the text {text[:60]!r}'
            ) from None
    if not isinstance(value, dict):
        raise ValueError(f"must be an object of {what}, got {_describe(value)}")
    pairs: dict[str, tuple[str, ...]] = {}
    for name, item in value.items():
        items = item if isinstance(item, list) else [item]
        texts = []
        for element in items:
            if element is None:
                continue
            element_text = scalar_text(element)
            if element_text is None:
                raise ValueError(
                    f"{name!r} must be a string, number, boolean or a list of them, "
                    f"got {_describe(element)}"
                )
            texts.append(element_text)
        if texts:
            pairs[str(name)] = tuple(texts)
    return pairs


def _headers(value: object) -> dict[str, tuple[str, ...]]:
    headers = _pairs(value, "header names to values")
    for name, values in headers.items():
        problem = header_name_problem(name)
        if problem is not None:
            raise ValueError(problem)
        for text in values:
            problem = header_value_problem(text)
            if problem is not None:
                raise ValueError(f"{name!r} {problem}")
    return headers


def _header_value(value: object) -> str:
    text = _required_text(value)
    problem = header_value_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _query(value: object) -> dict[str, tuple[str, ...]]:
    query = _pairs(value, "parameter names to values")
    if "" in query:
        raise ValueError("has a parameter with an empty name")
    return query


def _return_choice(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _encoding(value: object) -> str:
    text = _optional_text(value) or "UTF-8"
    try:
        codecs.lookup(text)
    except LookupError:
        raise ValueError(f"names an unknown character set {text!r}") from None
    return text


RequiredText = Annotated[str, BeforeValidator(_required_text)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Seconds = Annotated[float | None, BeforeValidator(_seconds)]
Pairs = dict[str, tuple[str, ...]]


# --- the input model ---


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class NoAuth(_Model):
    type: Literal["noAuth"] = "noAuth"


class BasicAuth(_Model):
    type: Literal["basic"]
    username: RequiredText
    password: Annotated[str, BeforeValidator(_password)] = ""


class BearerAuth(_Model):
    type: Literal["bearer"]
    token: Annotated[str, BeforeValidator(_header_value)]


class ApiKeyAuth(_Model):
    type: Literal["apiKey"]
    apiKeyLocation: Literal["headers", "query"] = "headers"
    name: RequiredText
    value: RequiredText

    @model_validator(mode="after")
    def _fits_a_header(self) -> ApiKeyAuth:
        # In the query, name and value are percent-encoded; in a header they go as they are.
        if self.apiKeyLocation == "headers":
            problem = header_name_problem(self.name)
            if problem is not None:
                raise ValueError(f"name: {problem}")
            problem = header_value_problem(self.value)
            if problem is not None:
                raise ValueError(f"value: {problem}")
        return self


class OAuthClientCredentials(_Model):
    type: Literal["oauth-client-credentials-flow"]
    oauthTokenEndpoint: Annotated[str, BeforeValidator(_url)]
    clientId: RequiredText
    clientSecret: RequiredText
    audience: OptionalText = None
    scopes: OptionalText = None
    clientAuthentication: Literal["basicAuthHeader", "credentialsBody"]


class OAuthRefreshToken(_Model):
    type: Literal["oauth-refresh-token"]
    oauthTokenEndpoint: Annotated[str, BeforeValidator(_url)]
    clientId: RequiredText
    clientSecret: OptionalText = None
    refreshToken: RequiredText
    scopes: OptionalText = None


Authentication = Annotated[
    NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuthClientCredentials | OAuthRefreshToken,
    Field(discriminator="type"),
]
OAuth = OAuthClientCredentials | OAuthRefreshToken


class AuthenticationConfiguration(_Model):
    authentication: Authentication | None = None


class ClientTls(_Model):
    """PEM material for mutual TLS and for trusting a private certificate authority."""

    clientCertificate: OptionalText = None
    clientPrivateKey: OptionalText = None
    privateKeyPassword: OptionalText = None
    trustedCertificate: OptionalText = None

    @model_validator(mode="after")
    def _identity_is_whole(self) -> ClientTls:
        if (self.clientCertificate is None) != (self.clientPrivateKey is None):
            given = "clientCertificate" if self.clientCertificate else "clientPrivateKey"
            raise ValueError(
                f"clientCertificate and clientPrivateKey go together, only {given} is set"
            )
        return self

    @property
    def is_empty(self) -> bool:
        return self.clientCertificate is None and self.trustedCertificate is None


class ReturnFormat(_Model):
    choice: Annotated[Literal["JSON", "TEXT", "DOCUMENT"], BeforeValidator(_return_choice)] = "JSON"
    encoding: Annotated[str, BeforeValidator(_encoding)] = "UTF-8"


class RequestInput(_Model):
    """The validated inputs of one job, under the names the element templates use."""

    method: Annotated[str, BeforeValidator(_method)]
    url: Annotated[str, BeforeValidator(_url)]
    authentication: Authentication | None = None
    authenticationConfiguration: AuthenticationConfiguration | None = None
    headers: Annotated[Pairs, BeforeValidator(_headers)] = {}
    queryParameters: Annotated[Pairs, BeforeValidator(_query)] = {}
    body: Any = None
    connectionTimeoutInSeconds: Seconds = None
    readTimeoutInSeconds: Seconds = None
    followRedirects: Flag = False
    ignoreNullValues: Flag = False
    skipEncoding: Flag = False
    storeResponse: Flag = False
    documentReturnFormat: ReturnFormat | None = None
    clientTls: ClientTls | None = None

    @property
    def auth(self) -> NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuth:
        """The authentication in force: a reusable configuration wins over the inline one."""
        configured = self.authenticationConfiguration
        if configured is not None and configured.authentication is not None:
            return configured.authentication
        return self.authentication or NoAuth()


def validate_inputs(values: Mapping[str, Any]) -> RequestInput:
    """Validate the inputs' values (FEEL evaluated, secrets replaced) into a `RequestInput`.

    Raises:
        InputError: every problem found, each naming its field.
    """
    try:
        return RequestInput.model_validate(values)
    except ValidationError as exc:
        raise InputError("Invalid inputs: " + "; ".join(map(_problem, exc.errors()))) from None


def _problem(error: ErrorDetails) -> str:
    loc = error["loc"]
    # Pydantic puts the union's tag in the location: authentication.basic.username.
    location = [
        str(part)
        for index, part in enumerate(loc)
        if not (part in AUTH_TYPES and index > 0 and loc[index - 1] == "authentication")
    ]
    kind = error["type"]
    path = ".".join(location)
    if kind == "missing":
        return f"{path}: is required"
    if kind == "union_tag_not_found":
        return f"{path}.type: is required, one of {', '.join(AUTH_TYPES)}"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag")
        return f"{path}.type: must be one of {', '.join(AUTH_TYPES)}, got {tag!r}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{path}: must be one of {expected}, got {_describe(error['input'])}"
    if kind == "model_type" or kind == "model_attributes_type":
        return f"{path}: must be an object, got {_describe(error['input'])}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}" if path else message
