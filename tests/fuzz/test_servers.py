"""Randomized stopping of curio-net servers: no handler task survives its server.

Each round serves on 127.0.0.1, port 0, with handlers that echo, hold the connection
until cancelled, and clean up slowly (blocking) when they are.  Clients connect with
``open_connection``, talk, hang on or leave, inside random timeout blocks and cancelled
at random steps.  Then the server is stopped one way or two at once: ``shutdown()`` with
a grace period of 0 to 2 ms (itself inside timeout blocks, or cancelled while it waits),
``close()``, leaving ``async with server``, a timeout block around ``serve_forever()``,
or cancelling the task running it, once, twice, blocking or not.

However it stops: ``serve_forever()`` ends with the interruption it got, if any; every
handler has ended by then; the listening socket is closed; no descriptor is left open.
``run_server`` is cancelled the same ways with nobody connecting.
"""

from __future__ import annotations

import contextlib
import random
from typing import Any

from curio_io import Socket
from curio_kernel import CancelledError, Task, current_task
from curio_net import create_server, open_connection, run_server
from curio_sync import Event
from curio_traps import is_timeout

_STOPS = ("shutdown", "close", "async with", "timeout", "cancel", "cancel twice", "two at once")


def test_no_handler_survives_its_server_however_it_is_stopped(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        never = Event()
        handlers: list[Task[Any]] = []
        rng = r.fork()

        async def handler(client: Socket, address: Any) -> None:
            handlers.append(await current_task())
            mine = random.Random(rng.getrandbits(64))
            try:
                while data := await client.recv(100):
                    await client.sendall(data)
                    if mine.random() < 0.3:
                        await never.wait()  # holds the connection until cancelled
            except CancelledError:
                await r.steps(mine, 6)  # a slow clean-up, interrupted or not
                raise

        server = create_server("127.0.0.1", 0, handler)
        address = server.address
        stops = [rng.choice(_STOPS)]
        if stops[0] == "two at once":
            stops = rng.sample(("shutdown", "close", "cancel", "timeout"), 2)

        async def serve() -> None:
            if "async with" in stops:
                async with server:
                    await r.guarded(rng, server.serve_forever, depth=0)
            else:
                await r.guarded(rng, server.serve_forever, depth=1 if "timeout" in stops else 0)
            r.check(not server._clients, f"serve_forever() returned with handlers left: {server!r}")

        async def client(mine: random.Random) -> None:
            async def talk() -> None:
                sock = await open_connection(*address)
                try:
                    for _ in range(mine.randint(0, 3)):
                        await sock.sendall(b"ping")
                        await sock.recv(4)
                    if mine.random() < 0.5:
                        await never.wait()
                finally:
                    await sock.close()

            with contextlib.suppress(OSError):  # refused or reset: the server stopped first
                await r.guarded(mine, talk)
            await r.park()

        serving = await r.spawn("serve", serve)
        clients = []
        for k in range(rng.randint(0, 4)):
            mine = r.fork()
            clients.append(await r.spawn(f"client-{k}", lambda mine=mine: client(mine)))
        for task in clients:
            mine = r.fork()
            if mine.random() < 0.3:
                await r.cancel_later(mine, task)

        async def stopper(how: str, mine: random.Random) -> None:
            await r.steps(mine, 20)
            if how == "shutdown":
                grace = mine.choice((0.0, 0.0005, 0.002))
                await r.guarded(mine, lambda: server.shutdown(grace_period=grace))
            elif how == "close":
                await server.close()
            elif how in ("cancel", "cancel twice"):
                await serving.cancel(blocking=mine.random() < 0.5)
                if how == "cancel twice":
                    await serving.cancel()
            await r.park()  # "async with": the block ends when serve() is cancelled below

        stoppers = []
        for how in stops:
            mine = r.fork()
            stoppers.append(
                await r.spawn(f"stop-{how}", lambda how=how, mine=mine: stopper(how, mine))
            )
            if how == "shutdown" and mine.random() < 0.3:
                await r.cancel_later(mine, stoppers[-1])  # shutdown() interrupted in its wait
        await r.settle([*stoppers, *clients])
        if not serving.terminated:
            await serving.cancel()  # no stop got through (a stopper cancelled early, say)
        exc = serving.exception
        r.check(not is_timeout(exc or CancelledError()), f"serve ended with {exc!r}")
        alive = [t.name for t in handlers if not t.terminated]
        r.check(not alive, f"handlers still running after the server stopped: {alive}")
        r.check(server.closed and server.socket.fileno() == -1, f"not closed: {server!r}")
        await r.sweep()

    fuzz.play(scenario, cost=2)


def test_run_server_cancelled_leaves_nothing_behind(fuzz: Any) -> None:
    async def scenario(r: Any) -> None:
        async def handler(client: Socket, address: Any) -> None:
            pass

        rng = r.fork()

        async def serve() -> None:
            await r.guarded(rng, lambda: run_server("127.0.0.1", 0, handler))

        task = await r.spawn("run_server", serve)
        for _ in range(rng.randint(1, 2)):
            await r.cancel_later(r.fork(), task)
        await task.wait()
        exc = task.exception
        r.check(exc is None or not is_timeout(exc), f"run_server ended with {exc!r}")

    fuzz.play(scenario)
