"""Binding the inputs: defaults, coercions, FEEL inputs, and validation errors naming fields."""

from __future__ import annotations

from typing import Any

import pytest

from tests.connector.conftest import SECRET_PREFIX, Run
from tests.connector.servers import Api
from worker.errors import InputError, UnsupportedInputError
from worker.job import Complete, Fail
from worker.request import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    NoAuth,
    OAuthClientCredentials,
    OAuthRefreshToken,
    PreparedRequest,
    RequestInput,
    bind_inputs,
    prepare,
)
from worker.secret_store import SecretStore

URL = "http://127.0.0.1:9/x"


def bind(variables: dict[str, Any]) -> RequestInput:
    return bind_inputs({"method": "GET", "url": URL, **variables}, SecretStore(environ={}), {})


def prepared(variables: dict[str, Any]) -> PreparedRequest:
    return prepare(bind(variables))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("GET", "GET"),
        ("get", "GET"),
        (" Post ", "POST"),
        ("put", "PUT"),
        ("patch", "PATCH"),
        ("delete", "DELETE"),
        ("head", "HEAD"),
        ("OPTIONS", "OPTIONS"),
    ],
)
def test_methods_in_any_case(method: str, expected: str) -> None:
    assert bind({"method": method}).method == expected


@pytest.mark.parametrize(
    ("variables", "connect", "read"),
    [
        ({}, 20.0, 20.0),
        ({"connectionTimeoutInSeconds": 5}, 5.0, 5.0),
        ({"connectionTimeoutInSeconds": "5"}, 5.0, 5.0),
        ({"connectionTimeoutInSeconds": " 7 "}, 7.0, 7.0),
        ({"connectionTimeoutInSeconds": 2.5}, 2.5, 2.5),
        ({"connectionTimeoutInSeconds": "0.5"}, 0.5, 0.5),
        ({"connectionTimeoutInSeconds": "20", "readTimeoutInSeconds": "60"}, 20.0, 60.0),
        ({"readTimeoutInSeconds": 3}, 20.0, 3.0),
        ({"connectionTimeoutInSeconds": 0}, None, None),
        ({"connectionTimeoutInSeconds": "0", "readTimeoutInSeconds": 9}, None, 9.0),
        ({"connectionTimeoutInSeconds": 4, "readTimeoutInSeconds": 0}, 4.0, None),
        ({"connectionTimeoutInSeconds": "", "readTimeoutInSeconds": None}, 20.0, 20.0),
    ],
)
def test_timeouts_defaults_strings_zero_and_read_fallback(
    variables: dict[str, Any], connect: float | None, read: float | None
) -> None:
    request = prepared(variables)
    assert (request.connect_timeout, request.read_timeout) == (connect, read)


@pytest.mark.parametrize(
    ("variables", "problems"),
    [
        ({"method": None}, ["method: is required"]),
        ({"method": ""}, ["method: is required"]),
        ({"method": "FETCH"}, ["method: must be one of GET, POST, PUT, PATCH, DELETE", "'FETCH'"]),
        ({"method": 3}, ["method: must be text, got 3"]),
        ({"url": None}, ["url: is required"]),
        ({"url": "  "}, ["url: is required"]),
        ({"url": "iAmWrongUrl"}, ["url: must be an http:// or https:// URL"]),
        ({"url": "ftp://camunda.org/"}, ["url: must be an http:// or https:// URL"]),
        ({"url": "camunda@camunda.com"}, ["url: must be an http:// or https:// URL"]),
        ({"url": "http:///path"}, ["url: has no host name"]),
        ({"url": "http://host:99999/"}, ["url: has an invalid port"]),
        ({"url": "http://exa mple.com/"}, ["url: has an invalid host name 'exa mple.com'"]),
        ({"url": ["http://a"]}, ["url: must be a URL, got a list"]),
        (
            {"connectionTimeoutInSeconds": "bad value"},
            ["connectionTimeoutInSeconds: must be a number of seconds", "'bad value'"],
        ),
        ({"connectionTimeoutInSeconds": "0xFF"}, ["connectionTimeoutInSeconds: must be a number"]),
        ({"connectionTimeoutInSeconds": -1}, ["connectionTimeoutInSeconds: must not be negative"]),
        ({"readTimeoutInSeconds": True}, ["readTimeoutInSeconds: must be a number"]),
        ({"readTimeoutInSeconds": "1e3"}, ["readTimeoutInSeconds: must be a number"]),
        ({"readTimeoutInSeconds": float("inf")}, ["readTimeoutInSeconds: must be a finite number"]),
        ({"authentication": {"type": "basic"}}, ["authentication.username: is required"]),
        (
            {"authentication": {"type": "basic", "username": " "}},
            ["authentication.username: must not be empty"],
        ),
        ({"authentication": {"type": "bearer"}}, ["authentication.token: is required"]),
        (
            {"authentication": {"type": "bearer", "token": {"t": 1}}},
            ["authentication.token: must be text, got an object"],
        ),
        (
            {"authentication": {"type": "basic", "username": "u", "password": [1]}},
            ["authentication.password: must be text, got a list"],
        ),
        (
            {"authentication": {"type": "bearer", "token": ""}},
            ["authentication.token: must not be empty"],
        ),
        (
            {"authentication": {"type": "apiKey", "name": "k"}},
            ["authentication.value: is required"],
        ),
        (
            {
                "authentication": {
                    "type": "apiKey",
                    "name": "k",
                    "value": "v",
                    "apiKeyLocation": "body",
                }
            },
            ["authentication.apiKeyLocation: must be one of 'headers' or 'query'"],
        ),
        (
            {"authentication": {"type": "oauth-client-credentials-flow"}},
            [
                "authentication.oauthTokenEndpoint: is required",
                "authentication.clientId: is required",
                "authentication.clientSecret: is required",
                "authentication.clientAuthentication: is required",
            ],
        ),
        (
            {
                "authentication": {
                    "type": "oauth-client-credentials-flow",
                    "oauthTokenEndpoint": "token",
                    "clientId": "c",
                    "clientSecret": "s",
                    "clientAuthentication": "header",
                }
            },
            [
                "authentication.oauthTokenEndpoint: must be an http:// or https:// URL",
                "authentication.clientAuthentication: must be one of 'basicAuthHeader' or "
                "'credentialsBody', got 'header'",
            ],
        ),
        (
            {
                "authentication": {
                    "type": "oauth-refresh-token",
                    "oauthTokenEndpoint": URL,
                    "clientId": "c",
                }
            },
            ["authentication.refreshToken: is required"],
        ),
        (
            {"authentication": {"type": "kerberos"}},
            ["authentication.type: must be one of noAuth, basic, bearer, apiKey", "'kerberos'"],
        ),
        ({"authentication": {"username": "u"}}, ["authentication.type: is required"]),
        ({"authentication": "basic"}, ["authentication"]),
        (
            {"authenticationConfiguration": {"authentication": {"type": "bearer"}}},
            ["authenticationConfiguration.authentication.token: is required"],
        ),
        ({"headers": ["X"]}, ["headers: must be an object of header names to values, got a list"]),
        ({"headers": "X: y"}, ["headers: must be an object", "got the text 'X: y'"]),
        ({"headers": {"Bad Name": "x"}}, ["headers: 'Bad Name' is not a valid header name"]),
        (
            {"headers": {"X-Evil": "a\r\nInjected: 1"}},
            ["headers: 'X-Evil' must not contain line breaks"],
        ),
        (
            {"headers": {"X": {"nested": 1}}},
            ["headers: 'X' must be a string, number, boolean or a list of them, got an object"],
        ),
        (
            {"queryParameters": {"q": [{"a": 1}]}},
            ["queryParameters: 'q' must be a string, number, boolean"],
        ),
        ({"queryParameters": {"": "x"}}, ["queryParameters: has a parameter with an empty name"]),
        (
            {"clientTls": {"clientCertificate": "PEM"}},
            [
                "clientTls: clientCertificate and clientPrivateKey go together, "
                "only clientCertificate is set"
            ],
        ),
        (
            {"documentReturnFormat": {"choice": "XML"}},
            ["documentReturnFormat.choice: must be one of 'JSON', 'TEXT' or 'DOCUMENT'"],
        ),
        (
            {"documentReturnFormat": {"choice": "TEXT", "encoding": "klingon"}},
            ["documentReturnFormat.encoding: names an unknown character set 'klingon'"],
        ),
        ({"followRedirects": "maybe"}, ["followRedirects"]),
    ],
)
def test_validation_errors_name_the_field_and_the_problem(
    variables: dict[str, Any], problems: list[str]
) -> None:
    with pytest.raises(InputError) as caught:
        bind(variables)
    assert caught.value.code == "INVALID_INPUT"
    assert caught.value.retries(5) == 0
    for problem in problems:
        assert problem in caught.value.message


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(InputError) as caught:
        bind_inputs(
            {"method": "FETCH", "connectionTimeoutInSeconds": "x"}, SecretStore(environ={}), {}
        )
    message = caught.value.message
    assert message.startswith("Invalid inputs: ")
    assert "method:" in message and "url: is required" in message
    assert "connectionTimeoutInSeconds:" in message


@pytest.mark.parametrize(
    ("authentication", "expected"),
    [
        (None, NoAuth()),
        ({"type": "noAuth"}, NoAuth()),
        ({"type": "basic", "username": "u"}, BasicAuth(type="basic", username="u", password="")),
        (
            {"type": "basic", "username": "u", "password": None},
            BasicAuth(type="basic", username="u", password=""),
        ),
        # the marker Camunda's Modeler writes for a password left empty on purpose
        (
            {"type": "basic", "username": "u", "password": "SPEC_PASSWORD_EMPTY_PATTERN"},
            BasicAuth(type="basic", username="u", password=""),
        ),
        (
            {"type": "bearer", "token": "t", "leftover": "ignored"},
            BearerAuth(type="bearer", token="t"),
        ),
        (
            {"type": "apiKey", "name": "k", "value": "v"},
            ApiKeyAuth(type="apiKey", apiKeyLocation="headers", name="k", value="v"),
        ),
        (
            {
                "type": "oauth-client-credentials-flow",
                "oauthTokenEndpoint": URL,
                "clientId": 42,
                "clientSecret": "s",
                "audience": "",
                "scopes": " ",
                "clientAuthentication": "credentialsBody",
            },
            OAuthClientCredentials(
                type="oauth-client-credentials-flow",
                oauthTokenEndpoint=URL,
                clientId="42",
                clientSecret="s",
                audience=None,
                scopes=None,
                clientAuthentication="credentialsBody",
            ),
        ),
        (
            {
                "type": "oauth-refresh-token",
                "oauthTokenEndpoint": URL,
                "clientId": "c",
                "refreshToken": "r",
            },
            OAuthRefreshToken(
                type="oauth-refresh-token",
                oauthTokenEndpoint=URL,
                clientId="c",
                clientSecret=None,
                refreshToken="r",
                scopes=None,
            ),
        ),
    ],
)
def test_authentication_forms(authentication: dict[str, Any] | None, expected: object) -> None:
    assert bind({"authentication": authentication}).auth == expected


def test_a_reusable_authentication_configuration_wins_over_the_inline_one() -> None:
    inputs = bind(
        {
            "authentication": {"type": "bearer", "token": "inline"},
            "authenticationConfiguration": {
                "authentication": {"type": "bearer", "token": "configured"}
            },
        }
    )
    assert inputs.auth == BearerAuth(type="bearer", token="configured")
    empty = bind(
        {"authentication": {"type": "bearer", "token": "inline"}, "authenticationConfiguration": {}}
    )
    assert empty.auth == BearerAuth(type="bearer", token="inline")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"X-Num": 5, "X-Bool": True, "X-Float": 1.5},
            {"X-Num": ("5",), "X-Bool": ("true",), "X-Float": ("1.5",)},
        ),
        ({"X-Many": ["a", "b"], "X-Null": None, "X-Empty-List": []}, {"X-Many": ("a", "b")}),
        ('{"X-From-Text": "v"}', {"X-From-Text": ("v",)}),
        ("", {}),
        (None, {}),
    ],
)
def test_header_values_are_coerced_to_text(
    headers: Any, expected: dict[str, tuple[str, ...]]
) -> None:
    assert bind({"headers": headers}).headers == expected


def test_the_misspelled_query_parameters_of_the_first_template_are_accepted() -> None:
    assert bind({"queryParamters": {"a": "1"}}).queryParameters == {"a": ("1",)}
    both = bind({"queryParamters": {"a": "1"}, "queryParameters": {"b": "2"}})
    assert both.queryParameters == {"b": ("2",)}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"storeResponse": True},
            "storeResponse: storing the response in Camunda's document store is not supported",
        ),
        (
            {"documentReturnFormat": {"choice": "DOCUMENT"}},
            "documentReturnFormat: 'Document reference' needs Camunda's document store",
        ),
    ],
)
def test_document_store_features_are_refused_clearly(
    variables: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnsupportedInputError, match=message):
        bind(variables)


def test_unused_and_retired_inputs_are_ignored() -> None:
    inputs = bind(
        {
            "writeTimeoutInSeconds": "0",
            "groupSetCookieHeaders": True,
            "storeResponse": False,
            "documentReturnFormat": {"choice": "json", "encoding": "UTF-8"},
            "someProcessVariable": {"x": 1},
        }
    )
    assert inputs.method == "GET"
    assert inputs.documentReturnFormat is not None and inputs.documentReturnFormat.choice == "JSON"


# --- FEEL inputs: evaluated against the job's variables, before secrets ---


def test_feel_inputs_are_evaluated_against_the_job_variables() -> None:
    variables = {
        "method": '=if create then "POST" else "GET"',
        "url": '="http://127.0.0.1:9/orders/" + string(orderId)',
        "headers": '={"X-Order": string(orderId)}',
        "body": "={id: orderId, items: [1, 2]}",
        "connectionTimeoutInSeconds": "=2 * 5",
        "authentication": {"type": "bearer", "token": '="tok-" + user'},
        "create": True,
        "orderId": 42,
        "user": "ann",
    }
    inputs = bind_inputs(variables, SecretStore(environ={}), {})
    assert inputs.method == "POST"
    assert inputs.url == "http://127.0.0.1:9/orders/42"
    assert inputs.headers == {"X-Order": ("42",)}
    assert inputs.body == {"id": 42, "items": [1, 2]}
    assert inputs.connectionTimeoutInSeconds == 10.0
    assert inputs.auth == BearerAuth(type="bearer", token="tok-ann")


def test_feel_inputs_read_variables_whose_names_need_quoting() -> None:
    variables = {"method": "GET", "url": '="http://127.0.0.1:9/" + string(order-id)', "order-id": 5}
    assert bind_inputs(variables, SecretStore(environ={}), {}).url == "http://127.0.0.1:9/5"


def test_secrets_are_replaced_after_feel_so_a_value_never_becomes_feel_source() -> None:
    # A secret whose value is FEEL syntax stays a plain value.
    store = SecretStore(prefix="S_", environ={"S_TOKEN": '" + injected + "'})
    used: dict[str, str] = {}
    inputs = bind_inputs(
        {"method": "GET", "url": URL, "headers": '={"Authorization": "Bearer {{secrets.TOKEN}}"}'},
        store,
        used,
    )
    assert inputs.headers == {"Authorization": ('Bearer " + injected + "',)}
    assert used == {"TOKEN": '" + injected + "'}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"url": "=http://no quotes"}, "url: invalid FEEL expression"),
        ({"body": "={a: missing.deeper}", "missing": None}, None),
        ({"url": "=unknownFunction(1)"}, "url: the FEEL expression '=unknownFunction(1)' failed"),
        (
            {"authentication": {"type": "bearer", "token": "=)"}},
            "authentication.token: invalid FEEL expression",
        ),
    ],
)
def test_broken_feel_inputs_name_the_field(variables: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert bind(variables).body == {"a": None}
        return
    with pytest.raises(InputError) as caught:
        bind(variables)
    assert message in caught.value.message


# --- through the connector: invalid inputs fail at once, with no retries, sending nothing ---


async def test_invalid_inputs_fail_without_retries_and_without_a_request(
    run: Run, api: Api
) -> None:
    outcome = await run({"method": "FETCH", "url": api.url()}, retries=5)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "method: must be one of" in outcome.error_message
    assert outcome.variables["error"]["code"] == "INVALID_INPUT"
    assert api.seen == []


async def test_validation_messages_never_show_secret_values(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "BAD_URL", "ftp://user:hunter22@host/")
    outcome = await run({"method": "GET", "url": "{{secrets.BAD_URL}}"})
    assert isinstance(outcome, Fail)
    assert "hunter22" not in outcome.error_message
    assert "***" in outcome.error_message
    assert "hunter22" not in str(outcome.variables)


@pytest.mark.parametrize(
    ("url", "sent"),
    [("/echo/a%2Fb?x=%41", "/echo/a%2Fb?x=%41"), ("/echo/a b", None)],
)
async def test_skip_encoding_sends_the_url_as_written(
    run: Run, api: Api, url: str, sent: str | None
) -> None:
    outcome = await run({"method": "GET", "url": api.url(url), "skipEncoding": "true"})
    if sent is None:
        assert isinstance(outcome, Fail)
        assert "url: holds characters that need encoding (such as spaces), and skipEncoding" in (
            outcome.error_message
        )
        assert api.seen == []
    else:
        assert isinstance(outcome, Complete)
        assert api.last.path == sent


async def test_a_process_variable_that_is_not_an_input_is_ignored(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url(), "payload": {"big": "x"}}, {"resultVariable": "r"}
    )
    assert isinstance(outcome, Complete)
    assert api.last.body == b""
