"""The worker processes of a kernel, for ``run_in_process``.

Each kernel keeps at most ``MAX_WORKER_PROCESSES`` workers, started on the
``spawn`` method of :mod:`multiprocessing` (a fresh interpreter that inherits
no descriptor but its own pipe) and reused from call to call, since starting
one costs far more than a call.  A call beyond the limit waits its turn.

A worker serves one call at a time over a socket pair: an 8-byte length,
then a pickle (the call going in, ``(ok, value, traceback text)`` coming
back).  The kernel's side never blocks: it writes and reads without
blocking between ``_write_wait`` and ``_read_wait``; starting a process and
reaping one run in short-lived helper threads.

A call whose task is cancelled (or times out) terminates its worker at once
with SIGTERM, and with SIGKILL if the worker is still there after
``_TERM_GRACE`` seconds; the next call starts a fresh worker.  A worker that
dies mid-call gives a ``RuntimeError`` naming the callable and how the worker
ended.  Errors of pickling, on either side, are reported to the caller and
leave the worker in service.  :meth:`ProcessPool.close` ends every idle
worker and waits for every helper thread, so that no process outlives the
kernel's ``run()``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import struct
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, Final

from curio_traps import _future_wait, _read_wait, _write_wait

from ._slots import Slots

__all__ = ["ProcessPool", "WorkerTraceback", "describe"]

_HEADER: Final = struct.Struct("!Q")
#: Seconds a terminated worker has to end before it is killed.
_TERM_GRACE: Final = 1.0
#: Seconds an idle worker has to leave by itself once the pool closes its pipe.
_EXIT_GRACE: Final = 2.0


def describe(func: object) -> str:
    """A readable name for *func* in error messages: ``module.qualname`` or its repr."""
    qualname = getattr(func, "__qualname__", None)
    if not isinstance(qualname, str):
        return repr(func)
    module = getattr(func, "__module__", None)
    return f"{module}.{qualname}" if isinstance(module, str) and module != "builtins" else qualname


class WorkerTraceback(Exception):
    """The traceback, as text, of an exception raised in a worker process.

    It becomes the ``__cause__`` of the exception re-raised in the task, so
    that the report shows where the worker failed.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return "\n" + self.text


# ---------------------------------------------------------------- the worker process


def _read_exactly(fd: int, size: int) -> bytes | None:
    """Read *size* bytes from the blocking *fd*; ``None`` at end of file."""
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _outcome(body: bytes) -> bytes:
    """Run the pickled call *body*; return its pickled ``(ok, value, traceback)``."""
    try:
        func, args, kwargs = pickle.loads(body)
    except Exception as exc:
        error = RuntimeError(f"the worker process could not load the call: {exc!r}")
        return bytes(ForkingPickler.dumps((False, error, None)))
    outcome: tuple[bool, Any, str | None]
    try:
        outcome = (True, func(*args, **kwargs), None)
    except Exception as exc:
        outcome = (False, exc, "".join(traceback.format_exception(exc)))
    try:
        return bytes(ForkingPickler.dumps(outcome))
    except Exception as exc:
        what = "result" if outcome[0] else "exception"
        error = RuntimeError(
            f"run_in_process could not send back the {what} of {describe(func)}: {exc!r}"
        )
        return bytes(ForkingPickler.dumps((False, error, outcome[2])))


def _serve(conn: Connection) -> None:
    """Body of a worker process: run each call that arrives; end when the pipe closes.

    Ctrl-C in a terminal reaches the whole process group: the worker ignores
    it, and the kernel, which gets it too, ends its workers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    fd = conn.fileno()
    while True:
        header = _read_exactly(fd, _HEADER.size)
        if header is None:
            return
        body = _read_exactly(fd, _HEADER.unpack(header)[0])
        if body is None:
            return
        reply = _outcome(body)
        _write_all(fd, _HEADER.pack(len(reply)) + reply)


# ---------------------------------------------------------------- the kernel's side


class _Died(Exception):
    """The worker's end of the pipe closed during a call."""


def _reap(process: Any, terminate: bool) -> int:
    """Wait for *process* to end (terminating, then killing it if need be); free it."""
    if terminate:
        with contextlib.suppress(OSError):
            process.terminate()
    process.join(_TERM_GRACE)
    if process.exitcode is None:
        process.kill()
        process.join()
    code: int = process.exitcode
    process.close()
    return code


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class _Worker:
    """One worker process and the kernel's non-blocking end of its pipe."""

    __slots__ = ("conn", "fd", "process")

    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.fd = conn.fileno()
        os.set_blocking(self.fd, False)

    async def call(self, request: bytes) -> bytes:
        """Send the pickled call, return the pickled outcome; ``_Died`` if the worker went."""
        fd = self.fd
        view = memoryview(_HEADER.pack(len(request)) + request)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                await _write_wait(fd)
            except OSError:  # EPIPE, ECONNRESET: the worker is gone
                raise _Died from None
        await _read_wait(fd)
        header = await self._read(_HEADER.size)
        return await self._read(_HEADER.unpack(header)[0])

    async def _read(self, size: int) -> bytes:
        fd = self.fd
        data = bytearray()
        while len(data) < size:
            try:
                chunk = os.read(fd, size - len(data))
            except BlockingIOError:
                await _read_wait(fd)
                continue
            except OSError:
                raise _Died from None
            if not chunk:
                raise _Died
            data += chunk
        return bytes(data)


class _Start:
    """Starts a worker process in a helper thread; owns it if its waiter gives up meanwhile."""

    def __init__(self, process: Any, child_end: Connection) -> None:
        self.process = process
        self.future: Future[None] = Future()
        self._child_end = child_end
        self._lock = threading.Lock()
        self._state = "starting"

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            self._child_end.close()  # given up before it began
            return
        try:
            self.process.start()
        except BaseException as exc:
            with self._lock:
                self._state = "failed"
            self._child_end.close()
            self.future.set_exception(exc)
            return
        self._child_end.close()
        with self._lock:
            abandoned = self._state == "abandoned"
            if not abandoned:
                self._state = "started"
        if abandoned:
            _reap(self.process, terminate=True)
        else:
            self.future.set_result(None)

    def abandon(self) -> str:
        """Give the start up: the state it was in (``starting``: the thread reaps the process)."""
        with self._lock:
            state = self._state
            if state == "starting":
                self._state = "abandoned"
            return state


class ProcessPool:
    """At most *limit* reusable worker processes; *forget_fd* tells the kernel a pipe closes."""

    def __init__(self, limit: int, forget_fd: Callable[[int], None]) -> None:
        self._slots = Slots(limit, "PROCESS_WAIT")
        #: Calls between taking a place and giving it back: workers busy in real time.
        self.busy = 0
        self._idle: list[_Worker] = []
        self._helpers: list[threading.Thread] = []
        self._forget_fd = forget_fd
        self._context = multiprocessing.get_context("spawn")

    def __repr__(self) -> str:
        return f"<ProcessPool idle:{len(self._idle)} {self._slots!r}>"

    @property
    def idle_pids(self) -> list[int]:
        """The process ids of the idle workers (for tests and the curious)."""
        return [w.process.pid for w in self._idle]

    async def apply(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> Any:
        """Run ``func(*args, **kwargs)`` in a worker and return or raise its outcome."""
        name = describe(func)
        try:
            request = bytes(ForkingPickler.dumps((func, args, kwargs)))
        except Exception as exc:
            raise TypeError(
                f"run_in_process cannot send {name} and its arguments to a worker process: {exc!r}"
            ) from exc
        await self._slots.take()
        self.busy += 1
        try:
            worker = await self._worker()
            try:
                reply = await worker.call(request)
            except _Died:
                code = await self._bury(worker)
                raise RuntimeError(
                    f"the worker process running {name} died ({_exit_text(code)})"
                ) from None
            except BaseException:
                self._kill(worker)  # cancelled or timed out: this worker goes at once
                raise
            self._idle.append(worker)
        finally:
            self.busy -= 1
            self._slots.give_back()
        try:
            ok, value, text = pickle.loads(reply)
        except Exception as exc:
            raise RuntimeError(
                f"run_in_process could not read back the outcome of {name}: {exc!r}"
            ) from exc
        if ok:
            return value
        if text is not None and isinstance(value, BaseException):
            value.__cause__ = WorkerTraceback(text)
        raise value

    async def _worker(self) -> _Worker:
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                return worker
            self._bury_later(worker)  # died while idle
        return await self._start()

    async def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(child_end,), daemon=True, name="curio-worker-process"
        )
        start = _Start(process, child_end)
        self._helper(start.run, "curio-process-start")
        try:
            await _future_wait(start.future)
        except BaseException:
            if start.abandon() == "started":
                self._kill(_Worker(process, parent_end))
            else:
                parent_end.close()  # still starting (the thread ends it), or it failed
            raise
        return _Worker(process, parent_end)

    def _helper(self, target: Callable[[], None], name: str) -> None:
        self._helpers = [t for t in self._helpers if t.is_alive()]
        thread = threading.Thread(target=target, name=name)
        self._helpers.append(thread)
        thread.start()

    def _reap_later(self, process: Any, terminate: bool) -> Future[int]:
        future: Future[int] = Future()
        future.set_running_or_notify_cancel()  # a cancelled waiter cannot stop the reaping

        def reap() -> None:
            try:
                future.set_result(_reap(process, terminate))
            except BaseException as exc:
                future.set_exception(exc)

        self._helper(reap, "curio-process-reaper")
        return future

    def _disconnect(self, worker: _Worker) -> None:
        self._forget_fd(worker.fd)
        worker.conn.close()

    def _kill(self, worker: _Worker) -> None:
        """Terminate *worker* now (SIGTERM); a helper thread kills it if it lingers and reaps it."""
        self._disconnect(worker)
        with contextlib.suppress(OSError):
            worker.process.terminate()
        self._reap_later(worker.process, terminate=False)

    def _bury_later(self, worker: _Worker) -> Future[int]:
        self._disconnect(worker)
        return self._reap_later(worker.process, terminate=False)

    async def _bury(self, worker: _Worker) -> int:
        """Reap a worker whose pipe closed; its exit code (negative: the signal)."""
        return await _future_wait(self._bury_later(worker))

    def close(self) -> None:
        """End the idle workers and wait for every helper thread (blocking; kernel stopped).

        Each idle worker sees its pipe close and leaves by itself; one still
        there after ``_EXIT_GRACE`` seconds is terminated, then killed.
        """
        idle, self._idle = self._idle, []
        for worker in idle:
            self._disconnect(worker)
        deadline = time.monotonic() + _EXIT_GRACE
        for worker in idle:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in idle:
            _reap(worker.process, terminate=worker.process.exitcode is None)
        helpers, self._helpers = self._helpers, []
        for thread in helpers:
            thread.join()
