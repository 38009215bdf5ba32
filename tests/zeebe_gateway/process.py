"""Driving a double that runs in its own process (`python -m tests.zeebe_gateway`)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class GatewayProcess:
    """Start the double as a subprocess and talk to its HTTP admin API.

    Use as `async with GatewayProcess() as gateway:`; `gateway.address` is the gRPC address.
    """

    def __init__(self) -> None:
        self.port = 0
        self.admin_port = 0
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def __aenter__(self) -> GatewayProcess:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.zeebe_gateway",
            cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), 30)
        ports = dict(part.split("=") for part in line.decode().split())
        self.port, self.admin_port = int(ports["gateway"]), int(ports["admin"])
        self._session = aiohttp.ClientSession(f"http://127.0.0.1:{self.admin_port}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await self._process.wait()

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        assert self._session is not None
        async with self._session.request(method, path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def create_jobs(self, count: int, type: str, **fields: Any) -> list[int]:
        keys: list[int] = (
            await self._call("POST", "/jobs", {"count": count, "type": type, **fields})
        )["keys"]
        return keys

    async def job(self, key: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/jobs/{key}")
        return result

    async def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/summary")
        return result

    async def commands(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/commands")
        return result

    async def problems_with_exactly_once(self, keys: list[int]) -> list[str]:
        result: list[str] = (await self._call("POST", "/exactly-once", {"keys": keys}))["problems"]
        return result

    async def inject(
        self, method: str, code: str, times: int = 1, after_apply: bool = False
    ) -> None:
        await self._call(
            "POST",
            "/faults",
            {"method": method, "code": code, "times": times, "afterApply": after_apply},
        )

    async def stop_gateway(self) -> None:
        await self._call("POST", "/stop")

    async def start_gateway(self) -> None:
        await self._call("POST", "/start")
