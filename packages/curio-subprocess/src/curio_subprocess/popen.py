"""``Popen``: a :class:`subprocess.Popen` whose pipes and waits suit curio tasks.

The child is started by the standard library, with exactly its arguments;
the pipes it opens are wrapped in :class:`curio_io.FileStream` and the calls
that would block (``wait``, ``communicate``) become coroutines that leave
the kernel free to run other tasks.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any, Final, Self, TypeAlias

from curio_io import FileStream, Stream
from curio_traps import (
    AwaitedContext,
    CancelledError,
    TaskError,
    TaskLike,
    _join_task,
    _spawn,
    cancel_and_wait,
    clean_up,
    stronger,
)

from ._child_exit import kill_and_reap, wait_for_exit
from ._deadline import Deadline

__all__ = ["Command", "File", "Popen"]

_Arg: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

#: A command as :class:`subprocess.Popen` takes it: a program and its
#: arguments, or one string (a shell command line with ``shell=True``).
Command: TypeAlias = _Arg | Sequence[_Arg]

#: What ``stdin``/``stdout``/``stderr`` accept: ``None``, ``PIPE``,
#: ``DEVNULL``, ``STDOUT``, a file descriptor or a file object.
File: TypeAlias = int | IO[Any] | None

#: Bytes read from an output pipe per call.
_READ_CHUNK: Final = 64 * 1024


@dataclass
class _Output:
    """The bytes read so far from one output pipe, and whether it reached its end."""

    chunks: list[bytes] = field(default_factory=list)
    done: bool = False

    def result(self, stream: Stream | None) -> bytes | None:
        """The data collected from *stream*, or ``None`` when it is not a pipe."""
        return None if stream is None else b"".join(self.chunks)


@dataclass
class _Exchange:
    """What ``communicate()`` has sent and received so far.

    Kept on the ``Popen`` so that a call interrupted by its timeout can be
    repeated (typically after ``kill()``) without losing or repeating data,
    as with the standard library.
    """

    data: bytes
    sent: int = 0
    stdin_done: bool = False
    stdout: _Output = field(default_factory=_Output)
    stderr: _Output = field(default_factory=_Output)


def _reject_text_mode(kwargs: dict[str, Any]) -> None:
    """Refuse the arguments that would make the pipes text files."""
    for name in ("text", "universal_newlines"):
        if kwargs.get(name):
            raise ValueError(
                f"Popen({name}=True) is not supported: curio streams carry bytes; "
                "decode the output yourself"
            )
    for name in ("encoding", "errors"):
        if kwargs.get(name) is not None:
            raise ValueError(
                f"Popen({name}=...) is not supported: curio streams carry bytes; "
                "decode the output yourself"
            )


async def _close_quietly(stream: Stream | None) -> None:
    """Close *stream*, ignoring the errors of a pipe whose other end is gone."""
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            await stream.close()


class Popen(AwaitedContext):
    """Start a child process, like :class:`subprocess.Popen` with the same arguments.

    ``stdin``, ``stdout`` and ``stderr`` are :class:`curio_io.FileStream` objects
    for the ones opened with ``PIPE`` (``async for line in p.stdout`` reads
    the output line by line) and ``None`` otherwise.  The pipes are
    unbuffered unless *bufsize* says otherwise, so a ``write`` reaches the
    child without a ``flush``.  Text mode is not available: the streams
    carry bytes.

    Used as ``async with Popen(...) as p:``, the pipes are closed and the
    child is waited for at the end of the block; if the block is cancelled
    the child is killed and reaped instead.  Attributes not defined here
    (``universal_newlines``, ``text_mode``...) are those of the underlying
    :class:`subprocess.Popen`.
    """

    stdin: FileStream | None
    """The child's standard input, when opened with ``stdin=PIPE``."""
    stdout: FileStream | None
    """The child's standard output, when opened with ``stdout=PIPE``."""
    stderr: FileStream | None
    """The child's standard error, when opened with ``stderr=PIPE``."""

    def __init__(self, args: Command, *popenargs: Any, **kwargs: Any) -> None:
        _reject_text_mode(kwargs)
        if not popenargs:  # a positional argument after args is bufsize
            # Unbuffered pipes: what a task writes reaches the child at once, and
            # what the child writes is never held in a buffer the kernel cannot see.
            kwargs.setdefault("bufsize", 0)
        self._args = args
        self._popen: subprocess.Popen[bytes] = subprocess.Popen(args, *popenargs, **kwargs)
        self._exchange: _Exchange | None = None
        pipes = (self._popen.stdin, self._popen.stdout, self._popen.stderr)
        try:
            self.stdin, self.stdout, self.stderr = (
                None if pipe is None else FileStream(pipe) for pipe in pipes
            )
        except BaseException:
            for pipe in pipes:
                if pipe is not None:
                    pipe.close()
            self._popen.kill()
            self._popen.wait()
            raise

    def __repr__(self) -> str:
        return f"<curio_subprocess.Popen pid={self.pid} returncode={self.returncode}>"

    def __getattr__(self, name: str) -> Any:
        """Other attributes are those of the :class:`subprocess.Popen` underneath."""
        if name.startswith("__") or name == "_popen":
            raise AttributeError(name)
        return getattr(self._popen, name)

    @property
    def args(self) -> Command:
        """The command, as given."""
        return self._args

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit status once the child has been reaped, else ``None``.

        Negative ``-N`` means that signal ``N`` ended the child.
        """
        return self._popen.returncode

    def poll(self) -> int | None:
        """Reap the child if it has exited, without waiting; return ``returncode``."""
        return self._popen.poll()

    def send_signal(self, sig: int) -> None:
        """Send signal *sig* to the child (nothing happens once it has been reaped)."""
        self._popen.send_signal(sig)

    def terminate(self) -> None:
        """Ask the child to stop (``SIGTERM``)."""
        self._popen.terminate()

    def kill(self) -> None:
        """Kill the child (``SIGKILL``)."""
        self._popen.kill()

    async def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to exit and return its exit status.

        Raises :exc:`subprocess.TimeoutExpired` after *timeout* seconds; the
        child keeps running then.  The kernel is never blocked: on Linux
        the wait is a read-wait on a pidfd.
        """
        async with Deadline(self._args, timeout):
            return await wait_for_exit(self._popen)

    async def communicate(
        self, input: bytes | None = b"", timeout: float | None = None
    ) -> tuple[bytes | None, bytes | None]:
        """Send *input* to the child, read its output to the end and wait for it.

        Returns ``(stdout, stderr)``: the bytes read from each pipe, or
        ``None`` for one that is not a pipe.  Writing and both reads proceed
        at the same time, so large amounts each way never deadlock.

        After *timeout* seconds :exc:`subprocess.TimeoutExpired` is raised
        carrying the output read so far; the child keeps running, and a new
        call (after ``kill()``, say) carries on where this one stopped.  A
        cancelled call closes the pipes, and its exception's ``stdout`` and
        ``stderr`` attributes hold the output read before it; the child
        keeps running.
        """
        exchange = self._exchange
        if exchange is None:
            if input and self.stdin is None:
                raise ValueError(
                    "communicate() was given input but the child's stdin is not a pipe "
                    "(start it with stdin=PIPE)"
                )
            exchange = self._exchange = _Exchange(bytes(input) if input else b"")
        elif input:
            raise ValueError("communicate() cannot send input after communication has started")

        helpers: list[TaskLike[None]] = []
        try:
            if self.stdin is not None and not exchange.stdin_done:
                helpers.append(await _spawn(_feed(self.stdin, exchange), daemon=True))
            if self.stdout is not None and not exchange.stdout.done:
                helpers.append(await _spawn(_drain(self.stdout, exchange.stdout), daemon=True))
            if self.stderr is not None and not exchange.stderr.done:
                helpers.append(await _spawn(_drain(self.stderr, exchange.stderr), daemon=True))
            async with Deadline(self._args, timeout):
                for helper in helpers:
                    await _join_helper(helper)
                await wait_for_exit(self._popen)
        except subprocess.TimeoutExpired as exc:
            await clean_up(exc, cancel_and_wait(helpers))
            exc.stdout = exchange.stdout.result(self.stdout)
            exc.stderr = exchange.stderr.result(self.stderr)
            raise
        except BaseException as exc:
            try:
                await clean_up(exc, cancel_and_wait(helpers))
            finally:
                _attach_output(exc, exchange, self.stdout, self.stderr)
                await self._close_pipes()
                self._popen.poll()
            raise
        return (
            exchange.stdout.result(self.stdout),
            exchange.stderr.result(self.stderr),
        )

    async def _close_pipes(self) -> None:
        """Close every pipe to the child, even if closing one is interrupted."""
        interrupted: BaseException | None = None
        for stream in (self.stdin, self.stdout, self.stderr):
            try:
                await _close_quietly(stream)
            except BaseException as exc:
                interrupted = stronger(interrupted, exc)
        if interrupted is not None:
            raise interrupted

    async def _abandon(self) -> None:
        """Give up on the child: close the pipes, kill it and reap it."""
        try:
            await self._close_pipes()
        finally:
            await kill_and_reap(self._popen)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the pipes and wait for the child (kill it when cancelled)."""
        if isinstance(exc, CancelledError):
            await self._abandon()
            return
        try:
            await self._close_pipes()
            await wait_for_exit(self._popen)
        except BaseException:
            await kill_and_reap(self._popen)
            raise


def _attach_output(
    exc: BaseException, exchange: _Exchange, stdout: Stream | None, stderr: Stream | None
) -> None:
    """Give the exception of an interrupted ``communicate()`` the output read so far.

    An attribute that is already there (from an inner call) is kept.
    """
    for name, output, stream in (
        ("stdout", exchange.stdout, stdout),
        ("stderr", exchange.stderr, stderr),
    ):
        if getattr(exc, name, None) is None:
            # An exception type with slots or read-only names cannot carry it.
            with contextlib.suppress(AttributeError):
                setattr(exc, name, output.result(stream))


async def _feed(stream: Stream, exchange: _Exchange) -> None:
    """Write the rest of the input to the child, then close its stdin.

    When a timeout interrupts the write, ``Stream.write`` reports how much
    went out, so the next ``communicate()`` resumes at the right byte.
    """
    try:
        await stream.write(memoryview(exchange.data)[exchange.sent :])
    except BrokenPipeError:
        pass  # the child stopped reading: its exit status tells the story
    except BaseException as exc:
        exchange.sent += getattr(exc, "bytes_written", 0)
        raise
    exchange.sent = len(exchange.data)
    exchange.stdin_done = True
    await _close_quietly(stream)


async def _drain(stream: Stream, output: _Output) -> None:
    """Read one output pipe to its end into *output*, then close it."""
    while data := await stream.read(_READ_CHUNK):
        output.chunks.append(data)
    output.done = True
    await _close_quietly(stream)


async def _join_helper(helper: TaskLike[None]) -> None:
    """Wait for a helper task, re-raising its own exception if it failed."""
    try:
        await _join_task(helper)
    except TaskError as err:
        if err.__cause__ is not None:
            raise err.__cause__ from None
        raise
