"""SignalSet validates its signals when it is made."""

from __future__ import annotations

import signal

import pytest

from curio_signal import SignalSet


def test_signos_keep_the_given_order_without_duplicates() -> None:
    sigset = SignalSet(signal.SIGUSR2, signal.SIGUSR1, signal.SIGUSR2)
    assert sigset.signos == (signal.SIGUSR2, signal.SIGUSR1)
    assert list(sigset.pending) == []


def test_plain_integers_are_accepted() -> None:
    assert SignalSet(int(signal.SIGHUP)).signos == (signal.SIGHUP,)


def test_unknown_signal_number_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="12345"):
        SignalSet(signal.SIGUSR1, 12345)


def test_uncatchable_signal_is_refused() -> None:
    with pytest.raises(ValueError, match="SIGKILL"):
        SignalSet(signal.SIGKILL)


@pytest.mark.parametrize("bad", ["SIGUSR1", 1.5, None, True])
def test_non_integer_signal_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="signal numbers"):
        SignalSet(bad)  # type: ignore[arg-type]


def test_an_empty_set_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SignalSet()


def test_repr_names_the_signals() -> None:
    assert "SIGUSR1" in repr(SignalSet(signal.SIGUSR1))
