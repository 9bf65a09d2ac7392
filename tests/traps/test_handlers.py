"""The trap protocol and the standard kernel agree: every trap has its handler."""

from __future__ import annotations

import inspect

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


def test_tags_index_their_handlers() -> None:
    tags = {
        "READ_WAIT": "trap_read_wait",
        "WRITE_WAIT": "trap_write_wait",
        "FUTURE_WAIT": "trap_future_wait",
        "JOIN_TASK": "trap_join_task",
        "CANCEL_TASK": "trap_cancel_task",
        "WAIT_ON_QUEUE": "trap_wait_on_queue",
        "RESCHEDULE_TASKS": "trap_reschedule_tasks",
        "SIGWATCH": "trap_sigwatch",
        "SIGUNWATCH": "trap_sigunwatch",
        "SIGWAIT": "trap_sigwait",
        "SLEEP": "trap_sleep",
        "SPAWN": "trap_spawn",
        "CURRENT_TASK": "trap_current_task",
        "SET_TIMEOUT": "trap_set_timeout",
        "UNSET_TIMEOUT": "trap_unset_timeout",
        "CLOCK": "trap_clock",
        "RUN_IN_THREAD": "trap_run_in_thread",
        "IO_RELEASE": "trap_io_release",
    }
    for tag, handler in tags.items():
        assert HANDLERS[getattr(trap_module, tag)] == handler
    assert len(tags) == len(HANDLERS)


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
