"""Hypothesis strategies for the connector's inputs: plausible, malformed and hostile values.

URLs point at loopback, at names only the test resolver knows, or nowhere valid; the
connector that runs them is sandboxed to loopback (see conftest.SANDBOX) besides.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.feel.test_properties import feel_like
from worker.request import AUTH_TYPES, METHODS

# every code point, surrogates and control characters included
any_character = st.characters(exclude_categories=())
nasty_text = st.one_of(
    st.text(max_size=20),
    st.text(any_character, max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "\r\n",
            "a\r\nX-Injected: yes",
            "\x00",
            "\ud800",
            "\u202e",
            "\ufeff",
            "😀",
            "%",
            "%zz",
            "%0d%0a",
            "{{secrets.A}}",
            "{{ secrets.CRLF }}",
            "<<secrets.B>>",
            "secrets.A",
            "{{secrets.MISSING}}",
            "{{secrets.}}",
            "=",
            "=null",
            '="x"',
            "=1/0",
            "=[1,2,3]",
            '={"X-A": "1"}',
            "SPEC_PASSWORD_EMPTY_PATTERN",
            "20",
            "-1",
            "1e309",
            "true",
            "PT1S",
        ]
    ),
    feel_like().map(lambda text: "=" + text),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    nasty_text,
)
json_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4)
    ),
    max_leaves=12,
)


def urls(loopback_base: str) -> st.SearchStrategy[str]:
    """URLs: mostly the loopback server (with nasty paths and queries), some invalid."""
    paths = st.text(any_character, max_size=15)
    return st.one_of(
        st.builds(lambda path: f"{loopback_base}/ok{path}", paths),
        st.builds(lambda path: f"{loopback_base}/{path}", paths),
        st.sampled_from(
            [
                f"{loopback_base}/ok?a=1&b=%20",
                f"{loopback_base}/status?code=500",
                "http://localhost:1/",
                "http://127.0.0.1:1/x",
                "http://[::1]:1/",
                "http://unknown.test/",
                "ftp://127.0.0.1/",
                "http://",
                "http://127.0.0.1:99999/",
                "=" + f'"{loopback_base}/ok"',
                "{{secrets.A}}",
            ]
        ),
        nasty_text,
    )


def authentications(loopback_base: str) -> st.SearchStrategy[Any]:
    fields = {
        "username": nasty_text,
        "password": nasty_text,
        "token": nasty_text,
        "apiKeyLocation": st.sampled_from(["headers", "query", "cookie", ""]),
        "name": nasty_text,
        "value": nasty_text,
        "oauthTokenEndpoint": urls(loopback_base).map(lambda url: url.replace("/ok", "/token")),
        "clientId": nasty_text,
        "clientSecret": nasty_text,
        "refreshToken": nasty_text,
        "scopes": nasty_text,
        "audience": nasty_text,
        "clientAuthentication": st.sampled_from(["basicAuthHeader", "credentialsBody", "x"]),
    }
    return st.one_of(
        json_like,
        st.fixed_dictionaries(
            {"type": st.sampled_from([*AUTH_TYPES, "digest", "", "BASIC"])},
            optional={name: strategy for name, strategy in fields.items()},
        ),
    )


def job_variables(loopback_base: str) -> st.SearchStrategy[dict[str, Any]]:
    """The connector's input variables, each optional, each plausible or hostile."""
    methods = st.one_of(st.sampled_from([*METHODS, "get", "Post", "BREW"]), scalars)
    headers = st.one_of(
        json_like,
        st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text, max_size=3))),
    )
    seconds = st.one_of(st.sampled_from([0, 1, "2", "0.5", -1, "x", 1e309, 10**40]), scalars)
    return st.fixed_dictionaries(
        {"method": methods, "url": urls(loopback_base)},
        optional={
            "authentication": authentications(loopback_base),
            "headers": headers,
            "queryParameters": headers,
            "body": json_like,
            "connectionTimeoutInSeconds": seconds,
            "readTimeoutInSeconds": seconds,
            "followRedirects": scalars,
            "ignoreNullValues": scalars,
            "skipEncoding": scalars,
            "storeResponse": scalars,
            "documentReturnFormat": json_like,
            "clientTls": json_like,
            "authenticationConfiguration": json_like,
        },
    )


task_headers = st.dictionaries(
    st.sampled_from(["resultVariable", "resultExpression", "errorExpression", "retryBackoff"]),
    st.one_of(
        nasty_text,
        feel_like().map(lambda text: "=" + text),
        st.sampled_from(
            [
                "={status: status}",
                "=bpmnError(string(status))",
                '=jobError("m", {}, 1, "PT1S")',
                "=ignoreError()",
                "PT5S",
                "P-1D",
            ]
        ),
    ),
)


header_names = st.from_regex(r"\AX-[A-Za-z0-9-]{1,10}\Z")
printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
safe_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | printable,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(printable, children, max_size=3)
    ),
    max_leaves=8,
)


def valid_authentications(base: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(
        [
            {"type": "noAuth"},
            {"type": "basic", "username": "user", "password": "{{secrets.A}}"},
            {"type": "bearer", "token": "{{secrets.A}}"},
            {"type": "apiKey", "apiKeyLocation": "query", "name": "key", "value": "k v"},
            {"type": "apiKey", "apiKeyLocation": "headers", "name": "X-Key", "value": "k"},
            {
                "type": "oauth-client-credentials-flow",
                "oauthTokenEndpoint": f"{base}/token",
                "clientId": "client",
                "clientSecret": "{{secrets.A}}",
                "clientAuthentication": "basicAuthHeader",
            },
        ]
    )


def mostly_valid_jobs(base: str) -> st.SearchStrategy[dict[str, Any]]:
    """A valid job that reaches the loopback API, with up to two inputs made hostile."""
    hostile = job_variables(base)
    valid = st.fixed_dictionaries(
        {
            "method": st.sampled_from([*METHODS, "get", "post"]),
            "url": st.builds(
                lambda path, query: f"{base}/ok/{path}?q={query}",
                st.from_regex(r"\A[a-z0-9%/._~-]{0,12}\Z"),
                st.from_regex(r"\A[a-z0-9]{0,6}\Z"),
            ),
        },
        optional={
            "authentication": valid_authentications(base),
            "headers": st.dictionaries(header_names, printable, max_size=3),
            "queryParameters": st.dictionaries(
                printable, st.one_of(printable, st.lists(printable, max_size=2)), max_size=3
            ),
            "body": safe_json,
            "connectionTimeoutInSeconds": st.sampled_from([1, "2", 0.5]),
            "readTimeoutInSeconds": st.sampled_from([1, "2"]),
            "followRedirects": st.booleans(),
            "ignoreNullValues": st.booleans(),
        },
    )

    def spoil(data: Any) -> dict[str, Any]:
        job, bad, names = data
        for name in names:
            if name in bad:
                job[name] = bad[name]
        return dict(job)

    fields = [
        "method",
        "url",
        "authentication",
        "headers",
        "queryParameters",
        "body",
        "connectionTimeoutInSeconds",
        "followRedirects",
        "documentReturnFormat",
        "clientTls",
    ]
    return st.tuples(
        valid, hostile, st.lists(st.sampled_from(fields), max_size=2, unique=True)
    ).map(spoil)


mostly_valid_headers = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "resultVariable": st.sampled_from(["response", "r"]),
            "resultExpression": st.sampled_from(
                ["={status: status, body: body}", "={q: body.query}", "=null", "={}"]
            ),
            "errorExpression": st.sampled_from(
                [
                    "=if error != null then bpmnError(error.code, error.message) else null",
                    '=if error = null then null else jobError("failed: " + error.message, {}, 1)',
                    "=ignoreError({status: response.status})",
                ]
            ),
            "retryBackoff": st.sampled_from(["PT1S", "PT0S", "P1D"]),
        },
    ),
    task_headers,
)
