"""A channel connection facing a hostile or broken peer, and interrupted in mid-message.

The peer here is a bare socket that sends whatever the test wants: text that is no frame,
a negative length, a frame cut short, a header announcing a gigabyte.  Each gets a
MessageError that says what was wrong, a broken framing closes the connection, and no
more memory is held than the bytes that came.  A receive interrupted in mid-message keeps
what it read, so the next receive returns the whole message; a send interrupted in
mid-message closes the connection, so the peer sees a message cut short, never a
misframed stream.  Nothing leaks.
"""

from __future__ import annotations

import pickle
import socket as std_socket
import tracemalloc
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import curio_kernel
from curio_io import Socket
from curio_kernel.testing import MockClock
from curio_net.channel import (
    AuthenticationError,
    Channel,
    ChannelClosedError,
    Connection,
    MessageError,
)
from curio_traps import ReadResourceBusy

Until = Callable[[Callable[[], bool]], Awaitable[None]]

pytestmark = pytest.mark.usefixtures("no_fd_leak")


def _against_raw_peer(
    max_message_size: int | None = 32 * 1024 * 1024,
) -> tuple[Connection, std_socket.socket]:
    """A connection, and the bare (blocking) socket at its other end."""
    ours, theirs = std_socket.socketpair()
    stream = Socket(ours).as_stream()
    return Connection(stream, stream, max_message_size=max_message_size), theirs


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", r"announced a message of 1195725856 bytes, over the limit"),
        (b"\xff\x00\x00\x00rest", r"announces -16777216 bytes: this is no message"),
        (b"\x00\x00\x00\x64" + b"x" * 10, r"ended within a message of 100 bytes \(14 bytes came\)"),
        (b"\x00\x00", r"ended within a message header \(2 bytes came\)"),
        (b"\xff\xff\xff\xff\x00\x00", r"ended within a message header \(6 bytes came\)"),
    ],
    ids=["text", "negative length", "cut short", "half a header", "half a long header"],
)
def test_a_peer_that_breaks_the_framing_gets_a_clear_error_and_the_connection_closes(
    sent: bytes, error: str
) -> None:
    async def main() -> bytes:
        conn, peer = _against_raw_peer()
        with peer:
            peer.sendall(sent)
            peer.shutdown(std_socket.SHUT_WR)
            with pytest.raises(MessageError, match=error):
                await conn.recv_bytes()
            assert conn.closed
            with pytest.raises(ChannelClosedError, match=error):
                await conn.recv()
            return peer.recv(10)  # our side closed: the peer sees the end

    assert curio_kernel.run(main) == b""


def test_an_oversized_message_is_refused_from_its_header_without_waiting_for_its_body(
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        conn, peer = _against_raw_peer()
        with peer:
            peer.sendall((2**31 - 1).to_bytes(4, "big"))  # and nothing more
            async with curio_kernel.timeout_after(5):
                with pytest.raises(MessageError, match="2147483647 bytes, over the limit of"):
                    await conn.recv_bytes()

    curio_kernel.run(main, clock=virtual_clock)


def test_a_gigabyte_announced_without_a_limit_holds_only_the_bytes_that_came() -> None:
    async def main() -> int:
        conn, peer = _against_raw_peer(max_message_size=None)
        with peer:
            peer.sendall(b"\xff\xff\xff\xff" + (2**30).to_bytes(8, "big") + b"x" * 100_000)
            peer.shutdown(std_socket.SHUT_WR)
            tracemalloc.start()
            try:
                with pytest.raises(MessageError, match="of 1073741824 bytes"):
                    await conn.recv_bytes()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            return peak

    assert curio_kernel.run(main) < 8 * 1024 * 1024


def test_a_long_form_header_with_a_small_size_is_a_message_as_multiprocessing_reads_it() -> None:
    async def main() -> bytes:
        conn, peer = _against_raw_peer()
        with peer:
            peer.sendall(b"\xff\xff\xff\xff" + (5).to_bytes(8, "big") + b"hello")
            message = await conn.recv_bytes()
        await conn.close()
        return message

    assert curio_kernel.run(main) == b"hello"


@pytest.mark.parametrize("payload", [b"not a pickle", b""], ids=["garbage", "empty"])
def test_a_message_that_does_not_unpickle_is_a_message_error_and_the_next_one_arrives(
    payload: bytes,
) -> None:
    async def main() -> object:
        conn, peer = _against_raw_peer()
        with peer:
            peer.sendall(_frame(payload) + _frame(pickle.dumps("next")))
            with pytest.raises(MessageError, match="could not be unpickled") as error:
                await conn.recv()
            assert error.value.__cause__ is not None  # pickle's own error, for the details
            assert not isinstance(error.value, EOFError)  # not mistaken for the end
            received = await conn.recv()
        await conn.close()
        return received

    assert curio_kernel.run(main) == "next"


def test_a_receive_interrupted_in_mid_message_keeps_what_it_read_for_the_next(
    virtual_clock: MockClock,
) -> None:
    message = bytes(range(256)) * 1000

    async def main() -> bytes:
        conn, peer = _against_raw_peer()
        with peer:
            framed = _frame(message)
            for part in (framed[:2], framed[2:100_000]):  # half a header, then more
                peer.sendall(part)
                with pytest.raises(curio_kernel.TaskTimeout):
                    async with curio_kernel.timeout_after(0.05):
                        await conn.recv_bytes()
            peer.sendall(framed[100_000:] + _frame(b"after"))
            received = await conn.recv_bytes()
            assert await conn.recv_bytes() == b"after"
            assert await curio_kernel.clock() == 0.1  # the two timeouts, no more
        await conn.close()
        return received

    assert curio_kernel.run(main, clock=virtual_clock) == message


def test_a_send_interrupted_in_mid_message_closes_so_the_peer_never_misreads_the_stream(
    virtual_clock: MockClock,
) -> None:
    async def main() -> str:
        a, b = std_socket.socketpair()
        a.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_SNDBUF, 4096)
        sender = Connection(Socket(a).as_stream(), Socket(a).as_stream())
        stream = Socket(b).as_stream()
        receiver = Connection(stream, stream)
        with pytest.raises(curio_kernel.TaskTimeout):
            async with curio_kernel.timeout_after(0.05):
                await sender.send_bytes(b"x" * 4_000_000)  # the receiver is not reading
        assert sender.closed
        with pytest.raises(ChannelClosedError, match="interrupted part way"):
            await sender.send("more")
        with pytest.raises(MessageError, match="ended within a message of 4000000 bytes") as e:
            await receiver.recv_bytes()
        await receiver.close()
        return str(e.value)

    curio_kernel.run(main, clock=virtual_clock)


def test_a_second_task_receiving_on_the_same_connection_is_refused() -> None:
    async def main() -> bytes:
        conn, peer = _against_raw_peer()
        with peer:
            first = await curio_kernel.spawn(conn.recv_bytes())
            await curio_kernel.sleep(0)  # one scheduling step: the first task waits now
            with pytest.raises(ReadResourceBusy, match="another task is receiving"):
                await conn.recv_bytes()
            peer.sendall(_frame(b"for the first"))
            received: bytes = await first.join()
        await conn.close()
        return received

    assert curio_kernel.run(main) == b"for the first"


# ---------------------------------------------------------------------- through a channel


def _read_to_end(sock: std_socket.socket) -> bytes:
    """Everything *sock* receives until the other end closes (within 5 s)."""
    sock.settimeout(5)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_accept_drops_peers_that_send_garbage_or_stay_silent_and_takes_the_next(
    virtual_clock: MockClock,
) -> None:
    async def main() -> object:
        async with Channel(("127.0.0.1", 0), auth_timeout=0.2) as channel:
            channel.bind()
            accepting = await curio_kernel.spawn(channel.accept(authkey=b"key"))
            garbage = std_socket.create_connection(channel.address)
            silent = std_socket.create_connection(channel.address)
            with garbage, silent:
                garbage.sendall(b"\x7f\xff\xff\xff" * 4)
                async with (
                    await Channel(channel.address).connect(authkey=b"key") as friend,
                    await accepting.join() as conn,
                ):
                    await conn.send("you made it")
                    received = await friend.recv()
                    assert await curio_kernel.clock() == 0.2  # the silent peer's auth_timeout
                assert _read_to_end(garbage).startswith(b"\x00\x00\x00;#CHALLENGE#")  # dropped
        return received

    assert curio_kernel.run(main, clock=virtual_clock) == "you made it"


def test_connect_to_a_peer_that_never_challenges_raises_authentication_error(
    virtual_clock: MockClock,
) -> None:
    async def main() -> str:
        async with Channel(("127.0.0.1", 0)) as channel:
            channel.bind()
            accepting = await curio_kernel.spawn(channel.accept())  # no key: no challenge
            with pytest.raises(AuthenticationError, match="did not complete the HMAC") as e:
                await Channel(channel.address, auth_timeout=0.1).connect(authkey=b"key")
            assert await curio_kernel.clock() == 0.1
            async with await accepting.join():
                pass
        return str(e.value)

    curio_kernel.run(main, clock=virtual_clock)


def test_accept_cancelled_during_the_challenge_closes_that_connection(
    virtual_clock: MockClock,
) -> None:
    async def main() -> None:
        async with Channel(("127.0.0.1", 0)) as channel:
            channel.bind()
            with std_socket.create_connection(channel.address) as silent:
                with pytest.raises(curio_kernel.TaskTimeout):
                    async with curio_kernel.timeout_after(0.05):
                        await channel.accept(authkey=b"key")
                # The challenge came, then the connection was closed.
                assert _read_to_end(silent).startswith(b"\x00\x00\x00;#CHALLENGE#")

    curio_kernel.run(main, clock=virtual_clock)


# ---------------------------------------------------------------------- any cut, any interruption


@settings(max_examples=40, deadline=None)
@given(
    messages=st.lists(st.binary(max_size=3000), min_size=1, max_size=6),
    long_forms=st.lists(st.booleans(), min_size=6, max_size=6),
    cuts=st.lists(st.integers(min_value=1, max_value=4000), max_size=8),
)
def test_messages_arrive_whole_however_the_bytes_are_cut_and_receives_interrupted(
    messages: list[bytes], long_forms: list[bool], cuts: list[int]
) -> None:
    """The stream is fed in pieces; a receive that a piece leaves incomplete is timed out.

    Each example runs on a fresh virtual clock (a fixture would be shared by the examples).
    """
    stream = b"".join(
        (b"\xff\xff\xff\xff" + len(m).to_bytes(8, "big") if long else len(m).to_bytes(4, "big")) + m
        for m, long in zip(messages, long_forms, strict=False)
    )
    pieces, start = [], 0
    for cut in sorted(set(cuts)):
        if start < cut < len(stream):
            pieces.append(stream[start:cut])
            start = cut
    pieces.append(stream[start:])

    async def main() -> list[bytes]:
        conn, peer = _against_raw_peer()
        received: list[bytes] = []
        with peer:
            for piece in pieces:
                peer.sendall(piece)
                while len(received) < len(messages):
                    try:
                        async with curio_kernel.timeout_after(0.005):
                            received.append(await conn.recv_bytes())
                    except curio_kernel.TaskTimeout:
                        break  # the rest of the message is in a later piece
            async with curio_kernel.timeout_after(5):
                while len(received) < len(messages):  # everything is there by now
                    received.append(await conn.recv_bytes())
        await conn.close()
        return received

    assert curio_kernel.run(main, clock=MockClock(autojump_threshold=0)) == messages
