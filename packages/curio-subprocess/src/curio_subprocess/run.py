"""``run`` and ``check_output``: run a command to completion from a task.

They mirror the functions of the same names in :mod:`subprocess`, returning
or raising the same objects, but wait as coroutines.  A child they give up
on, because of the timeout or because the task is cancelled, is killed and
reaped before the exception propagates: nothing keeps running, no zombie and
no pipe is left behind.
"""

from __future__ import annotations

import subprocess
from typing import Any

from .popen import Command, File, Popen

__all__ = ["check_output", "run"]


async def run(
    args: Command,
    stdin: File = None,
    input: bytes | None = None,
    stdout: File = None,
    stderr: File = None,
    shell: bool = False,
    timeout: float | None = None,
    check: bool = False,
    *,
    capture_output: bool = False,
    **kwargs: Any,
) -> subprocess.CompletedProcess[bytes]:
    """Run *args* in a child process and wait for it to finish.

    Returns a :class:`subprocess.CompletedProcess` holding the exit status
    and the output of the pipes (``stdout=PIPE``, ``stderr=PIPE`` or
    ``capture_output=True``).  *input* is sent to the child's stdin.  With
    *check*, a non-zero exit status raises
    :exc:`subprocess.CalledProcessError`.  After *timeout* seconds the child
    is killed and :exc:`subprocess.TimeoutExpired` raised, carrying the
    output read so far.  If the task is cancelled (or an outer timeout
    expires), the child is killed and reaped, and the exception's ``stdout``
    and ``stderr`` attributes hold the output read before it.  Other keyword
    arguments go to :class:`Popen`.
    """
    if input is not None:
        if stdin is not None:
            raise ValueError("run(): the stdin and input arguments may not both be used")
        stdin = subprocess.PIPE
    if capture_output:
        if stdout is not None or stderr is not None:
            raise ValueError(
                "run(): stdout and stderr arguments may not be used with capture_output"
            )
        stdout = stderr = subprocess.PIPE
    process = Popen(args, stdin=stdin, stdout=stdout, stderr=stderr, shell=shell, **kwargs)
    try:
        out, err = await process.communicate(input, timeout)
    except BaseException:
        await process._abandon()
        raise
    status = process.returncode
    assert status is not None  # communicate() returns once the child is reaped
    if check and status:
        raise subprocess.CalledProcessError(status, args, out, err)
    return subprocess.CompletedProcess(args, status, out, err)


async def check_output(
    args: Command,
    stdout: None = None,
    stderr: File = None,
    shell: bool = False,
    timeout: float | None = None,
    *,
    stdin: File = None,
    input: bytes | None = None,
    **kwargs: Any,
) -> bytes:
    """Run *args* and return what it writes on its standard output.

    A non-zero exit status raises :exc:`subprocess.CalledProcessError`
    (with the output attached); the timeout behaves as in :func:`run`.
    *stdout* exists for the standard signature only and must stay ``None``.
    """
    if stdout is not None:
        raise ValueError("check_output(): the stdout argument is not allowed, it is always a pipe")
    result = await run(
        args,
        stdin=stdin,
        input=input,
        stdout=subprocess.PIPE,
        stderr=stderr,
        shell=shell,
        timeout=timeout,
        check=True,
        **kwargs,
    )
    assert result.stdout is not None
    return result.stdout
