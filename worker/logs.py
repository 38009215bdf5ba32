"""Logging: structlog for our code, and the same rendering for pyzeebe, aiohttp and gRPC.

One line per event on stderr (stdout stays free for the output of `invoke` and
`check-config`). The format is JSON lines when stderr is not a terminal (containers, log
shippers) and a readable console rendering on a terminal; `LOG_FORMAT` forces either.

Every line written while a job runs carries its job key, process instance key, element id
and job type: `job_context` sets them in a context variable of the job's task, and both
our events and library records take them from there, so a pyzeebe or aiohttp line about
the job says which job it was.

Secret values registered in `worker.redaction.SECRET_MASK` never reach the output: the
event's values are masked before rendering (the JSON stays valid), and the rendered
line, traceback included, is scrubbed once more.

Our own events are rendered by structlog and written straight to the log handler's
stream: a line per job is the worker's steady state, and the detour through a stdlib
`LogRecord`, its caller lookup and `ProcessorFormatter` cost twice the rendering itself.
Library records take that detour and end up the same. Levels are the stdlib loggers'
(`LOG_LEVEL`, `LOG_LEVELS`) in both cases. Loggers are cached on first use; what they
render with and write to is looked up at each event, so configuring again applies to them.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token
from types import TracebackType
from typing import IO, Any, Literal

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from worker.job import JobInput
from worker.redaction import SECRET_MASK, SecretMask

LogFormat = Literal["auto", "json", "console"]

_HANDLER_NAME = "worker.logs"
# structlog's method names, as its `filter_by_level` reads them
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
    "notset": logging.NOTSET,
}

# The identity of the job the current task works on (see job_context).
_JOB_FIELDS: ContextVar[Mapping[str, Any] | None] = ContextVar("worker_job_fields", default=None)


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


def add_job_fields(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Add the fields of the job being worked on (`job_context`); the event's own win."""
    fields = _JOB_FIELDS.get()
    if fields:
        for key, value in fields.items():
            event_dict.setdefault(key, value)
    return event_dict


def _drop_color_message(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    # uvicorn-style duplicates of the message with ANSI codes; harmless elsewhere.
    event_dict.pop("color_message", None)
    return event_dict


def add_timestamp(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Add `timestamp`: ISO 8601 in UTC with microseconds, as structlog's
    `TimeStamper(fmt="iso", utc=True)` writes it, the date and time formatted once a second."""
    global _second
    second, micros = divmod(time.time_ns() // 1000, 1_000_000)
    cached = _second
    if cached[0] != second:
        stamp = datetime.datetime.fromtimestamp(second, datetime.UTC).isoformat()
        cached = _second = (second, stamp.removesuffix("+00:00"))
    # like datetime.isoformat: no fraction when there are no microseconds
    event_dict["timestamp"] = f"{cached[1]}.{micros:06d}Z" if micros else f"{cached[1]}Z"
    return event_dict


# the last second add_timestamp formatted, and its text (one tuple: threads may log too)
_second: tuple[int, str] = (-1, "")


def _shared_processors(*, from_stdlib: bool) -> list[Processor]:
    """Steps applied to our events and to stdlib records alike, before rendering."""
    processors: list[Processor] = [
        add_job_fields,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        add_timestamp,
    ]
    if from_stdlib:
        processors += [structlog.stdlib.ExtraAdder(), _drop_color_message]
    return processors


def _wants_console(fmt: LogFormat, stream: IO[str]) -> bool:
    if fmt == "auto":
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())
    return fmt == "console"


def _rendering(fmt: LogFormat, stream: IO[str], mask: SecretMask) -> list[Processor]:
    """The last steps of every line: traceback as text, secrets masked, rendered, scrubbed."""
    renderer: Processor
    if _wants_console(fmt, stream):
        colors = bool(getattr(stream, "isatty", lambda: False)())
        renderer = structlog.dev.ConsoleRenderer(
            colors=colors, exception_formatter=structlog.dev.plain_traceback
        )
    else:
        renderer = structlog.processors.JSONRenderer(serializer=_dumps)
    return [
        # Plain text traceback, never frame locals: locals may hold request bodies.
        structlog.processors.format_exc_info,
        redact_event(mask),
        renderer,
        redact_rendered(mask),
    ]


@functools.lru_cache(maxsize=4)
def _encoder(default: Callable[[Any], Any]) -> json.JSONEncoder:
    return json.JSONEncoder(default=default)


def _dumps(obj: Any, *, default: Callable[[Any], Any]) -> str:
    """`json.dumps(obj, default=default)`, the encoder built once (json.dumps builds one
    at every call that passes options)."""
    return _encoder(default).encode(obj)


def build_formatter(
    fmt: LogFormat = "auto",
    stream: IO[str] | None = None,
    mask: SecretMask = SECRET_MASK,
) -> structlog.stdlib.ProcessorFormatter:
    """Return the logging.Formatter that renders every record, ours and the libraries'."""
    stream = sys.stderr if stream is None else stream
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(from_stdlib=True),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_rendering(fmt, stream, mask),
        ],
    )


class _Output:
    """Where our own events go: rendered by `processors`, written to `handler`'s stream."""

    def __init__(self, handler: logging.StreamHandler[IO[str]], processors: list[Processor]):
        self.handler = handler
        self.processors = processors

    def render(self, logger: WrappedLogger, method: str, event_dict: EventDict) -> Any:
        rendered: Any = event_dict
        for processor in self.processors:
            rendered = processor(logger, method, rendered)
        return rendered

    def write(self, line: str) -> None:
        handler = self.handler
        handler.acquire()
        try:
            handler.stream.write(line + handler.terminator)
            handler.stream.flush()
        except Exception:  # as the stdlib's handlers: a log line never breaks a job
            pass
        finally:
            handler.release()


_output: _Output | None = None


def _render(logger: WrappedLogger, method: str, event_dict: EventDict) -> Any:
    if _output is None:
        raise structlog.DropEvent
    return _output.render(logger, method, event_dict)


class _LineLogger:
    """What our structlog loggers wrap: a stdlib logger's name and level, and a writer."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self.name = logger.name

    @property
    def disabled(self) -> bool:
        return self._logger.disabled

    def getEffectiveLevel(self) -> int:  # the stdlib's names: structlog calls them
        return self._logger.getEffectiveLevel()

    def isEnabledFor(self, level: int) -> bool:
        return self._logger.isEnabledFor(level)

    def write(self, line: str) -> None:
        if _output is not None:
            _output.write(line)

    debug = info = warning = warn = error = exception = critical = fatal = msg = write


class _LineLoggerFactory:
    def __init__(self) -> None:
        self._stdlib = structlog.stdlib.LoggerFactory()

    def __call__(self, *args: Any) -> _LineLogger:
        return _LineLogger(self._stdlib(*args))


class _BoundLogger(structlog.stdlib.BoundLogger):
    """structlog's stdlib logger, refusing below-level events before building them."""

    def _proxy_to_logger(
        self, method_name: str, event: str | None = None, *event_args: str, **event_kw: Any
    ) -> Any:
        logger = self._logger
        if logger.disabled or _LEVELS[method_name] < logger.getEffectiveLevel():
            return None
        return super()._proxy_to_logger(method_name, event, *event_args, **event_kw)


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
    global _output
    stream = sys.stderr if stream is None else stream
    root_level = _level(level)
    logger_levels = {name: _level(value) for name, value in (levels or {}).items()}
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
    root.setLevel(root_level)
    for name, logger_level in logger_levels.items():
        logging.getLogger(name).setLevel(logger_level)
    logging.captureWarnings(True)

    _output = _Output(handler, _rendering(fmt, stream, mask))
    structlog.configure(
        processors=[
            *_shared_processors(from_stdlib=False),
            # the stack as from the caller, not from this module's wrapper
            structlog.processors.StackInfoRenderer(additional_ignores=[__name__]),
            _render,
        ],
        logger_factory=_LineLoggerFactory(),
        wrapper_class=_BoundLogger,
        cache_logger_on_first_use=True,
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


def job_context(job: JobInput) -> _JobContext:
    """Bind `job`'s identity to every line logged inside the `with` block, in this task only.

    asyncio copies the context into each new task, so binding inside the task that runs
    the job (not around the task's creation in a loop) keeps jobs apart.
    """
    return _JobContext(job_fields(job))


class _JobContext:
    __slots__ = ("_fields", "_token")

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self._fields = fields
        self._token: Token[Mapping[str, Any] | None] | None = None

    def __enter__(self) -> None:
        self._token = _JOB_FIELDS.set(self._fields)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _JOB_FIELDS.reset(self._token)
            self._token = None
