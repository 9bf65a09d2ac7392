"""An echo server and a client, on a loopback port the system picks."""

from __future__ import annotations

from typing import Any, assert_type

import curio
from curio import socket
from curio.io import Socket, Stream


async def echo_client(client: Socket, address: Any) -> None:
    async with client:
        while data := await client.recv(1024):
            await client.sendall(data)


async def talk(port: int, message: bytes) -> bytes:
    sock = await curio.open_connection("127.0.0.1", port)
    assert_type(sock, Socket)
    async with sock:
        await sock.sendall(message)
        sock.shutdown(socket.SHUT_WR)
        reader, writer = sock.make_streams()
        assert_type(reader, Stream)
        await writer.close()
        reply = await reader.readall()
        await reader.close()
        return reply


async def main() -> bytes:
    server = curio.create_server("127.0.0.1", 0, echo_client)
    assert_type(server, curio.Server)
    serving = await curio.spawn(server.serve_forever())
    _host, port = server.address
    reply = await talk(port, b"ping")
    await serving.cancel()
    return reply


if __name__ == "__main__":
    print(curio.run(main))
