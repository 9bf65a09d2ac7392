"""The trap protocol and the standard kernel agree: every trap has its handler."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import curio_traps
from curio_kernel import Kernel
from curio_traps import HANDLERS, TrapHandlers
from curio_traps import traps as trap_module


def _kernel_satisfies_the_protocol(kernel: Kernel) -> TrapHandlers:
    # Checked by mypy: Kernel structurally implements every TrapHandlers method.
    return kernel


def test_every_trap_has_a_kernel_method() -> None:
    for name in HANDLERS:
        method = getattr(Kernel, name, None)
        assert callable(method), f"Kernel has no handler {name}"


def test_every_protocol_method_is_listed_in_handlers() -> None:
    protocol_methods = {
        name for name, _ in inspect.getmembers(TrapHandlers) if name.startswith("trap_")
    }
    assert protocol_methods == set(HANDLERS)


def test_handler_names_are_unique() -> None:
    assert len(set(HANDLERS)) == len(HANDLERS)


def _tags() -> dict[str, int]:
    """Every trap tag of curio_traps.traps: the upper-case int names of its __all__."""
    return {
        name: value
        for name in trap_module.__all__
        if name.isupper() and isinstance(value := getattr(trap_module, name), int)
    }


def test_tags_number_the_handlers_from_zero_without_gaps() -> None:
    assert sorted(_tags().values()) == list(range(len(HANDLERS)))


def test_each_tag_names_its_handler_and_its_trap() -> None:
    # One search for a trap's name (case aside) finds its tag, its trap function,
    # its handler in the protocol and in the kernel.
    for name, tag in _tags().items():
        assert HANDLERS[tag] == f"trap_{name.lower()}", name
        assert callable(getattr(trap_module, f"_{name.lower()}", None)), f"no trap for {name}"


def test_the_trap_protocol_page_documents_every_trap() -> None:
    page = (Path(__file__).parents[2] / "docs" / "traps.rst").read_text()
    for name in _tags():
        assert f"_{name.lower()}" in page, f"docs/traps.rst does not mention _{name.lower()}"


def test_the_manuals_traps_are_exported() -> None:
    for name in (
        "_read_wait",
        "_write_wait",
        "_future_wait",
        "_join_task",
        "_cancel_task",
        "_wait_on_queue",
        "_reschedule_tasks",
        "_sigwatch",
        "_sigunwatch",
        "_sigwait",
    ):
        assert name in curio_traps.__all__
        assert inspect.isfunction(getattr(curio_traps, name))


def test_sleep_zero_yields_the_shared_yield_trap() -> None:
    coro = curio_traps._sleep(0)
    try:
        assert coro.send(None) is curio_traps.YIELD
    finally:
        coro.close()


def test_a_trap_yields_its_tag_and_arguments() -> None:
    coro = curio_traps._sleep(1.5)
    try:
        assert coro.send(None) == (trap_module.SLEEP, 1.5)
    finally:
        coro.close()


def test_a_trap_returns_what_the_kernel_sends() -> None:
    coro = curio_traps._clock()
    assert coro.send(None) == (trap_module.CLOCK,)
    with pytest.raises(StopIteration) as info:
        coro.send(12.5)
    assert info.value.value == 12.5
