"""Refresh several projects in one run, recorded in the history: the CLI and the window use it.

Plain Python. Up to `concurrency` projects are refreshed at a time (services.parallel) over the
session's one (thread-safe) client. A cancel stops projects from starting; a project whose
writes have begun is carried through to its read-back, so it is never left half-done and
unchecked. Every project ends in one definite state: refreshed (verified by reading it again),
unchanged, skipped (refused, with the reason), failed (with the reason), or not started.

A run that writes holds the company's refresh lock (services.refresh_lock) from start to end,
so two runs (the window and a nightly costcode-sync, say) never refresh one company together;
holding it, it first records what an interrupted run left unrecorded (services.recovery).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from costcode_desktop.costcodes import Comparison, NameUpdate, RefreshPlan, StandardCode, plural
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import Cancelled, NotFound, PermissionDenied, ProcoreError
from costcode_desktop.procore.records import Project

from .budget import Estimate, estimate, refresh_requests
from .company import CompanyList, read_comparison
from .events import (
    ProjectRefreshed,
    RefreshEstimate,
    RefreshEvent,
    RefreshLocked,
    RefreshStep,
    RefreshWaiting,
)
from .history.store import HistoryError, HistoryStore
from .parallel import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, run_parallel
from .recovery import Recovery, applied, recover_interrupted
from .refresh import RefreshResult, refresh_project
from .refresh_lock import WINDOW, HeldRefresh, LockHolder, company_lock
from .refresh_outcome import RefreshOutcome
from .session import Session
from .status import ProjectState, ProjectStatus, status_after_refresh
from .sub_job_lists import SubJobLists
from .targets import Target, TargetKey, as_target
from .text import quoted

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_CONCURRENCY", "MAX_CONCURRENCY", "RefreshRun", "refresh_many", "retry_failed"]

EventHandler = Callable[[RefreshEvent], None]
# A status read this recent (when the run starts) is acted on without reading the project again.
REUSE_FOR = timedelta(minutes=15)


@dataclass
class RefreshRun:
    """What one press of Refresh did, project by project."""

    # In the order the projects were given; each without its `before` comparison (the
    # ProjectRefreshed event carries the whole result), so a run of hundreds of projects holds
    # one comparison per project.
    results: list[RefreshResult] = field(default_factory=list)
    not_started: list[Project] = field(default_factory=list)
    cancelled: bool = False
    history_problem: str = ""
    dry_run: bool = False
    estimate: Estimate | None = None  # the up-front estimate of the requests and the time
    recovery: Recovery = field(default_factory=Recovery)  # an interrupted run's, recorded first

    def _with(self, outcome: RefreshOutcome) -> list[RefreshResult]:
        return [r for r in self.results if r.outcome is outcome]

    @property
    def refreshed(self) -> list[RefreshResult]:
        """Changed, and verified by reading the project again."""
        return self._with(RefreshOutcome.REFRESHED)

    @property
    def unchanged(self) -> list[RefreshResult]:
        """Nothing to change (or a dry run)."""
        return self._with(RefreshOutcome.UNCHANGED)

    @property
    def skipped(self) -> list[RefreshResult]:
        """Refused before anything was sent: not ERP-integrated, another list, no permission."""
        return self._with(RefreshOutcome.REFUSED)

    @property
    def failed(self) -> list[RefreshResult]:
        return self._with(RefreshOutcome.FAILED)

    @property
    def total(self) -> int:
        return len(self.results) + len(self.not_started)

    def retry_failed(self) -> list[Project]:
        """The projects to run again for "Retry failed"."""
        return [r.project for r in self.failed]

    def summary(self) -> str:
        """One line that says what this run changed."""
        if len(self.results) == 1 and not self.not_started:
            text = self.results[0].message
        elif self.dry_run:
            text = self._dry_run_summary()
        else:
            text = self._run_summary()
        if self.cancelled:
            text += f" Cancelled: {len(self.not_started)} not started."
        if self.history_problem:
            text += f" {self.history_problem}"
        if self.recovery.text():
            text += f" {self.recovery.text()}"
        return text

    def _run_summary(self) -> str:
        text = f"{len(self.refreshed)} of {self._of_total()} refreshed"
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        if self.unchanged:
            text += f"; {len(self.unchanged)} unchanged"
        text += "."
        added = sum(len(r.added) for r in self.results)
        updated = sum(len(r.updated) for r in self.results)
        if added or updated:
            text += f" Added {plural(added, 'code')}, updated {plural(updated, 'description')}."
        return text

    def _of_total(self) -> str:
        """'12 projects', or '3 (1 project, 2 sub jobs)' when sub jobs were refreshed too."""
        jobs = sum(1 for r in self.results if r.sub_job is not None)
        if not jobs:
            return plural(self.total, "project")
        return f"{self.total} ({plural(self.total - jobs, 'project')}, {plural(jobs, 'sub job')})"

    def _dry_run_summary(self) -> str:
        plans = [r.plan for r in self.results if r.would_change and r.plan is not None]
        added = sum(len(p.to_add) for p in plans)
        updated = sum(len(p.updates) for p in plans)
        text = (
            f"Dry run: {len(plans)} of {self._of_total()} would change (add "
            f"{plural(added, 'code')}, update {plural(updated, 'description')})"
        )
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text + ". Nothing was sent."


def retry_failed(run: RefreshRun) -> list[Project]:
    """The projects of `run` to run again for "Retry failed"."""
    return run.retry_failed()


def refresh_many(
    session: Session,
    company_list: CompanyList,
    projects: Sequence[Project | Target],
    *,
    history: HistoryStore | None,
    concurrency: int = DEFAULT_CONCURRENCY,
    dry_run: bool = False,
    on_event: EventHandler | None = None,
    cancel: CancelToken | None = None,
    statuses: Mapping[int, ProjectStatus] | Mapping[TargetKey, ProjectStatus] | None = None,
    lock: HeldRefresh | None = None,
    who: str = WINDOW,
    sub_jobs: bool = False,
    sub_job_lists: SubJobLists | None = None,
) -> RefreshRun:
    """Refresh the projects, `concurrency` at a time; record each outcome as soon as it is known.

    Unless a dry run, the run holds the company's refresh lock: `lock` when the caller holds it
    already, or taken here for `who`, waiting while another process holds it (with a
    RefreshLocked event). A cancel while waiting ends the run with every project not started.

    `on_event` hears each step, wait, estimate and finished project, from the worker threads;
    an error it raises is logged and stops nothing. `statuses` are the projects' last status
    reads (project id -> status): a project whose status was read against this company list
    within REUSE_FOR before the run starts is refreshed from that comparison instead of being
    read again, so it costs the writes and the read-back (and the permission check, once per
    project per session).

    A Target with a sub job refreshes that sub job's list. With `sub_jobs`, a project given
    as a Project (not as a Target) is followed by its sub jobs (one request lists them; each
    is refreshed and recorded as a target of its own), unless the project was refused. A sub
    job's status is found in `statuses` under its key, (project id, sub job id). The project's
    sub jobs are the ones `sub_job_lists` gives: pass the status's, so the refresh uses the
    lists its status used (kept in the cache while fresh) instead of reading them again.
    """
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}")
    targets = [as_target(item) for item in projects]
    unique = list({target.key: target for target in targets}.values())  # once each
    owned: HeldRefresh | None = None
    if not dry_run and lock is None:
        owned = _take_lock(session, who, cancel, on_event)
        if owned is None:
            return RefreshRun(not_started=[t.project for t in unique], cancelled=True)
        lock = owned
    try:
        recovery = Recovery()
        if lock is not None and history is not None:
            recovery = recover_interrupted(session, company_list, history, cancel=cancel)
        changed_since = lock.changed_since if lock is not None else None
        # Our own copy, keyed by project id or target key: each target's entry (and its starting
        # point) is let go once the target is done. The caller's statuses may be the last
        # holders of comparisons the window has since replaced; freed all at once at the end,
        # 300 projects' worth held the interpreter lock for 30 ms and more.
        known: dict[Any, ProjectStatus] = dict(statuses or {})
        del statuses
        starts = starting_points(
            company_list,
            unique,
            known,
            changed_since=changed_since,
            written_at=_last_written(session, history),
        )
        batch = _Batch(session, company_list, unique, starts, history, dry_run, on_event)
        if sub_jobs:
            batch.expand = {p.id for p in projects if isinstance(p, Project)}
            batch.sub_job_lists = sub_job_lists or SubJobLists(
                session.client, company_list.company_id
            )
        batch.statuses = known
        batch.fresh_after = _fresh_after(company_list, datetime.now(UTC), changed_since)
        batch.written_at = _last_written(session, history)
        batch.run_record.recovery = recovery
        batch.run(concurrency, cancel)
        return batch.run_record
    finally:
        if owned is not None:
            owned.release()


def _take_lock(
    session: Session,
    who: str,
    cancel: CancelToken | None,
    on_event: EventHandler | None,
) -> HeldRefresh | None:
    def waiting(holder: LockHolder | None) -> None:
        if on_event is not None:
            try:
                on_event(RefreshLocked(holder))
            except Exception:
                log.exception("on_event failed on RefreshLocked")

    return company_lock(session).acquire(who, cancel=cancel, on_wait=waiting)


@dataclass(frozen=True)
class StartingPoint:
    """What a project's refresh starts from: the project as listed, and its comparison when the
    status read is fresh enough to act on (None: the refresh reads the codes again)."""

    project: Project
    before: Comparison | None
    target: Target | None = None  # the sub job when it is one; None: the project itself


def _fresh_after(
    company_list: CompanyList, moment: datetime, changed_since: datetime | None
) -> datetime:
    fresh_after = max(company_list.read_at, moment - REUSE_FOR)
    return fresh_after if changed_since is None else max(fresh_after, changed_since)


def _starting_point(
    target: Target,
    status: ProjectStatus | None,
    fresh_after: datetime,
    written: datetime | None,
) -> StartingPoint:
    """A project's (or a sub job's) starting point; `written`: when a run last began writing
    to the project or one of its sub jobs."""
    project = target.project
    job = target if target.sub_job is not None else None
    if status is None:
        return StartingPoint(project, None, job)
    fresh = (
        status.comparison is not None
        and status.state in (ProjectState.IN_SYNC, ProjectState.OUT_OF_DATE)
        and status.checked_at >= fresh_after
        and (written is None or status.checked_at > written)
    )
    listed = status.project if not status.project.needs_detail else project
    return StartingPoint(listed, status.comparison if fresh else None, job)


def starting_points(
    company_list: CompanyList,
    projects: Sequence[Project | Target],
    statuses: Mapping[Any, ProjectStatus],
    *,
    now: datetime | None = None,
    changed_since: datetime | None = None,
    written_at: Mapping[int, datetime] | None = None,
) -> list[StartingPoint]:
    """Each project's starting point from its status, judged once for the whole run.

    `changed_since`: when another process's refresh of the company last ended (the refresh
    lock says); `written_at`: when a run last began writing to each project (the history's
    intents). A status read before either is read again: that run may have changed the project,
    and acting on the old read would claim its changes.

    A comparison is reused when it was made against this very company list and at most
    REUSE_FOR before the run starts; the run may then last hours under Procore's hourly limit,
    and the comparisons stay in use. That is safe because nothing is decided on them alone: a
    code copied twice is refused as a duplicate, a sync writes the company's description
    whatever the project says now, and the read-back after the writes says what the project
    really holds (a difference that appeared meanwhile is reported, and the status updated).
    """
    fresh_after = _fresh_after(company_list, now or datetime.now(UTC), changed_since)
    return [
        _starting_point(
            target,
            statuses.get(target.key),
            fresh_after,
            (written_at or {}).get(target.project.id),
        )
        for target in map(as_target, projects)
    ]


def _last_written(session: Session, history: HistoryStore | None) -> dict[int, datetime]:
    if history is None:
        return {}
    try:
        return history.last_written(session.environment.key, session.company.id)
    except HistoryError:
        log.warning("could not read when projects were last written", exc_info=True)
        return {}


def refresh_estimate(
    session: Session,
    company_list: CompanyList,
    points: Sequence[StartingPoint],
) -> Estimate:
    """The requests refreshing from these starting points needs, and the time it takes."""
    needed = sum(_requests(session, company_list, point) for point in points)
    return estimate(needed, session.client.quota())


def _requests(session: Session, company_list: CompanyList, point: StartingPoint) -> int:
    cache, company_id = session.permissions, company_list.company_id
    return refresh_requests(
        company_list,
        point.project,
        point.before,
        permission=cache.answer(company_id, point.project.id),
        permission_known=cache.known(company_id, point.project.id),
    )


class _UntilWrites(CancelToken):
    """The run's cancel token for one project, until its writes begin; then never cancelled.

    A project whose writes have begun goes on to its read-back, whatever the user pressed.
    """

    __slots__ = ("_detached", "_run")

    def __init__(self, run: CancelToken | None) -> None:
        super().__init__()
        self._run = run
        self._detached = False

    def detach(self) -> None:
        self._detached = True

    @property
    def detached(self) -> bool:
        return self._detached

    @property
    def cancelled(self) -> bool:
        return not self._detached and self._run is not None and self._run.cancelled

    def wait(self, seconds: float) -> bool:
        if self._detached or self._run is None:
            time.sleep(max(0.0, seconds))
            return False
        return self._run.wait(seconds)

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled()


class _Batch:
    """One call of refresh_many: its targets, the history run and the events."""

    def __init__(
        self,
        session: Session,
        company_list: CompanyList,
        targets: list[Target],
        starts: list[StartingPoint],
        history: HistoryStore | None,
        dry_run: bool,
        on_event: EventHandler | None,
    ) -> None:
        self.session = session
        self.client = session.client
        self.company_list = company_list
        self.targets = targets
        self.starts = starts
        # The requests each target needs, worked out once (a sub job's when it is found); what
        # is left is the sum over the targets not finished yet.
        self.needs: dict[TargetKey, int] = {
            target.key: _requests(session, company_list, point)
            for target, point in zip(targets, starts, strict=True)
        }
        self.finished: set[TargetKey] = set()
        self.history = history
        self.dry_run = dry_run
        self.on_event = on_event
        self.run_record = RefreshRun(dry_run=dry_run)
        self.expand: set[TargetKey] = set()  # the projects followed by their sub jobs
        self.sub_job_lists = SubJobLists(session.client, company_list.company_id)
        self.statuses: dict[TargetKey, ProjectStatus] = {}  # let go as targets finish
        self.fresh_after = company_list.read_at
        self.written_at: Mapping[int, datetime] = {}
        self._lock = threading.Lock()
        self._run_id: int | None = None
        self._intents: dict[TargetKey, int] = {}  # target -> its open intent in the history
        self._plans: dict[TargetKey, RefreshPlan] = {}  # target -> the plan being sent

    def run(self, concurrency: int, cancel: CancelToken | None) -> None:
        self._run_id = self._start_history()
        self.run_record.estimate = self._report_estimate()
        results: dict[int, list[RefreshResult]] = {}  # by index in `targets`
        for index, found in run_parallel(
            lambda i: self._one(i, cancel),
            range(len(self.targets)),
            concurrency=concurrency,
            cancel=cancel,
            name="refresh",
        ):
            if found is not None:
                results[index] = found
        run = self.run_record
        run.results = [result for i in sorted(results) for result in results[i]]
        run.not_started = [t.project for i, t in enumerate(self.targets) if i not in results]
        run.cancelled = bool(run.not_started) and cancel is not None and cancel.cancelled
        self._finish_history()

    def _one(self, index: int, cancel: CancelToken | None) -> list[RefreshResult] | None:
        """One target on a worker thread (and with `sub_jobs`, a project's sub jobs after it):
        refreshed, recorded and reported, or not started."""
        target = self.targets[index]
        result = self._target(target, self.starts[index], index, cancel)
        self._let_go(index, target.key)
        if result is None:
            return None  # cancelled before anything was sent: not started
        results = [result]
        if target.key in self.expand and self._has_sub_jobs(result):
            given = {t.key for t in self.targets}  # a sub job also given alone runs once
            jobs = [
                job for job in self._sub_jobs_of(result.project, cancel) if job.key not in given
            ]
            for job in jobs:
                point = _starting_point(
                    job,
                    self.statuses.get(job.key),
                    self.fresh_after,
                    self.written_at.get(job.project.id),
                )
                with self._lock:
                    self.needs[job.key] = _requests(self.session, self.company_list, point)
                found = self._target(job, point, index, cancel)
                self._drop_status(job.key)
                if found is None:
                    break  # cancelled: the project's other sub jobs are not started
                results.append(found)
        return results

    def _let_go(self, index: int, key: TargetKey) -> None:
        """The target is done: its starting point and status read are no longer needed here."""
        point = self.starts[index]
        if point.before is not None:
            self.starts[index] = replace(point, before=None)
        self._drop_status(key)

    def _drop_status(self, key: TargetKey) -> None:
        with self._lock:
            self.statuses.pop(key, None)

    @staticmethod
    def _has_sub_jobs(result: RefreshResult) -> bool:
        """Whether to go on to the project's sub jobs: not when the project was refused (on
        another list, not ERP-integrated, or no Admin), since the same refusal holds for its
        sub jobs and listing them would cost a request for nothing."""
        return result.outcome is not RefreshOutcome.REFUSED

    def _sub_jobs_of(self, project: Project, cancel: CancelToken | None) -> list[Target]:
        """The project's sub jobs: as its status found them, or one request. A failure to list
        them is a problem of the run, not of the project, whose own result stands."""
        try:
            jobs = self.sub_job_lists.of(project.id, cancel=cancel)
        except Cancelled:
            return []
        except (NotFound, PermissionDenied):
            return []
        except ProcoreError as exc:
            log.warning("could not list the sub jobs of project %s: %s", project.id, exc)
            self._problem(f"The sub jobs of {quoted(project.name)} could not be listed: {exc}")
            return []
        return [Target(project, job) for job in jobs]

    def _target(
        self, target: Target, start: StartingPoint, index: int, cancel: CancelToken | None
    ) -> RefreshResult | None:
        result = self._refresh_one(target, start, index, cancel)
        if result is None:
            return None
        self._record(result, self._intents.get(target.key))
        self._emit(ProjectRefreshed(result, status_after_refresh(result)))
        with self._lock:
            self.finished.add(target.key)
        self._report_estimate()
        # Only the comparison read back is kept: over hundreds of projects the one read before
        # the changes would double the memory, and nothing needs it afterwards.
        return replace(result, before=None)

    def _report_estimate(self) -> Estimate:
        """What the targets not finished still need, told to `on_event`."""
        with self._lock:
            done = len(self.finished)
            left = sum(n for key, n in self.needs.items() if key not in self.finished)
            total = len(self.needs)
        found = estimate(left, self.client.quota())
        self._emit(RefreshEstimate(found, done, total))
        return found

    def _emit(self, event: RefreshEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # the caller's bug must not stop this project or the others
            log.exception("on_event failed on %s", type(event).__name__)

    def _refresh_one(
        self, target: Target, start: StartingPoint, index: int, cancel: CancelToken | None
    ) -> RefreshResult | None:
        project = target.project
        gate = _UntilWrites(cancel)
        total = len(self.targets)

        def step(text: str) -> None:
            if target.sub_job is not None:
                text = f"{target.sub_job.code}: {text}"
            self._emit(RefreshStep(project, text, index, total))

        def waiting(reason: str, seconds: float) -> None:
            self._emit(RefreshWaiting(reason, seconds))

        def writes_begin(plan: RefreshPlan) -> None:
            gate.detach()
            self._intend(target, plan)

        try:
            with self.client.waits_reported_to(waiting if self.on_event else None):
                step("Starting")
                return refresh_project(
                    self.client,
                    self.company_list,
                    project.id,
                    dry_run=self.dry_run,
                    progress=step,
                    cancel=gate,
                    on_writes=writes_begin,
                    listed=start.project,
                    before=start.before,
                    permissions=self.session.permissions,
                    sub_job=target.sub_job,
                )
        except Cancelled:
            if not gate.detached:
                return None
            return self._stopped_part_way(target, Cancelled())
        except ProcoreError as exc:
            if not gate.detached:
                return RefreshResult(
                    project, RefreshOutcome.FAILED, str(exc), error=exc, sub_job=target.sub_job
                )
            return self._stopped_part_way(target, exc)
        except Exception as exc:  # a bug must cost one project, never the run
            log.exception("refresh of project %s failed unexpectedly", project.id)
            return self._stopped_part_way(target, exc)

    def _stopped_part_way(self, target: Target, exc: Exception) -> RefreshResult:
        """A refresh that ended with an error: read the project back to say where it stands,
        and record what of the plan it shows (as a recovery after a kill would)."""
        project = target.project
        name = target.label if target.sub_job is not None else project.name
        if isinstance(exc, ProcoreError):
            message = f"The refresh of {quoted(name)} stopped: {exc}"
            error: ProcoreError | None = exc
        else:
            message = (
                f"The refresh of {quoted(name)} stopped because of an unexpected problem "
                f"({type(exc).__name__}); the details are in the log."
            )
            error = None
        after = None
        try:
            after = read_comparison(
                self.client, self.company_list, project.id, sub_job_id=target.sub_job_id
            )
        except Exception:
            log.warning("could not read project %s back", project.id, exc_info=True)
            message += " Reload to see where it stands."
        added: tuple[StandardCode, ...] = ()
        updated: tuple[NameUpdate, ...] = ()
        if after is not None:
            plan = self._plans.get(target.key)
            if plan is not None:
                added, updated = applied(plan.to_add, plan.updates, after)
            if after.in_sync:
                message += " Checked: the project matches the company list."
            else:
                left = after.differences
                message += f" Checked: {plural(left, 'difference')} left."
        return RefreshResult(
            project,
            RefreshOutcome.FAILED,
            message,
            after=after,
            added=added,
            updated=updated,
            error=error,
            sub_job=target.sub_job,
        )

    # -- history -------------------------------------------------------------------------------

    def _problem(self, text: str) -> None:
        with self._lock:
            self.run_record.history_problem = text

    def _start_history(self) -> int | None:
        if self.history is None:
            self._problem("The refresh history is not available, so this run is not recorded.")
            return None
        session = self.session
        try:
            return self.history.start_run(
                user=session.user.login,
                environment=session.environment.key,
                company_id=session.company.id,
                company_name=session.company.name,
                dry_run=self.dry_run,
            )
        except HistoryError as exc:
            self._problem(str(exc))
            return None

    def _intend(self, target: Target, plan: RefreshPlan) -> None:
        """Before the target's first write: what is about to be sent, in the history, so that
        a kill before its row is recorded can be recovered (services.recovery)."""
        with self._lock:
            self._plans[target.key] = plan
        if self.history is None or self._run_id is None:
            return
        try:
            intent_id = self.history.open_intent(self._run_id, target.project, plan, target.sub_job)
        except HistoryError as exc:
            self._problem(str(exc))
            return
        with self._lock:
            self._intents[target.key] = intent_id

    def _record(self, result: RefreshResult, intent_id: int | None = None) -> None:
        if self.history is None or self._run_id is None:
            return
        try:
            self.history.record_project(self._run_id, result, intent_id=intent_id)
        except HistoryError as exc:
            self._problem(str(exc))
        except Exception:  # never lose the other projects over one record
            log.exception("could not record project %s in the history", result.project.id)
            self._problem("A project could not be recorded in the refresh history (see the log).")

    def _finish_history(self) -> None:
        if self.history is None or self._run_id is None:
            return
        try:
            self.history.finish_run(self._run_id, cancelled=self.run_record.cancelled)
        except HistoryError as exc:
            self._problem(str(exc))
