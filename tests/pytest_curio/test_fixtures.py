"""Async fixtures of every scope: where they run, what they share, and their teardown."""

from __future__ import annotations

import pytest

from .conftest import RunPytest


def test_a_session_server_serves_tests_on_one_port(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    # Plain non-blocking sockets and curio-traps' waits: the split environment
    # (nox -s split) has curio-kernel, curio-sync and pytest-curio, not curio-net.
    pytester.makepyfile(
        """
        import socket
        import pytest
        from curio_kernel import spawn
        from curio_traps import _read_wait, _write_wait

        ports = []

        async def accept(listener):
            while True:
                try:
                    return listener.accept()
                except BlockingIOError:
                    await _read_wait(listener)

        async def recv(sock):
            while True:
                try:
                    return sock.recv(100)
                except BlockingIOError:
                    await _read_wait(sock)

        @pytest.fixture(scope="session")
        async def echo_server(unused_tcp_port_factory):
            port = unused_tcp_port_factory()
            served = []
            listener = socket.socket()
            listener.bind(("127.0.0.1", port))
            listener.listen()
            listener.setblocking(False)

            async def serve():
                while True:
                    client, address = await accept(listener)
                    with client:
                        client.setblocking(False)
                        served.append(address)
                        client.sendall(await recv(client))

            server = await spawn(serve)
            yield port, served
            await server.cancel()
            listener.close()

        async def ask(port, data):
            with socket.socket() as sock:
                sock.setblocking(False)
                try:
                    sock.connect(("127.0.0.1", port))
                except BlockingIOError:
                    await _write_wait(sock)
                sock.sendall(data)
                return await recv(sock)

        @pytest.mark.curio
        async def test_first(echo_server):
            port, served = echo_server
            ports.append(port)
            assert await ask(port, b"one") == b"one"
            assert len(served) == 1

        @pytest.mark.curio
        async def test_second(echo_server):
            port, served = echo_server
            assert ports == [port]
            assert await ask(port, b"two") == b"two"
            assert len(served) == 2
        """
    )
    run_pytest().assert_outcomes(passed=2)


def test_teardown_runs_in_reverse_order_even_when_the_test_fails(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makeconftest(
        """
        import pytest

        LOG = []

        def pytest_sessionfinish(session):
            with open("order.txt", "w") as file:
                file.write(" ".join(LOG))

        def recorder(name, scope):
            @pytest.fixture(scope=scope, name=name)
            async def fixture():
                LOG.append("+" + name)
                yield name
                LOG.append("-" + name)
            return fixture

        session_fixture = recorder("session_fixture", "session")
        package_fixture = recorder("package_fixture", "package")
        module_fixture = recorder("module_fixture", "module")
        class_fixture = recorder("class_fixture", "class")
        function_fixture = recorder("function_fixture", "function")

        @pytest.fixture
        async def plain(function_fixture):
            LOG.append("=plain")
            return "plain"
        """
    )
    pytester.mkpydir("pkg")
    pytester.path.joinpath("pkg", "test_order.py").write_text(
        "import pytest\n"
        "\n"
        "@pytest.mark.curio\n"
        "class TestOrder:\n"
        "    async def test_fails(self, session_fixture, package_fixture, module_fixture,\n"
        "                         class_fixture, plain):\n"
        "        assert False, 'the test fails'\n"
    )
    result = run_pytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the test fails*"])
    order = pytester.path.joinpath("order.txt").read_text().split()
    assert order == [
        "+session_fixture",
        "+package_fixture",
        "+module_fixture",
        "+class_fixture",
        "+function_fixture",
        "=plain",
        "-function_fixture",
        "-class_fixture",
        "-module_fixture",
        "-package_fixture",
        "-session_fixture",
    ]


def test_wider_fixtures_share_one_kernel_and_narrow_tests_get_their_own(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_traps import running_kernel

        seen = {}

        @pytest.fixture(scope="module")
        async def module_kernel():
            return running_kernel()

        @pytest.fixture(scope="session")
        async def session_kernel():
            return running_kernel()

        @pytest.fixture
        async def function_kernel():
            return running_kernel()

        @pytest.mark.curio
        async def test_shared(module_kernel, session_kernel, function_kernel, kernel):
            assert module_kernel is session_kernel is function_kernel is kernel
            assert running_kernel() is kernel
            seen["shared"] = kernel

        @pytest.mark.curio
        async def test_own(function_kernel, kernel):
            assert function_kernel is kernel is running_kernel()
            assert kernel is not seen["shared"]
            seen["own"] = kernel

        @pytest.mark.curio
        async def test_own_again(kernel):
            assert kernel is not seen["own"] and kernel is not seen["shared"]
        """
    )
    run_pytest().assert_outcomes(passed=3)


def test_a_fixture_in_a_class_is_bound_to_the_test_instance(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.curio
        class TestBound:
            @pytest.fixture
            async def mine(self):
                self.marker = "set by the fixture"
                return self

            async def test_same_instance(self, mine):
                assert mine is self
                assert self.marker == "set by the fixture"
        """
    )
    run_pytest().assert_outcomes(passed=1)


def test_a_fixture_that_fails_or_yields_badly_errors(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        async def broken():
            raise LookupError("the fixture broke")

        @pytest.fixture
        async def no_value():
            if False:
                yield

        @pytest.fixture
        async def twice():
            yield 1
            yield 2

        @pytest.mark.curio
        async def test_broken_once(broken):
            pass

        @pytest.mark.curio
        async def test_broken_cached(broken):
            pass

        @pytest.mark.curio
        async def test_no_value(no_value):
            pass

        @pytest.mark.curio
        async def test_twice(twice):
            pass
        """
    )
    result = run_pytest()
    result.assert_outcomes(passed=1, errors=4)
    result.stdout.fnmatch_lines(["*LookupError: the fixture broke*"])
    result.stdout.fnmatch_lines(["*fixture 'no_value' did not yield a value*"])
    result.stdout.fnmatch_lines(["*fixture 'twice' yielded more than once*"])


def test_a_parametrized_async_fixture(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep

        @pytest.fixture(scope="module", params=[1, 2, 3])
        async def number(request):
            await sleep(0)
            yield request.param

        @pytest.mark.curio
        async def test_number(number):
            assert number in (1, 2, 3)
        """
    )
    run_pytest().assert_outcomes(passed=3)
