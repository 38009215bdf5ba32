"""The job's inputs, bound and validated, and the HTTP request built from them.

`bind_inputs` reads the connector's input variables from the job, evaluates those that are
FEEL (`=...` strings), replaces secret placeholders in the results and validates them into a
`RequestInput`; every problem is reported at once, each naming its field. `prepare` turns a
`RequestInput` into a `PreparedRequest`: encoded URL, headers and body bytes. Both are pure:
sending is `worker.http_client`'s job, and credentials are added there by `worker.auth`.

How URLs are encoded is told in `worker.urls`, how bodies are in `worker.content`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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

import feel
from worker.content import encode_body, scalar_text
from worker.errors import InputError, UnsupportedInputError
from worker.secret_store import SecretStore
from worker.urls import add_query, encode_url, split_url
from worker.wire import (
    first_problem,
    header_name_problem,
    header_value_problem,
    json_text,
    surrogate_problem,
    url_problem,
)

INPUT_NAMES = (
    "method",
    "url",
    "authentication",
    "authenticationConfiguration",
    "headers",
    "queryParameters",
    "body",
    "connectionTimeoutInSeconds",
    "readTimeoutInSeconds",
    "followRedirects",
    "ignoreNullValues",
    "skipEncoding",
    "storeResponse",
    "documentReturnFormat",
    "clientTls",
)
# The first template (2022-03) misspelled the input; BPMN files made with it still say so.
_QUERY_PARAMETERS_TYPO = "queryParamters"
# Groups whose fields are inputs of their own in the templates (`authentication.token`, ...).
_NESTED_INPUTS = ("authentication", "clientTls", "documentReturnFormat")
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


# --- binding: FEEL, then secrets, then validation ---


def bind_inputs(
    variables: Mapping[str, Any],
    store: SecretStore,
    used_secrets: dict[str, str],
    job_type: str | None = None,
) -> RequestInput:
    """Read, evaluate, resolve and validate the connector's inputs from job variables.

    FEEL comes first and secrets second, so a secret value never becomes FEEL source text.
    Every secret replaced is recorded in `used_secrets` (name to value) for masking.

    Raises:
        InputError: a FEEL expression is invalid, or inputs fail validation (every problem
            listed, each with its field); a value nests too deep or holds a lone surrogate.
        SecretNotAllowedError: a placeholder names a secret jobs of `job_type` may not use.
        SecretNotFoundError: a placeholder names an unknown secret.
        UnsupportedInputError: the inputs ask for Camunda's document store.
    """
    raw = {name: variables[name] for name in INPUT_NAMES if name in variables}
    if "queryParameters" not in raw and _QUERY_PARAMETERS_TYPO in variables:
        raw["queryParameters"] = variables[_QUERY_PARAMETERS_TYPO]
    raw = {name: _evaluate(name, value, variables) for name, value in raw.items()}
    for group in _NESTED_INPUTS:
        if group in raw:
            raw[group] = _evaluate_fields(group, raw[group], variables)
    configuration = raw.get("authenticationConfiguration")
    if isinstance(configuration, dict):
        raw["authenticationConfiguration"] = {
            **configuration,
            "authentication": _evaluate_fields(
                "authenticationConfiguration.authentication",
                configuration.get("authentication"),
                variables,
            ),
        }
    # each input's JSON text, made once: it settles the checks and the secrets' search
    texts = {
        name: value if isinstance(value, str) else json_text(value) for name, value in raw.items()
    }
    _check_values(raw, texts)
    resolved = {
        name: store.resolve(value, used_secrets, job_type, text=texts[name])
        for name, value in raw.items()
    }
    if any(surrogate_problem(value) for value in used_secrets.values()):
        _check_values(resolved)  # to name the field a broken secret value landed in
    try:
        inputs = RequestInput.model_validate(resolved)
    except ValidationError as exc:
        raise InputError("Invalid inputs: " + "; ".join(map(_problem, exc.errors()))) from None
    if inputs.storeResponse:
        raise UnsupportedInputError(
            "storeResponse: storing the response in Camunda's document store is not "
            "supported by this worker; turn 'Store response' off to get the body inline"
        )
    if inputs.documentReturnFormat is not None and inputs.documentReturnFormat.choice == "DOCUMENT":
        raise UnsupportedInputError(
            "documentReturnFormat: 'Document reference' needs Camunda's document store, "
            "which this worker does not support; choose 'as JSON' or 'as text'"
        )
    return inputs


def _check_values(raw: Mapping[str, Any], texts: Mapping[str, str | None] | None = None) -> None:
    """Refuse values no request can carry before anything walks them recursively."""
    for name, value in raw.items():
        problem = first_problem(value, name, None if texts is None else texts[name])
        if problem is not None:
            raise InputError(f"Invalid inputs: {problem}")


def _evaluate(where: str, value: Any, variables: Mapping[str, Any]) -> Any:
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    try:
        expression = feel.compile(value, known_names=variables.keys())
        result, warnings = expression.evaluate_with_warnings(variables)
    except feel.FeelError as exc:
        raise InputError(f"{where}: invalid FEEL expression: {exc}") from None
    if result is None and warnings:
        problems = "; ".join(warning.message for warning in warnings)
        raise InputError(f"{where}: the FEEL expression {value!r} failed: {problems}")
    try:
        return feel.to_json(result)
    except RecursionError:
        raise InputError(
            f"{where}: the FEEL expression built a value nested too deeply to send"
        ) from None


def _evaluate_fields(group: str, value: Any, variables: Mapping[str, Any]) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: _evaluate(f"{group}.{key}", item, variables) for key, item in value.items()}


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


# --- the prepared request ---


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """An HTTP request ready to send, minus the credentials that `worker.auth` adds."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    auth: NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuth = field(default_factory=NoAuth)
    connect_timeout: float | None = None
    read_timeout: float | None = None
    follow_redirects: bool = False
    tls: ClientTls | None = None
    response_format: ReturnFormat | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def with_credentials(
        self, headers: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]]
    ) -> PreparedRequest:
        """Return this request with credential headers and query parameters added.

        Credential headers come first; a header the user set with the same name wins.
        """
        user_names = {name.lower() for name, _ in self.headers}
        merged = [(name, value) for name, value in headers if name.lower() not in user_names]
        return replace(self, url=add_query(self.url, query), headers=(*merged, *self.headers))


def prepare(inputs: RequestInput, default_timeout: float = 20.0) -> PreparedRequest:
    """Build the request that `inputs` describe: URL, headers and body bytes.

    Raises:
        InputError: the body cannot be encoded as its Content-Type says, or the URL carries
            credentials while an authentication is also set.
    """
    try:
        url, user, password = encode_url(inputs.url, skip_encoding=inputs.skipEncoding)
    except ValueError as exc:
        raise InputError(f"url: {exc}") from None
    auth = inputs.auth
    if user:
        if not isinstance(auth, NoAuth):
            raise InputError(
                "url: holds credentials (user:password@) while authentication is also set; "
                "use one of them"
            )
        auth = BasicAuth(type="basic", username=user, password=password or "")
    url = add_query(url, _flatten(inputs.queryParameters))
    headers = list(_flatten(inputs.headers))
    body, content_type = encode_body(
        inputs.body, _first(headers, "content-type"), ignore_nulls=inputs.ignoreNullValues
    )
    if content_type is not None:
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        headers.append(("Content-Type", content_type))
    connect = inputs.connectionTimeoutInSeconds
    connect = default_timeout if connect is None else connect
    read = inputs.readTimeoutInSeconds
    read = connect if read is None else read
    return PreparedRequest(
        method=inputs.method,
        url=url,
        headers=tuple(headers),
        body=body,
        auth=auth,
        connect_timeout=connect or None,
        read_timeout=read or None,
        follow_redirects=inputs.followRedirects,
        tls=None if inputs.clientTls is None or inputs.clientTls.is_empty else inputs.clientTls,
        response_format=inputs.documentReturnFormat,
    )


def _flatten(pairs: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in pairs.items() for value in values]


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)
