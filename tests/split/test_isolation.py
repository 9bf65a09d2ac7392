"""The split environment holds curio-traps, curio-kernel and curio-sync and nothing else.

Run by ``nox -s split`` only (see conftest.py): the three distributions come from the
built wheels, and the rest of curio must be absent, so code written against
``curio_kernel`` and ``curio_sync`` is proven not to need it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

PRESENT = {"curio-traps": "curio_traps", "curio-kernel": "curio_kernel", "curio-sync": "curio_sync"}
ABSENT = {
    "curio-io": "curio_io",
    "curio-net": "curio_net",
    "curio-subprocess": "curio_subprocess",
    "curio-signal": "curio_signal",
    "curio": "curio",
}
#: What each present distribution may depend on, from the architecture's map.
ALLOWED_DEPENDENCIES = {
    "curio-traps": set(),
    "curio-kernel": {"curio-traps"},
    "curio-sync": {"curio-traps"},
}
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("import_name", sorted(ABSENT.values()))
def test_other_packages_are_not_importable(import_name: str) -> None:
    assert importlib.util.find_spec(import_name) is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(import_name)


@pytest.mark.parametrize("distribution", sorted(ABSENT))
def test_other_distributions_are_not_installed(distribution: str) -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution(distribution)


@pytest.mark.parametrize("distribution", sorted(PRESENT))
def test_present_distributions_come_from_wheels(distribution: str) -> None:
    dist = importlib.metadata.distribution(distribution)
    # A wheel from --find-links leaves no direct_url.json; a path or editable install does.
    assert dist.read_text("direct_url.json") is None
    assert dist.read_text("WHEEL") is not None
    module = importlib.import_module(PRESENT[distribution])
    assert module.__file__ is not None
    source = Path(module.__file__).resolve()
    assert source.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
    assert not source.is_relative_to(REPO / "packages")
    assert (source.parent / "py.typed").is_file()
    assert module.__version__ == dist.version


@pytest.mark.parametrize("distribution", sorted(PRESENT))
def test_dependencies_follow_the_architecture_map(distribution: str) -> None:
    requires = importlib.metadata.requires(distribution) or []
    names = {
        req.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for req in requires
    }
    assert names == ALLOWED_DEPENDENCIES[distribution]


def _imported_modules(package_dir: Path) -> set[str]:
    """Every absolute module name imported anywhere in a package's source."""
    found: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return found


def test_curio_sync_source_never_imports_the_kernel() -> None:
    import curio_sync

    assert curio_sync.__file__ is not None
    imported = _imported_modules(Path(curio_sync.__file__).parent)
    assert not {name for name in imported if name.split(".")[0] == "curio_kernel"}
    assert {name.split(".")[0] for name in imported if name.startswith("curio")} == {"curio_traps"}


def test_importing_curio_sync_does_not_load_the_kernel() -> None:
    code = "import sys, curio_sync; print(sorted(m for m in sys.modules if m.startswith('curio')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    loaded = {name.split(".")[0] for name in ast.literal_eval(out)}
    assert loaded == {"curio_sync", "curio_traps"}
