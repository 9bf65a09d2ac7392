"""A deadlock, a task left running and a background task's crash fail the right test."""

from __future__ import annotations

import pytest

from .conftest import RunPytest


def test_a_deadlock_fails_at_once_naming_the_blocked_tasks(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import spawn
        from curio_sync import Event

        @pytest.mark.curio
        @pytest.mark.timeout(20)
        async def test_stuck():
            never = Event()

            async def waiter():
                await never.wait()  # the waiter's line

            task = await spawn(waiter)
            await task.join()

        @pytest.mark.curio
        async def test_next_one_runs():
            pass
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*test test_stuck deadlocked: every task was waiting and nothing could wake them:",
            "*task * (test test_stuck) waits TASK_JOIN at *test_a_deadlock*.py:* in test_stuck",
            "*task * (test_stuck.<locals>.waiter) waits EVENT_WAIT at *.py:* in waiter",
        ]
    )
    result.stdout.no_fnmatch_line("*Timeout*")


def test_tasks_left_running_fail_the_test_and_are_cancelled(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep, spawn

        cancelled = []

        @pytest.fixture(scope="session")
        async def server():
            async def serve():
                await sleep(3600)
            task = await spawn(serve)
            yield task
            await task.cancel()

        @pytest.mark.curio
        async def test_leaves_a_worker(server):
            async def worker():
                try:
                    await sleep(3600)
                finally:
                    cancelled.append("worker")

            async def spawner():
                await spawn(worker)

            await (await spawn(spawner)).join()
            await spawn(sleep, 3600, daemon=True)

        @pytest.mark.curio
        async def test_the_worker_was_cancelled(server):
            assert cancelled == ["worker"]
            assert not server.terminated
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*test test_leaves_a_worker returned while tasks it spawned were still running*",
            "*task * (test_leaves_a_worker.<locals>.worker) TIME_SLEEP at *.py:*",
        ]
    )
    result.stdout.no_fnmatch_line("*serve*TIME_SLEEP*")
    result.stdout.no_fnmatch_line("*(sleep) TIME_SLEEP*")


def test_a_fixture_task_that_crashes_fails_the_running_test(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep, spawn
        from curio_sync import Event

        @pytest.fixture(scope="session")
        async def fragile():
            go = Event()

            async def background():
                await go.wait()
                raise ZeroDivisionError("the background task broke")

            task = await spawn(background)
            yield go
            await task.cancel()

        @pytest.mark.curio
        async def test_before(fragile):
            await sleep(0)

        @pytest.mark.curio
        @pytest.mark.timeout(20)
        async def test_during(fragile):
            await fragile.set()
            await sleep(30)  # the crash interrupts it at once

        @pytest.fixture
        async def function_fragile():
            async def background():
                await sleep(0)
                raise KeyError("function fixture's task")
            await spawn(background)
            yield

        @pytest.mark.curio
        async def test_with_function_fixture(function_fragile):
            await sleep(5)
        """
    )
    result = run_pytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_during _*",
            "*a background task crashed while test test_during ran:",
            "*Task * (fragile.<locals>.background) crashed:",
            "*ZeroDivisionError: the background task broke",
        ]
    )
    result.stdout.fnmatch_lines(['*KeyError: "function fixture\'s task"'])


def test_a_crash_is_seen_whatever_the_log_level(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep, spawn

        @pytest.mark.curio
        async def test_quiet_logs():
            async def background():
                raise OSError("crashed quietly")
            await spawn(background)
            await sleep(1)
        """
    )
    result = run_pytest("--log-level=CRITICAL")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*a background task crashed while test test_quiet_logs ran:"])


def test_a_crash_during_fixture_setup_errors_the_test(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep, spawn

        @pytest.fixture
        async def crashes_in_setup():
            async def background():
                raise OSError("crashed at once")
            await spawn(background)
            await sleep(1)
            yield

        @pytest.mark.curio
        async def test_never_runs(crashes_in_setup):
            assert False
        """
    )
    result = run_pytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*a background task crashed while fixture 'crashes_in_setup' ran:", "*OSError*"]
    )


def test_a_deadlocked_test_leaves_the_session_fixtures_tasks_running(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import spawn
        from curio_sync import Event, Queue

        @pytest.fixture(scope="session")
        async def doubler():
            requests = Queue()

            async def serve():
                while True:
                    n, reply = await requests.get()
                    await reply.put(2 * n)

            task = await spawn(serve)
            yield requests
            await task.cancel()

        async def ask(requests, n):
            reply = Queue()
            await requests.put((n, reply))
            return await reply.get()

        @pytest.mark.curio
        async def test_first(doubler):
            assert await ask(doubler, 2) == 4

        @pytest.mark.curio
        async def test_stuck(doubler):
            await Event().wait()

        @pytest.mark.curio
        async def test_after(doubler):
            assert await ask(doubler, 21) == 42
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(["*test test_stuck deadlocked*", "*waits EVENT_WAIT*"])
