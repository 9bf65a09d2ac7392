"""The exception hierarchy shared by every curio package."""

from __future__ import annotations

import curio_kernel
import curio_traps
from curio_traps import (
    CancelledError,
    CurioError,
    TaskCancelled,
    TaskError,
    TaskTimeout,
    TimeoutCancellationError,
    UncaughtTimeoutError,
)


def test_cancellations_are_not_ordinary_exceptions() -> None:
    for exc in (CancelledError, TaskCancelled, TaskTimeout, TimeoutCancellationError):
        assert issubclass(exc, BaseException)
        assert not issubclass(exc, Exception)
        assert issubclass(exc, CancelledError)


def test_errors_are_curio_errors() -> None:
    for exc in (TaskError, UncaughtTimeoutError):
        assert issubclass(exc, CurioError)
    assert issubclass(CurioError, Exception)


def test_except_exception_does_not_catch_a_cancellation() -> None:
    caught = "nothing"
    try:
        try:
            raise TaskTimeout(1.0)
        except Exception:
            caught = "Exception"
    except CancelledError:
        caught = "CancelledError"
    assert caught == "CancelledError"


def test_timeout_errors_are_distinct() -> None:
    assert not issubclass(TaskTimeout, TimeoutCancellationError)
    assert not issubclass(TimeoutCancellationError, TaskTimeout)


def test_kernel_re_exports_the_same_classes() -> None:
    for name in (
        "CancelledError",
        "CurioError",
        "TaskCancelled",
        "TaskError",
        "TaskTimeout",
        "TimeoutCancellationError",
        "UncaughtTimeoutError",
    ):
        assert getattr(curio_kernel, name) is getattr(curio_traps, name)
        assert name in curio_kernel.__all__
