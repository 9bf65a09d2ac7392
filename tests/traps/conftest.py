"""Fixtures shared by the trap protocol tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect cycles after each test, so an unclosed resource is reported
    against the test that leaked it."""
    yield
    gc.collect()
