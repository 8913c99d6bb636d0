"""The one background-work helper: run a function on the thread pool, hear back on the GUI thread.

Work functions never touch widgets. They receive a `Job` to report progress and to see whether
they were cancelled; results, progress and errors come back as queued signals to a QObject
that lives on the GUI thread, so every callback runs there.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from costcode_desktop.services import CancelToken

log = logging.getLogger(__name__)


@dataclass
class Job:
    """What a work function gets: a cancel token and a way to report progress."""

    id: int
    cancel: CancelToken = field(default_factory=CancelToken)
    _relay: _Relay | None = field(default=None, repr=False)

    def report(self, progress: object) -> None:
        if self._relay is not None:
            self._relay.progressed.emit(self.id, progress)


@dataclass
class _Callbacks:
    on_result: Callable[[Any], None] | None
    on_error: Callable[[BaseException, str], None] | None
    on_progress: Callable[[Any], None] | None
    on_done: Callable[[], None] | None


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from pool threads are queued to it."""

    progressed = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, object, str)


class _Task(QRunnable):
    def __init__(self, job: Job, fn: Callable[[Job], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.job, self.fn, self.relay = job, fn, relay

    def run(self) -> None:
        try:
            result = self.fn(self.job)
        except BaseException as exc:  # reported, never lost in the pool thread
            log.debug("background job %d failed", self.job.id, exc_info=True)
            self.relay.failed.emit(self.job.id, exc, traceback.format_exc())
        else:
            self.relay.finished.emit(self.job.id, result)


class Worker(QObject):
    """Runs jobs on a QThreadPool; `busy_changed` tells the window when work starts and stops."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._progressed)
        self._relay.finished.connect(self._finished)
        self._relay.failed.connect(self._failed)
        self._ids = itertools.count(1)
        self._jobs: dict[int, tuple[Job, _Callbacks]] = {}
        self._deferred: list[_Task] = []  # submitted after_paint, started on the next turn

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def submit(
        self,
        fn: Callable[[Job], Any],
        *,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        on_done: Callable[[], None] | None = None,
        after_paint: bool = False,
    ) -> Job:
        """Run `fn` on the pool. With `after_paint` the job is known (busy, cancellable) at
        once but its thread starts on the next turn of the event loop, once the caller has
        painted what it just changed (see `paint_now`). A pool thread running Python holds the
        GIL, and each of a paint's hundreds of calls into Python then waits for it: painting
        first is what keeps a click's answer under 50 ms."""
        job = Job(next(self._ids), _relay=self._relay)
        was_busy = self.busy
        self._jobs[job.id] = (job, _Callbacks(on_result, on_error, on_progress, on_done))
        if not was_busy:
            self.busy_changed.emit(True)
        task = _Task(job, fn, self._relay)
        if after_paint:
            self._deferred.append(task)
            QTimer.singleShot(0, self, self._start_deferred)
        else:
            self._pool.start(task)
        return job

    @Slot()
    def _start_deferred(self) -> None:
        tasks, self._deferred = self._deferred, []
        for task in tasks:
            self._pool.start(task)

    def cancel_all(self) -> None:
        for job, _ in self._jobs.values():
            job.cancel.cancel()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (for shutdown and tests)."""
        self._start_deferred()  # a job waiting for its turn is work not done yet
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _progressed(self, job_id: int, progress: object) -> None:
        entry = self._jobs.get(job_id)
        if entry is not None and entry[1].on_progress is not None:
            entry[1].on_progress(progress)

    @Slot(int, object)
    def _finished(self, job_id: int, result: object) -> None:
        callbacks = self._pop(job_id)
        if callbacks is None:
            return
        try:
            if callbacks.on_result is not None:
                callbacks.on_result(result)
        finally:
            self._done(callbacks)

    @Slot(int, object, str)
    def _failed(self, job_id: int, error: BaseException, details: str) -> None:
        callbacks = self._pop(job_id)
        if callbacks is None:
            return
        try:
            if callbacks.on_error is not None:
                callbacks.on_error(error, details)
            else:
                log.error("background job failed: %s\n%s", error, details)
        finally:
            self._done(callbacks)

    def _pop(self, job_id: int) -> _Callbacks | None:
        entry = self._jobs.pop(job_id, None)
        return entry[1] if entry is not None else None

    def _done(self, callbacks: _Callbacks) -> None:
        if callbacks.on_done is not None:
            callbacks.on_done()
        if not self.busy:
            self.busy_changed.emit(False)
