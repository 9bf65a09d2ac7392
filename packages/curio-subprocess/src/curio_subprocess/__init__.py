"""curio-subprocess: child processes for curio tasks, without blocking the kernel.

The API follows the standard library's :mod:`subprocess` module: the same
arguments, constants and exceptions, with :class:`Popen` waits and pipes
turned into coroutines and :class:`curio_io.FileStream` objects.
"""

from subprocess import (
    DEVNULL,
    PIPE,
    STDOUT,
    CalledProcessError,
    CompletedProcess,
    SubprocessError,
    TimeoutExpired,
)

from .popen import Command, File, Popen
from .run import check_output, run

__all__ = [
    "DEVNULL",
    "PIPE",
    "STDOUT",
    "CalledProcessError",
    "Command",
    "CompletedProcess",
    "File",
    "Popen",
    "SubprocessError",
    "TimeoutExpired",
    "check_output",
    "run",
]

__version__ = "0.1.0"
