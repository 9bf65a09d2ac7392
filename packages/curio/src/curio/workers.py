"""Threads, processes and executors for blocking work, at curio 1.x's path.

This module *is* :mod:`curio_kernel.workers` once imported, so that a setting such
as ``curio.workers.MAX_WORKER_THREADS = 8`` reaches the kernel.
"""

import sys

import curio_kernel.workers as _source
from curio_kernel.workers import (
    MAX_WORKER_PROCESSES,
    MAX_WORKER_THREADS,
    block_in_thread,
    run_in_executor,
    run_in_process,
    run_in_thread,
)

__all__ = [
    "MAX_WORKER_PROCESSES",
    "MAX_WORKER_THREADS",
    "block_in_thread",
    "run_in_executor",
    "run_in_process",
    "run_in_thread",
]

sys.modules[__name__] = _source
