"""The pytest plugin: the hooks that hand curio tests and fixtures to a kernel.

pytest loads this module through the ``pytest11`` entry point ``curio``, so
``-p no:curio`` turns the plugin off.  The hooks, in the order a test meets them:
``pytest_runtest_setup`` records the test (a private ``TestContext``),
``pytest_fixture_setup`` runs its async fixtures, ``pytest_pyfunc_call`` its body, and
``pytest_runtest_teardown`` closes the test's own kernel after the last teardown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import Any

import pytest

from ._context import STATE_KEY, PluginState, TestContext, state_of
from ._modes import (
    _ORIGINAL,
    Mode,
    async_test_function,
    is_async_fixture_function,
    is_curio_test,
    is_foreign_test,
    unclaimed_hint,
)
from ._runner import KernelRunner
from .fixtures import autojump_clock, kernel, mock_clock
from .ports import unused_tcp_port, unused_tcp_port_factory

__all__ = [
    "autojump_clock",
    "kernel",
    "mock_clock",
    "pytest_addoption",
    "pytest_configure",
    "pytest_fixture_setup",
    "pytest_pyfunc_call",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_sessionfinish",
    "unused_tcp_port",
    "unused_tcp_port_factory",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``curio_mode`` ini option and ``--curio-mode``, which overrides it."""
    parser.addini(
        "curio_mode",
        "pytest-curio: 'strict' runs tests marked curio, 'auto' every async test",
        default="strict",
    )
    group = parser.getgroup("curio", "pytest-curio")
    group.addoption(
        "--curio-mode",
        choices=[mode.value for mode in Mode],
        default=None,
        help="which async tests pytest-curio runs (overrides the curio_mode ini option)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``curio`` marker and set up the plugin's state for the session."""
    config.addinivalue_line(
        "markers", "curio: run this async test and its async fixtures on a curio kernel"
    )
    option = config.getoption("curio_mode", None)
    config.stash[STATE_KEY] = PluginState(Mode.parse(option or str(config.getini("curio_mode"))))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the shared kernel once every fixture has been torn down."""
    if STATE_KEY in session.config.stash:
        state_of(session.config).close()


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Record the test about to be set up: its async fixtures need to know its kernel.

    An impossible combination (a mock clock with a wider async fixture) fails here,
    before any fixture runs, so no fixture caches the error for the tests after.  The
    innermost wrapper, so that the other plugins' wrappers (logging, capture) still run.
    """
    state = state_of(item.config)
    state.current = TestContext(state, item)
    state.current.validate()
    return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """After the test's teardown, close its own kernel and forget the test."""
    state = state_of(item.config)
    try:
        return (yield)
    finally:
        context, state.current = state.current, None
        if context is not None:
            context.close()


def _bind(func: Callable[..., Any], request: pytest.FixtureRequest) -> Callable[..., Any]:
    """A fixture defined in a test class, bound to the instance the test runs on."""
    instance = request.instance
    self = getattr(func, "__self__", None)
    if instance is not None and self is not None and isinstance(instance, type(self)):
        return func.__func__.__get__(instance)  # type: ignore[attr-defined, no-any-return]
    return func


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    """Run an async fixture of a curio test on the test's kernel; leave any other alone.

    pytest's own setup calls ``fixturedef.func`` (and caches its value or exception);
    for the time of the call it is a sync function that runs the async one on the kernel.
    """
    original = fixturedef.func
    context = state_of(request.config).current
    if (
        not is_async_fixture_function(original)
        or context is None
        or not (context.claims or _unclaimed_async(context))
    ):
        return (yield)
    name = f"fixture {fixturedef.argname!r}"

    def run_fixture(**kwargs: Any) -> Any:
        if not context.claims:
            pytest.fail(unclaimed_hint(context.item), pytrace=False)
        runner = context.runner_for(fixturedef)
        return _setup(runner, _bind(original, request), kwargs, name, request)

    fixturedef.func = run_fixture  # type: ignore[misc]
    try:
        return (yield)
    finally:
        fixturedef.func = original  # type: ignore[misc]


def _setup(
    runner: KernelRunner,
    func: Callable[..., Any],
    kwargs: dict[str, Any],
    name: str,
    request: pytest.FixtureRequest,
) -> Any:
    """Run a fixture function up to its value; schedule an async generator's teardown."""
    result = func(**kwargs)
    if not hasattr(result, "__anext__"):
        return runner.run_step(result, name)
    started = False

    async def first() -> Any:
        nonlocal started
        try:
            value = await result.__anext__()
        except StopAsyncIteration:
            raise ValueError(f"{name} did not yield a value") from None
        started = True
        return value

    try:
        return runner.run_step(first(), name)
    finally:
        if started:
            request.addfinalizer(functools.partial(runner.teardown_generator, result, name))


def _unclaimed_async(context: TestContext) -> bool:
    """Whether nothing will run the async test of *context* (so it deserves the hint)."""
    item = context.item
    return async_test_function(getattr(item, "obj", None)) is not None and not is_foreign_test(item)


def _test_name(item: pytest.Item) -> str:
    return f"test {item.name}"


def _hypothesis_runner(state: PluginState, original: Callable[..., Any]) -> Callable[..., None]:
    """The sync function hypothesis calls for each example: one run of *original*."""

    @functools.wraps(original)
    def run_example(*args: Any, **kwargs: Any) -> None:
        context = state.current
        if context is None:
            raise RuntimeError(f"{original.__qualname__} ran outside of its pytest test")
        context.runner().run_test(original(*args, **kwargs), _test_name(context.item))

    setattr(run_example, _ORIGINAL, original)
    return run_example


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a curio test's body on its kernel; fail an async test no plugin runs, with a hint."""
    original = async_test_function(pyfuncitem.obj)
    if original is None:
        return None
    state = state_of(pyfuncitem.config)
    if not is_curio_test(pyfuncitem, state.mode):
        if is_foreign_test(pyfuncitem):
            return None
        pytest.fail(unclaimed_hint(pyfuncitem), pytrace=False)
    context = state.current
    assert context is not None, "pytest_runtest_setup records every test"
    funcargs = pyfuncitem.funcargs
    testargs = {arg: funcargs[arg] for arg in pyfuncitem._fixtureinfo.argnames}
    name = _test_name(pyfuncitem)
    hypothesis = getattr(pyfuncitem.obj, "hypothesis", None)
    if hypothesis is not None and original is not pyfuncitem.obj:
        if not hasattr(hypothesis.inner_test, _ORIGINAL):
            hypothesis.inner_test = _hypothesis_runner(state, original)
        pyfuncitem.obj(**testargs)
    else:
        context.runner().run_test(pyfuncitem.obj(**testargs), name)
    return True
