"""Child processes for curio tasks: the names of :mod:`curio_subprocess`.

``curio.subprocess.run`` is the coroutine that runs a command; it is not
:func:`curio.run`, which runs a kernel.
"""

from curio_subprocess import (
    DEVNULL,
    PIPE,
    STDOUT,
    CalledProcessError,
    Command,
    CompletedProcess,
    File,
    Popen,
    SubprocessError,
    TimeoutExpired,
    check_output,
    run,
)

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
