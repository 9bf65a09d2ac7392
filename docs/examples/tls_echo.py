"""The echo server behind TLS.

The certificate and key in ``tls/`` are for this example only: a self-signed certificate
for ``localhost`` and ``127.0.0.1``, which the client trusts explicitly.  A real server
uses a certificate from an authority its clients already trust.
"""

from pathlib import Path
from typing import Any

import curio
from curio import ssl
from curio.io import Socket

HERE = Path(__file__).resolve().parent
CERTFILE = HERE / "tls" / "localhost.crt"
KEYFILE = HERE / "tls" / "localhost.key"


async def echo_client(client: Socket, address: Any) -> None:
    async with client:
        while data := await client.recv(65536):
            await client.sendall(data)


def server_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile=CERTFILE, keyfile=KEYFILE)
    return context


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(CERTFILE))
    return context


async def main() -> None:
    server = curio.create_server("127.0.0.1", 0, echo_client, ssl=server_context())
    serving = await curio.spawn(server.serve_forever())
    sock = await curio.open_connection(
        "127.0.0.1", server.address[1], ssl=client_context(), server_hostname="localhost"
    )
    async with sock:
        await sock.sendall(b"secret hello")
        print("over TLS:", await sock.recv(65536))
    await serving.cancel()


if __name__ == "__main__":
    curio.run(main)
