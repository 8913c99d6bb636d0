"""Every read of the refresh history and every export, run on the background worker.

Only the newest read of each kind counts: starting another cancels the one before, and a late
answer to an older one is dropped. Details of finished runs never change, so they are kept and
reused, by later reads and by exports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal

from costcode_desktop.services import Cancelled
from costcode_desktop.services.history.export import write_history_csv, write_history_xlsx
from costcode_desktop.services.history.query import (
    HistoryQuery,
    LoadedRuns,
    details_for_export,
    load_runs,
)
from costcode_desktop.services.history.store import (
    HistoryError,
    HistoryStore,
    RunDetails,
    RunStatus,
)
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.worker import Job, Worker

log = logging.getLogger(__name__)

CACHE_LIMIT = 500  # run details kept in memory
NOT_AVAILABLE = (
    "The refresh history is not available. It opens once you sign in or open the demo "
    "company; if you are signed in, it could not be opened (the log says why)."
)

OpenStore = Callable[[], HistoryStore | None]


class HistoryReader(QObject):
    """Keeps the GUI thread off the history store: the work runs on the worker, answers are signals.

    A failure comes as a plain message and the details behind it; a cancelled read never answers.
    """

    runs_read = Signal(object, object)  # the HistoryQuery asked, the LoadedRuns found
    runs_failed = Signal(str, str)  # message, details
    details_read = Signal(object)  # RunDetails of the run last asked for
    details_failed = Signal(str, str)  # message, details
    exported = Signal(str)  # path of the file written
    export_failed = Signal(str, str)  # message, details

    def __init__(self, worker: Worker, open_store: OpenStore, parent: QObject) -> None:
        super().__init__(parent)
        self.worker = worker
        self.open_store = open_store
        self._cache: dict[int, RunDetails] = {}
        self._load_job: Job | None = None
        self._load_generation = 0
        self._details_job: Job | None = None
        self._details_generation = 0

    # -- runs ------------------------------------------------------------------------------------

    def read_runs(self, query: HistoryQuery) -> None:
        """Read the runs `query` selects; `runs_read` or `runs_failed` follows."""
        if self._load_job is not None:
            self._load_job.cancel.cancel()
        self._load_generation += 1
        generation = self._load_generation
        known = dict(self._cache)
        open_store = self.open_store

        def work(job: Job) -> LoadedRuns:
            return load_runs(_store(open_store), query, known, job.cancel)

        self._load_job = self.worker.submit(
            work,
            on_result=lambda loaded: self._runs_loaded(generation, query, loaded),
            on_error=lambda error, details: self._load_failed(generation, error, details),
        )

    def _runs_loaded(self, generation: int, query: HistoryQuery, loaded: LoadedRuns) -> None:
        if not shiboken6.isValid(self) or generation != self._load_generation:
            return
        self._load_job = None
        self._remember(loaded.details)
        self.runs_read.emit(query, loaded)

    def _load_failed(self, generation: int, error: BaseException, details: str) -> None:
        if not shiboken6.isValid(self) or generation != self._load_generation:
            return
        self._load_job = None
        if isinstance(error, Cancelled):
            return
        message, more = explain(error, details)
        log.warning("reading the refresh history failed: %s", message)
        self.runs_failed.emit(message, more)

    # -- details of one run ----------------------------------------------------------------------

    def read_details(self, run_id: int) -> RunDetails | None:
        """The run's details at once when kept; else None, and `details_read` follows."""
        if self._details_job is not None:
            self._details_job.cancel.cancel()
            self._details_job = None
        self._details_generation += 1
        generation = self._details_generation
        cached = self._cache.get(run_id)
        if cached is not None:
            return cached
        open_store = self.open_store

        def work(job: Job) -> RunDetails:
            return _store(open_store).run_details(run_id)

        self._details_job = self.worker.submit(
            work,
            on_result=lambda details: self._details_read(generation, details),
            on_error=lambda error, details: self._details_failed(generation, error, details),
        )
        return None

    def ignore_details(self) -> None:
        """No run is shown: drop the answer of a details read still under way."""
        self._details_generation += 1

    def _details_read(self, generation: int, details: RunDetails) -> None:
        if not shiboken6.isValid(self):
            return
        if details.run.status is not RunStatus.RUNNING:
            self._remember({details.run.id: details})
        if generation != self._details_generation:
            return
        self._details_job = None
        self.details_read.emit(details)

    def _details_failed(self, generation: int, error: BaseException, details: str) -> None:
        if not shiboken6.isValid(self) or generation != self._details_generation:
            return
        self._details_job = None
        if isinstance(error, Cancelled):
            return
        if isinstance(error, KeyError):
            message, more = "That run is no longer in the history. Choose Reload.", ""
        else:
            message, more = explain(error, details)
        self.details_failed.emit(message, more)

    def _remember(self, details: dict[int, RunDetails]) -> None:
        self._cache.update(details)
        while len(self._cache) > CACHE_LIMIT:
            del self._cache[next(iter(self._cache))]

    # -- export ----------------------------------------------------------------------------------

    def export(self, path: Path, run_ids: Sequence[int], words: Sequence[str]) -> None:
        """Write the runs to `path`, .xlsx or CSV; with `words`, only the projects they match."""
        writer = write_history_xlsx if path.suffix.lower() == ".xlsx" else write_history_csv
        known = dict(self._cache)
        open_store = self.open_store

        def work(job: Job) -> str:
            chosen = details_for_export(_store(open_store), run_ids, known, words, job.cancel)
            writer(path, chosen)
            return str(path)

        self.worker.submit(work, on_result=self._export_done, on_error=self._export_failed)

    def _export_done(self, path: str) -> None:
        if shiboken6.isValid(self):
            self.exported.emit(path)

    def _export_failed(self, error: BaseException, details: str) -> None:
        if shiboken6.isValid(self):
            self.export_failed.emit(*explain(error, details))

    def cancel(self) -> None:
        """Stop the reads under way (an export still finishes)."""
        for job in (self._load_job, self._details_job):
            if job is not None:
                job.cancel.cancel()


def _store(open_store: OpenStore) -> HistoryStore:
    """Open (or reuse) the history on the worker; a plain error when there is none."""
    store = open_store()
    if store is None:
        raise HistoryError(NOT_AVAILABLE)
    return store
