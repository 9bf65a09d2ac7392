"""A curio Channel talks to the standard library's multiprocessing.connection, both ways.

The peer is a real ``multiprocessing.connection.Client`` or ``Listener`` in a thread: the
framing and the HMAC challenge are the ones the running Python speaks (HMAC-MD5 with a
20-byte nonce up to 3.11, a named digest from 3.12 on).  With the right authkey messages
pass in both directions; with a wrong one each side refuses.  The challenge functions
are also checked against both generations of the protocol directly, whichever Python
runs the tests.

Real time on purpose: the peer answers from a thread or another program, outside the
kernel, within the channel's authentication timeout.
"""

from __future__ import annotations

import hmac
import multiprocessing
import multiprocessing.connection as mpc
import queue
import socket as std_socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import curio_kernel
from curio_net import _challenge
from curio_net.channel import AuthenticationError, Channel, Connection

pytestmark = pytest.mark.usefixtures("no_fd_leak", "no_thread_leak")


class _Peer:
    """A function run in a thread; ``result()`` is what it returned, or raises what it raised."""

    def __init__(self, target: Callable[[], Any]) -> None:
        self._outcome: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(target,))
        self._thread.start()

    def _run(self, target: Callable[[], Any]) -> None:
        try:
            self._outcome.put((True, target()))
        except BaseException as exc:
            self._outcome.put((False, exc))

    async def result(self) -> Any:
        ok, value = await curio_kernel.run_in_thread(self._outcome.get, True, 10)
        await curio_kernel.run_in_thread(self._thread.join, 10)
        if not ok:
            raise value
        return value


def _refusal(call: Callable[[], Any]) -> str:
    """Run *call*, which must fail with multiprocessing's AuthenticationError; describe it.

    Only the description leaves the thread: the exception's traceback would keep the
    connection that multiprocessing made (and never closes on failure) alive.
    """
    try:
        result = call()
    except multiprocessing.AuthenticationError as exc:
        return f"{type(exc).__name__}: {exc}"
    result.close()
    return "accepted"


@pytest.fixture
def listener() -> Iterator[Callable[..., mpc.Listener]]:
    """``listener(authkey)``: a multiprocessing Listener on loopback port 0, closed after."""
    made: list[mpc.Listener] = []

    def make(authkey: bytes | None = None) -> mpc.Listener:
        made.append(mpc.Listener(("127.0.0.1", 0), authkey=authkey))
        return made[-1]

    yield make
    for item in made:
        item.close()


@pytest.mark.parametrize("authkey", [None, b"shared secret"], ids=["no key", "authkey"])
def test_a_multiprocessing_client_talks_to_channel_accept(authkey: bytes | None) -> None:
    async def main() -> tuple[Any, ...]:
        async with Channel(("127.0.0.1", 0)) as channel:
            channel.bind()

            def client() -> tuple[Any, bytes]:
                with mpc.Client(channel.address, authkey=authkey) as conn:
                    conn.send({"from": "multiprocessing", "n": [1, 2, 3]})
                    conn.send_bytes(b"raw bytes", 4, 5)
                    reply = conn.recv()
                    conn.send_bytes(b"x" * 300_000)
                    return reply, conn.recv_bytes()

            peer = _Peer(client)
            async with await channel.accept(authkey=authkey) as conn:
                first = await conn.recv()
                second = await conn.recv_bytes()
                await conn.send(("from curio", None))
                big = await conn.recv_bytes()
                await conn.send_bytes(bytearray(b"0123456789"), offset=2, size=3)
                reply, last = await peer.result()
        return first, second, len(big), reply, last

    assert curio_kernel.run(main) == (
        {"from": "multiprocessing", "n": [1, 2, 3]},
        b"bytes",
        300_000,
        ("from curio", None),
        b"234",
    )


@pytest.mark.parametrize("authkey", [None, b"shared secret"], ids=["no key", "authkey"])
def test_channel_connect_talks_to_a_multiprocessing_listener(
    authkey: bytes | None, listener: Callable[..., mpc.Listener]
) -> None:
    server = listener(authkey)

    def serve() -> tuple[Any, bytes]:
        with server.accept() as conn:
            received = conn.recv()
            conn.send(["echo", received])
            big = conn.recv_bytes()
            conn.send_bytes(big[::-1])
            return received, big[:3]

    async def main() -> tuple[Any, ...]:
        peer = _Peer(serve)
        async with await Channel(server.address).connect(authkey=authkey) as conn:
            await conn.send({1, 2})
            echoed = await conn.recv()
            await conn.send_bytes(b"abc" + b"." * 100_000)
            reversed_ = await conn.recv_bytes()
        return echoed, reversed_[-3:], await peer.result()

    assert curio_kernel.run(main) == (["echo", {1, 2}], b"cba", ({1, 2}, b"abc"))


def test_a_multiprocessing_client_with_a_wrong_key_is_refused_and_accept_waits_for_the_next() -> (
    None
):
    async def main() -> tuple[str, Any]:
        async with Channel(("127.0.0.1", 0)) as channel:
            channel.bind()

            def wrong() -> str:
                return _refusal(lambda: mpc.Client(channel.address, authkey=b"wrong key"))

            def right() -> Any:
                with mpc.Client(channel.address, authkey=b"right key") as conn:
                    return conn.recv()

            intruder = _Peer(wrong)
            accepting = await curio_kernel.spawn(channel.accept(authkey=b"right key"))
            refused = await intruder.result()
            friend = _Peer(right)
            async with await accepting.join() as conn:
                await conn.send("welcome")
                return refused, await friend.result()

    refused, received = curio_kernel.run(main)
    assert refused == "AuthenticationError: digest sent was rejected"
    assert received == "welcome"


def test_channel_connect_with_a_wrong_key_is_refused_on_both_sides(
    listener: Callable[..., mpc.Listener],
) -> None:
    server = listener(b"right key")

    async def main() -> tuple[str, str]:
        peer = _Peer(lambda: _refusal(server.accept))
        with pytest.raises(AuthenticationError) as refused:
            await Channel(server.address).connect(authkey=b"wrong key")
        return str(refused.value), await peer.result()

    message, rejected = curio_kernel.run(main)
    assert "rejected our answer" in message
    assert rejected.startswith("AuthenticationError: ")


def test_a_multiprocessing_listener_refuses_a_channel_whose_key_it_cannot_verify_the_other_way(
    listener: Callable[..., mpc.Listener],
) -> None:
    """The connecting side challenges the listener too: a listener with another key fails it."""

    async def main() -> None:
        a, b = std_socket.socketpair()
        conn = Connection(_stream(a), _stream(a))
        peer_conn = mpc.Connection(b.detach())

        def server_side() -> None:
            # Deliver a challenge this side can answer, then answer ours with another key.
            mpc.deliver_challenge(peer_conn, b"key")
            mpc.answer_challenge(peer_conn, b"another key")

        peer = _Peer(lambda: _refusal(server_side))
        with pytest.raises(AuthenticationError, match="another authkey"):
            await conn.authenticate_client(b"key")
        assert (await peer.result()).startswith("AuthenticationError: ")
        peer_conn.close()
        await conn.close()

    curio_kernel.run(main)


def _stream(sock: std_socket.socket) -> Any:
    from curio_io import SocketStream

    return SocketStream(sock)


_CHILD = """
import sys, multiprocessing.connection as mpc
with mpc.Client((sys.argv[1], int(sys.argv[2])), authkey=b"between programs") as conn:
    conn.send(conn.recv() * 2)
"""


def test_a_multiprocessing_client_in_another_program_talks_to_the_channel() -> None:
    def child(port: int) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", _CHILD, "127.0.0.1", str(port)]
        return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)

    async def main() -> tuple[Any, int, str]:
        async with Channel(("127.0.0.1", 0)) as channel:
            channel.bind()
            running = await curio_kernel.spawn(
                curio_kernel.run_in_thread, child, channel.address[1]
            )
            # Real time on purpose: a safety bound on a talk with another program.
            async with curio_kernel.timeout_after(30):
                async with await channel.accept(authkey=b"between programs") as conn:
                    await conn.send([21])
                    doubled = await conn.recv()
                done = await running.join()
        return doubled, done.returncode, done.stderr

    assert curio_kernel.run(main) == ([21, 21], 0, "")


# ---------------------------------------------------------------------- both generations


def test_an_old_style_challenge_gets_a_bare_hmac_md5_answer() -> None:
    nonce = b"n" * 20  # what Python 3.11 and curio 1.x send
    assert _challenge.answer(b"key", nonce) == hmac.new(b"key", nonce, "md5").digest()


def test_a_named_challenge_gets_an_answer_naming_the_same_digest() -> None:
    nonce = b"{sha384}" + b"n" * 40
    expected = hmac.new(b"key", nonce, "sha384").digest()
    assert _challenge.answer(b"key", nonce) == b"{sha384}" + expected


def test_our_challenge_accepts_a_named_answer_and_an_old_peers_hmac_md5() -> None:
    nonce = _challenge.make_nonce()
    assert nonce.startswith(b"{sha256}")
    _challenge.verify(b"key", nonce, b"{sha256}" + hmac.new(b"key", nonce, "sha256").digest())
    _challenge.verify(b"key", nonce, hmac.new(b"key", nonce, "md5").digest())
    with pytest.raises(ValueError, match="another authkey"):
        _challenge.verify(b"key", nonce, hmac.new(b"other", nonce, "md5").digest())
    with pytest.raises(ValueError, match="neither an HMAC-MD5 nor names a digest"):
        _challenge.verify(b"key", nonce, b"{whirlpool}" + b"x" * 64)


def test_a_challenge_too_short_or_naming_an_unknown_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        _challenge.answer(b"key", b"short")
    with pytest.raises(ValueError, match="names no digest"):
        _challenge.answer(b"key", b"{whirlpool}" + b"n" * 40)


# ---------------------------------------------------------------------- from_Connection


def test_from_connection_takes_over_an_end_of_a_duplex_multiprocessing_pipe() -> None:
    ours, theirs = multiprocessing.Pipe()

    def peer() -> Any:
        with theirs:
            theirs.send(("from a thread", 1))
            return theirs.recv()

    async def main() -> tuple[Any, Any, bool]:
        conn = Connection.from_Connection(ours)
        async with conn:
            other = _Peer(peer)
            received = await conn.recv()
            await conn.send({"back": True})
            return received, await other.result(), ours.closed

    assert curio_kernel.run(main) == (("from a thread", 1), {"back": True}, True)


def test_from_connection_takes_over_either_end_of_a_one_way_pipe() -> None:
    async def main() -> tuple[bytes, bytes]:
        reader, writer = multiprocessing.Pipe(duplex=False)
        with writer:
            async with Connection.from_Connection(reader) as receiving:
                writer.send_bytes(b"into curio")
                into = await receiving.recv_bytes()
        reader, writer = multiprocessing.Pipe(duplex=False)
        with reader:
            async with Connection.from_Connection(writer) as sending:
                await sending.send_bytes(b"out of curio")
                out = await curio_kernel.run_in_thread(reader.recv_bytes)
        return into, out

    assert curio_kernel.run(main) == (b"into curio", b"out of curio")


def test_from_connection_refuses_what_is_no_multiprocessing_connection() -> None:
    with pytest.raises(TypeError, match="needs a multiprocessing connection"):
        Connection.from_Connection(object())
    ours, theirs = multiprocessing.Pipe()
    ours.close()
    theirs.close()
    with pytest.raises(OSError, match="handle is closed"):
        Connection.from_Connection(ours)
