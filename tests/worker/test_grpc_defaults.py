"""gRPC runtime defaults that `python -m worker run` sets before gRPC's core starts."""

from __future__ import annotations

import subprocess
import sys

from worker.__main__ import GRPC_DEFAULTS, apply_grpc_defaults


def test_defaults_fill_what_the_user_left_unset() -> None:
    environ = {"PATH": "/bin"}
    apply_grpc_defaults(environ)
    assert environ == {"PATH": "/bin", "GRPC_EXPERIMENTS": "-event_engine_client"}


def test_a_value_the_user_set_wins() -> None:
    environ = {"GRPC_EXPERIMENTS": "event_engine_client"}
    apply_grpc_defaults(environ)
    assert environ == {"GRPC_EXPERIMENTS": "event_engine_client"}


def test_an_empty_value_asks_for_grpcs_own_defaults() -> None:
    environ = {"GRPC_EXPERIMENTS": ""}
    apply_grpc_defaults(environ)
    assert environ == {"GRPC_EXPERIMENTS": ""}


def test_the_installed_grpc_knows_every_experiment_we_name() -> None:
    # gRPC prints "Unknown experiment" on stderr and ignores a name it does not know:
    # a grpcio upgrade that drops the experiment must fail here, not go unnoticed.
    code = "import grpc\nchannel = grpc.insecure_channel('127.0.0.1:9')\nchannel.close()\n"
    env = {"GRPC_EXPERIMENTS": GRPC_DEFAULTS["GRPC_EXPERIMENTS"], "GRPC_VERBOSITY": "ERROR"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown experiment" not in result.stderr
    bogus = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "GRPC_EXPERIMENTS": "-no_such_experiment_here"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Unknown experiment" in bogus.stderr  # the check above can fail
