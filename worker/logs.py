"""Logging: structlog for our code, and the same formatter for pyzeebe, aiohttp and gRPC.

One line per event on stderr (stdout stays free for the output of `invoke` and
`check-config`). The format is JSON lines when stderr is not a terminal (containers, log
shippers) and a readable console rendering on a terminal; `LOG_FORMAT` forces either.

Every line written while a job runs carries its job key, process instance key, element id
and job type: `job_context` binds them in structlog's contextvars, and the formatter
merges those into library records too, so a pyzeebe or aiohttp line about the job says
which job it was.

Secret values registered in `worker.redaction.SECRET_MASK` never reach the output: the
event's values are masked before rendering (the JSON stays valid), and the rendered
line, traceback included, is scrubbed once more.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, Literal

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from worker.job import JobInput
from worker.redaction import SECRET_MASK, SecretMask

LogFormat = Literal["auto", "json", "console"]

_HANDLER_NAME = "worker.logs"


def redact_event(mask: SecretMask = SECRET_MASK) -> Processor:
    """Return a processor that masks secret values anywhere in the event dict."""

    def processor(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        redacted: EventDict = mask.redact_value(event_dict)
        return redacted

    return processor


def redact_rendered(mask: SecretMask = SECRET_MASK) -> Processor:
    """Return a processor, placed after the renderer, that scrubs the rendered line."""

    def processor(_logger: WrappedLogger, _method: str, rendered: Any) -> Any:
        if isinstance(rendered, str):
            return mask.redact(rendered)
        if isinstance(rendered, bytes):
            return mask.redact(rendered.decode("utf-8", "replace")).encode("utf-8")
        return rendered

    return processor


def _drop_color_message(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    # uvicorn-style duplicates of the message with ANSI codes; harmless elsewhere.
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors() -> list[Processor]:
    """Steps applied to our events and to stdlib records alike, before rendering."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
    ]


def _wants_console(fmt: LogFormat, stream: IO[str]) -> bool:
    if fmt == "auto":
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())
    return fmt == "console"


def build_formatter(
    fmt: LogFormat = "auto",
    stream: IO[str] | None = None,
    mask: SecretMask = SECRET_MASK,
) -> structlog.stdlib.ProcessorFormatter:
    """Return the logging.Formatter that renders every record, ours and the libraries'."""
    stream = sys.stderr if stream is None else stream
    console = _wants_console(fmt, stream)
    renderer: Processor
    if console:
        colors = bool(getattr(stream, "isatty", lambda: False)())
        renderer = structlog.dev.ConsoleRenderer(
            colors=colors, exception_formatter=structlog.dev.plain_traceback
        )
    else:
        renderer = structlog.processors.JSONRenderer()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Plain text traceback, never frame locals: locals may hold request bodies.
            structlog.processors.format_exc_info,
            redact_event(mask),
            renderer,
            redact_rendered(mask),
        ],
    )


def configure_logging(
    level: str | int = "INFO",
    fmt: LogFormat = "auto",
    *,
    levels: Mapping[str, str | int] | None = None,
    stream: IO[str] | None = None,
    mask: SecretMask = SECRET_MASK,
) -> None:
    """Route structlog and stdlib logging through one handler on `stream` (stderr).

    `level` applies to the root logger; `levels` sets single loggers (for example
    `{"pyzeebe": "DEBUG"}`). Calling it again replaces the previous configuration.

    Raises:
        ValueError: an unknown level name.
    """
    stream = sys.stderr if stream is None else stream
    # gRPC's C core writes to stderr itself, past any formatter, and logs at INFO (a
    # GOAWAY when the gateway restarts): that would break the one-JSON-object-a-line
    # promise. Keep it to errors unless the user chose a verbosity. It is read when gRPC
    # starts, so this must run before the first channel is made.
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(build_formatter(fmt, stream, mask))

    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME or isinstance(
            existing.formatter, structlog.stdlib.ProcessorFormatter
        ):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(_level(level))
    for name, logger_level in (levels or {}).items():
        logging.getLogger(name).setLevel(_level(logger_level))
    logging.captureWarnings(True)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def _level(value: str | int) -> int:
    if isinstance(value, int):
        return value
    number = logging.getLevelNamesMapping().get(value.strip().upper())
    if number is None:
        raise ValueError(
            f"unknown log level {value!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )
    return number


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """Return a structlog logger named `name` (usually `__name__`)."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def job_fields(job: JobInput) -> dict[str, Any]:
    """Return the fields that identify `job` on every log line."""
    return {
        "job_key": job.key,
        "process_instance_key": job.process_instance_key,
        "bpmn_process_id": job.bpmn_process_id,
        "element_id": job.element_id,
        "job_type": job.type,
    }


@contextmanager
def job_context(job: JobInput) -> Iterator[None]:
    """Bind `job`'s identity to every line logged inside the block, in this task only.

    asyncio copies the context into each new task, so binding inside the task that runs
    the job (not around the task's creation in a loop) keeps jobs apart.
    """
    with structlog.contextvars.bound_contextvars(**job_fields(job)):
        yield
