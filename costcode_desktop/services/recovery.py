"""After an interruption: record what a killed run's writes did, from its open intents.

A run records each project's intent before its first write and its row after the read-back; a
kill in between (kill -9, a crash, a power cut) leaves the intent open and the changes missing
from the history, while the next run finds the project in sync. The next start, holding the
company's refresh lock (so no run of it is under way anywhere), reads each such project back
once and records what landed as the interrupted run's changes, marked as recovered. Intents
with nothing applied are closed as not applied.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcode_desktop.costcodes import Comparison, NameUpdate, StandardCode, plural
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import NotFound, ProcoreError

from .company import CompanyList, read_comparison
from .history.store import HistoryError, HistoryStore, IntentState, OpenIntent
from .refresh import RefreshResult
from .refresh_lock import WINDOW, RefreshBusy, company_lock
from .refresh_outcome import RefreshOutcome
from .text import quoted

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)

RECOVERED_NOTE = "Recovered after an interruption"


@dataclass(frozen=True, slots=True)
class Recovery:
    """What one reconciliation found."""

    recovered: int = 0  # projects whose changes were recorded for the interrupted run
    not_applied: int = 0  # intents closed with nothing applied
    left_open: int = 0  # projects that could not be read; tried again next start
    requests: int = 0  # project reads sent

    def text(self) -> str:
        """One line for the CLI and the log; empty when there was nothing to do."""
        if not (self.recovered or self.not_applied or self.left_open):
            return ""
        text = (
            f"{RECOVERED_NOTE}: recorded the changes of {plural(self.recovered, 'project')} "
            "in the history"
        )
        if self.not_applied:
            text += f", {self.not_applied} had nothing applied"
        if self.left_open:
            text += f", {self.left_open} could not be read (tried again next time)"
        return text + "."


def applied(
    to_add: Sequence[StandardCode], updates: Sequence[NameUpdate], after: Comparison
) -> tuple[tuple[StandardCode, ...], tuple[NameUpdate, ...]]:
    """Of what was about to be sent, what the project read back shows."""
    present = {
        row.standard.id
        for row in after.rows
        if row.standard is not None and row.project is not None
    }
    names = {row.project.id: row.project.name for row in after.rows if row.project is not None}
    added = tuple(code for code in to_add if code.id in present)
    updated = tuple(u for u in updates if names.get(u.cost_code_id) == u.new_name)
    return added, updated


def recover_interrupted(
    session: Session,
    company_list: CompanyList,
    history: HistoryStore,
    *,
    cancel: CancelToken | None = None,
) -> Recovery:
    """Reconcile the company's open intents: one read per target, a project or a sub job
    (several intents of one target share it). Call only while holding the company's refresh
    lock."""
    try:
        intents = history.open_intents(session.environment.key, company_list.company_id)
    except HistoryError:
        log.warning("could not read the open intents", exc_info=True)
        return Recovery()
    # One read per target: a sub job's intents are read back from its own list.
    by_target: dict[tuple[int, int | None], list[OpenIntent]] = {}
    for intent in intents:
        job = None if intent.sub_job is None else intent.sub_job.id
        by_target.setdefault((intent.project.id, job), []).append(intent)
    recovered = not_applied = left_open = requests = 0
    for (project_id, sub_job_id), group in by_target.items():
        if cancel is not None and cancel.cancelled:
            left_open += len(group)
            continue
        requests += 1
        try:
            after = read_comparison(
                session.client, company_list, project_id, sub_job_id=sub_job_id, cancel=cancel
            )
        except NotFound:
            after = None  # the project is gone: nothing of it to record
        except ProcoreError as exc:
            log.warning("could not read project %s back to recover its intent: %s", project_id, exc)
            left_open += len(group)
            continue
        for intent in group:
            try:
                if _settle(history, intent, after):
                    recovered += 1
                else:
                    not_applied += 1
            except HistoryError:
                log.warning("could not record the recovered intent %s", intent.id, exc_info=True)
                left_open += 1
    found = Recovery(recovered, not_applied, left_open, requests)
    if found.text():
        log.info("%s", found.text())
    return found


def recover_if_free(
    session: Session,
    company_list: CompanyList,
    history: HistoryStore,
    *,
    who: str = WINDOW,
    cancel: CancelToken | None = None,
) -> Recovery:
    """At a start: reconcile when no refresh of the company is under way (the lock is free);
    otherwise leave it to the next run that holds the lock. Never waits."""
    try:
        held = company_lock(session).acquire(who, wait=False)
    except RefreshBusy:
        return Recovery()
    except OSError:
        log.warning("could not take the refresh lock to recover intents", exc_info=True)
        return Recovery()
    assert held is not None  # only a wait returns None
    with held:
        return recover_interrupted(session, company_list, history, cancel=cancel)


def _settle(history: HistoryStore, intent: OpenIntent, after: Comparison | None) -> bool:
    """Record what landed as the interrupted run's (True), or close it as not applied."""
    added, updated = applied(intent.to_add, intent.updates, after) if after else ((), ())
    if not added and not updated:
        history.close_intent(intent.id, IntentState.NOT_APPLIED)
        return False
    done = []
    if added:
        done.append(f"added {plural(len(added), 'code')}")
    if updated:
        done.append(f"updated {plural(len(updated), 'description')}")
    name, job = intent.project.name, intent.sub_job
    if job is not None:  # as a sub job's refresh names it (services/refresh.py)
        name = f"{name} / {job.code} {job.name}"
    message = (
        f"{quoted(name)}: {' and '.join(done)}. {RECOVERED_NOTE}: the run stopped "
        "before it could record them; this is what reading the project back showed."
    )
    result = RefreshResult(
        intent.project,
        RefreshOutcome.REFRESHED,
        message,
        after=after,
        added=added,
        updated=updated,
        sub_job=intent.sub_job,
    )
    history.record_project(intent.run_id, result, intent_id=intent.id, recovered=True)
    return True
