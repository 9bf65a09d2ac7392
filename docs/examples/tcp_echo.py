"""An echo server and a client talking to it, in one program that stops by itself."""

from typing import Any

import curio
from curio.io import Socket


async def echo_client(client: Socket, address: Any) -> None:
    """Handle one connection: send back whatever arrives, until the client is done."""
    async with client:
        while data := await client.recv(65536):
            await client.sendall(data)


async def say(port: int, message: bytes) -> bytes:
    sock = await curio.open_connection("127.0.0.1", port)
    async with sock:
        await sock.sendall(message)
        return await sock.recv(65536)


async def main() -> None:
    # Port 0: the system picks a free port; server.address tells which.
    server = curio.create_server("127.0.0.1", 0, echo_client)
    serving = await curio.spawn(server.serve_forever())
    port = server.address[1]
    replies = [await say(port, f"hello {n}".encode()) for n in range(3)]
    print(replies)
    await serving.cancel()  # closes the listening socket and ends the handlers


if __name__ == "__main__":
    curio.run(main)
