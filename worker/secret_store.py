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

`SecretAccess` restricts the names a job type may use (`SECRETS_ALLOWED_NAMES`, and
`SECRETS_ALLOWED_NAMES_BY_JOB_TYPE`): a placeholder naming any other secret fails the job
before the secret is looked up, so the failure does not tell whether it exists.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from worker.errors import InputError, SecretNotAllowedError, SecretNotFoundError
from worker.redaction import mask_secret

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
_PLACEHOLDER = re.compile(
    rf"\{{\{{\s*secrets\.(?P<braces>{_NAME})\s*\}}\}}|<<\s*secrets\.(?P<angles>{_NAME})\s*>>"
)
_BARE = re.compile(rf"secrets\.(?P<bare>{_NAME})")


def _mentions_secrets(value: Any) -> bool:
    """True when some string in `value` (keys included) holds `secrets.`: most jobs' inputs
    hold none, and one pass of the JSON encoder is quicker than walking them."""
    if isinstance(value, str):
        return "secrets." in value
    try:
        return "secrets." in json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        return True


class SecretAccess:
    """Which secret names jobs of each type may use: glob patterns (`CRM_*`), `*` for all."""

    def __init__(
        self,
        default: Iterable[str] = ("*",),
        by_job_type: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.default = tuple(default)
        self.by_job_type = {key: tuple(value) for key, value in (by_job_type or {}).items()}

    def patterns(self, job_type: str | None) -> tuple[str, ...]:
        """The patterns that apply to `job_type` (None: the default ones)."""
        if job_type is not None and job_type in self.by_job_type:
            return self.by_job_type[job_type]
        return self.default

    def allows(self, job_type: str | None, name: str) -> bool:
        """True when jobs of `job_type` may use the secret `name`."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns(job_type))

    def check(self, job_type: str | None, name: str) -> None:
        """Raise unless jobs of `job_type` may use the secret `name`.

        Raises:
            SecretNotAllowedError: the name matches none of the job type's patterns.
        """
        if self.allows(job_type, name):
            return
        patterns = self.patterns(job_type)
        setting = (
            "SECRETS_ALLOWED_NAMES_BY_JOB_TYPE"
            if job_type in self.by_job_type
            else "SECRETS_ALLOWED_NAMES"
        )
        allowed = ", ".join(patterns) if patterns else "none"
        raise SecretNotAllowedError(name, job_type or "(unknown)", f"{allowed}; {setting}")


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
        access: SecretAccess | None = None,
    ) -> None:
        self.prefix = prefix
        self.directory = directory
        self.access = access or SecretAccess()
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

    def resolve(
        self,
        value: Any,
        used: dict[str, str],
        job_type: str | None = None,
        *,
        text: str | None = None,
    ) -> Any:
        """Return `value` with every placeholder replaced, recording each secret in `used`.

        Walks dicts (keys and values) and lists; strings are replaced, other values are
        returned unchanged. Every value found is also registered in the process-wide log
        mask, so no log line can print it.

        `text`, when the caller has it, is `value` as JSON text: without `secrets.` in it
        there is nothing to replace.

        Raises:
            SecretNotAllowedError: a placeholder names a secret jobs of `job_type` may not use.
            SecretNotFoundError: a placeholder names a secret that no source provides.
        """
        if (text is not None and "secrets." not in text) or not _mentions_secrets(value):
            return value
        return self._resolve(value, used, job_type)

    def _resolve(self, value: Any, used: dict[str, str], job_type: str | None) -> Any:
        if isinstance(value, str):
            return self._resolve_text(value, used, job_type)
        if isinstance(value, dict):
            return {
                self._resolve_text(key, used, job_type) if isinstance(key, str) else key: (
                    self._resolve(item, used, job_type)
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._resolve(item, used, job_type) for item in value]
        return value

    def _resolve_text(self, text: str, used: dict[str, str], job_type: str | None) -> str:
        if "secrets." not in text:
            return text
        bare = _BARE.fullmatch(text)
        if bare is not None:
            return self._value(bare["bare"], used, job_type)
        return _PLACEHOLDER.sub(
            lambda match: self._value(match["braces"] or match["angles"], used, job_type), text
        )

    def _value(self, name: str, used: dict[str, str], job_type: str | None) -> str:
        self.access.check(job_type, name)
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
