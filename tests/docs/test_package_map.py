"""The package map of the documentation (docs/packages.rst) is true to the code.

Its table must list every distribution once, with the import name of its package and
exactly the distributions its pyproject.toml depends on (curio's own, and for an
integration the package it integrates with); and no distribution but curio-kernel, the
meta-package and an integration built on the kernel's public API (pytest-curio) may import
curio_kernel.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "packages.rst"

#: Distributions that join curio to another tool: outside the meta-package, and free to use
#: the kernel's public API.
INTEGRATIONS = {"pytest-curio"}


def _table() -> dict[str, tuple[str, set[str]]]:
    """distribution -> (import name, dependencies) as the page's list-table states them."""
    text = PAGE.read_text()
    rows = re.split(r"^   \* - ", text.split(".. list-table::", 1)[1], flags=re.M)[2:]
    table: dict[str, tuple[str, set[str]]] = {}
    for row in rows:
        cells = [cell.strip() for cell in re.split(r"^     - ", row, flags=re.M)]
        distribution, import_cell, _, depends = (cell.split("\n\n")[0] for cell in cells[:4])
        import_name = re.sub(r":mod:`([^`]+)`", r"\1", import_cell).strip()
        if "nothing" in depends:
            needs: set[str] = set()
        elif "all of the above" in depends:
            needs = {"*"}
        else:
            needs = {part.strip() for part in depends.split(",")}
        table[distribution.strip()] = (import_name, needs)
    return table


def _distributions() -> dict[str, tuple[str, set[str]]]:
    found: dict[str, tuple[str, set[str]]] = {}
    for pyproject in sorted(REPO.glob("packages/*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        needs = {
            re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
            for requirement in project.get("dependencies", [])
        }
        (package,) = [path.name for path in (pyproject.parent / "src").iterdir() if path.is_dir()]
        found[project["name"]] = (package, needs)
    return found


def test_every_distribution_is_on_the_map_once() -> None:
    assert sorted(_table()) == sorted(_distributions())


@pytest.mark.parametrize("distribution", sorted(_distributions()))
def test_import_name_and_dependencies_match(distribution: str) -> None:
    import_name, needs = _table()[distribution]
    actual_import, actual_needs = _distributions()[distribution]
    assert import_name == actual_import
    if needs == {"*"}:
        assert actual_needs == set(_distributions()) - {distribution} - INTEGRATIONS
    else:
        assert needs == actual_needs


@pytest.mark.parametrize("distribution", sorted(_distributions()))
def test_only_the_kernel_imports_the_kernel(distribution: str) -> None:
    """The rule the page states: every other package reaches the kernel through the traps."""
    if distribution in {"curio-kernel", "curio"}:
        return
    package, _ = _distributions()[distribution]
    source = REPO / "packages" / distribution / "src" / package
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if distribution in INTEGRATIONS:  # the public API only
                    private = [part for part in parts[1:] if part.startswith("_")]
                    assert parts[0] != "curio_kernel" or not private, f"{path} imports {name}"
                else:
                    assert parts[0] != "curio_kernel", f"{path} imports {name}"
