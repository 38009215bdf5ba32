"""Secret placeholders: every form, both sources, missing secrets, and where they apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.connector.conftest import SECRET_PREFIX, Run
from tests.connector.servers import Api
from worker.config import ConnectorSettings
from worker.errors import InputError, SecretNotFoundError
from worker.job import Complete, Fail
from worker.redaction import SECRET_MASK
from worker.secret_store import SecretStore

ENV = {"SECRET_TOKEN": "t0k3n", "SECRET_A": "aa", "SECRET_B": "bb", "SECRET_a.b-c/d_e": "dotted"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{secrets.TOKEN}}", "t0k3n"),
        ("{{ secrets.TOKEN }}", "t0k3n"),
        ("{{secrets.TOKEN   }}", "t0k3n"),
        ("Bearer {{secrets.TOKEN}}!", "Bearer t0k3n!"),
        ("{{secrets.A}}{{secrets.B}}-{{secrets.A}}", "aabb-aa"),
        ("<<secrets.TOKEN>>", "t0k3n"),
        ("x<< secrets.A >>y", "xaay"),
        ("secrets.TOKEN", "t0k3n"),
        ("{{secrets.a.b-c/d_e}}", "dotted"),
        # the bare form counts only as the whole value: prose is left alone
        ("see secrets.TOKEN for details", "see secrets.TOKEN for details"),
        ("secrets.TOKEN ", "secrets.TOKEN "),
        ("files in secrets.txt", "files in secrets.txt"),
        # malformed placeholders are plain text
        ("{{secrets.}}", "{{secrets.}}"),
        ("{secrets.TOKEN}", "{secrets.TOKEN}"),
        ("{{secret.TOKEN}}", "{{secret.TOKEN}}"),
        ("no placeholder", "no placeholder"),
        ("", ""),
    ],
)
def test_placeholder_forms(value: str, expected: str) -> None:
    store = SecretStore(prefix="SECRET_", environ=ENV)
    assert store.resolve(value, {}) == expected


def test_every_string_is_resolved_at_any_depth_keys_included() -> None:
    store = SecretStore(prefix="SECRET_", environ=ENV)
    used: dict[str, str] = {}
    value: dict[str, Any] = {
        "{{secrets.A}}": ["{{secrets.B}}", {"deep": "<<secrets.TOKEN>>"}, 3, None, True],
        "n": 1.5,
    }
    assert store.resolve(value, used) == {"aa": ["bb", {"deep": "t0k3n"}, 3, None, True], "n": 1.5}
    assert used == {"A": "aa", "B": "bb", "TOKEN": "t0k3n"}


def test_values_are_inserted_verbatim_quotes_and_newlines_included() -> None:
    tricky = 'he said "hi"\\n\n{{secrets.A}}'
    store = SecretStore(prefix="SECRET_", environ={"SECRET_Q": tricky, "SECRET_A": "x"})
    # the value is used as is, and not searched again for placeholders
    assert store.resolve({"body": "{{secrets.Q}}"}, {}) == {"body": tricky}


def test_values_found_are_registered_for_log_masking() -> None:
    store = SecretStore(prefix="SECRET_", environ={"SECRET_LOGGED": "never-log-this-9"})
    store.resolve("{{secrets.LOGGED}}", {})
    assert "never-log-this-9" in SECRET_MASK


@pytest.mark.parametrize(
    ("files", "name", "expected"),
    [
        ({"TOKEN": "from-file"}, "TOKEN", "from-file"),
        ({"TOKEN": "one-newline\n"}, "TOKEN", "one-newline"),
        ({"TOKEN": "crlf\r\n"}, "TOKEN", "crlf"),
        ({"TOKEN": "two-newlines\n\n"}, "TOKEN", "two-newlines\n"),
        ({"TOKEN": " spaces kept "}, "TOKEN", " spaces kept "),
        ({"TOKEN": ""}, "TOKEN", ""),
        ({"db.password": "dotted"}, "db.password", "dotted"),
        ({"TOKEN": "x"}, "OTHER", None),
    ],
)
def test_directory_source(
    tmp_path: Path, files: dict[str, str], name: str, expected: str | None
) -> None:
    for file_name, content in files.items():
        (tmp_path / file_name).write_text(content, newline="")
    assert SecretStore(directory=tmp_path, environ={}).lookup(name) == expected


def test_environment_is_asked_before_the_directory(tmp_path: Path) -> None:
    (tmp_path / "TOKEN").write_text("from-file")
    store = SecretStore(prefix="SECRET_", directory=tmp_path, environ={"SECRET_TOKEN": "from-env"})
    assert store.lookup("TOKEN") == "from-env"


def test_kubernetes_style_symlinked_files_are_read(tmp_path: Path) -> None:
    # a mounted secret volume: NAME -> ..data/NAME, ..data -> ..2026_11_29_timestamp
    versioned = tmp_path / "..2026_11_29"
    versioned.mkdir()
    (versioned / "API_KEY").write_text("k8s-value\n")
    (tmp_path / "..data").symlink_to(versioned.name)
    (tmp_path / "API_KEY").symlink_to("..data/API_KEY")
    assert SecretStore(directory=tmp_path, environ={}).lookup("API_KEY") == "k8s-value"


@pytest.mark.parametrize("name", ["../outside", "sub/../../outside", "..", "."])
def test_names_cannot_escape_the_directory(tmp_path: Path, name: str) -> None:
    inside = tmp_path / "secrets"
    inside.mkdir()
    (tmp_path / "outside").write_text("not a secret")
    assert SecretStore(directory=inside, environ={}).lookup(name) is None


def test_a_symlink_out_of_the_directory_is_not_followed(tmp_path: Path) -> None:
    inside = tmp_path / "secrets"
    inside.mkdir()
    (tmp_path / "passwd").write_text("system file")
    (inside / "LINK").symlink_to(tmp_path / "passwd")
    assert SecretStore(directory=inside, environ={}).lookup("LINK") is None


def test_an_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "BINARY").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="BINARY"):
        SecretStore(directory=tmp_path, environ={}).lookup("BINARY")


def test_a_missing_secret_names_the_secret_and_where_it_was_looked_for(tmp_path: Path) -> None:
    store = SecretStore(prefix="SECRET_", directory=tmp_path, environ={})
    with pytest.raises(SecretNotFoundError) as caught:
        store.resolve({"url": "https://x/{{secrets.MISSING}}"}, {})
    assert caught.value.name == "MISSING"
    assert "'MISSING'" in caught.value.message
    assert "SECRET_MISSING" in caught.value.message
    assert str(tmp_path / "MISSING") in caught.value.message


@pytest.mark.parametrize(
    ("environment", "expected_prefix"),
    [
        ({}, "SECRET_"),
        ({"SECRETS_PREFIX": "MY_"}, "MY_"),
        ({"CAMUNDA_CONNECTOR_SECRETPROVIDER_ENVIRONMENT_PREFIX": "CAMUNDA_"}, "CAMUNDA_"),
        ({"CAMUNDA_CONNECTOR_SECRETPROVIDER_ENVIRONMENT_PREFIX": ""}, ""),
    ],
)
def test_prefix_setting_and_camundas_alias(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected_prefix: str
) -> None:
    for name in ("SECRETS_PREFIX", "CAMUNDA_CONNECTOR_SECRETPROVIDER_ENVIRONMENT_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert ConnectorSettings(_env_file=None).secrets_prefix == expected_prefix  # type: ignore[call-arg]


def test_secrets_dir_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    assert ConnectorSettings(_env_file=None).secrets_dir == tmp_path  # type: ignore[call-arg]


# --- through the connector: every input, both sources, never task headers ---


async def test_secrets_reach_every_input_from_env_and_directory(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch, secrets_dir: Path
) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "HOST", f"127.0.0.1:{api.port}")
    monkeypatch.setenv(SECRET_PREFIX + "METHOD", "post")
    monkeypatch.setenv(SECRET_PREFIX + "TIMEOUT", "7")
    (secrets_dir / "USER").write_text("alice\n")
    (secrets_dir / "PASS").write_text("pa:ss")
    monkeypatch.setenv(SECRET_PREFIX + "HEADER_NAME", "X-Tenant")
    monkeypatch.setenv(SECRET_PREFIX + "VALUE", 'q"uo\\te')
    outcome = await run(
        {
            "method": "{{secrets.METHOD}}",
            "url": "http://{{secrets.HOST}}/echo/{{secrets.USER}}",
            "authentication": {
                "type": "basic",
                "username": "{{secrets.USER}}",
                "password": "secrets.PASS",
            },
            "headers": {"{{secrets.HEADER_NAME}}": "<<secrets.VALUE>>"},
            "queryParameters": {"q": "{{secrets.USER}}"},
            "body": {"nested": ["{{secrets.VALUE}}"], "{{secrets.USER}}": 1},
            "connectionTimeoutInSeconds": "{{secrets.TIMEOUT}}",
        },
        {"resultVariable": "r"},
    )
    assert isinstance(outcome, Complete)
    seen = api.last
    assert seen.method == "POST"
    assert seen.path == "/echo/alice?q=alice"
    assert seen.header("Authorization") == "Basic YWxpY2U6cGE6c3M="
    assert seen.header("X-Tenant") == 'q"uo\\te'
    assert seen.json() == {"nested": ['q"uo\\te'], "alice": 1}


async def test_a_missing_secret_fails_without_retries_and_sends_nothing(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url(), "headers": {"X": "{{secrets.NOPE_NOT_SET}}"}}
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "'NOPE_NOT_SET'" in outcome.error_message
    assert outcome.variables["error"]["code"] == "SECRET_NOT_FOUND"
    assert api.seen == []


async def test_task_headers_are_never_secret_replaced(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "LEAK", "leaked-value")
    outcome = await run(
        {"method": "GET", "url": api.url()},
        {"resultExpression": '={text: "{{secrets.LEAK}}", bare: "secrets.LEAK"}'},
    )
    assert outcome == Complete({"text": "{{secrets.LEAK}}", "bare": "secrets.LEAK"})
