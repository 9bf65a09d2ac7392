"""A console session, over this process's terminal or over a connected socket.

A session reads one command per line and writes back plain text.  It runs
as a task of the kernel it inspects, so the other tasks keep running while
someone types; every read and write waits through the traps.  What a line
does is up to ``Commands`` (see ``_commands``).
"""

from __future__ import annotations

import os
import socket
from typing import Protocol, TextIO

from curio_traps import _io_release, _read_wait, _write_wait

from ._commands import Action, Commands

__all__ = ["PROMPT", "Channel", "SocketChannel", "TerminalChannel", "run_session"]

PROMPT = "curio > "


class Channel(Protocol):
    """Where a session reads its commands and writes its answers."""

    async def read_line(self) -> str | None:
        """The next line without its end, or ``None`` at the end of input."""
        ...

    async def write(self, text: str) -> None:
        """Write *text* out completely."""
        ...


async def run_session(channel: Channel, commands: Commands, banner: str) -> Action:
    """Greet with *banner*, then run commands until one ends the session or input ends."""
    await channel.write(banner)
    while True:
        await channel.write(PROMPT)
        line = await channel.read_line()
        if line is None:
            return Action.EOF
        try:
            text, action = await commands.execute(line)
        except Exception as exc:  # a failing command must not take the console down
            text, action = f"the command failed: {exc!r}\n", Action.STAY
        if text:
            await channel.write(text)
        if action is not Action.STAY:
            return action


class _LineBuffer:
    """Bytes received so far, cut into lines."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.eof = False

    def pop_line(self) -> str | None:
        """The next complete line (or the unterminated rest at the end of input)."""
        end = self.data.find(b"\n")
        if end < 0:
            if not self.eof or not self.data:
                return None
            end = len(self.data)
        line = bytes(self.data[:end])
        del self.data[: end + 1]
        return line.decode("utf-8", "replace").rstrip("\r")


class TerminalChannel:
    """A session on this process's terminal: reads file descriptor *fd*, writes *out*.

    The descriptor is never made non-blocking (the terminal is shared with
    other processes): the kernel waits until a line can be read, then one
    ``os.read`` takes it.
    """

    def __init__(self, fd: int | None, out: TextIO | None) -> None:
        self._fd = fd
        self._out = out
        self._buffer = _LineBuffer()
        self._buffer.eof = fd is None

    async def read_line(self) -> str | None:
        buffer = self._buffer
        while (line := buffer.pop_line()) is None and not buffer.eof:
            assert self._fd is not None
            try:
                await _read_wait(self._fd)
            except PermissionError:
                pass  # a regular file or /dev/null: never polled, never blocks
            except RuntimeError as exc:  # another task already reads the terminal
                await self.write(f"\nthe monitor cannot read the terminal: {exc}\n")
                buffer.eof = True
                break
            except OSError:
                buffer.eof = True
                break
            try:
                data = os.read(self._fd, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                buffer.data += data
            else:
                buffer.eof = True
        return line if line is not None else buffer.pop_line()

    async def write(self, text: str) -> None:
        if self._out is not None:
            self._out.write(text)
            self._out.flush()


class SocketChannel:
    """A session over a connected socket (a remote console); closes it in :meth:`close`."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self._sock = sock
        self._buffer = _LineBuffer()

    async def read_line(self) -> str | None:
        buffer = self._buffer
        while (line := buffer.pop_line()) is None and not buffer.eof:
            try:
                data = self._sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                await _read_wait(self._sock)
                continue
            if data:
                buffer.data += data
            else:
                buffer.eof = True
        return line if line is not None else buffer.pop_line()

    async def write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        while data:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                await _write_wait(self._sock)
                continue
            data = data[sent:]

    async def close(self) -> None:
        """Tell the kernel to forget the socket, then close it."""
        await _io_release(self._sock)
        self._sock.close()
