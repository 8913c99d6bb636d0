"""The one concurrency helper: a few items at a time, results as they finish, cancel, errors."""

from __future__ import annotations

import threading
import time

import pytest

from costcode_desktop.procore import CancelToken
from costcode_desktop.services.parallel import run_parallel


class Gauge:
    """Counts calls in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *_exc: object) -> None:
        with self.lock:
            self.now -= 1


def test_results_come_in_the_order_they_finish_never_more_than_concurrency_at_once() -> None:
    gauge = Gauge()

    def slow(seconds: float) -> float:
        with gauge:
            time.sleep(seconds)
        return seconds * 10

    delays = [0.50, 0.01, 0.01, 0.05, 0.01]
    pairs = list(run_parallel(slow, delays, concurrency=2))
    assert sorted(pairs) == [(i, d * 10) for i, d in enumerate(delays)]
    assert pairs[-1][0] == 0, "the slow first item finishes last"
    assert gauge.peak == 2


def test_concurrency_one_keeps_the_order_given() -> None:
    pairs = list(run_parallel(lambda n: n * n, [3, 1, 2], concurrency=1))
    assert pairs == [(0, 9), (1, 1), (2, 4)]


def test_nothing_to_do_and_a_concurrency_below_one() -> None:
    assert list(run_parallel(lambda n: n, [], concurrency=3)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(run_parallel(lambda n: n, [1], concurrency=0))


def test_a_cancel_stops_new_items_and_lets_started_ones_finish() -> None:
    cancel = CancelToken()
    finished: list[int] = []

    def work(n: int) -> int:
        if n == 1:
            cancel.cancel()
        time.sleep(0.2 if n == 0 else 0.05)
        finished.append(n)
        return n

    pairs = list(run_parallel(work, list(range(10)), concurrency=2, cancel=cancel))
    assert sorted(finished) == [0, 1], "both started items ran to their end"
    assert sorted(i for i, _ in pairs) == [0, 1], "nothing else started"


def test_an_error_is_raised_after_the_items_under_way_finish() -> None:
    finished: list[int] = []

    def work(n: int) -> int:
        if n == 0:
            raise RuntimeError("a bug")
        time.sleep(0.1)
        finished.append(n)
        return n

    with pytest.raises(RuntimeError, match="a bug"):
        list(run_parallel(work, list(range(6)), concurrency=2))
    assert finished == [1], "the item under way finished; none started after the error"
