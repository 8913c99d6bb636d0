"""The one way services do several things at once: a few items at a time on a thread pool.

Checking and refreshing projects both run over the session's one (thread-safe) client, so they
share this helper: a fixed number of items in flight, results as soon as each is known, and a
cancel that stops new items from starting while those under way finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from costcode_desktop.procore import CancelToken

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 3  # projects at a time, unless the user chose otherwise
MAX_CONCURRENCY = 10  # more only meets Procore's request limit sooner


def run_parallel(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    concurrency: int,
    cancel: CancelToken | None = None,
    name: str = "services",
) -> Iterator[tuple[int, R]]:
    """`fn` over `items`, `concurrency` at a time; `(index, result)` in the order they finish.

    Once `cancel` is set no further item starts, and the iteration ends when those already
    started have finished: the indexes never yielded are the items not started. An exception
    raised by `fn` is raised here, after the items under way have finished.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if not items:
        return
    workers = min(concurrency, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        running: dict[Future[R], int] = {}
        waiting = iter(range(len(items)))

        def start_more() -> None:
            while len(running) < workers and not (cancel is not None and cancel.cancelled):
                index = next(waiting, None)
                if index is None:
                    return
                running[pool.submit(fn, items[index])] = index

        start_more()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            finished = sorted(((running.pop(f), f) for f in done), key=lambda pair: pair[0])
            failures = [f for _, f in finished if f.exception() is not None]
            if not failures:
                start_more()  # before handing results over, so the pool is never idle
            for index, future in finished:
                if future.exception() is None:
                    yield index, future.result()
            if failures:
                failures[0].result()  # raises fn's exception; the `with` lets the others finish
