"""pytest-curio's tests: each writes a small test suite and runs pytest on it in a subprocess.

A subprocess (``pytester.runpytest_subprocess``) rather than an inline run: the inner
session loads the plugin through its entry point as a user's would, pytest-timeout's
alarm and xdist's workers need a process of their own, and the inner session's kernels
and warnings cannot leak into this one.  Every inner run is bounded by its own timeout.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's ``pytester`` plugin, for the tests of this folder.

    Not ``pytest_plugins = ["pytester"]``: pytest refuses that in a conftest below the
    rootdir once the whole suite runs (``pytest tests``), though it passes when
    tests/pytest_curio is what was asked for.  Loaded here, the plugin's options still
    get their defaults (``pytest_addoption`` is historic), and it serves the whole run,
    which only adds fixtures nothing else requests.
    """
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


#: The inner suites' settings: the repository's own strictness, and a bound on each test.
_INI = """
[pytest]
addopts = -p no:cacheprovider --strict-markers --strict-config --import-mode=importlib
filterwarnings = error
timeout = 30
{extra}
"""

RunPytest = Callable[..., pytest.RunResult]


@pytest.fixture
def run_pytest(pytester: pytest.Pytester) -> RunPytest:
    """``run_pytest(*args, ini="curio_mode = auto")``: run pytest on the files written so far."""

    def run(*args: str, ini: str = "") -> pytest.RunResult:
        pytester.makeini(_INI.format(extra=ini))
        return pytester.runpytest_subprocess(*args, timeout=50)

    return run
