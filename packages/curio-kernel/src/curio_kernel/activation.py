"""Scheduler activations: watch every task being created, run, suspended and ended.

An activation is an object the kernel calls at each step of a task's life.
It is the kernel's instrumentation interface: the debuggers of
:mod:`curio_kernel.debug` are activations, and tracing or monitoring tools
build on the same five methods.  A kernel without activations runs its
ordinary loop and pays nothing for the feature.

The order of the calls for one task: ``created``, then for each step
``running`` and ``suspended``; the last step's ``suspended`` (with trap
``None``) comes right before ``terminated``.  A task that spawns another
is suspended on its spawn trap while the new task runs its first step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kernel import Kernel
    from .task import Task

__all__ = ["Activation"]


class Activation:
    """Base class of scheduler activations; override the methods you need.

    Give instances to ``Kernel(activations=[...])`` or
    ``run(..., activations=[...])``.  The methods run inside the kernel's
    loop, so they must be quick and must not raise.
    """

    def activate(self, kernel: Kernel) -> None:
        """Called once, when *kernel* is created with this activation."""

    def created(self, task: Task[Any]) -> None:
        """Called when *task* has been made, before its first step."""

    def running(self, task: Task[Any]) -> None:
        """Called right before *task* runs a step."""

    def suspended(self, task: Task[Any], trap: object) -> None:
        """Called when *task*'s step ends on *trap* (``None`` when the task ended)."""

    def terminated(self, task: Task[Any]) -> None:
        """Called when *task* has ended; its outcome is set."""
