"""Message passing between processes, at curio 1.x's path: :mod:`curio_net.channel`."""

from curio_net.channel import (
    DEFAULT_MAX_MESSAGE_SIZE,
    AuthenticationError,
    Channel,
    ChannelClosedError,
    ChannelError,
    Connection,
    MessageError,
)

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "AuthenticationError",
    "Channel",
    "ChannelClosedError",
    "ChannelError",
    "Connection",
    "MessageError",
]
