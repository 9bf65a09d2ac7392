"""curio 1.x's debuggers (``run(..., debug=schedtrace)``): :mod:`curio_kernel.debug`."""

from curio_kernel.debug import (
    DebugBase,
    Debugger,
    DebugSpec,
    logcrash,
    longblock,
    schedtrace,
    traptrace,
)

__all__ = [
    "DebugBase",
    "DebugSpec",
    "Debugger",
    "logcrash",
    "longblock",
    "schedtrace",
    "traptrace",
]
