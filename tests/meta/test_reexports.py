"""The meta-package ``curio`` holds every public name of every distribution, as the same object.

A public name is one listed in the ``__all__`` of a distribution's package or of one of its
public submodules.  Each such module maps to the ``curio`` module that re-exports it
(:data:`HOME`); a distribution that adds a name fails these tests until ``curio`` has it
too (``nox -s reexports``, which runs ``.github/scripts/write_reexports.py``, rewrites the
generated modules; the top-level ``curio/__init__.py`` is edited by hand).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import curio

REPO = Path(__file__).resolve().parents[2]
CURIO_SOURCE = REPO / "packages" / "curio" / "src" / "curio"

#: Where the public names of each distribution module live in curio.  A public submodule
#: that is not listed here sends its names to its package's home.
HOME: dict[str, str] = {
    "curio_traps": "curio.traps",
    "curio_traps.errors": "curio.errors",
    "curio_traps.meta": "curio.meta",
    "curio_traps.sched": "curio.sched",
    "curio_kernel": "curio",
    "curio_kernel.activation": "curio.activation",
    "curio_kernel.cancellation": "curio.task",
    "curio_kernel.debug": "curio.debug",
    "curio_kernel.kernel": "curio.kernel",
    "curio_kernel.monitor": "curio.monitor",
    "curio_kernel.sleep": "curio.time",
    "curio_kernel.clocks": "curio.time",
    "curio_kernel.testing": "curio.testing",
    "curio_kernel.task": "curio.task",
    "curio_kernel.thread": "curio.thread",
    "curio_kernel.taskgroup": "curio.task",
    "curio_kernel.timeouts": "curio.time",
    "curio_kernel.timequeue": "curio.timequeue",
    "curio_kernel.workers": "curio.workers",
    "curio_sync": "curio",
    "curio_sync.queue": "curio.queue",
    "curio_sync.universal_queue": "curio.queue",
    "curio_io": "curio.io",
    "curio_io.file": "curio.file",
    "curio_net": "curio",
    "curio_net.channel": "curio.channel",
    "curio_net.connection": "curio.network",
    "curio_net.network": "curio.network",
    "curio_net.server": "curio.network",
    "curio_net.socket": "curio.socket",
    "curio_net.ssl": "curio.ssl",
    "curio_subprocess": "curio.subprocess",
    "curio_signal": "curio",
}

#: Names that are also at the top of ``curio`` although their home is elsewhere.
ALSO_TOP_LEVEL = {
    "curio_io.file": {"aopen", "anext"},
    "curio_traps": {
        "AsyncOnlyError",
        "ReadResourceBusy",
        "ResourceBusy",
        "SyncIOError",
        "WriteResourceBusy",
        "CancelledError",
        "CurioError",
        "TaskCancelled",
        "TaskError",
        "TaskTimeout",
        "TimeoutCancellationError",
        "UncaughtTimeoutError",
    },
}


def _distribution_packages() -> list[str]:
    """The import name of every distribution in the repository but the meta-package."""
    found = []
    for src in sorted(REPO.glob("packages/*/src/*/__init__.py")):
        name = src.parent.name
        if name not in {"curio", "pytest_curio"}:  # the meta-package; a pytest plugin
            found.append(name)
    return found


def _public_modules(package: str) -> list[types.ModuleType]:
    """A distribution's package and each of its submodules whose name has no underscore."""
    root = importlib.import_module(package)
    modules = [root]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _home(module_name: str) -> str:
    """The curio module that must re-export *module_name*'s public names."""
    name = module_name
    while name not in HOME:
        if "." not in name:
            raise AssertionError(f"{module_name} has no home in curio: add it to HOME")
        name = name.rpartition(".")[0]
    return HOME[name]


def _public_names() -> list[tuple[str, str]]:
    """Every (distribution module, public name) pair."""
    pairs: list[tuple[str, str]] = []
    for package in _distribution_packages():
        for module in _public_modules(package):
            pairs.extend((module.__name__, name) for name in getattr(module, "__all__", ()))
    return pairs


def test_every_distribution_package_has_a_home() -> None:
    packages = _distribution_packages()
    assert len(packages) == 7, packages
    assert sorted(packages) == sorted(name for name in HOME if "." not in name)


@pytest.mark.parametrize(("source", "name"), _public_names())
def test_public_name_is_in_curio_as_the_same_object(source: str, name: str) -> None:
    value = getattr(importlib.import_module(source), name)
    home = importlib.import_module(_home(source))
    if isinstance(value, types.ModuleType):
        # A public module of a distribution (curio_net.socket) has its own curio module.
        target = importlib.import_module(_home(value.__name__))
        assert getattr(home, name) is target, f"{home.__name__}.{name} is not {target.__name__}"
        return
    assert name in home.__all__, f"{source}.{name} is missing from {home.__name__}.__all__"
    assert getattr(home, name) is value, f"{home.__name__}.{name} is not {source}.{name}"


@pytest.mark.parametrize(
    ("package", "name"),
    sorted((package, name) for package, names in ALSO_TOP_LEVEL.items() for name in names),
)
def test_names_also_at_top_level(package: str, name: str) -> None:
    assert name in curio.__all__
    assert getattr(curio, name) is getattr(importlib.import_module(package), name)


def _originals() -> dict[str, dict[str, object]]:
    """For each curio module, the distribution objects it should re-export, by name."""
    by_home: dict[str, dict[str, object]] = {}
    for source, name in _public_names():
        value = getattr(importlib.import_module(source), name)
        if isinstance(value, types.ModuleType):
            value = importlib.import_module(_home(value.__name__))
        by_home.setdefault(_home(source), {})[name] = value
    for package, names in ALSO_TOP_LEVEL.items():
        module = importlib.import_module(package)
        by_home["curio"].update({name: getattr(module, name) for name in names})
    # A generated module (a curio 1.x path such as curio.sync) also holds every name of
    # the distribution modules the generator copies into it.
    for curio_module, (sources, _doc, _delegates) in _generator().MODULES.items():
        for source in sources:
            module = importlib.import_module(source)
            by_home.setdefault(f"curio.{curio_module}", {}).update(
                {name: getattr(module, name) for name in module.__all__}
            )
    return by_home


def _generator() -> types.ModuleType:
    """The script that writes the generated modules (.github/scripts/write_reexports.py)."""
    path = REPO / ".github" / "scripts" / "write_reexports.py"
    spec = importlib.util.spec_from_file_location("write_reexports", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _curio_modules() -> list[str]:
    """curio and each of its modules whose source is in the meta-package."""
    found = {f"curio.{path.stem}" for path in CURIO_SOURCE.glob("*.py")}
    return sorted({"curio"} | (found - {"curio.__init__"}))


@pytest.mark.parametrize("module_name", _curio_modules())
def test_curio_module_exports_only_distribution_objects(module_name: str) -> None:
    """No name in a curio module's __all__ is stale, misspelled, or a copy."""
    module = importlib.import_module(module_name)
    originals = _originals().get(module_name, {})
    assert len(set(module.__all__)) == len(module.__all__), "duplicates in __all__"
    for name in module.__all__:
        assert name in originals, f"{module_name}.{name} comes from no distribution's __all__"
        assert getattr(module, name) is originals[name], f"{module_name}.{name} is a copy"


@pytest.mark.parametrize("path", sorted(CURIO_SOURCE.glob("*.py")), ids=lambda p: p.name)
def test_no_star_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    stars = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    ]
    assert not stars, f"{path.name} has star imports on lines {stars}"
    assigns_all = any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for node in tree.body
    )
    assert assigns_all, f"{path.name} has no explicit __all__"


@pytest.mark.parametrize(
    "statement",
    [
        "import curio.io; import curio_io; assert curio.io.Socket is curio_io.Socket",
        "from curio import socket; import curio_net.socket as s; assert socket.socket is s.socket",
        "from curio import ssl; import curio_net.ssl as s; assert ssl.SSLContext is s.SSLContext",
        "import curio.subprocess as sp, curio_subprocess as c; assert sp.Popen is c.Popen",
        "import curio.traps as t, curio_traps; assert t._read_wait is curio_traps._read_wait",
        "import curio, curio_sync; assert curio.Lock is curio_sync.Lock",
        "import curio, curio_kernel; assert curio.run is curio_kernel.run",
    ],
)
def test_import_forms_in_a_fresh_interpreter(statement: str) -> None:
    """Each way a user imports a curio module works from a cold start."""
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=30)


def test_platform_constants_pass_through() -> None:
    """curio.socket and curio.ssl give the standard modules' other names, as curio_net does."""
    import socket as std_socket
    import ssl as std_ssl

    import curio.socket
    import curio.ssl

    extra = next(n for n in dir(std_socket) if n.isupper() and n not in curio.socket.__all__)
    assert getattr(curio.socket, extra) == getattr(std_socket, extra)
    extra = next(n for n in dir(std_ssl) if n.isupper() and n not in curio.ssl.__all__)
    assert getattr(curio.ssl, extra) == getattr(std_ssl, extra)
    with pytest.raises(AttributeError):
        _ = curio.socket.no_such_name
