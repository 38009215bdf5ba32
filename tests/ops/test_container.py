"""The Dockerfile, checked without a Docker engine.

- hadolint passes, and the file has the shape we promise (two stages, pinned base,
  numeric non-root user, exec-form ENTRYPOINT/CMD/HEALTHCHECK, no bytecode writes);
- the build context that .dockerignore lets through is enough to build the project, and
  the wheel built from it carries the package data;
- the installed wheel runs as uid 10001 on a read-only root filesystem: the health
  server answers, `python -m worker healthcheck` (the HEALTHCHECK) says healthy, and the
  service does a job from the gateway double and drains on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")


def _instructions() -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current = f"{current} {line}".strip()
        if current.endswith("\\"):
            current = current[:-1]
            continue
        joined.append(current)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def test_hadolint_passes() -> None:
    result = subprocess.run(
        [str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\nENTRYPOINT python -m worker\n")
    assert (
        subprocess.run([str(HADOLINT), str(bad)], capture_output=True, check=False).returncode != 0
    )


def test_two_stages_from_one_pinned_base() -> None:
    instructions = _instructions()
    (base,) = [
        args for kind, args in instructions if kind == "ARG" and args.startswith("PYTHON_IMAGE=")
    ]
    assert re.fullmatch(
        r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base
    ), base
    stages = [args for kind, args in instructions if kind == "FROM"]
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]
    runtime = instructions[[args for _, args in instructions].index(stages[1]) :]
    copies = [args for kind, args in runtime if kind == "COPY"]
    assert copies == ["--from=build /opt/worker /opt/worker"]  # nothing but the venv


def test_runtime_user_entrypoint_and_healthcheck() -> None:
    instructions = _instructions()
    runtime = instructions[[kind for kind, _ in instructions].index("FROM", 2) :]
    (user,) = [args for kind, args in runtime if kind == "USER"]
    uid, gid = user.split(":")
    assert uid.isdigit() and gid.isdigit() and int(uid) >= 10000 and int(gid) > 0
    (entrypoint,) = [args for kind, args in runtime if kind == "ENTRYPOINT"]
    (cmd,) = [args for kind, args in runtime if kind == "CMD"]
    (healthcheck,) = [args for kind, args in runtime if kind == "HEALTHCHECK"]
    assert json.loads(entrypoint) == ["python", "-m", "worker"]
    assert json.loads(cmd) == ["run"]
    probe = healthcheck.split(" CMD ", 1)[1]
    assert json.loads(probe) == ["python", "-m", "worker", "healthcheck"]
    env = " ".join(args for kind, args in runtime if kind == "ENV")
    for setting in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "HEALTH_PORT=8080"):
        assert setting in env
    (expose,) = [args for kind, args in runtime if kind == "EXPOSE"]
    assert expose == "8080"


# ---- the build context ---------------------------------------------------------------


def _ignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """Parse .dockerignore into (negated, regex) rules, last match wins (Docker's rules)."""
    rules = []
    for raw in (REPO / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line[1:] if negated else line
        pattern = pattern.strip("/")
        regex, index = "", 0
        while index < len(pattern):
            if pattern.startswith("**/", index):
                regex, index = regex + "(?:.*/)?", index + 3
            elif pattern.startswith("**", index):
                regex, index = regex + ".*", index + 2
            elif pattern[index] == "*":
                regex, index = regex + "[^/]*", index + 1
            elif pattern[index] == "?":
                regex, index = regex + "[^/]", index + 1
            elif pattern[index] == "[":
                end = pattern.index("]", index)
                regex, index = regex + pattern[index : end + 1], end + 1
            else:
                regex, index = regex + re.escape(pattern[index]), index + 1
        rules.append((negated, re.compile(regex)))
    return rules


def _included(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negated, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return not excluded


def _tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if (REPO / line).is_file()]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context Docker would send, reproduced from .dockerignore."""
    root = tmp_path_factory.mktemp("context")
    rules = _ignore_patterns()
    for name in _tracked_files():
        if _included(name, rules):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    return root


def test_dockerignore_keeps_the_context_small(context: Path) -> None:
    top = sorted(path.name for path in context.iterdir())
    assert top == ["README.md", "config", "feel", "pyproject.toml", "worker"]
    assert [p.name for p in (context / "config").iterdir()] == ["constraints.txt"]
    assert not list(context.rglob("__pycache__"))
    assert not list(context.rglob("*.pyc"))


def test_every_copy_source_is_in_the_context(context: Path) -> None:
    for kind, args in _instructions():
        if kind == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (context / source).exists(), source


@pytest.fixture(scope="module")
def wheel(context: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Offline: the build backend comes from the test environment, not from PyPI.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(context),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "wheel" in result.stderr and "No module named" in result.stderr:
        pytest.skip(f"no offline wheel builder here: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_built_from_the_context_carries_code_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "worker/__main__.py",
        "worker/health.py",
        "worker/logs.py",
        "worker/py.typed",
        "feel/grammar.lark",
        "feel/py.typed",
    ):
        assert required in names, required
    assert not any(name.startswith(("tests/", "demo/", "tools/")) for name in names)


def _clean_environment() -> dict[str, str]:
    """This environment without the worker's own settings (the sandbox sets its own)."""
    prefixes = ("ZEEBE_", "CAMUNDA_", "SECRET", "HEALTH_", "LOG_")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def _sandbox_available() -> str | None:
    if os.geteuid() != 0:
        return "needs root to make a mount namespace and switch users"
    for tool in ("unshare", "setpriv", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "true"], capture_output=True, check=False
    )
    return None if probe.returncode == 0 else "mount namespaces are not allowed here"


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A scratch directory not under /tmp, which the sandbox covers with its own tmpfs."""
    path = Path(tempfile.mkdtemp(prefix="rcw-image-", dir="/var/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


async def test_installed_wheel_runs_as_uid_10001_on_a_read_only_root(
    wheel: Path, outside_tmp: Path
) -> None:
    from aiohttp import web

    from tests.zeebe_gateway import GatewayDouble
    from tests.zeebe_gateway.state import COMPLETED
    from worker.job import HTTP_JSON_JOB_TYPE

    reason = _sandbox_available()
    if reason:
        pytest.skip(reason)
    tmp_path = outside_tmp
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    # As in the image: bytecode compiled at build time, nothing written at run time.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "--invalidation-mode",
            "unchecked-hash",
            str(site),
        ],
        check=True,
    )
    before = sorted(str(p) for p in site.rglob("*"))
    site.chmod(0o755)
    tmp_path.chmod(0o755)

    check = shlex.quote(_SANDBOXED_CHECK)
    venv = shlex.quote(sys.prefix)
    hold = shlex.quote(str(tmp_path / "venv"))
    script = f"""
set -e
# A virtualenv under /tmp (a CI checkout there) would vanish under the tmpfs: hold it aside.
case {venv} in /tmp/*) mkdir {hold}; mount --bind {venv} {hold} ;; esac
mount -o bind,remount,ro /
mount -t tmpfs -o mode=1777 tmpfs /tmp
case {venv} in /tmp/*) mkdir -p {venv}; mount --bind {hold} {venv} ;; esac
# This machine's interpreter lives under /root (mode 0700): show uid 10001 only its tree.
if [ -d /root/.pyenv ]; then
    mkdir -m 755 /tmp/.root /tmp/.root/.pyenv
    mount --bind /root/.pyenv /tmp/.root/.pyenv
    mount --rbind /tmp/.root /root
fi
if touch /rootfs-probe 2>/dev/null; then echo "root is writable" >&2; exit 3; fi
unset VIRTUAL_ENV PYTHONSTARTUP
export HOME=/tmp PYTHONDONTWRITEBYTECODE=1 PYTHONNOUSERSITE=1 PYTHONPATH={site}
export HEALTH_HOST=127.0.0.1 HEALTH_PORT=0 LOG_FORMAT=json
exec setpriv --reuid 10001 --regid 10001 --clear-groups {sys.executable} -c {check}
"""

    async def hello(_request: web.Request) -> web.Response:
        return web.json_response({"hello": "from loopback"})

    app = web.Application()
    app.router.add_get("/hello", hello)
    api = web.AppRunner(app, access_log=None)
    await api.setup()
    await web.TCPSite(api, "127.0.0.1", 0).start()
    try:
        async with GatewayDouble() as double:
            job = double.state.create_job(
                HTTP_JSON_JOB_TYPE,
                variables={"method": "GET", "url": f"http://127.0.0.1:{api.addresses[0][1]}/hello"},
                custom_headers={"resultVariable": "answer"},
            )
            sandbox = await asyncio.create_subprocess_exec(
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                cwd="/",
                env={**_clean_environment(), "ZEEBE_ADDRESS": double.address},
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(sandbox.communicate(), timeout=90)
            completed = double.state.jobs[job]
    finally:
        await api.cleanup()
    assert sandbox.returncode == 0, out.decode() + err.decode()
    report = json.loads(out.decode().strip().splitlines()[-1])
    # The service itself, from the wheel: ready, healthy, did the job, drained, exit 0.
    assert report["service_ready"] == 200
    assert report["service_healthcheck_ready"] == 0
    assert report["service_exit"] == 0, report["service_log_tail"]
    assert completed.state == COMPLETED
    assert report["service_log_is_json"] is True
    assert report["uid"] == 10001
    assert report["worker_from"].startswith(str(site))
    assert report["healthcheck"] == 0 and report["healthcheck_ready"] == 1
    assert report["healthz"] == 200 and report["metrics"] == 200
    assert report["root_write"] == "Read-only file system"
    assert sorted(str(p) for p in site.rglob("*")) == before  # nothing written


# Runs inside the sandbox: imports the installed wheel, serves the health endpoint, and
# probes it with the HEALTHCHECK command in a separate process.
_SANDBOXED_CHECK = r"""
import asyncio, json, os, signal, socket, subprocess, sys, time, urllib.error, urllib.request
import worker
from worker.health import Readiness, health_url, start_health_server

async def run_service():
    # The real service, as the image's ENTRYPOINT runs it, until it has done one job.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HEALTH_PORT": str(port), "ZEEBE_REQUEST_TIMEOUT": "1s",
           "SHUTDOWN_GRACE_PERIOD": "5s"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "worker", "run", env=env, cwd="/",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    def status(path):
        try:
            return urllib.request.urlopen(base + path, timeout=2).status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None
    def completed():
        try:
            text = urllib.request.urlopen(base + "/metrics", timeout=2).read().decode()
        except OSError:
            return False
        return any(line.startswith("connector_jobs_completed_total") and not line.endswith(" 0.0")
                   for line in text.splitlines())
    ready, deadline = None, time.monotonic() + 30
    while time.monotonic() < deadline and ready != 200:
        ready = await asyncio.to_thread(status, "/readyz")
        await asyncio.sleep(0.1)
    probe_ready = await asyncio.to_thread(lambda: subprocess.run(
        [sys.executable, "-m", "worker", "healthcheck", "--ready"], env=env,
        capture_output=True).returncode)
    while time.monotonic() < deadline and not await asyncio.to_thread(completed):
        await asyncio.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, log = await asyncio.wait_for(process.communicate(), 30)
    lines = log.decode().splitlines()
    def is_json(line):
        try:
            return isinstance(json.loads(line), dict)
        except ValueError:
            return False
    return {"service_ready": ready, "service_healthcheck_ready": probe_ready,
            "service_exit": process.returncode, "service_log_tail": lines[-5:],
            "service_log_is_json": bool(lines) and all(map(is_json, lines))}

async def main():
    runner = await start_health_server(Readiness(), "127.0.0.1", 0)
    try:
        url = health_url(runner)
        def probe(*extra):
            return subprocess.run([sys.executable, "-m", "worker", "healthcheck", "--url", *extra],
                                  capture_output=True).returncode
        healthcheck = await asyncio.to_thread(probe, url + "/healthz")
        ready = await asyncio.to_thread(probe, url + "/readyz")
        def get(path):
            return urllib.request.urlopen(url + path, timeout=5).status
        healthz = await asyncio.to_thread(get, "/healthz")
        metrics = await asyncio.to_thread(get, "/metrics")
    finally:
        await runner.cleanup()
    service = await run_service()
    try:
        open("/app-write-probe", "w")
        root_write = "writable"
    except OSError as error:
        root_write = error.strerror
    print(json.dumps({"uid": os.getuid(), "worker_from": worker.__file__,
                      "healthcheck": healthcheck, "healthcheck_ready": ready,
                      "healthz": healthz, "metrics": metrics, "root_write": root_write,
                      **service}))

asyncio.run(main())
"""


def test_constraints_pin_every_runtime_dependency_within_the_project_ranges() -> None:
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from tests.ops.runtime_lock import PROJECT, runtime_closure

    pins = {}
    for line in (REPO / "config" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    # Versions may differ from this environment's (a newer release), names may not.
    missing = sorted(set(runtime_closure()) - set(pins))
    assert not missing, f"regenerate config/constraints.txt, it lacks {missing}"
    for line in metadata.requires(PROJECT) or []:
        requirement = Requirement(line)
        if requirement.marker is None:
            pinned = pins[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(pinned), (requirement, pinned)
