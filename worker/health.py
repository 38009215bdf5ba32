"""Liveness and readiness of the worker, as the health endpoint reports them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Readiness:
    """Mutable readiness state, updated by the Zeebe layer and the service.

    Ready means: the last gateway call succeeded and the worker is not draining.
    Liveness (`/healthz`) never depends on this: a worker waiting for its gateway
    is alive and must not be restarted for it.
    """

    gateway_connected: bool = False
    draining: bool = False

    @property
    def ready(self) -> bool:
        return self.gateway_connected and not self.draining
