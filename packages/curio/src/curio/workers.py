"""Threads, processes and executors for blocking work, at curio 1.x's path."""

from curio_kernel.workers import (
    run_in_executor,
    run_in_process,
    run_in_thread,
)

__all__ = [
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
]
