"""``.. asyncfunction::`` and ``.. asyncmethod::``: the manual's directives for coroutines.

Each is Sphinx's own ``py:function`` / ``py:method`` with the ``:async:`` flag already set,
so the object is described as ``async`` and is found by the usual ``:func:`` and ``:meth:``
roles.  Both work with and without the ``py:`` prefix.

autodoc shows ``async`` only for ``async def`` functions.  For speed, some of curio's
awaitables are generator-based coroutines (``@types.coroutine``: ``spawn``, the traps) or
plain functions annotated to return an ``Awaitable`` or a ``Coroutine`` (``sleep``).  The
modules named by the ``async_modules`` setting are searched for such public callables, and
each is documented as ``async`` too, with the type its ``await`` gives as the return
annotation.
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import typing
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.domains.python import PyFunction, PyMethod
from sphinx.errors import ConfigError
from sphinx.util.typing import ExtensionMetadata, stringify_annotation

#: The ids of the callables marked as coroutine functions (for the signature hook).
_AWAITABLES: set[int] = set()


class AsyncFunction(PyFunction):
    """A module-level coroutine function."""

    def run(self) -> list[Any]:
        self.options["async"] = None  # a set flag option holds None
        self.name = "py:function"  # index and cross-reference it as a function
        return super().run()


class AsyncMethod(PyMethod):
    """A coroutine method of a class."""

    def run(self) -> list[Any]:
        self.options["async"] = None
        self.name = "py:method"
        return super().run()


def _must_be_awaited(func: object) -> bool:
    """A plain function whose call is awaited: a ``types.coroutine``, or ``-> Awaitable[T]``."""
    if not inspect.isfunction(func) or inspect.iscoroutinefunction(func):
        return False
    if func.__code__.co_flags & inspect.CO_ITERABLE_COROUTINE:
        return True
    try:
        result = typing.get_type_hints(func).get("return")
    except Exception:  # an annotation that does not evaluate: leave the function alone
        return False
    return typing.get_origin(result) in (collections.abc.Awaitable, collections.abc.Coroutine)


def _mark_awaitables(app: Sphinx, config: Config) -> None:
    for module_name in config.async_modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(f"async_modules: cannot import {module_name}: {exc}") from exc
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            candidates = [value]
            if inspect.isclass(value):
                candidates = [getattr(value, attr, None) for attr in vars(value)]
            for func in candidates:
                if _must_be_awaited(func):
                    inspect.markcoroutinefunction(func)  # autodoc then writes ``:async:``
                    _AWAITABLES.add(id(func))


def _awaited(annotation: Any) -> Any:
    """What ``await`` gives for an awaitable annotated *annotation*."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (collections.abc.Generator, collections.abc.Coroutine) and len(args) == 3:
        return args[2]
    if origin is collections.abc.Awaitable and len(args) == 1:
        return args[0]
    return annotation


def _signature(
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    if id(obj) not in _AWAITABLES or signature is None:
        return None
    try:
        result = typing.get_type_hints(obj).get("return")
    except Exception:  # runtime objects without evaluable hints (spawn): keep the signature
        return None
    if result is None:
        return None
    return signature, stringify_annotation(_awaited(result), "smart")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_directive_to_domain("py", "asyncfunction", AsyncFunction)
    app.add_directive_to_domain("py", "asyncmethod", AsyncMethod)
    app.add_config_value("async_modules", [], "env", types=frozenset({list, tuple}))
    app.connect("config-inited", _mark_awaitables)
    app.connect("autodoc-process-signature", _signature)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
