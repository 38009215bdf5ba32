"""The built-in functions of FEEL, one module per category, registered on import.

Each module registers its functions in `feel.functions.REGISTRY` with the `builtin`
decorator, using the parameter names of the DMN 1.5 specification (and of feel-scala
for its extensions) so that named invocation works.
"""

from feel.builtins import (
    boolean,  # noqa: F401
    contexts,  # noqa: F401
    conversion,  # noqa: F401
    extensions,  # noqa: F401
    lists,  # noqa: F401
    numeric,  # noqa: F401
    ranges,  # noqa: F401
    strings,  # noqa: F401
    temporals,  # noqa: F401
)
