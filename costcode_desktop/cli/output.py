"""What costcode-sync writes: text tables and lines for people, JSON for scripts, progress."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from costcode_desktop.costcodes import Connector, DiffStatus, natural_key, plural
from costcode_desktop.procore import Environment, ProcoreClient
from costcode_desktop.services import (
    CodeIssue,
    CompanyList,
    Estimate,
    Project,
    ProjectRefreshed,
    ProjectStatus,
    RefreshEstimate,
    RefreshEvent,
    RefreshOutcome,
    RefreshResult,
    RefreshRun,
    RefreshStep,
    RefreshWaiting,
    count_inactive_changed,
    count_out_of_date,
    standing,
)
from costcode_desktop.services.cost_types import CostTypeTodo, cost_type_todos, todo_of

from .lines import shown_width, write_line

if TYPE_CHECKING:
    from costcode_desktop.services.cache import CachedCompany

COUNT_COLUMNS = (
    (DiffStatus.MISSING, "Missing"),
    (DiffStatus.DESCRIPTION_DIFFERS, "Desc. differs"),
    (DiffStatus.ONLY_ON_PROJECT, "Only on project"),
    (DiffStatus.UNSUPPORTED, "Unsupported"),
)


def status_legend(connector: Connector) -> str:
    """The one line under the list's that says what the counts are, naming the ERP in use."""
    system = connector.system
    return (
        "Counts per project: codes missing from it, with another description, only on it, that "
        f"{system} cannot take (unsupported); descriptions {system} keeps (locked, not out of "
        "date). -: not compared."
    )


# Waits shorter than this are Procore's 10-second window, routine at its limits: not worth a line
# each (the time left says how the run goes). Longer ones, the hourly window's, are said.
QUIET_WAIT = 15.0
_LABELS = {
    RefreshOutcome.REFRESHED: "refreshed",
    RefreshOutcome.UNCHANGED: "unchanged",
    RefreshOutcome.REFUSED: "skipped",
    RefreshOutcome.FAILED: "failed",
}
# JSON's `state` per project: its `outcome`, except that a dry run with changes to send is
# "would_change" (its outcome stays "unchanged": nothing was sent). Never another word for the
# same outcome, so a script can read either.
WOULD_CHANGE = "would_change"


class Progress:
    """Lines on stderr while a refresh runs (none with --json): one at a time from any thread."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self._lock = threading.Lock()
        self._time_left = ""  # the last "about … left" said, so it is said again only when it moves
        self._waiting = ""  # the last wait said, not repeated

    def say(self, text: str) -> None:
        if not self.quiet:
            with self._lock:
                write_line(sys.stderr, text, flush=True)

    def on_event(self, event: RefreshEvent) -> None:
        match event:
            case RefreshStep(text="Starting") | ProjectRefreshed():
                pass  # the run's report comes at the end
            case RefreshStep(text=text, total=1):
                self.say(f"  {text}…")
            case RefreshStep(project=project, text=text, index=index, total=total):
                self.say(f"[{index + 1}/{total}] {project.name}: {text[:1].lower()}{text[1:]}…")
            case RefreshWaiting(reason=reason, seconds=seconds) if seconds >= QUIET_WAIT:
                with self._lock:
                    repeated, self._waiting = reason == self._waiting, reason
                if not repeated:
                    self.say(f"  {reason}")
            case RefreshEstimate(estimate=estimate, done=0) if estimate.requests:
                self._time_left = estimate.left_text
                self.say(estimate.text)  # up front, before the first project starts
            case RefreshEstimate(estimate=estimate, done=done, total=total) if done < total:
                self._say_time_left(estimate, done, total)

    def _say_time_left(self, estimate: Estimate, done: int, total: int) -> None:
        """'[12/48 done] about 35 minutes left', when that changes and is a minute or more."""
        text = estimate.left_text
        with self._lock:
            if text == self._time_left or estimate.seconds < 60:
                return
            self._time_left = text
        self.say(f"[{done}/{total} done] {text}")


# -- status ------------------------------------------------------------------------------------


def by_project_number(statuses: list[ProjectStatus]) -> list[ProjectStatus]:
    """As people list projects: by number, 2 before 10 ("25-002" before "25-010"), then name;
    projects without a number last; a project's sub jobs right after it, by code."""
    return sorted(
        statuses,
        key=lambda s: (
            not (s.project.project_number or "").strip(),
            natural_key((s.project.project_number or "").strip()),
            (s.project.project_number or "").strip(),
            s.project.name.casefold(),
            s.project.id,
            s.sub_job is not None,  # a project's sub jobs follow it, by code
            natural_key(s.sub_job.code) if s.sub_job is not None else "",
            s.sub_job.code if s.sub_job is not None else "",
        ),
    )


def status_json(company_list: CompanyList, statuses: list[ProjectStatus]) -> dict[str, Any]:
    return {
        "company_id": company_list.company_id,
        "standard_list": {
            "id": company_list.list.id,
            "name": company_list.list.name,
            "codes": len(company_list.codes),
            "read_at": company_list.read_at.isoformat(),
        },
        "erp_connector": connector_json(company_list.connector),
        "projects": [_project_status_json(s) for s in statuses if s.sub_job is None],
        # Each sub job (Sage Extra) is a target of its own: its project, its code and name.
        "sub_jobs": [_sub_job_status_json(s) for s in statuses if s.sub_job is not None],
    }


def connector_json(connector: Connector) -> dict[str, Any]:
    """Whose code rules made codes unsupported: key 'unknown' when the common rules applied."""
    return {
        "key": connector.key,
        "name": connector.name,
        "known": connector.known,
        "rules": connector.rules_words,
    }


def _project_status_json(status: ProjectStatus) -> dict[str, Any]:
    p = status.project
    return {
        "id": p.id,
        "name": p.name,
        "project_number": p.project_number,
        "active": p.active,
        "biller_type": "Project",
        "biller_id": p.id,
        "state": status.state.value,
        "out_of_date": standing(status).out_of_date,  # counted as out of date (README)
        "summary": status.summary,
        "message": status.message,
        "counts": _counts_json(status),
    }


def _sub_job_status_json(status: ProjectStatus) -> dict[str, Any]:
    job = status.sub_job
    assert job is not None
    p = status.project
    return {
        "id": job.id,
        "code": job.code,
        "name": job.name,
        "label": status.label,
        "project_id": p.id,
        "project_number": p.project_number,
        "biller_type": "SubJob",
        "biller_id": job.id,
        "state": status.state.value,
        "out_of_date": standing(status).out_of_date,  # counted as out of date (README)
        "summary": status.summary,
        "message": status.message,
        "counts": _counts_json(status),
    }


def _counts_json(status: ProjectStatus) -> dict[str, int] | None:
    if status.comparison is None:
        return None
    counts = {s.value: status.count(s) for s in DiffStatus}
    counts["locked_differences"] = status.comparison.locked_differences
    return counts


def print_status_table(
    company_list: CompanyList,
    statuses: list[ProjectStatus],
    out: TextIO,
    *,
    checked: Callable[[ProjectStatus], str] | None = None,
    notes: dict[int, str] | None = None,
) -> None:
    """The table of projects; `checked` adds when each was read, `notes` a line per project."""
    write_line(
        out,
        f"Company list: {company_list.list.name} ({len(company_list.codes)} codes, read "
        f"{_local(company_list.read_at)})",
    )
    write_line(out, status_legend(company_list.connector))
    header = ["Number", "Project", "Active", "Status"] + (["Checked"] if checked else [])
    header += [title for _, title in COUNT_COLUMNS] + ["Locked by ERP"]
    rows = [
        _first_cells(s)
        + [
            "yes" if s.project.active else "no",
            s.summary,
        ]
        + ([checked(s)] if checked else [])
        + [
            str(s.comparison.count_unlocked(status)) if s.comparison else "-"
            for status, _ in COUNT_COLUMNS
        ]
        + [str(s.comparison.locked_differences) if s.comparison else "-"]
        for s in statuses
    ]
    # Widths as shown: a name's control characters take the room of their escapes.
    widths = [max(shown_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (cell + " " * (w - shown_width(cell)) for cell, w in zip(row, widths, strict=True))
        write_line(out, "  ".join(cells).rstrip())
    own = [s for s in statuses if s.sub_job is None]
    jobs = [s for s in statuses if s.sub_job is not None]
    text = f"{plural(len(own), 'project')}, {count_out_of_date(own)} out of date"
    inactive = count_inactive_changed(own)
    if inactive:  # not counted, as --all-out-of-date leaves them out (README: "out of date")
        text += f"; {plural(inactive, 'inactive project')} with differences not counted"
    if jobs:  # counted apart, by the same rule (a sub job of an inactive project is inactive)
        text += f". {plural(len(jobs), 'sub job')}, {count_out_of_date(jobs)} out of date"
        inactive_jobs = count_inactive_changed(jobs)
        if inactive_jobs:
            text += f"; {plural(inactive_jobs, 'sub job')} of inactive projects not counted"
    write_line(out, f"{text}.")
    write_line(out, company_list.connector.rules_words)  # whose rules count codes unsupported
    notes = notes or {}
    for s in statuses:
        own_note = notes.get(s.project.id, "") if s.sub_job is None else ""
        for note in (s.message, own_note):
            if note:
                if s.sub_job is None:
                    write_line(out, f"- {_about(s.project, note)}")
                else:
                    write_line(out, f"- {s.label}: {note}")


def _first_cells(status: ProjectStatus) -> list[str]:
    """Number and name: '23-104', 'Riverside Clinic'; a sub job's '23-104 / E01', its name."""
    number = status.project.project_number or ""
    job = status.sub_job
    if job is None:
        return [number, status.project.name]
    return [f"{number or status.project.name} / {job.code}", job.name]


def _about(project: Project, note: str) -> str:
    """'24-060: 'Downtown Transit …' is not connected …': the project named once, by its number
    when the note names it already."""
    number = (project.project_number or "").strip()
    if project.name and project.name in note:
        return f"{number}: {note}" if number else note
    return f"{numbered(project)}: {note}"


def print_cached_status(cached: CachedCompany, statuses: list[ProjectStatus], out: TextIO) -> None:
    write_line(
        out,
        f"Last-known state of {cached.company.name}, as of {_local(cached.as_of)}: kept on this "
        "computer, nothing was sent to Procore. 'Checked' says when each project (or sub job) "
        "was read.",
    )
    notes = {
        pid: f"⚠ Last {mark.doing} failed {_local(mark.failed_at)} — {mark.failure}."
        for pid, mark in cached.marks.items()
        if mark.failed
    }
    print_status_table(
        cached.company_list,
        statuses,
        out,
        checked=lambda s: _local(s.checked_at),
        notes=notes,
    )


def cached_status_json(cached: CachedCompany, statuses: list[ProjectStatus]) -> dict[str, Any]:
    report = status_json(cached.company_list, statuses)
    report["cached"] = True
    report["as_of"] = cached.as_of.isoformat()
    report["company"] = {"id": cached.company.id, "name": cached.company.name}
    own = [s for s in statuses if s.sub_job is None]
    jobs = [s for s in statuses if s.sub_job is not None]
    for entry, status in zip(report["sub_jobs"], jobs, strict=True):
        entry["checked_at"] = status.checked_at.isoformat()
    for entry, status in zip(report["projects"], own, strict=True):
        mark = cached.marks.get(status.project.id)
        entry["checked_at"] = status.checked_at.isoformat()
        entry["last_failure"] = (
            {
                "doing": mark.doing,
                "at": mark.failed_at.isoformat() if mark.failed_at else None,
                "reason": mark.failure,
            }
            if mark is not None and mark.failed
            else None
        )
    return report


def _local(moment: datetime | None) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment is not None else "-"


# -- refresh -----------------------------------------------------------------------------------


def label(result: RefreshResult) -> str:
    if result.would_change:
        return "would change"
    return _LABELS[result.outcome]


def print_run(
    run: RefreshRun,
    out: TextIO,
    environment: Environment,
    *,
    skipping_fails: bool | None = None,
) -> None:
    """One line per project, then the summary; skipped projects with their number and name.
    `skipping_fails` adds a line on whether they fail the run (None: nothing to say); what is
    left to do in Procore (the codes with no cost type) comes before the summary."""
    if not run.results and not run.not_started:
        write_line(out, "No active project is out of date; nothing to do.")
        return
    for result in run.results:
        if result.sub_job is not None:  # its message names it; the line says which it is
            write_line(out, f"{label(result):<12}  {_target(result)}: {result.message}")
        elif result.outcome is RefreshOutcome.REFUSED:
            write_line(out, f"{label(result):<12}  {_about(result.project, result.message)}")
        else:
            write_line(out, f"{label(result):<12}  {result.message}")
        for kind, issues in (("skipped", result.skipped), ("failed", result.failed)):
            for issue in issues:
                ref = f" (Procore request {issue.request_id})" if issue.request_id else ""
                write_line(
                    out,
                    f"{'':<12}    {kind} {issue.full_code}  {issue.name}: {issue.reason}{ref}",
                )
    for project in run.not_started:
        write_line(out, f"{'not started':<12}  '{project.name}'")
    if run.skipped and skipping_fails is not None:
        skipped = f"{plural(len(run.skipped), 'project')} skipped, listed above"
        if skipping_fails:
            write_line(out, f"{skipped}: with --fail-on-refused, the run fails.")
        else:
            write_line(out, f"{skipped}: not a failure (--fail-on-refused makes it one).")
    for todo in cost_type_todos(run, environment):
        print_todo(todo, out)
    write_line(out, run.summary())  # last: scripts read the outcome there


def print_todo(todo: CostTypeTodo, out: TextIO) -> None:
    """'No cost type: 3 new codes in … . In Procore: …', the codes, and the Admin address."""
    write_line(out, f"No cost type: {todo.text}")
    write_line(out, f"  {', '.join(todo.codes)}")
    if todo.admin_url:
        write_line(out, f"  Open in Procore: {todo.admin_url}")


def todo_json(todo: CostTypeTodo | None) -> dict[str, Any] | None:
    if todo is None:
        return None
    return {
        "codes": list(todo.codes),
        "new": todo.new,
        "text": todo.text,
        "open_in_procore": todo.admin_url,
    }


def _target(result: RefreshResult) -> str:
    """'23-104 / E02 Owner Change Extras' for a sub job's result, else the project numbered."""
    job = result.sub_job
    if job is None:
        return numbered(result.project)
    number = (result.project.project_number or "").strip() or result.project.name
    return f"{number} / {job.code} {job.name}"


def numbered(project: Project) -> str:
    """'24-080 Summit Ridge Data Center': the project as people in the office name it."""
    number = (project.project_number or "").strip()
    return f"{number} {project.name}" if number else project.name


def run_json(
    run: RefreshRun,
    client: ProcoreClient,
    environment: Environment,
    *,
    dry_run: bool,
    concurrency: int,
    connector: Connector,
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "erp_connector": connector_json(connector),
        "concurrency": concurrency,
        "summary": run.summary(),
        "counts": {
            "refreshed": len(run.refreshed),
            # A dry run's projects are all unchanged: those it would change are counted apart.
            "would_change": sum(1 for r in run.results if r.would_change),
            "unchanged": len(run.unchanged),
            "skipped": len(run.skipped),
            "failed": len(run.failed),
            "not_started": len(run.not_started),
        },
        "cancelled": run.cancelled,
        "projects": [refresh_json(r, environment) for r in run.results],
        "not_started": [{"id": p.id, "name": p.name} for p in run.not_started],
        "history_problem": run.history_problem or None,
        "recovered_after_interruption": {
            "projects": run.recovery.recovered,
            "not_applied": run.recovery.not_applied,
            "left_open": run.recovery.left_open,
        },
        "estimate": _estimate_json(run.estimate),
        "requests": client.request_count,
        "rate_limited_answers": client.throttled_count,
    }


def _estimate_json(estimate: Estimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "requests": estimate.requests,
        "hourly_limit": estimate.hourly_limit,
        "left_this_hour": estimate.left_this_hour,
        "seconds": round(estimate.seconds),
        "text": estimate.text,
    }


def refresh_json(result: RefreshResult, environment: Environment) -> dict[str, Any]:
    plan = result.plan
    job = result.sub_job
    todo = todo_of(result, environment)
    return {
        "project": {
            "id": result.project.id,
            "name": result.project.name,
            "number": result.project.project_number,
        },
        "sub_job": None if job is None else {"id": job.id, "code": job.code, "name": job.name},
        "biller_type": "Project" if job is None else "SubJob",
        "biller_id": result.project.id if job is None else job.id,
        "outcome": result.outcome.value,
        "state": WOULD_CHANGE if result.would_change else result.outcome.value,
        "dry_run": result.dry_run,
        "message": result.message,
        "verified_in_sync": result.verified_in_sync if not result.dry_run else None,
        "would_add": [c.full_code for c in plan.to_add] if plan and result.would_change else [],
        "would_update": (
            [u.full_code for u in plan.updates] if plan and result.would_change else []
        ),
        "added": [{"full_code": c.full_code, "name": c.name} for c in result.added],
        "updated": [
            {"full_code": u.full_code, "old_name": u.old_name, "new_name": u.new_name}
            for u in result.updated
        ],
        "skipped": [_issue_json(i) for i in result.skipped],
        "failed": [_issue_json(i) for i in result.failed],
        # Codes read back with no cost type: Sage cannot take them until they get one.
        "codes_without_cost_type": list(todo.codes) if todo else [],
        "cost_types_todo": todo_json(todo),
    }


def _issue_json(issue: CodeIssue) -> dict[str, Any]:
    return {
        "full_code": issue.full_code,
        "name": issue.name,
        "reason": issue.reason,
        "request_id": issue.request_id,
    }


def print_refresh(result: RefreshResult, out: TextIO, environment: Environment) -> None:
    write_line(out, result.message)

    def line(kind: str, full_code: str, text: str) -> None:
        write_line(out, f"  {kind:<13} {full_code}  {text}")

    plan = result.plan
    if result.would_change and plan is not None:
        for code in plan.to_add:
            line("would add", code.full_code, code.name)
        for update in plan.updates:
            line("would update", update.full_code, f"'{update.old_name}' -> '{update.new_name}'")
    for code in result.added:
        line("added", code.full_code, code.name)
    for update in result.updated:
        line("updated", update.full_code, f"'{update.old_name}' -> '{update.new_name}'")
    for issue in result.skipped:
        line("skipped", issue.full_code, f"{issue.name}: {issue.reason}")
    for issue in result.failed:
        ref = f" (Procore request {issue.request_id})" if issue.request_id else ""
        line("failed", issue.full_code, f"{issue.name}: {issue.reason}{ref}")
    todo = todo_of(result, environment)
    if todo is not None:
        print_todo(todo, out)
