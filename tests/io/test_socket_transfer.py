"""Socket moves data with every receive and send method the manual lists."""

from __future__ import annotations

import array
import pathlib
import socket

import curio_kernel
from curio_io import Socket
from curio_kernel.testing import MockClock


def _pair() -> tuple[Socket, Socket]:
    a, b = socket.socketpair()
    return Socket(a), Socket(b)


def _udp_pair() -> tuple[Socket, Socket]:
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    return Socket(a), Socket(b)


def test_wrapping_makes_the_socket_non_blocking() -> None:
    raw = socket.socket()
    raw.setblocking(True)
    sock = Socket(raw)
    assert raw.getblocking() is False
    raw.close()
    del sock


def test_recv_waits_for_data_sent_later() -> None:
    async def main() -> bytes:
        a, b = _pair()

        async def late_sender() -> None:
            await curio_kernel.sleep(0)
            await b.sendall(b"later")

        task = await curio_kernel.spawn(late_sender)
        data = await a.recv(100)
        await task.join()
        await a.close()
        await b.close()
        return data

    assert curio_kernel.run(main) == b"later"


def test_recv_returns_empty_bytes_at_end_of_stream() -> None:
    async def main() -> bytes:
        a, b = _pair()
        await b.close()
        data = await a.recv(10)
        await a.close()
        return data

    assert curio_kernel.run(main) == b""


def test_recv_into_fills_the_buffer() -> None:
    async def main() -> tuple[int, bytes]:
        a, b = _pair()
        await b.send(b"abcdef")
        buf = bytearray(10)
        n = await a.recv_into(buf)
        await a.close()
        await b.close()
        return n, bytes(buf[:n])

    assert curio_kernel.run(main) == (6, b"abcdef")


def test_recv_into_respects_nbytes() -> None:
    async def main() -> tuple[int, bytes]:
        a, b = _pair()
        await b.sendall(b"abcdef")
        buf = bytearray(10)
        n = await a.recv_into(buf, 4)
        rest = await a.recv(10)
        await a.close()
        await b.close()
        return n, bytes(buf[:n]) + b"|" + rest

    assert curio_kernel.run(main) == (4, b"abcd|ef")


def test_sendall_delivers_more_than_the_socket_buffer_holds() -> None:
    payload = bytes(range(256)) * 16384  # 4 MiB

    async def main() -> bytes:
        a, b = _pair()

        async def reader() -> bytes:
            parts: list[bytes] = []
            while True:
                chunk = await b.recv(65536)
                if not chunk:
                    return b"".join(parts)
                parts.append(chunk)

        task = await curio_kernel.spawn(reader)
        await a.sendall(payload)
        await a.close()
        received = await task.join()
        await b.close()
        return received

    assert curio_kernel.run(main) == payload


def test_sendall_accepts_any_bytes_like_object() -> None:
    async def main() -> bytes:
        a, b = _pair()
        await a.sendall(bytearray(b"ab"))
        await a.sendall(memoryview(b"xcdx")[1:3])
        await a.sendall(array.array("h", [0x4645]))
        await a.close()
        data = b""
        while chunk := await b.recv(100):
            data += chunk
        await b.close()
        return data

    assert curio_kernel.run(main) == b"abcd" + array.array("h", [0x4645]).tobytes()


def test_send_returns_the_count_sent() -> None:
    async def main() -> int:
        a, b = _pair()
        n = await a.send(b"12345")
        await a.close()
        await b.close()
        return n

    assert curio_kernel.run(main) == 5


def test_sendto_and_recvfrom_in_both_forms() -> None:
    async def main() -> list[object]:
        a, b = _udp_pair()
        b_addr = b.getsockname()
        await a.sendto(b"one", b_addr)
        await a.sendto(b"two", 0, b_addr)
        first = await b.recvfrom(100)
        buf = bytearray(10)
        n, sender = await b.recvfrom_into(buf)
        result: list[object] = [first, (bytes(buf[:n]), sender), a.getsockname()]
        await a.close()
        await b.close()
        return result

    first, second, a_addr = curio_kernel.run(main)
    assert first == (b"one", a_addr)
    assert second == (b"two", a_addr)


def test_sendmsg_and_recvmsg_carry_data_and_descriptors() -> None:
    async def main() -> tuple[bytes, bytes]:
        a, b = _pair()
        r, w = socket.socketpair()
        fds = array.array("i", [w.fileno()])
        await a.sendmsg([b"he", b"llo"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
        data, ancdata, _flags, _addr = await b.recvmsg(100, socket.CMSG_SPACE(fds.itemsize))
        received = array.array("i")
        received.frombytes(ancdata[0][2])
        passed = socket.socket(fileno=received[0])
        passed.sendall(b"through the passed descriptor")
        echoed = r.recv(100)
        for s in (passed, r, w):
            s.close()
        await a.close()
        await b.close()
        return data, echoed

    assert curio_kernel.run(main) == (b"hello", b"through the passed descriptor")


def test_recvmsg_into_fills_several_buffers() -> None:
    async def main() -> tuple[int, bytes, bytes]:
        a, b = _pair()
        await a.sendmsg([b"abcdef"])
        first, second = bytearray(2), bytearray(10)
        n, _anc, _flags, _addr = await b.recvmsg_into([first, second])
        await a.close()
        await b.close()
        return n, bytes(first), bytes(second[: n - 2])

    assert curio_kernel.run(main) == (6, b"ab", b"cdef")


def test_accept_and_connect_make_a_connection() -> None:
    async def main() -> tuple[bytes, bool]:
        listener = Socket(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = Socket(socket.socket())

        async def connector() -> None:
            await client.connect(listener.getsockname())
            await client.sendall(b"hi")

        task = await curio_kernel.spawn(connector)
        conn, addr = await listener.accept()
        await task.join()
        data = await conn.recv(10)
        same = addr == client.getsockname() and isinstance(conn, Socket)
        for s in (conn, client, listener):
            await s.close()
        return data, same

    assert curio_kernel.run(main) == (b"hi", True)


def test_connect_looks_up_a_host_name() -> None:
    async def main() -> bytes:
        listener = Socket(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = Socket(socket.socket())
        await client.connect(("localhost", listener.getsockname()[1]))
        conn, _ = await listener.accept()
        await client.sendall(b"by name")
        data = await conn.recv(10)
        for s in (conn, client, listener):
            await s.close()
        return data

    assert curio_kernel.run(main) == b"by name"


def test_connect_to_a_closed_port_is_refused() -> None:
    async def main() -> int:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()
        probe.close()  # nothing listens there now
        client = Socket(socket.socket())
        try:
            await client.connect(address)
        except ConnectionRefusedError:
            pass
        else:
            raise AssertionError("connect() to a closed port succeeded")
        other = Socket(socket.socket())
        code = await other.connect_ex(address)
        await client.close()
        await other.close()
        return code

    assert curio_kernel.run(main) != 0


def test_connect_ex_returns_zero_on_success() -> None:
    async def main() -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = Socket(socket.socket())
        code = await client.connect_ex(listener.getsockname())
        await client.close()
        listener.close()
        return code

    assert curio_kernel.run(main) == 0


def test_unix_connect_retries_while_the_backlog_is_full(
    tmp_path: pathlib.Path, virtual_clock: MockClock
) -> None:
    path = str(tmp_path / "full.sock")

    async def main() -> int:
        listener = Socket(socket.socket(socket.AF_UNIX))
        listener.bind(path)
        listener.listen(0)
        clients = [Socket(socket.socket(socket.AF_UNIX)) for _ in range(4)]

        async def connect_all() -> None:
            for client in clients:
                await client.connect(path)

        task = await curio_kernel.spawn(connect_all)
        accepted = []
        for _ in clients:
            conn, _ = await listener.accept()
            accepted.append(conn)
        await task.join()
        for s in [*accepted, *clients, listener]:
            await s.close()
        return len(accepted)

    assert curio_kernel.run(main, clock=virtual_clock) == 4
