"""curio 1.x's path of scheduler activations: :mod:`curio_kernel.activation`."""

from curio_kernel.activation import (
    Activation,
)

__all__ = [
    "Activation",
]
