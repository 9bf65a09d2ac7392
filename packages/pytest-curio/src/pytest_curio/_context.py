"""Which kernel a test and its async fixtures run on.

The rule: pytest-curio keeps one *shared* kernel for the whole session (one per xdist
worker), on the real clock.  Every async fixture whose scope is wider than ``function``
(class, module, package, session) runs on it, and so does every test that uses one of
them, with that test's function-scoped async fixtures.  A test that uses none gets a
*fresh* kernel of its own, closed once its teardown is over; only such a kernel can run on
a :class:`~curio_kernel.testing.MockClock`, so ``mock_clock`` or ``autojump_clock``
together with a wider async fixture is an error.

One kernel runs at a time in a thread, so everything a test talks to must live on the
kernel the test runs on: a module's server on a kernel of its own could not answer the
test.  Hence one shared kernel for every wider scope, not one per scope.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from curio_kernel.testing import MockClock

from ._modes import Mode, claims_fixtures, is_async_fixture_function
from ._runner import KernelRunner

__all__ = ["CLOCK_FIXTURES", "STATE_KEY", "PluginState", "TestContext", "state_of"]

#: The fixtures that choose the clock of a test's own kernel: name -> autojump threshold.
CLOCK_FIXTURES = {"mock_clock": math.inf, "autojump_clock": 0.0}


class PluginState:
    """What the plugin keeps for a session: the mode, the shared kernel, the current test."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.current: TestContext | None = None
        self._shared: KernelRunner | None = None

    def shared_runner(self) -> KernelRunner:
        """The session's shared kernel (real clock), made the first time it is needed."""
        if self._shared is None:
            self._shared = KernelRunner()
        return self._shared

    def close(self) -> None:
        """Close the shared kernel, cancelling whatever still runs on it."""
        if self._shared is not None:
            shared, self._shared = self._shared, None
            shared.close()


#: Where the plugin keeps its state in the pytest configuration.
STATE_KEY = pytest.StashKey[PluginState]()


def state_of(config: pytest.Config) -> PluginState:
    """The plugin's state for *config* (set up by ``pytest_configure``)."""
    return config.stash[STATE_KEY]


def _wide_async_fixtures(item: pytest.Item) -> list[str]:
    """The async fixtures in *item*'s closure whose scope is wider than ``function``."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    wide = []
    for name, defs in info.name2fixturedefs.items():
        if any(d.scope != "function" and is_async_fixture_function(d.func) for d in defs):
            wide.append(name)
    return sorted(wide)


class TestContext:
    """The test being set up, run or torn down, and the kernel it runs on (made lazily)."""

    __test__ = False  # not a test class, whatever its name says to pytest

    def __init__(self, state: PluginState, item: pytest.Item) -> None:
        self.item = item
        self._state = state
        self.claims = claims_fixtures(item, state.mode)
        names = getattr(item, "fixturenames", ())
        self.clocks = [name for name in CLOCK_FIXTURES if name in names]
        self.wide = _wide_async_fixtures(item) if self.claims else []
        self._runner: KernelRunner | None = None
        self._own = False

    def validate(self) -> None:
        """Fail before any fixture is set up if the test asks for an impossible kernel."""
        self._check_clock(self.wide)

    def _check_clock(self, wide: list[str]) -> None:
        if len(self.clocks) > 1:
            pytest.fail(
                f"{self.item.nodeid} requests both mock_clock and autojump_clock: "
                "a kernel has one clock, request one of them",
                pytrace=False,
            )
        if self.clocks and wide:
            fixtures = ", ".join(repr(name) for name in wide)
            pytest.fail(
                f"{self.item.nodeid} requests {self.clocks[0]} but also the async fixture(s) "
                f"{fixtures} of a scope wider than function, which run on pytest-curio's "
                "shared kernel with the real clock. A mock clock needs the test's own kernel: "
                "make those fixtures function-scoped, or drop the clock fixture.",
                pytrace=False,
            )

    def runner(self) -> KernelRunner:
        """The kernel this test runs on: the shared one if it uses wider async fixtures."""
        if self._runner is None:
            self._check_clock(self.wide)
            if self.wide:
                self._runner = self._state.shared_runner()
            else:
                clock = None
                if self.clocks:
                    clock = MockClock(autojump_threshold=CLOCK_FIXTURES[self.clocks[0]])
                self._runner = KernelRunner(clock)
                self._own = True
        return self._runner

    def runner_for(self, fixturedef: pytest.FixtureDef[Any]) -> KernelRunner:
        """The kernel an async fixture of this test runs on (see the module's rule)."""
        if fixturedef.scope == "function":
            return self.runner()
        shared = self._state.shared_runner()
        if self._runner is None:
            if fixturedef.argname not in self.wide:
                self.wide = [*self.wide, fixturedef.argname]
            return self.runner()
        if self._runner is not shared:
            self._check_clock([fixturedef.argname])
            pytest.fail(
                f"{self.item.nodeid} requested the {fixturedef.scope}-scoped async fixture "
                f"{fixturedef.argname!r} after its own kernel was made (getfixturevalue?): "
                "wider async fixtures run on the shared kernel; request it as an argument",
                pytrace=False,
            )
        return shared

    def close(self) -> None:
        """Close the test's own kernel (the shared one stays for the next tests)."""
        if self._runner is not None and self._own:
            runner, self._runner = self._runner, None
            runner.close()
