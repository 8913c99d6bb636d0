"""Reading the refresh history for the History window: which runs the filters select.

Plain Python, run on the worker: the window never reads the history on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from costcode_desktop.procore import CancelToken
from costcode_desktop.services.history.store import (
    HistoryStore,
    ProjectEntry,
    RunDetails,
    RunStatus,
    RunSummary,
)

RUN_LIMIT = 5000  # runs read per load; the window says when there were more


def search_words(text: str) -> list[str]:
    return text.casefold().split()


def project_matches(entry: ProjectEntry, words: Iterable[str]) -> bool:
    """Every word appears in the project's number or name (case-insensitive)."""
    haystack = f"{entry.project_number or ''} {entry.project_name}".casefold()
    return all(word in haystack for word in words)


@dataclass(frozen=True)
class HistoryQuery:
    """What the filters ask for; the worker turns it into store reads."""

    company_id: int | None
    environment: str | None
    since: datetime  # aware, local midnight of the From day
    until: datetime  # aware, local midnight after the To day (exclusive)
    words: tuple[str, ...] = ()
    failures_only: bool = False


@dataclass(frozen=True)
class LoadedRuns:
    runs: list[RunSummary]
    details: dict[int, RunDetails] = field(default_factory=dict)  # read while filtering
    any_runs: bool = True  # the store has runs for this company at all
    truncated: bool = False


def needs_attention(run: RunSummary) -> bool:
    """A project or code failed, or the run never finished."""
    return bool(run.failed_projects or run.failed) or run.status is RunStatus.INTERRUPTED


def load_runs(
    store: HistoryStore,
    query: HistoryQuery,
    known: dict[int, RunDetails],
    cancel: CancelToken | None = None,
) -> LoadedRuns:
    """The runs the filters select, newest first (runs on the worker)."""
    found = store.runs(company_id=query.company_id, since=query.since, limit=RUN_LIMIT)
    truncated = len(found) >= RUN_LIMIT
    runs = [
        run
        for run in found
        if run.started_at < query.until
        and (query.environment is None or run.environment == query.environment)
        and (not query.failures_only or needs_attention(run))
    ]
    read: dict[int, RunDetails] = {}
    if query.words:
        matching = []
        for run in runs:
            if cancel is not None:
                cancel.raise_if_cancelled()
            details = known.get(run.id) or store.run_details(run.id)
            if run.status is not RunStatus.RUNNING:
                read[run.id] = details
            if any(project_matches(p, query.words) for p in details.projects):
                matching.append(run)
        runs = matching
    any_runs = bool(runs) or any(
        query.environment is None or run.environment == query.environment
        for run in store.runs(company_id=query.company_id, limit=RUN_LIMIT)
    )
    return LoadedRuns(runs, read, any_runs, truncated)


def details_for_export(
    store: HistoryStore,
    run_ids: Sequence[int],
    known: dict[int, RunDetails],
    words: Sequence[str],
    cancel: CancelToken | None = None,
) -> list[RunDetails]:
    """The listed runs in full; with a project filter, only the matching projects of each."""
    chosen = []
    for run_id in run_ids:
        if cancel is not None:
            cancel.raise_if_cancelled()
        details = known.get(run_id) or store.run_details(run_id)
        if words:
            kept = tuple(p for p in details.projects if project_matches(p, words))
            details = replace(details, projects=kept)
        chosen.append(details)
    return chosen
