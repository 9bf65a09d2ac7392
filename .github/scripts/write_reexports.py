"""Write the re-export modules of the meta-package from the distributions' ``__all__``.

Run ``nox -s reexports`` (or ``python .github/scripts/write_reexports.py`` where every
distribution and ruff are installed) after a distribution adds or removes a public name;
``tests/meta/test_reexports.py`` fails until the meta-package is in step.  Each
module it writes imports every name explicitly (no star imports, which strict type
checkers refuse) and lists them in an explicit ``__all__``.  ``curio/__init__.py`` is
written by hand, since it gathers several distributions under one namespace.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "packages" / "curio" / "src" / "curio"

#: curio module -> (distribution modules, docstring, whether the first source's module
#: ``__getattr__`` serves further names that the re-export must pass on).
#: A module in ALIASES replaces itself with its one source in ``sys.modules``: the names are
#: still written out for type checkers, but assignments (settings) reach the source.
MODULES: dict[str, tuple[tuple[str, ...], str, bool]] = {
    # curio 1.x's module paths: each holds the very objects of the modules it names.
    "activation": (
        ("curio_kernel.activation",),
        "curio 1.x's path of scheduler activations: :mod:`curio_kernel.activation`.",
        False,
    ),
    "debug": (
        ("curio_kernel.debug",),
        "curio 1.x's debuggers (``run(..., debug=schedtrace)``): :mod:`curio_kernel.debug`.",
        False,
    ),
    "errors": (
        ("curio_traps.errors", "curio_sync.errors"),
        "curio's exceptions, at curio 1.x's path: :mod:`curio_traps.errors` and more.",
        False,
    ),
    "kernel": (
        ("curio_kernel.kernel", "curio_kernel.activation"),
        "The kernel at curio 1.x's path: :class:`curio_kernel.Kernel`, :func:`curio_kernel.run`.",
        False,
    ),
    "channel": (
        ("curio_net.channel",),
        "Message passing between processes, at curio 1.x's path: :mod:`curio_net.channel`.",
        False,
    ),
    "file": (
        ("curio_io.file",),
        "Asynchronous files, at curio 1.x's path: :mod:`curio_io.file`.",
        False,
    ),
    "network": (
        ("curio_net.connection", "curio_net.server", "curio_net.network"),
        "Connections and servers, at curio 1.x's path: the names of :mod:`curio_net`.",
        False,
    ),
    "queue": (
        ("curio_sync.queue", "curio_sync.universal_queue"),
        "Queues, at curio 1.x's path: :mod:`curio_sync.queue`.",
        False,
    ),
    "sched": (
        ("curio_traps.sched",),
        "curio 1.x's scheduling primitives for custom synchronization: :mod:`curio_traps.sched`.",
        False,
    ),
    "sync": (
        ("curio_sync",),
        "Synchronization primitives, at curio 1.x's path: the names of :mod:`curio_sync`.",
        False,
    ),
    "task": (
        ("curio_kernel.task", "curio_kernel.taskgroup", "curio_kernel.cancellation"),
        "Tasks, task groups and cancellation control, at curio 1.x's path.",
        False,
    ),
    "thread": (
        ("curio_kernel.thread",),
        "Asynchronous threads, at curio 1.x's path: :mod:`curio_kernel.thread`.",
        False,
    ),
    "testing": (
        ("curio_kernel.testing",),
        "Virtual time and idle waits for tests: :mod:`curio_kernel.testing`.",
        False,
    ),
    "time": (
        ("curio_kernel.sleep", "curio_kernel.timeouts", "curio_kernel.clocks"),
        "Sleeping, the clock and timeouts, at curio 1.x's path.",
        False,
    ),
    "timequeue": (
        ("curio_kernel.timequeue",),
        "curio 1.x's path of :class:`curio_kernel.timequeue.TimeQueue`.",
        False,
    ),
    "workers": (
        ("curio_kernel.workers",),
        (
            "Threads, processes and executors for blocking work, at curio 1.x's path.\n\n"
            "This module *is* :mod:`curio_kernel.workers` once imported, so that a setting such\n"
            "as ``curio.workers.MAX_WORKER_THREADS = 8`` reaches the kernel."
        ),
        False,
    ),
    "io": (
        ("curio_io",),
        "Sockets and streams for curio tasks: the names of :mod:`curio_io`, under ``curio.io``.",
        False,
    ),
    "meta": (
        ("curio_traps.meta",),
        (
            "curio 1.x's metaprogramming module: :mod:`curio_traps.meta`.\n\n"
            "``curio_running()`` answers whether a curio kernel runs in the calling thread;\n"
            "sniffio imports it from here whenever a module named ``curio`` is loaded."
        ),
        False,
    ),
    "socket": (
        ("curio_net.socket",),
        (
            "curio's stand-in for the standard :mod:`socket` module: :mod:`curio_net.socket`.\n\n"
            "Sockets it makes are :class:`curio.io.Socket` objects and the name-service\n"
            "functions are coroutines.  Constants that only some platforms define come from\n"
            "the standard module on first use, as in :mod:`curio_net.socket`."
        ),
        True,
    ),
    "ssl": (
        ("curio_net.ssl",),
        (
            "curio's stand-in for the standard :mod:`ssl` module: :mod:`curio_net.ssl`.\n\n"
            "Wrapping a socket gives a :class:`curio.io.Socket` whose handshake does not\n"
            "block the kernel.  The standard module's other names come from it on first use."
        ),
        True,
    ),
    "subprocess": (
        ("curio_subprocess",),
        (
            "Child processes for curio tasks: the names of :mod:`curio_subprocess`.\n\n"
            "``curio.subprocess.run`` is the coroutine that runs a command; it is not\n"
            ":func:`curio.run`, which runs a kernel."
        ),
        False,
    ),
    "traps": (
        ("curio_traps", "curio_traps.traps", "curio_traps.sched"),
        (
            "The trap protocol, for people writing primitives or a kernel: :mod:`curio_traps`.\n\n"
            "Application code rarely needs these; see the trap protocol page of the docs."
        ),
        False,
    ),
}


#: The curio modules that are their source module at run time (module-level settings).
ALIASES = frozenset({"workers"})


def render(name: str) -> str:
    """The source text of ``curio.<name>``."""
    sources, doc, delegates = MODULES[name]
    source = sources[0]
    lines = [f'"""{doc}\n"""', ""]
    if delegates:
        lines += ["from typing import Any", ""]
    if delegates or name in ALIASES:
        lines += ["import sys", ""] if name in ALIASES else []
        lines += [f"import {source} as _source"]
    seen: set[str] = set()
    for module_name in sources:
        module = importlib.import_module(module_name)
        names = [n for n in module.__all__ if n not in seen]
        seen.update(names)
        if names:
            lines += [f"from {module_name} import ("]
            lines += [f"    {n}," for n in sorted(names, key=_isort_key)]
            lines += [")"]
    lines += ["", "__all__ = ["]
    lines += [f'    "{n}",' for n in sorted(seen, key=_isort_key)]
    lines += ["]"]
    if delegates:
        lines += [
            "",
            "",
            "def __getattr__(name: str) -> Any:",
            f'    """The other names of :mod:`{source}` (platform-specific constants)."""',
            "    return getattr(_source, name)",
            "",
            "",
            "def __dir__() -> list[str]:",
            "    return dir(_source)",
        ]
    if name in ALIASES:
        lines += ["", "sys.modules[__name__] = _source"]
    return "\n".join(lines) + "\n"


def _isort_key(name: str) -> tuple[int, str]:
    """Ruff's isort order: CONSTANTS, then Classes, then functions (case-sensitive)."""
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def main() -> None:
    paths = []
    for name in MODULES:
        path = TARGET / f"{name}.py"
        path.write_text(render(name))
        paths.append(str(path))
        print(f"wrote {path.relative_to(ROOT)}")
    # The project's own style: sorted imports, formatted source.
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", *paths], check=True)
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *paths], check=True)


if __name__ == "__main__":
    main()
