"""An echo server with a few clients, in one program that stops by itself.

The server answers each line it receives in capitals, one task per
connection.  Three clients talk to it at the same time; one of them is slow,
and the others are not held up by it.  At the end the server shuts down
gracefully: it stops accepting, lets the last connection finish, and returns.

Run it with ``python docs/examples/echo_server.py`` wherever curio-kernel,
curio-io and curio-net are installed.  Every line it prints starts with the
time since the start, so you can see the clients interleave.
"""

from __future__ import annotations

import time
from typing import Any

from curio_io import Socket
from curio_kernel import run, sleep, spawn
from curio_net import Server, create_server, open_connection

_START = time.monotonic()


def say(message: str) -> None:
    """Print a line stamped with the seconds elapsed since the start."""
    print(f"[{time.monotonic() - _START:4.2f}s] {message}", flush=True)


async def shout_back(client: Socket, address: Any) -> None:
    """Handle one connection: answer every line in capitals until the client is done."""
    say(f"server: connection from port {address[1]}")
    stream = client.as_stream()
    async for line in stream:
        await stream.write(line.upper())
    say(f"server: port {address[1]} said goodbye")
    # The server closes the connection when this handler returns.


async def client(name: str, port: int, lines: list[str], pause: float) -> None:
    """Send *lines* one by one, *pause* seconds apart, printing each answer."""
    sock = await open_connection("127.0.0.1", port)
    stream = sock.as_stream()
    async with stream:
        for text in lines:
            await stream.write(f"{text}\n".encode())
            answer = await stream.readline()
            say(f"{name}: sent {text!r}, got {answer.decode().strip()!r}")
            await sleep(pause)


async def main() -> None:
    # Port 0: the system picks a free port; server.address tells which.
    server: Server = create_server("127.0.0.1", 0, shout_back)
    serving = await spawn(server.serve_forever)
    port = server.address[1]
    say(f"server: listening on port {port}")

    fast = await spawn(client, "fast", port, ["hello", "how are you?", "bye"], 0.05)
    chatty = await spawn(client, "chatty", port, ["one", "two", "three", "four"], 0.05)
    slow = await spawn(client, "slow", port, ["take", "your", "time"], 0.2)
    await fast.join()
    await chatty.join()

    # The slow client is still talking.  Stop accepting new connections, give the
    # open ones up to a second to finish (the slow one does), then cancel the rest.
    say("server: shutting down")
    await server.shutdown(grace_period=1.0)
    await slow.join()
    await serving.join()
    say("server: shut down")


if __name__ == "__main__":
    run(main)
