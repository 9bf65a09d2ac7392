"""curio_kernel imports its own modules without a cycle; the monitor never needs the kernel.

The graph is read from the source: an edge for each ``import`` of a module of the package
that runs at some point, at module level or inside a function (``Kernel.run`` imports the
monitor when it first needs one).  Imports under ``if TYPE_CHECKING:`` never run and are left
out.  Importing a submodule also imports its parent packages; those implicit edges are left
out too, as Python finds a parent package already in ``sys.modules`` by then.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "packages" / "curio-kernel" / "src"
PACKAGE = "curio_kernel"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {
    _module_name(path): path for path in sorted((SOURCE / PACKAGE).rglob("*.py"))
}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under *node*, but those in the body of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        runs = (
            child.orelse if isinstance(child, ast.If) and _is_type_checking(child.test) else [child]
        )
        for statement in runs:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                yield statement
            yield from _run_time_imports(statement)


def _imported(module: str, statement: ast.Import | ast.ImportFrom) -> set[str]:
    """The modules of the package that *statement*, written in *module*, imports."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names} & MODULES.keys()
    base = statement.module or ""
    if statement.level:
        parts = module.split(".")
        if MODULES[module].name != "__init__.py":
            parts = parts[:-1]  # a module's relative imports start from its package
        parts = parts[: len(parts) - statement.level + 1]
        base = ".".join([*parts, base] if base else parts)
    # ``from . import task`` imports the module task; ``from .task import spawn`` the module
    # that defines spawn.
    found = set()
    for alias in statement.names:
        submodule = f"{base}.{alias.name}"
        found.add(submodule if submodule in MODULES else base)
    return found & MODULES.keys()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges: set[str] = set()
        for statement in _run_time_imports(tree):
            edges |= _imported(module, statement)
        graph[module] = edges - {module}
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of *graph* as a list of modules (the first one repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            if (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        if (cycle := visit(module)) is not None:
            return cycle
    return None


def test_the_graph_is_read_from_every_module_of_the_package() -> None:
    graph = _graph()
    assert {"curio_kernel", "curio_kernel.kernel", "curio_kernel.monitor"} <= set(graph)
    assert "curio_kernel.monitor._monitor" in graph["curio_kernel.monitor"]
    # The lazy import inside Kernel.run is an edge; the TYPE_CHECKING ones are not.
    assert "curio_kernel.monitor" in graph["curio_kernel.kernel"]
    assert "curio_kernel.task" in graph["curio_kernel.monitor._monitor"]
    assert "curio_kernel.kernel" not in graph["curio_kernel.monitor._monitor"]


def test_the_package_internal_import_graph_has_no_cycle() -> None:
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_is_found_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    "module", sorted(name for name in MODULES if name.startswith("curio_kernel.monitor"))
)
def test_no_monitor_module_imports_the_kernel_at_run_time(module: str) -> None:
    graph = _graph()
    assert "curio_kernel.kernel" not in graph[module]
    assert "curio_kernel" not in graph[module], f"{module} imports the package curio_kernel"


@pytest.mark.parametrize("module", sorted(name for name in MODULES if "__main__" not in name))
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Whatever module a program imports first, the package finishes importing."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_the_kernel_still_finds_attach_monitor_where_it_imports_it() -> None:
    from curio_kernel.monitor import attach_monitor
    from curio_kernel.monitor._monitor import attach_monitor as defined

    assert attach_monitor is defined
