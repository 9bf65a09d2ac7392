"""Sphinx settings of curio's documentation (built by ``nox -s docs``, with ``-W -n``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "curio"
author = "The curio developers"
copyright = "the curio developers"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "asyncdirectives",
    "reexports",
]

root_doc = "index"
exclude_patterns = ["_build", "examples/README*"]
templates_path: list[str] = []
default_role = "py:obj"
primary_domain = "py"
highlight_language = "python3"

# Every cross-reference must resolve ...
nitpicky = True
# ... except those into the standard library and the typing machinery: its inventory needs
# the network (intersphinx), and no page of ours defines those names.
_STDLIB = (
    "builtins|typing|typing_extensions|types|collections|collections\\.abc|concurrent\\.futures"
    "|selectors|socket|ssl|subprocess|signal|io|os|inspect|enum|array|_typeshed|_socket|_ssl"
    "|contextlib|contextvars|logging|threading|asyncio|sys|queue|time"
)
nitpick_ignore_regex = [
    # Type variables of curio's generics (``Task[T]``): not objects a reader looks up.
    (r"py:.*", r"(pytest_)?curio\w*(\.\w+)*\.(T|T_co|R|Ts|P|_T|E|K)"),
    (r"py:.*", r"(T|Ts)"),
    # Private type aliases that appear in signatures (curio_io's socket address).
    (r"py:class", r"Address"),
    (r"py:.*", rf"({_STDLIB})(\..*)?"),
    # typeshed's buffer aliases and the standard names that signatures show unqualified.
    (r"py:class", r"(ReadableBuffer|WriteableBuffer|AddressFamily)"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options: dict[str, object] = {}
autoclass_content = "both"

html_theme = "alabaster"
html_title = "curio"
html_theme_options = {
    "description": "Coroutine concurrency for Python, with a typed trap protocol",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []

# Modules whose generator-based coroutines and awaitable-returning functions are
# documented as ``async`` (see _ext/asyncdirectives.py).
async_modules = [
    "curio_traps",
    "curio_kernel",
    "curio_sync",
    "curio_io",
    "curio_io.file",
    "curio_net.channel",
    "curio_net.network",
    "curio_net",
    "curio_net.socket",
    "curio_net.ssl",
    "curio_subprocess",
    "curio_signal",
]

# Where ``.. reexport-table::`` looks for the documented home of each re-exported object,
# in this order (the exceptions are documented with curio-traps, which defines them).
reexport_sources = [
    "curio_traps",
    "curio_traps.traps",
    "curio_kernel",
    "curio_kernel.clocks",
    "curio_kernel.testing",
    "curio_kernel.monitor",
    "curio_kernel.debug",
    "curio_kernel.task",
    "curio_kernel.timequeue",
    "curio_kernel.thread",
    "curio_kernel.workers",
    "curio_sync",
    "curio_io",
    "curio_io.file",
    "curio_net.channel",
    "curio_net.network",
    "curio_net",
    "curio_net.socket",
    "curio_net.ssl",
    "curio_subprocess",
    "curio_signal",
]
