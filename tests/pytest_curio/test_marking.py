"""Which tests pytest-curio runs: the marker, ``curio_mode`` and the hint for the others."""

from __future__ import annotations

import pytest

from .conftest import RunPytest

pytestmark = pytest.mark.usefixtures("pytester")


def test_a_marked_test_runs_on_a_curio_kernel(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_traps import running_kernel
        from curio_kernel import sleep

        @pytest.mark.curio
        async def test_marked():
            await sleep(0)
            assert running_kernel() is not None

        @pytest.mark.curio
        class TestClass:
            async def test_method(self):
                assert running_kernel() is not None
        """
    )
    run_pytest().assert_outcomes(passed=2)


def test_a_module_mark_applies_to_every_test(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep

        pytestmark = pytest.mark.curio

        async def test_one():
            await sleep(0)

        async def test_two():
            await sleep(0)
        """
    )
    run_pytest().assert_outcomes(passed=2)


def test_an_unmarked_async_test_fails_with_the_hint(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        async def value():
            return 1

        async def test_unmarked():
            assert False, "never runs"

        async def test_unmarked_with_fixture(value):
            assert False, "never runs"
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(["*test_unmarked is an async test*", "*@pytest.mark.curio*"])
    result.stdout.fnmatch_lines(["*curio_mode = auto*"])
    result.stdout.no_fnmatch_line("*never runs*")


def test_auto_mode_runs_every_async_test_and_fixture(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_traps import running_kernel

        @pytest.fixture
        async def value():
            assert running_kernel() is not None
            return 41

        async def test_auto(value):
            assert running_kernel() is not None
            assert value == 41

        def test_sync_with_an_async_fixture(value):
            assert value == 41
        """
    )
    run_pytest(ini="curio_mode = auto").assert_outcomes(passed=2)
    # strict: the async test errors at setup with the hint, the sync one with pytest's error
    run_pytest("--curio-mode=strict", ini="curio_mode = auto").assert_outcomes(errors=2)


def test_the_command_line_option_overrides_the_ini(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        async def test_auto():
            pass
        """
    )
    run_pytest("--curio-mode=auto").assert_outcomes(passed=1)


def test_a_bad_mode_is_a_usage_error(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile("def test_nothing(): pass")
    result = run_pytest(ini="curio_mode = sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*curio_mode must be 'strict' or 'auto'*"])


def test_anyio_tests_are_left_to_anyio(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.fixture
        async def loop_fixture():
            return asyncio.get_running_loop()

        @pytest.mark.anyio
        async def test_on_asyncio(loop_fixture):
            assert asyncio.get_running_loop() is loop_fixture
        """
    )
    run_pytest(ini="curio_mode = auto").assert_outcomes(passed=1)
    run_pytest().assert_outcomes(passed=1)


def test_sync_tests_are_untouched(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        from curio_kernel import run, sleep

        def test_plain():
            async def main():
                await sleep(0)
                return 3
            assert run(main) == 3
        """
    )
    run_pytest().assert_outcomes(passed=1)
    run_pytest(ini="curio_mode = auto").assert_outcomes(passed=1)


def test_the_marker_and_option_are_registered(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile("def test_nothing(): pass")
    result = run_pytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.curio:*"])
    result = run_pytest("--help")
    result.stdout.fnmatch_lines(["*--curio-mode*", "*curio_mode*"])


def test_a_marked_sync_test_gets_the_kernel_and_async_fixtures(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep

        @pytest.fixture
        async def slept():
            await sleep(0)
            return "slept"

        @pytest.mark.curio
        def test_sync(kernel, slept):
            assert slept == "slept"
            async def main():
                await sleep(0)
                return 5
            assert kernel.run(main()) == 5
        """
    )
    run_pytest().assert_outcomes(passed=1)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        async def test_async():
            pass
        """
    )
    result = run_pytest("-p", "no:curio", "--curio-mode=auto")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result = run_pytest("-p", "no:curio")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])
