from __future__ import annotations

import threading

import pytest

from costcode_desktop.procore import Cancelled, CancelToken


def test_fresh_token_is_not_cancelled() -> None:
    token = CancelToken()
    assert not token.cancelled
    token.raise_if_cancelled()
    assert token.wait(0) is False


def test_cancel_raises_and_wakes_waits() -> None:
    token = CancelToken()
    token.cancel()
    assert token.cancelled
    assert token.wait(3600) is True  # returns at once
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_cancel_from_another_thread_ends_a_long_wait() -> None:
    token = CancelToken()
    started = threading.Event()
    result: list[bool] = []

    def waiter() -> None:
        started.set()
        result.append(token.wait(3600))

    thread = threading.Thread(target=waiter)
    thread.start()
    started.wait()
    token.cancel()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert result == [True]
