"""The reference documents every public name of every distribution.

A public name is one in the ``__all__`` of a distribution's package or of a public submodule.
It counts as documented when the reference pages (docs/reference/*.rst) describe that very
object with an ``auto*`` directive or a ``py`` directive, when an ``automodule`` with
``:members:`` covers its module, or, for the stand-ins of the standard ``socket``, ``ssl``
and ``subprocess`` modules, when it is the standard module's own object and the page lists
those with ``.. stdlib-names::``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "docs" / "reference"

_MODULE = re.compile(r"^\.\. (?:py:)?(?:module|currentmodule):: *(\S+)")
_AUTOMODULE = re.compile(r"^\.\. automodule:: *(\S+)")
_OBJECT = re.compile(
    r"^\.\. (?:auto(?:class|function|exception|data|attribute|method)"
    r"|(?:py:)?(?:class|function|exception|data|attribute|asyncfunction)):: *([\w.]+)"
)
_STDLIB_NAMES = re.compile(r"^\.\. stdlib-names:: *(\S+) +(\S+)")


def _documented() -> tuple[set[str], set[str], dict[str, str]]:
    """Dotted names documented, modules documented whole, and stdlib-names directives."""
    names: set[str] = set()
    whole_modules: set[str] = set()
    stdlib: dict[str, str] = {}
    for page in sorted(REFERENCE.glob("*.rst")):
        module = ""
        lines = page.read_text().splitlines()
        for number, line in enumerate(lines):
            if match := _MODULE.match(line):
                module = match[1]
            elif match := _AUTOMODULE.match(line):
                following = lines[number + 1 : number + 4]
                if any(":members:" in text for text in following):
                    whole_modules.add(match[1])
            elif match := _STDLIB_NAMES.match(line):
                stdlib[match[1]] = match[2]
            elif match := _OBJECT.match(line):
                name = match[1]
                names.add(name if name.startswith("curio") else f"{module}.{name}")
    return names, whole_modules, stdlib


def _resolve(dotted: str) -> object:
    """The object *dotted* names, by attribute first (``curio_kernel.sleep`` the function,
    not the submodule of the same name), importing submodules only where needed."""
    head, *rest = dotted.split(".")
    value: object = importlib.import_module(head)
    path = head
    for attribute in rest:
        path = f"{path}.{attribute}"
        try:
            value = getattr(value, attribute)
        except AttributeError:
            try:
                value = importlib.import_module(path)
            except ImportError:
                missing = f"the reference documents {dotted}, which does not exist"
                raise AssertionError(missing) from None
    return value


def _public_names() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for init in sorted(REPO.glob("packages/*/src/*/__init__.py")):
        package = init.parent.name
        if package == "curio":
            continue  # the meta-package re-exports; its own page tabulates it
        root = importlib.import_module(package)
        modules = [root]
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                modules.append(importlib.import_module(info.name))
        for module in modules:
            pairs.extend((module.__name__, name) for name in getattr(module, "__all__", ()))
    return pairs


_NAMES, _WHOLE_MODULES, _STDLIB = _documented()
_DOCUMENTED_IDS = {id(_resolve(name)) for name in _NAMES}


def test_documented_names_exist() -> None:
    for name in _NAMES:
        _resolve(name)


@pytest.mark.parametrize(("module_name", "name"), _public_names())
def test_public_name_is_documented(module_name: str, name: str) -> None:
    value = getattr(importlib.import_module(module_name), name)
    if isinstance(value, types.ModuleType) or module_name in _WHOLE_MODULES:
        return
    if f"{module_name}.{name}" in _NAMES or id(value) in _DOCUMENTED_IDS:
        return
    stdlib = _STDLIB.get(module_name)
    if stdlib is not None and getattr(importlib.import_module(stdlib), name, None) is value:
        return
    raise AssertionError(f"{module_name}.{name} is not in docs/reference/")
