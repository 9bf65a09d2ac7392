"""AsyncFile: an ordinary file whose blocking calls run in the kernel's worker threads.

Files on disk have no non-blocking mode the kernel could wait on, so each
call that could block (``read``, ``write``, ``seek``, ``close``...) is handed
to a worker thread through the ``_run_in_thread`` trap while the kernel runs
other tasks.  Prefer a :class:`~curio_io.Stream` for pipes, sockets and
terminals: it needs no thread at all.

Calls on one file never overlap: each holds the file's lock in its worker
thread.  A call whose task is cancelled or times out returns at once in the
task.  If no worker thread had started it, it never runs; if one had, the
thread finishes the call (the standard library gives no way to stop it) and
its outcome is discarded: a cancelled ``read`` may have consumed input, a
cancelled ``write`` may have written its data.  The next call on the file
waits in its own thread until that one is done, so the file stays consistent
and usable.

``close`` is the exception to "never runs": a cancelled ``close`` still closes
the file.  If nothing runs on the file, it is closed at once in the kernel's
thread; otherwise the worker thread that releases the file's lock last
closes it (each one checks, after releasing the lock, whether a close is
pending).
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, AnyStr, Generic, NoReturn, TypeVar, cast, overload

from curio_traps import AwaitedContext, SyncIOError, _run_in_thread

if TYPE_CHECKING:
    # Spelt in full in the signatures, so the reference shows where they come from.
    import _typeshed
    from _typeshed import WriteableBuffer

__all__ = ["AsyncFile", "anext", "aopen"]

T = TypeVar("T")
R = TypeVar("R")

#: The first chunk size of :meth:`AsyncFile.readall`; it doubles while chunks come back full.
_FIRST_CHUNK = 65536


class _Missing:
    """The type of the "no default given" marker of :func:`anext`."""


_MISSING = _Missing()


class _Opening:
    """What a worker thread opening a file and the task waiting for it share.

    A task cancelled during the ``open`` marks it abandoned; the thread then
    closes the file it opened instead of leaving it to the garbage collector.
    """

    __slots__ = ("abandoned", "file", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.abandoned = False
        self.file: IO[Any] | None = None


def _open_for(state: _Opening, args: tuple[Any, ...], kwargs: dict[str, Any]) -> IO[Any] | None:
    """Run ``open(*args, **kwargs)`` in a worker thread on behalf of *state*'s task."""
    file: IO[Any] = open(*args, **kwargs)  # noqa: SIM115 (the AsyncFile closes it)
    with state.lock:
        if state.abandoned:
            file.close()
            return None
        state.file = file
    return file


class AsyncFile(AwaitedContext, Generic[AnyStr]):
    """Wrap the file object *fileobj* (as ``open()`` returns it) for use in curio tasks.

    :func:`aopen` makes one that opens its file on ``async with``.  The
    methods that could block are coroutines run in worker threads; every
    other attribute (``name``, ``mode``, ``closed``, ``readable()``...) is the
    file's own.  ``with f:`` works in an asynchronous thread (as ``async with``,
    through ``AWAIT``) and raises :exc:`~curio_traps.AsyncOnlyError` anywhere
    else; ``for line in f`` raises :exc:`~curio_traps.SyncIOError`, as in curio
    1.x; :meth:`blocking` hands the file to synchronous code on purpose.
    """

    def __init__(
        self,
        fileobj: IO[AnyStr] | None,
        open_args: tuple[Any, ...] | None = None,
        open_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(fileobj, AsyncFile):
            raise TypeError("AsyncFile() got an AsyncFile; it is already wrapped")
        if fileobj is None and open_args is None:
            raise TypeError("AsyncFile() needs a file object, or the arguments of open()")
        if fileobj is not None and not callable(getattr(fileobj, "close", None)):
            raise TypeError(f"AsyncFile() needs a file object, got {type(fileobj).__name__}")
        self._fileobj: IO[AnyStr] | None = fileobj
        self._open_args = open_args
        self._open_kwargs = open_kwargs or {}
        # Held by every worker-thread call on the file, so that calls never overlap.
        self._lock = threading.Lock()
        # Set by a close() that was interrupted; see the module's docstring.
        self._close_pending = False

    def __repr__(self) -> str:
        if self._fileobj is None:
            return f"<curio_io.AsyncFile not yet opened: open{self._open_args!r}>"
        return f"<curio_io.AsyncFile {self._fileobj!r}>"

    @property
    def _file(self) -> IO[AnyStr]:
        file = self._fileobj
        if file is None:
            raise RuntimeError(
                "the file of aopen() is opened by 'async with aopen(...) as f:'; "
                "use it inside that block"
            )
        return file

    def __getattr__(self, name: str) -> Any:
        """Everything not redefined here is the file's own attribute."""
        if name.startswith("__") or name in ("_fileobj", "_lock", "_close_pending"):
            raise AttributeError(name)
        return getattr(self._file, name)

    async def _call(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` in a worker thread, holding the file's lock there."""
        lock = self._lock

        def locked() -> T:
            try:
                with lock:
                    return func(*args)
            finally:
                if self._close_pending:
                    self._close_if_idle()

        return await _run_in_thread(locked)

    def _close_if_idle(self) -> None:
        """Close the file now if no call holds its lock (else the holder will, when done)."""
        if self._lock.acquire(blocking=False):
            try:
                self._close_file()
            finally:
                self._lock.release()

    def _close_file(self) -> None:
        """Close the file unless it is closed already (by a cancelled close's clean-up)."""
        file = self._fileobj
        if file is not None and not getattr(file, "closed", False):
            file.close()

    # ------------------------------------------------------------------ reading

    async def read(self, size: int = -1) -> AnyStr:
        """Read up to *size* bytes or characters (to end of file if negative)."""
        return await self._call(self._file.read, size)

    async def read1(self, size: int = -1) -> bytes:
        """Read up to *size* bytes with at most one system call (binary files)."""
        file: Any = self._file
        data: bytes = await self._call(file.read1, size)
        return data

    async def readline(self, size: int = -1) -> AnyStr:
        """Read one line (at most *size* bytes or characters if not negative)."""
        return await self._call(self._file.readline, size)

    async def readlines(self, hint: int = -1) -> list[AnyStr]:
        """Read the remaining lines (stopping once *hint* bytes or characters are passed)."""
        return await self._call(self._file.readlines, hint)

    async def readinto(self, buffer: WriteableBuffer) -> int:
        """Read into *buffer*; return the number of bytes read (binary files)."""
        file: Any = self._file
        count: int = await self._call(file.readinto, buffer)
        return count

    async def readinto1(self, buffer: WriteableBuffer) -> int:
        """Like :meth:`readinto`, with at most one system call (binary files)."""
        file: Any = self._file
        count: int = await self._call(file.readinto1, buffer)
        return count

    async def readall(self) -> AnyStr:
        """Read until end of file and return everything.

        It reads in chunks, each in its own thread call, so a cancellation
        takes effect between chunks; the exception's ``bytes_read``
        attribute then holds what was read before it.
        """
        file = self._file
        is_text = isinstance(cast(object, file), io.TextIOBase)
        empty: Any = "" if is_text else b""
        chunks: list[AnyStr] = []
        size = _FIRST_CHUNK
        while True:
            try:
                chunk = await self._call(file.read, size)
            except BaseException as exc:
                exc.bytes_read = empty.join(chunks)  # type: ignore[attr-defined]
                raise
            if not chunk:
                joiner: Any = chunk[:0]  # "" or b"", as the file reads
                whole: AnyStr = joiner.join(chunks)
                return whole
            chunks.append(chunk)
            if len(chunk) == size:
                size *= 2

    # ------------------------------------------------------------------ writing and position

    async def write(self, data: AnyStr) -> int:
        """Write *data*; return how many bytes or characters the file took."""
        return await self._call(self._file.write, data)

    async def writelines(self, lines: Iterable[AnyStr]) -> None:
        """Write each of *lines* (no separators are added)."""
        await self._call(self._file.writelines, list(lines))

    async def truncate(self, size: int | None = None) -> int:
        """Resize the file to *size* bytes (the current position if ``None``)."""
        return await self._call(self._file.truncate, size)

    async def seek(self, offset: int, whence: int = 0) -> int:
        """Move the file's position (see :meth:`io.IOBase.seek`); return the new one."""
        return await self._call(self._file.seek, offset, whence)

    async def tell(self) -> int:
        """The file's current position."""
        return await self._call(self._file.tell)

    async def flush(self) -> None:
        """Write out whatever the file still buffers."""
        await self._call(self._file.flush)

    async def close(self) -> None:
        """Flush and close the file (again is harmless).

        Even if the task is cancelled meanwhile, the file is closed: at once
        if no call runs on it, else as soon as the call still running ends.
        """
        if self._fileobj is None:
            return
        try:
            await self._call(self._close_file)
        except BaseException:
            self._close_pending = True
            self._close_if_idle()
            raise

    # ------------------------------------------------------------------ async protocols

    async def __aenter__(self) -> AsyncFile[AnyStr]:
        if self._fileobj is None:
            assert self._open_args is not None
            state = _Opening()
            opening = functools.partial(_open_for, state, self._open_args, self._open_kwargs)
            try:
                file = await _run_in_thread(opening)
            except BaseException:
                with state.lock:
                    state.abandoned = True
                    file = state.file
                if file is not None:  # opened, but the task stopped waiting: close it here
                    file.close()
                raise
            self._fileobj = file
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[AnyStr]:
        return self

    async def __anext__(self) -> AnyStr:
        line = await self.readline()
        if not line:
            raise StopAsyncIteration
        return line

    # ------------------------------------------------------------------ synchronous use

    @contextmanager
    def blocking(self) -> Iterator[IO[AnyStr]]:
        """Yield the file itself for synchronous code (whose calls then block the kernel).

        Take care that no call of this :class:`AsyncFile` (a cancelled one
        included) is still running meanwhile.
        """
        yield self._file

    # Defined for the interpreter only, so that a type checker flags the
    # synchronous use as the error it is.
    if not TYPE_CHECKING:

        def __iter__(self) -> NoReturn:
            raise SyncIOError(
                "an AsyncFile is iterated with 'async for line in f', not 'for' "
                "(use 'with f.blocking() as sync_f:' for synchronous code)"
            )

        def __next__(self) -> NoReturn:
            raise SyncIOError("an AsyncFile is iterated with 'async for', not 'for' or next()")


@overload
def aopen(
    file: _typeshed.FileDescriptorOrPath,
    mode: _typeshed.OpenTextMode = "r",
    buffering: int = -1,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
    closefd: bool = True,
    opener: Callable[[str, int], int] | None = None,
) -> AsyncFile[str]: ...
@overload
def aopen(
    file: _typeshed.FileDescriptorOrPath,
    mode: _typeshed.OpenBinaryMode,
    buffering: int = -1,
    encoding: None = None,
    errors: None = None,
    newline: None = None,
    closefd: bool = True,
    opener: Callable[[str, int], int] | None = None,
) -> AsyncFile[bytes]: ...
@overload
def aopen(
    file: _typeshed.FileDescriptorOrPath,
    mode: str,
    buffering: int = -1,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
    closefd: bool = True,
    opener: Callable[[str, int], int] | None = None,
) -> AsyncFile[Any]: ...
def aopen(*args: Any, **kwargs: Any) -> AsyncFile[Any]:
    """An :class:`AsyncFile` for ``open(*args, **kwargs)``, opened by ``async with``.

    The arguments are those of the built-in :func:`builtins.open`; the file is
    opened in a worker thread when the ``async with`` block is entered and
    closed when it ends::

        async with aopen("data.txt") as f:
            async for line in f:
                ...
    """
    if not args and "file" not in kwargs:
        raise TypeError("aopen() needs the file to open, as open() does")
    return AsyncFile(None, args, kwargs)


@overload
async def anext(aiterator: AsyncIterator[T], /) -> T: ...
@overload
async def anext(aiterator: AsyncIterator[T], default: R, /) -> T | R: ...
async def anext(aiterator: AsyncIterator[Any], default: Any = _MISSING, /) -> Any:
    """The next item of *aiterator*; at its end *default* if given, else ``StopAsyncIteration``.

    The asynchronous counterpart of :func:`builtins.next`, handy to skip a file's header line.
    """
    step = getattr(type(aiterator), "__anext__", None)
    if step is None:
        raise TypeError(f"anext() needs an async iterator, got {type(aiterator).__name__}")
    try:
        return await step(aiterator)
    except StopAsyncIteration:
        if default is _MISSING:
            raise
        return default
