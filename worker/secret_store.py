"""Secret placeholders in the job's inputs, and the sources their values come from.

Placeholders, replaced in every string of the inputs (dict keys included, at any depth):

- `{{secrets.NAME}}` anywhere in a string, spaces allowed inside the braces
  (`{{ secrets.NAME }}`), several per string;
- `<<secrets.NAME>>`, the same with angle brackets;
- the deprecated bare `secrets.NAME`, only when it is the whole string. Camunda also matches
  it inside free text ("see secrets.txt"), which looks up secrets nobody meant; we do not.

Replacement works on Python values after FEEL evaluation, never on JSON text, so a value
with quotes, backslashes or newlines is inserted as is and never needs escaping.

Sources, asked in order: the environment (`<prefix><NAME>`, prefix `SECRET_` by default, so
`{{secrets.API_KEY}}` reads `SECRET_API_KEY`), then a directory holding one file per
secret, as Kubernetes mounts a secret volume (one trailing newline is stripped).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from worker.errors import InputError, SecretNotFoundError
from worker.redaction import mask_secret

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
_PLACEHOLDER = re.compile(
    rf"\{{\{{\s*secrets\.(?P<braces>{_NAME})\s*\}}\}}|<<\s*secrets\.(?P<angles>{_NAME})\s*>>"
)
_BARE = re.compile(rf"secrets\.(?P<bare>{_NAME})")


class SecretStore:
    """Looks secrets up by name in the environment, then in a directory of files.

    The environment is read at each lookup and files are read each time, so a rotated
    secret (a new mount, an updated variable) is used by the next job without a restart.
    """

    def __init__(
        self,
        prefix: str = "SECRET_",
        directory: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.directory = directory
        self._environ = os.environ if environ is None else environ

    def lookup(self, name: str) -> str | None:
        """Return the value of secret `name`, or None when no source has it.

        Raises:
            InputError: the secret's file exists but cannot be read or decoded.
        """
        value = self._environ.get(self.prefix + name)
        if value is not None:
            return value
        return self._read_file(name)

    def where(self, name: str) -> str:
        """Describe the places `lookup(name)` looks, for a 'not found' message."""
        places = [f"environment variable {self.prefix}{name}"]
        if self.directory is not None:
            places.append(f"file {self.directory / name}")
        return "looked for " + " and ".join(places)

    def resolve(self, value: Any, used: dict[str, str]) -> Any:
        """Return `value` with every placeholder replaced, recording each secret in `used`.

        Walks dicts (keys and values) and lists; strings are replaced, other values are
        returned unchanged. Every value found is also registered in the process-wide log
        mask, so no log line can print it.

        Raises:
            SecretNotFoundError: a placeholder names a secret that no source provides.
        """
        if isinstance(value, str):
            return self._resolve_text(value, used)
        if isinstance(value, dict):
            return {
                self._resolve_text(key, used) if isinstance(key, str) else key: self.resolve(
                    item, used
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.resolve(item, used) for item in value]
        return value

    def _resolve_text(self, text: str, used: dict[str, str]) -> str:
        if "secrets." not in text:
            return text
        bare = _BARE.fullmatch(text)
        if bare is not None:
            return self._value(bare["bare"], used)
        return _PLACEHOLDER.sub(
            lambda match: self._value(match["braces"] or match["angles"], used), text
        )

    def _value(self, name: str, used: dict[str, str]) -> str:
        if name in used:
            return used[name]
        value = self.lookup(name)
        if value is None:
            raise SecretNotFoundError(name, self.where(name))
        used[name] = value
        mask_secret(value)
        return value

    def _read_file(self, name: str) -> str | None:
        if self.directory is None:
            return None
        root = self.directory.resolve()
        path = (root / name).resolve()
        # Kubernetes mounts secrets as symlinks into a hidden sibling directory, so the
        # check is on the resolved path: it must stay inside the mounted directory.
        if root not in path.parents:
            return None
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as exc:
            raise InputError(f"Secret '{name}' cannot be read from {path}: {exc.strerror}") from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"Secret '{name}' in {path} is not UTF-8 text") from exc
        return text.removesuffix("\n").removesuffix("\r") if text.endswith("\n") else text
