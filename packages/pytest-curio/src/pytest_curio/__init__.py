"""pytest-curio: run async tests and async fixtures on curio kernels.

Installing the distribution is all it takes: pytest loads :mod:`pytest_curio.plugin`
through its ``pytest11`` entry point.  Mark a test ``@pytest.mark.curio``, or set
``curio_mode = auto``, and its ``async def`` body and async fixtures run on a curio kernel.
The fixtures it provides are :func:`~pytest_curio.fixtures.kernel`,
:func:`~pytest_curio.fixtures.mock_clock`, :func:`~pytest_curio.fixtures.autojump_clock`,
:func:`~pytest_curio.ports.unused_tcp_port` and
:func:`~pytest_curio.ports.unused_tcp_port_factory`.
"""

from ._modes import Mode
from ._runner import KernelRunner

__all__ = ["KernelRunner", "Mode"]

__version__ = "0.1.0"
