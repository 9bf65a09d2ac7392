"""``python -m curio.monitor [ADDRESS]``: the console of a running curio program's monitor.

The program runs with ``with_monitor=True`` and ``CURIO_MONITOR`` set to the
address to listen on (see :mod:`curio_kernel.monitor`); this connects the
terminal to it.  The ``curio-monitor`` command does the same.
"""

from __future__ import annotations

from curio_kernel.monitor import DEFAULT_ADDRESS, MONITOR_ENV, Monitor, attach_monitor, main

__all__ = ["DEFAULT_ADDRESS", "MONITOR_ENV", "Monitor", "attach_monitor", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
