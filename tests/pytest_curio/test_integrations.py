"""pytest-curio with hypothesis, pytest-timeout and pytest-xdist."""

from __future__ import annotations

import pytest

from .conftest import RunPytest


def test_hypothesis_runs_every_example_on_the_kernel(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makepyfile(
        """
        import pytest
        from hypothesis import given, settings, strategies as st
        from curio_kernel import sleep, spawn
        from curio_traps import running_kernel

        examples = []

        @pytest.mark.curio
        @settings(max_examples=25, database=None)
        @given(st.integers())
        async def test_examples(x):
            assert running_kernel() is not None
            task = await spawn(sleep, 0)
            await task.join()
            examples.append(x)

        @pytest.mark.curio
        @settings(max_examples=5, database=None)
        @given(x=st.integers(min_value=0))
        async def test_failing_example(x):
            await sleep(0)
            assert x < 0, "shrinks to 0"

        def test_count():
            assert len(examples) == 25
        """
    )
    result = run_pytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*x=0,*"])


def test_pytest_timeout_stops_a_hung_test(pytester: pytest.Pytester, run_pytest: RunPytest):
    pytester.makepyfile(
        """
        import pytest
        from curio_kernel import sleep

        @pytest.mark.curio
        @pytest.mark.timeout(1)
        async def test_hangs():
            await sleep(60)

        @pytest.mark.curio
        async def test_next():
            await sleep(0)
        """
    )
    result = run_pytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*Timeout (>1.0s) from pytest-timeout*"])


def test_xdist_workers_each_have_their_own_shared_kernel(
    pytester: pytest.Pytester, run_pytest: RunPytest
):
    pytester.makeconftest(
        """
        import os
        import pytest
        from curio_traps import running_kernel

        @pytest.fixture(scope="session")
        async def worker_kernel():
            yield running_kernel(), os.getpid()
        """
    )
    pytester.makepyfile(
        **{
            f"test_worker_{n}": f"""
import os
import pytest
from curio_kernel import sleep
from curio_traps import running_kernel

@pytest.mark.curio
@pytest.mark.parametrize("i", range(5))
async def test_on_the_shared_kernel(worker_kernel, i):
    kernel, pid = worker_kernel
    assert pid == os.getpid()
    assert running_kernel() is kernel
    await sleep(0.001)

@pytest.mark.curio
async def test_alone_{n}(autojump_clock):
    await sleep(3600)
"""
            for n in range(3)
        }
    )
    result = run_pytest("-n", "2")
    result.assert_outcomes(passed=18)
    result.stdout.fnmatch_lines(["*2 workers*"])
