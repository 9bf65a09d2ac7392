"""The kernel at curio 1.x's path: :class:`curio_kernel.Kernel`, :func:`curio_kernel.run`."""

from curio_kernel.activation import (
    Activation,
)
from curio_kernel.kernel import (
    Kernel,
    run,
)

__all__ = [
    "Activation",
    "Kernel",
    "run",
]
