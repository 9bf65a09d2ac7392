"""Directives that list re-exported names, so the reference stays in step with the code.

``.. reexport-table:: curio`` tabulates every name of a module's ``__all__`` with a link to
where that very object is documented (the distribution that defines it).
``.. stdlib-names:: curio_net.socket socket`` lists the names a module passes on unchanged
from a standard-library module.

A docstring in a distribution's submodule may name a public object of the distribution the
way its users see it (``Kernel.run`` in ``curio_kernel.monitor``); such a reference that
does not resolve in the submodule is looked up in the distribution's package.
"""

from __future__ import annotations

import importlib
import types
from typing import Any, ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

_MISSING = object()


def _stdlib_twin(module_name: str) -> types.ModuleType | None:
    """The standard module that *module_name* stands in for, if any (socket, ssl, subprocess)."""
    twins = {"socket": "socket", "ssl": "ssl", "subprocess": "subprocess"}
    last = module_name.rpartition(".")[2].removeprefix("curio_")
    return importlib.import_module(twins[last]) if last in twins else None


def _is_from_stdlib(module_name: str, name: str, value: object) -> bool:
    twin = _stdlib_twin(module_name)
    return twin is not None and getattr(twin, name, _MISSING) is value


class ReexportTable(SphinxDirective):
    """A table: each public name of a module, and the documented object it is."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        module_name = self.arguments[0]
        module = importlib.import_module(module_name)
        sources = self.config.reexport_sources
        rows: list[tuple[str, str]] = []
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, types.ModuleType):
                rows.append((name, f"the module :mod:`{module_name}.{name}`"))
            elif _is_from_stdlib(module_name, name, value):
                twin = _stdlib_twin(module_name)
                assert twin is not None
                rows.append((name, f"``{twin.__name__}.{name}`` (standard library)"))
            else:
                rows.append((name, f":py:obj:`{self._home(name, value, sources)}`"))
        lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 70", ""]
        lines += [f"   * - ``{module_name}.``", "     - is"]
        for name, target in rows:
            lines += [f"   * - ``{name}``", f"     - {target}"]
        content = StringList(lines, source=f"<reexport-table {module_name}>")
        container = nodes.container()
        self.state.nested_parse(content, self.content_offset, container)
        return container.children

    def _home(self, name: str, value: object, sources: list[str]) -> str:
        for source in sources:
            module = importlib.import_module(source)
            if name in getattr(module, "__all__", ()) and getattr(module, name) is value:
                return f"{source}.{name}"
        raise self.error(f"{name} is in no module of reexport_sources")


class StdlibNames(SphinxDirective):
    """A paragraph of the names a module passes on unchanged from a standard module."""

    required_arguments = 2
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        module_name, stdlib_name = self.arguments
        module = importlib.import_module(module_name)
        stdlib = importlib.import_module(stdlib_name)
        names = [
            name
            for name in module.__all__
            if getattr(stdlib, name, _MISSING) is getattr(module, name)
        ]
        paragraph = nodes.paragraph()
        for index, name in enumerate(names):
            if index:
                paragraph += nodes.Text(", ")
            paragraph += nodes.literal(text=name)
        return [paragraph]


def _resolve_in_package(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Resolve ``Kernel.run`` written in ``curio_kernel.monitor`` as ``curio_kernel.Kernel.run``."""
    module = node.get("py:module")
    if node.get("refdomain") != "py" or not module or "." not in module:
        return None
    package = module.partition(".")[0]
    if not package.startswith("curio"):
        return None
    retry = node.deepcopy()
    retry["reftarget"] = f"{package}.{node['reftarget']}"
    retry["py:module"] = package
    retry["py:class"] = None
    domain = env.domains["py"]
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], retry["reftarget"], retry, contnode
    )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("reexport_sources", [], "env", types=frozenset({list, tuple}))
    app.add_directive("reexport-table", ReexportTable)
    app.add_directive("stdlib-names", StdlibNames)
    app.connect("missing-reference", _resolve_in_package)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
