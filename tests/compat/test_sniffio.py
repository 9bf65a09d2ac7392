"""sniffio and anyio in a process where the module ``curio`` (our meta-package) is imported.

sniffio asks ``curio.meta.curio_running()`` whenever a module named ``curio`` is in
``sys.modules`` and no asyncio task runs: before ``curio.meta`` existed, that import failed
with ModuleNotFoundError, in ``sniffio.current_async_library()`` and so in ``anyio.run()``.
"""

from __future__ import annotations

import subprocess
import sys

import anyio
import pytest
import sniffio

import curio
from curio_kernel import run, run_in_thread


def test_the_name_curio_is_imported() -> None:
    assert sys.modules["curio"] is curio


def test_sniffio_answers_curio_inside_our_kernel() -> None:
    async def main() -> str:
        return sniffio.current_async_library()

    assert run(main) == "curio"


def test_sniffio_finds_no_library_outside_any_loop() -> None:
    with pytest.raises(sniffio.AsyncLibraryNotFoundError):
        sniffio.current_async_library()


def test_sniffio_finds_no_library_in_a_worker_thread_of_our_kernel() -> None:
    def sniff() -> str:
        try:
            return sniffio.current_async_library()
        except sniffio.AsyncLibraryNotFoundError:
            return "none"

    async def main() -> tuple[str, str]:
        return sniffio.current_async_library(), await run_in_thread(sniff)

    assert run(main) == ("curio", "none")


def test_anyio_runs_an_asyncio_coroutine_in_a_process_that_imported_curio() -> None:
    async def main(x: int) -> tuple[int, str]:
        await anyio.sleep(0)
        return x, sniffio.current_async_library()

    assert anyio.run(main, 7, backend="asyncio") == (7, "asyncio")


def test_sniffio_and_anyio_work_in_a_fresh_interpreter_that_imported_curio() -> None:
    """The defect itself: ``curio`` imported, ``curio.meta`` not yet."""
    code = "\n".join(
        [
            "import sys, anyio, sniffio, curio",
            "try:",
            "    sniffio.current_async_library()",
            "except sniffio.AsyncLibraryNotFoundError:",
            "    pass",
            "else:",
            "    raise AssertionError('a library was found outside any loop')",
            "async def main():",
            "    return sniffio.current_async_library()",
            "assert anyio.run(main, backend='asyncio') == 'asyncio'",
            "assert curio.run(main) == 'curio'",
            "print('ok')",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
