"""The monitor: look inside a running kernel, from its terminal or from another one.

``Kernel(with_monitor=True)`` (or ``run(..., with_monitor=True)``) attaches a
:class:`Monitor` when the kernel first runs.  Ctrl-C then opens a console on
the terminal instead of ending the program: ``ps`` lists the tasks, ``where``
shows one's stack, ``cancel`` cancels one, ``signal`` sends a signal,
``continue`` leaves the console and ``quit`` stops the kernel.  The other
tasks keep running while the console is open.  A second Ctrl-C, or the end
of input, ends the program with ``KeyboardInterrupt`` as if there were no
monitor.

The same console is served to other terminals when the environment variable
``CURIO_MONITOR`` names where to listen: ``1`` for ``127.0.0.1:48802``, a
``host:port`` (loopback addresses only; port 0 picks a free one) or the path
of a Unix socket.  The monitor prints the address it listens on to standard
error; the command ``curio-monitor ADDRESS`` (also ``python -m curio.monitor``
or ``python -m curio_kernel.monitor``) connects to it.  Any local user can
connect to a TCP port; on a shared machine, prefer a Unix socket, which only
its owner may use.
"""

# The parts, one concept a module; none imports curio_kernel.kernel but for type checking:
#   _monitor   the Monitor of one kernel: Ctrl-C, the remote console's server, attach_monitor
#   _commands  the console's commands (ps, where, cancel, signal, ...) against a kernel
#   _console   a console session over the terminal or a socket
#   _address   monitor addresses: parsing, CURIO_MONITOR, listening (loopback only), connecting
#   _client    the blocking client of ``python -m curio.monitor`` and ``curio-monitor``

from ._address import DEFAULT_ADDRESS, MONITOR_ENV
from ._client import main
from ._monitor import Monitor, attach_monitor

__all__ = ["DEFAULT_ADDRESS", "MONITOR_ENV", "Monitor", "attach_monitor", "main"]
