"""curio-signal: Unix signals delivered to curio tasks through :class:`SignalSet`."""

from .signal_set import SignalSet

__all__ = ["SignalSet"]

__version__ = "0.1.0"
