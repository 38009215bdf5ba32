"""Client TLS for requests: the `clientTls` input's PEM material as `ssl.SSLContext`s.

A context trusts the given CA certificate (the system's store when none is given) and
presents the given client certificate and key (mutual TLS). Building one parses and checks
the material, so contexts are kept by a hash of it, the last few used.
"""

from __future__ import annotations

import hashlib
import ssl
import tempfile
from collections import OrderedDict
from pathlib import Path

from worker.errors import InputError
from worker.inputs import ClientTls

_KEPT = 32


class TlsContexts:
    """SSL contexts by client TLS material, the least recently used dropped first."""

    def __init__(self, kept: int = _KEPT) -> None:
        self.kept = kept
        self._contexts: OrderedDict[str, ssl.SSLContext] = OrderedDict()

    def get(self, tls: ClientTls) -> ssl.SSLContext:
        """Build (or reuse) the SSL context for `clientTls`'s PEM material.

        Raises:
            InputError: a certificate or key that cannot be loaded.
        """
        material = "\0".join(
            part or ""
            for part in (
                tls.trustedCertificate,
                tls.clientCertificate,
                tls.clientPrivateKey,
                tls.privateKeyPassword,
            )
        )
        key = hashlib.sha256(material.encode()).hexdigest()
        context = self._contexts.get(key)
        if context is None:
            context = _build_tls_context(tls)
            self._contexts[key] = context
            while len(self._contexts) > self.kept:
                self._contexts.popitem(last=False)
        self._contexts.move_to_end(key)
        return context


def _build_tls_context(tls: ClientTls) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cadata=tls.trustedCertificate)
    except (ssl.SSLError, ValueError, TypeError) as exc:  # TypeError: not ASCII
        raise InputError(
            f"clientTls.trustedCertificate: not a usable PEM certificate: {_ssl_reason(exc)}"
        ) from None
    if tls.clientCertificate is None or tls.clientPrivateKey is None:
        return context
    # ssl loads a client identity from files only; they live for the duration of the load,
    # in a directory only this process can read.
    with tempfile.TemporaryDirectory(prefix="client-tls-") as directory:
        certificate = Path(directory, "certificate.pem")
        private_key = Path(directory, "key.pem")
        certificate.write_text(tls.clientCertificate)
        private_key.write_text(tls.clientPrivateKey)
        try:
            context.load_cert_chain(certificate, private_key, password=tls.privateKeyPassword)
        except (ssl.SSLError, ValueError) as exc:
            raise InputError(
                "clientTls: the client certificate and private key cannot be loaded (wrong "
                f"format, mismatched pair or wrong password): {_ssl_reason(exc)}"
            ) from None
    return context


def _ssl_reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)
