"""Asynchronous files, at curio 1.x's path: :mod:`curio_io.file`."""

from curio_io.file import (
    AsyncFile,
    anext,
    aopen,
)

__all__ = [
    "AsyncFile",
    "anext",
    "aopen",
]
