"""``mock_clock`` and ``autojump_clock``: the test's own kernel on virtual time."""

from __future__ import annotations

import pytest

from .conftest import RunPytest


def test_autojump_clock_makes_an_hour_pass_at_once(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import clock, sleep, timeout_after, TaskTimeout
        from curio_kernel.testing import MockClock

        @pytest.fixture
        async def slow_fixture():
            await sleep(600)
            yield
            await sleep(600)

        @pytest.mark.curio
        async def test_an_hour(autojump_clock, slow_fixture, kernel):
            assert isinstance(autojump_clock, MockClock)
            assert kernel.clock is autojump_clock
            start = await clock()
            assert start == 600
            await sleep(3600)
            assert await clock() - start == 3600
            with pytest.raises(TaskTimeout):
                await timeout_after(7200, sleep, 86400)
            assert await clock() - start == 3600 + 7200
        """
    )
    result = run_pytest()
    result.assert_outcomes(passed=1)


def test_mock_clock_moves_only_when_told(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import clock, sleep, spawn
        from curio_kernel.testing import wait_all_tasks_blocked

        @pytest.mark.curio
        async def test_jumps(mock_clock):
            assert mock_clock.autojump_threshold == float("inf")
            woke = []

            async def sleeper():
                await sleep(10)
                woke.append(await clock())

            task = await spawn(sleeper)
            await wait_all_tasks_blocked()
            mock_clock.jump(9)
            await wait_all_tasks_blocked()
            assert woke == []
            mock_clock.jump(1)
            await task.join()
            assert woke == [10]
        """
    )
    run_pytest().assert_outcomes(passed=1)


def test_a_clock_with_a_wider_async_fixture_is_an_error(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="session")
        async def server():
            yield "server"

        @pytest.mark.curio
        async def test_clock_and_server(server, mock_clock):
            assert False, "never runs"

        @pytest.mark.curio
        async def test_both_clocks(mock_clock, autojump_clock):
            assert False, "never runs"

        @pytest.mark.curio
        async def test_the_server_alone(server):
            assert server == "server"
        """
    )
    result = run_pytest()
    result.assert_outcomes(passed=1, errors=2)
    expected = (
        "*test_clock_and_server requests mock_clock but also the async fixture(s) 'server'"
        " of a scope wider than function, which run on pytest-curio's shared kernel*"
    )
    result.stdout.fnmatch_lines([expected])
    result.stdout.fnmatch_lines(["*requests both mock_clock and autojump_clock*"])
    result.stdout.no_fnmatch_line("*never runs*")
