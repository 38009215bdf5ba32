"""Function values and the registry of built-in functions.

A built-in is data: a name and its signatures, each with the specification's parameter
names (so that named invocation works), how many are required, and whether the last
one collects the remaining arguments. Category modules in `feel.builtins` register
their functions with the `builtin` decorator:

    @builtin("substring", ["string", "start position", "length"], required=2)
    def substring(string, start, length=None): ...

An implementation raises `FunctionError` (or any exception) for arguments it cannot
use; the one shared path below turns that into null and a warning naming the function
and its arguments. Implementations that call FEEL functions or need the evaluation's
limits ask for the `Run` with `pass_run=True` (it comes first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from feel.errors import FUNCTION_INVOCATION_FAILURE, INVALID_TYPE
from feel.evaluation import Abort, Frame, LimitExceeded, Run
from feel.text import render
from feel.values import FeelFunction

if TYPE_CHECKING:
    from feel.nodes import TypeSpec


class FunctionError(Exception):
    """Raised by a built-in for arguments it cannot use; becomes null plus a warning."""


@dataclass(frozen=True, slots=True)
class Signature:
    params: tuple[str, ...]
    impl: Callable[..., Any]
    required: int
    variadic: bool = False
    pass_run: bool = False

    def arity(self) -> str:
        """How many arguments the signature takes, in words."""
        if self.variadic:
            return f"at least {self.required}"
        if self.required == len(self.params):
            return str(self.required)
        return f"{self.required} to {len(self.params)}"

    def accepts_count(self, count: int) -> bool:
        if self.variadic:
            return count >= self.required
        return self.required <= count <= len(self.params)


@dataclass(slots=True, eq=False, repr=False)
class Builtin(FeelFunction):
    name: str
    signatures: list[Signature] = field(default_factory=list)

    @property
    def params(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.signatures[0].params if self.signatures else ()

    def invoke(self, run: Run, args: Sequence[Any] | None, named: dict[str, Any] | None) -> Any:
        if named is not None:
            return self._invoke_named(run, named)
        assert args is not None
        for signature in self.signatures:
            if signature.accepts_count(len(args)):
                return _call(run, self.name, signature, list(args))
        expected = " or ".join(dict.fromkeys(s.arity() for s in self.signatures))
        run.warn(
            FUNCTION_INVOCATION_FAILURE,
            f"function '{self.name}' expects {expected} arguments, "
            f"got {len(args)}: ({render_args(args)})",
        )
        return None

    def _invoke_named(self, run: Run, named: dict[str, Any]) -> Any:
        """Bind arguments by name; a parameter left out is null (as for user functions)."""
        for signature in self.signatures:
            if not set(named) <= set(signature.params):
                continue
            given = [i for i, param in enumerate(signature.params) if param in named]
            count = max(signature.required, given[-1] + 1 if given else 0)
            args = [named.get(param) for param in signature.params[:count]]
            if signature.variadic and args and isinstance(args[-1], list):
                args = args[:-1] + list(args[-1])
            return _call(run, self.name, signature, args)
        run.warn(
            FUNCTION_INVOCATION_FAILURE,
            f"function '{self.name}' has no parameters named {', '.join(sorted(named))}",
        )
        return None


def _call(run: Run, name: str, signature: Signature, args: list[Any]) -> Any:
    try:
        if signature.pass_run:
            return signature.impl(run, *args)
        return signature.impl(*args)
    except (Abort, RecursionError):
        raise
    except Exception as error:
        reason = str(error) or type(error).__name__
        run.warn(
            FUNCTION_INVOCATION_FAILURE,
            f"failed to invoke function '{name}' with ({render_args(args)}): {reason}",
        )
        return None


REGISTRY: dict[str, Builtin] = {}


def builtin(
    name: str,
    params: Sequence[str] = (),
    *,
    required: int | None = None,
    variadic: bool = False,
    pass_run: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an implementation as (one signature of) the built-in `name`."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        entry = REGISTRY.setdefault(name, Builtin(name))
        count = len(params) if required is None else required
        entry.signatures.append(Signature(tuple(params), impl, count, variadic, pass_run))
        return impl

    return register


class UserFunction(FeelFunction):
    """A function defined in FEEL (`function(a, b) a + b`), closing over its scope."""

    __slots__ = ("body", "closure", "name", "params", "types")

    def __init__(
        self,
        params: tuple[str, ...],
        types: tuple[TypeSpec | None, ...],
        body: Callable[[Frame], Any],
        closure: Frame,
    ) -> None:
        self.name = "anonymous"
        self.params = params
        self.types = types
        self.body = body
        self.closure = closure

    def invoke(self, run: Run, args: Sequence[Any] | None, named: dict[str, Any] | None) -> Any:
        if named is not None:
            unknown = set(named) - set(self.params)
            if unknown:
                run.warn(
                    FUNCTION_INVOCATION_FAILURE,
                    f"function has no parameter named {sorted(unknown)[0]!r}",
                )
                return None
            values = [named.get(p) for p in self.params]
        else:
            assert args is not None
            if len(args) != len(self.params):
                run.warn(
                    FUNCTION_INVOCATION_FAILURE,
                    f"function({', '.join(self.params)}) called with {len(args)} arguments",
                )
                return None
            values = list(args)
        from feel.types import NONCONFORMING, coerce_to, type_text

        for i, type_spec in enumerate(self.types):
            if type_spec is not None and values[i] is not None:
                coerced = coerce_to(values[i], type_spec)
                if coerced is NONCONFORMING:
                    run.warn(
                        INVALID_TYPE,
                        f"argument {self.params[i]!r} is {render(values[i])}, "
                        f"not a {type_text(type_spec)}",
                    )
                    return None
                values[i] = coerced
        run.step()
        if run.depth >= run.limits.call_depth:
            run.warn("LIMIT_EXCEEDED", f"function calls nested deeper than {run.limits.call_depth}")
            raise LimitExceeded
        run.depth += 1
        try:
            return self.body(Frame(dict(zip(self.params, values, strict=True)), self.closure, run))
        finally:
            run.depth -= 1


class HostFunction(FeelFunction):
    """A Python callable given in the variables; called with FEEL values."""

    def __init__(self, function: Callable[..., Any]) -> None:
        from feel.mapping import parameter_names

        self.function = function
        self.name = getattr(function, "__name__", "function")
        self.params = parameter_names(function)

    def invoke(self, run: Run, args: Sequence[Any] | None, named: dict[str, Any] | None) -> Any:
        from feel.mapping import to_feel

        try:
            result = self.function(**named) if named is not None else self.function(*(args or ()))
        except Abort:
            raise
        except Exception as error:
            run.warn(FUNCTION_INVOCATION_FAILURE, f"function '{self.name}' failed: {error}")
            return None
        return to_feel(result)


def render_args(args: Sequence[Any]) -> str:
    return ", ".join(render(a, 40) for a in args)
