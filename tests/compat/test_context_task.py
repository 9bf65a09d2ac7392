"""curio 1.x's taskcls: ContextTask carries contextvars into spawned tasks; Task subclasses."""

from __future__ import annotations

import contextvars
from collections.abc import Coroutine
from typing import Any

import pytest

from curio_kernel import ContextTask, Kernel, Task, run, sleep, spawn
from curio_sync import Event

pytestmark = pytest.mark.timeout(20)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


def test_a_spawned_task_sees_the_values_its_spawner_had_set() -> None:
    async def child() -> str:
        return request_id.get()

    async def main() -> str:
        request_id.set("r1")
        task = await spawn(child)
        return await task.join()

    assert run(main, taskcls=ContextTask) == "r1"


def test_a_child_setting_a_variable_changes_neither_its_parent_nor_its_siblings() -> None:
    async def child(name: str, both_set: Event, seen: dict[str, str]) -> None:
        request_id.set(name)
        await both_set.wait()
        seen[name] = request_id.get()

    async def main() -> tuple[str, dict[str, str]]:
        request_id.set("parent")
        both_set, seen = Event(), {}
        first = await spawn(child, "a", both_set, seen)
        second = await spawn(child, "b", both_set, seen)
        await both_set.set()
        await first.join()
        await second.join()
        return request_id.get(), seen

    assert run(main, taskcls=ContextTask) == ("parent", {"a": "a", "b": "b"})


def test_the_first_task_starts_from_the_context_of_the_code_calling_run() -> None:
    async def main() -> str:
        return request_id.get()

    def in_context() -> str:
        request_id.set("outside")
        return run(main, taskcls=ContextTask)

    assert contextvars.copy_context().run(in_context) == "outside"


def test_a_daemon_inherits_its_spawners_context_too() -> None:
    async def daemon(done: Event, seen: list[str]) -> None:
        seen.append(request_id.get())
        await done.set()

    async def main() -> list[str]:
        request_id.set("from parent")
        done, seen = Event(), []
        await spawn(daemon, done, seen, daemon=True)
        await done.wait()
        return seen

    assert run(main, taskcls=ContextTask) == ["from parent"]


def test_without_context_tasks_every_task_shares_the_threads_context() -> None:
    async def child() -> None:
        request_id.set("child")

    async def main() -> str:
        task = await spawn(child)
        await task.join()
        return request_id.get()

    assert contextvars.copy_context().run(run, main) == "child"


def test_a_task_subclass_may_extend_init_and_wrap_each_step() -> None:
    steps: list[int] = []

    class CountingTask(Task[Any]):
        def __init__(self, coro: Coroutine[Any, Any, Any], parent: Task[Any] | None = None) -> None:
            super().__init__(coro, parent)
            self.label = f"spawned by {None if parent is None else parent.id}"

        def send(self, value: Any) -> Any:
            steps.append(self.id)
            return super().send(value)

    async def child() -> str:
        await sleep(0)
        task = await current()
        return task.label  # type: ignore[attr-defined, no-any-return]

    async def current() -> Task[Any]:
        from curio_kernel import current_task

        return await current_task()

    async def main() -> str:
        task = await spawn(child)
        return await task.join()

    assert run(main, taskcls=CountingTask) == "spawned by 1"
    assert steps.count(1) >= 2
    assert steps.count(2) >= 2


def test_task_classes_cannot_be_called_directly() -> None:
    async def nothing() -> None:
        pass

    coro = nothing()
    with pytest.raises(TypeError, match="spawn"):
        Task(coro)
    with pytest.raises(TypeError, match="spawn"):
        ContextTask(coro)
    coro.close()


def test_taskcls_must_be_a_task_class() -> None:
    with pytest.raises(TypeError, match="taskcls"):
        Kernel(taskcls=object)  # type: ignore[arg-type]
