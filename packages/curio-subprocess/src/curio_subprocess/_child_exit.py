"""Waiting for a child process to exit without blocking the kernel.

On Linux a process file descriptor (``os.pidfd_open``) becomes readable when
the child ends, so the wait is an ordinary read-wait trap: no thread, no
polling loop, no ``SIGCHLD`` handler.  Where pidfds are missing (macOS, old
kernels, sandboxes that forbid the call) the blocking ``Popen.wait`` runs in
the kernel's worker threads instead.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from typing import Any

from curio_traps import _io_release, _read_wait, _run_in_thread

__all__ = ["kill_and_reap", "wait_for_exit"]


def _open_pidfd(pid: int) -> int | None:
    """A pidfd for *pid*, or ``None`` when this system cannot provide one."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        fd: int = pidfd_open(pid)
    except OSError:
        # ENOSYS (old kernel), EPERM (seccomp), ESRCH (already reaped elsewhere):
        # the thread fallback copes with all of them.
        return None
    return fd


async def wait_for_exit(popen: subprocess.Popen[Any]) -> int:
    """Wait until *popen*'s child has exited, reap it and return its exit status.

    Cancellation is safe at any point: the pidfd is released and closed, and
    a child that exited meanwhile is reaped rather than left a zombie.
    """
    status = popen.poll()
    if status is not None:
        return status
    pidfd = _open_pidfd(popen.pid)
    if pidfd is None:
        try:
            return await _run_in_thread(popen.wait)
        finally:
            popen.poll()
    try:
        while (status := popen.poll()) is None:
            await _read_wait(pidfd)
        return status
    finally:
        try:
            await _io_release(pidfd)
        finally:
            os.close(pidfd)
            popen.poll()


async def kill_and_reap(popen: subprocess.Popen[Any]) -> None:
    """Kill *popen*'s child (if still running) and reap it.

    Used when a caller gives up on a child (a timeout, a cancellation): the
    child must neither keep running nor linger as a zombie.  Should a second
    cancellation interrupt the wait, the reaping finishes synchronously,
    which ``SIGKILL`` makes prompt, and that cancellation propagates.
    """
    if popen.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            popen.kill()
    try:
        await wait_for_exit(popen)
    except BaseException:
        popen.wait()
        raise
