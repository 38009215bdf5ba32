"""The job's inputs, bound and validated, and the HTTP request built from them.

`bind_inputs` reads the connector's input variables from the job, evaluates those that are
FEEL (`=...` strings), replaces secret placeholders in the results and validates them into a
`RequestInput` (`worker.inputs`); every problem is reported at once, each naming its field.
`prepare` turns a `RequestInput` into a `PreparedRequest`: encoded URL, headers and body
bytes. Both are pure: sending is `worker.http_client`'s job, and credentials are added there
by `worker.auth`.

How URLs are encoded is told in `worker.urls`, how bodies are in `worker.content`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import feel
from worker.content import encode_body
from worker.errors import InputError, UnsupportedInputError
from worker.inputs import (
    AUTH_TYPES,
    METHODS,
    ApiKeyAuth,
    Authentication,
    AuthenticationConfiguration,
    BasicAuth,
    BearerAuth,
    ClientTls,
    NoAuth,
    OAuth,
    OAuthClientCredentials,
    OAuthRefreshToken,
    RequestInput,
    ReturnFormat,
    validate_inputs,
)
from worker.secret_store import SecretStore
from worker.urls import add_query, encode_url
from worker.wire import first_problem, json_text, plain_json, surrogate_problem

__all__ = [
    "AUTH_TYPES",
    "INPUT_NAMES",
    "METHODS",
    "ApiKeyAuth",
    "Authentication",
    "AuthenticationConfiguration",
    "BasicAuth",
    "BearerAuth",
    "ClientTls",
    "NoAuth",
    "OAuth",
    "OAuthClientCredentials",
    "OAuthRefreshToken",
    "PreparedRequest",
    "RequestInput",
    "ReturnFormat",
    "bind_inputs",
    "prepare",
]

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
    inputs = validate_inputs(_checked_and_resolved(raw, store, used_secrets, job_type))
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


def _checked_and_resolved(
    raw: dict[str, Any], store: SecretStore, used_secrets: dict[str, str], job_type: str | None
) -> dict[str, Any]:
    """The inputs with placeholders replaced, once no value is found unsendable.

    The JSON text of all inputs at once settles the common case: no placeholder to
    replace, no lone surrogate and no deep nesting anywhere.
    """
    whole = json_text(raw)
    if whole is not None and "secrets." not in whole and plain_json(whole):
        return raw
    return _checked_and_resolved_one_by_one(raw, store, used_secrets, job_type)


def _checked_and_resolved_one_by_one(
    raw: dict[str, Any], store: SecretStore, used_secrets: dict[str, str], job_type: str | None
) -> dict[str, Any]:
    # each input's JSON text, made once: it settles its checks and its placeholders' search
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
    return resolved


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
        self, headers: Sequence[tuple[str, str]], query: Sequence[tuple[str, str]]
    ) -> PreparedRequest:
        """Return this request with credential headers and query parameters added.

        Credential headers come first; a header the user set with the same name wins.
        """
        if not headers and not query:
            return self
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
