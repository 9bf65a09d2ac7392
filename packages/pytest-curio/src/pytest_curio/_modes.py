"""Which tests and fixtures are pytest-curio's: the ``curio`` marker and ``curio_mode``.

In ``strict`` mode (the default) a test is a curio test when it carries the ``curio``
marker (on the function, its class or its module).  In ``auto`` mode every ``async def``
test is one, except those another async plugin claims (marked ``asyncio``, ``anyio`` or
``trio``, or requesting anyio's ``anyio_backend``).  The async fixtures that a curio test
sets up are run by pytest-curio; in ``auto`` mode so are those a plain test sets up.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from typing import Any

import pytest

__all__ = [
    "FOREIGN_MARKERS",
    "Mode",
    "async_test_function",
    "claims_fixtures",
    "is_async_fixture_function",
    "is_curio_test",
    "is_foreign_test",
    "unclaimed_hint",
]

#: Markers of other plugins that run async tests: pytest-curio leaves those tests alone.
FOREIGN_MARKERS = ("asyncio", "anyio", "trio")

#: The attribute pytest-curio sets on the sync runner it gives hypothesis, naming the test.
_ORIGINAL = "_pytest_curio_original"


class Mode(enum.Enum):
    """How pytest-curio picks its tests (the ``curio_mode`` ini option, ``--curio-mode``)."""

    #: Only tests marked ``@pytest.mark.curio``.
    STRICT = "strict"
    #: Every async test no other plugin claims, and every async fixture.
    AUTO = "auto"

    @classmethod
    def parse(cls, value: str) -> Mode:
        """The mode named *value*; ``pytest.UsageError`` for any other word."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise pytest.UsageError(
                f"curio_mode must be 'strict' or 'auto', not {value!r}"
            ) from None


def async_test_function(obj: object) -> Callable[..., Any] | None:
    """The ``async def`` function a test runs, or ``None`` for a sync test.

    A hypothesis ``@given`` test is a sync function wrapping the original one
    (``obj.hypothesis.inner_test``); that original is what counts.
    """
    if inspect.iscoroutinefunction(obj):
        return obj
    inner = getattr(getattr(obj, "hypothesis", None), "inner_test", None)
    if inner is None:
        return None
    inner = getattr(inner, _ORIGINAL, inner)
    return inner if inspect.iscoroutinefunction(inner) else None


def is_async_fixture_function(func: object) -> bool:
    """Whether a fixture function is ``async def`` (plain or an async generator)."""
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


def is_foreign_test(item: pytest.Item) -> bool:
    """Whether another async plugin claims *item* (its marker, or anyio's backend fixture)."""
    if any(item.get_closest_marker(name) is not None for name in FOREIGN_MARKERS):
        return True
    return "anyio_backend" in getattr(item, "fixturenames", ())


def is_curio_test(item: pytest.Item, mode: Mode) -> bool:
    """Whether pytest-curio runs *item*'s body (it must also be ``async def``)."""
    if item.get_closest_marker("curio") is not None:
        return True
    if mode is Mode.AUTO and not is_foreign_test(item):
        return async_test_function(getattr(item, "obj", None)) is not None
    return False


def claims_fixtures(item: pytest.Item, mode: Mode) -> bool:
    """Whether the async fixtures set up for *item* are pytest-curio's to run."""
    if item.get_closest_marker("curio") is not None:
        return True
    return mode is Mode.AUTO and not is_foreign_test(item)


def unclaimed_hint(item: pytest.Item) -> str:
    """The failure of an async test nothing runs: how to hand it to pytest-curio."""
    return (
        f"{item.nodeid} is an async test (or uses an async fixture) that no plugin runs.\n"
        "pytest-curio runs it on a curio kernel when it is marked @pytest.mark.curio (on the\n"
        "test, its class, or pytestmark in its module), or for every async test when the\n"
        "pytest configuration says curio_mode = auto (or with --curio-mode=auto)."
    )
