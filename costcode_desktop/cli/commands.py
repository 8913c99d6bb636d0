"""costcode-sync's commands over the services: status, and refresh of one, several or all."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import threading
from typing import Any, TextIO

from costcode_desktop.costcodes import plural
from costcode_desktop.procore.errors import NotFound
from costcode_desktop.services import (
    CancelToken,
    CompanyList,
    Project,
    ProjectState,
    ProjectStatus,
    RefreshResult,
    RefreshRun,
    Session,
    SubJobLists,
    Target,
    TargetKey,
    check_projects,
    check_sub_job,
    count_out_of_date,
    list_projects,
    load_company,
    read_company_list,
    refresh_many,
    standing,
    status_estimate,
)
from costcode_desktop.services.cache import CacheStore, cache_key, open_cache_or_none
from costcode_desktop.services.history import HistoryStore, open_history_or_none
from costcode_desktop.services.refresh_lock import (
    COMMAND,
    HeldRefresh,
    LockHolder,
    RefreshBusy,
    company_lock,
    waiting_words,
)
from costcode_desktop.services.text import without_isolates

from . import output
from .lines import write_line
from .output import Progress
from .parser import (
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_NOTHING_DONE,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_SOME_FAILED,
)
from .signin import connector_choice


def run_command(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "status":
        return status(session, args, out)
    return refresh(session, args, out)


class SubJobNotFound(Exception):
    """A --sub-job that is none of the --project's sub jobs."""


def status(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    cache = open_cache_or_none()
    try:
        return _status(session, args, out, cache)
    finally:
        if cache is not None:
            cache.close()


def sub_job_lists(
    session: Session, args: argparse.Namespace, cache: CacheStore | None
) -> SubJobLists:
    """Where this run finds the projects' sub jobs: kept lists while fresh (the desktop app's
    too), unless --reread-sub-jobs."""
    return SubJobLists(
        session.client,
        session.company.id,
        cache=cache,
        environment=cache_key(session.environment),
        reread=args.reread_sub_jobs,
    )


def _status(
    session: Session, args: argparse.Namespace, out: TextIO, cache: CacheStore | None
) -> int:
    client, company_id = session.client, session.company.id
    connector = connector_choice(args)
    if args.sub_job:
        company_list = read_company_list(client, company_id, connector=connector)
        try:
            targets = _named_sub_jobs(session, args.project, args.sub_job)
        except SubJobNotFound as exc:
            write_line(sys.stderr, f"costcode-sync: error: {exc}")
            return EXIT_NOTHING_DONE
        statuses = [
            check_sub_job(client, company_list, t.project, t.sub_job)
            for t in targets
            if t.sub_job is not None
        ]
        _print_status(company_list, statuses, args, out)
        return EXIT_OK
    if args.project:
        company_list = read_company_list(client, company_id, connector=connector)
        listed = {p.id: p for p in list_projects(client, company_id, ids=args.project)}
        # One the list does not show is read alone, which says why (not found, no access).
        projects = [
            listed.get(pid) or Project(pid, _stand_in(pid), None, True) for pid in args.project
        ]
    else:
        load = load_company(session, history=None, connector=connector)  # no "last refreshed"
        company_list, projects = load.company_list, load.projects
    checked = check_projects(
        client,
        company_list,
        projects,
        sub_jobs=not args.no_sub_jobs,
        sub_job_lists=sub_job_lists(session, args, cache),
    )
    statuses = output.by_project_number(list(checked))
    if cache is not None:
        _remember(cache, session, company_list, None if args.project else projects, statuses)
    missing = {
        s.project.id
        for s in statuses
        if s.sub_job is None and isinstance(s.error, NotFound) and args.project
    }
    nothing_found = bool(missing) and len(missing) == len(args.project)
    if missing:
        statuses = [
            _not_found(session, s) if s.sub_job is None and s.project.id in missing else s
            for s in statuses
        ]
    if not args.json:
        for status in (s for s in statuses if s.sub_job is None and s.project.id in missing):
            write_line(sys.stderr, f"costcode-sync: error: {status.message}")
        statuses = [s for s in statuses if s.project.id not in missing]
        if nothing_found:
            return EXIT_NOTHING_DONE
    _print_status(company_list, statuses, args, out)
    return EXIT_NOTHING_DONE if nothing_found else EXIT_OK


def _print_status(
    company_list: CompanyList, statuses: list[ProjectStatus], args: argparse.Namespace, out: TextIO
) -> None:
    if args.json:
        _dump(output.status_json(company_list, statuses), out)
    else:
        output.print_status_table(company_list, statuses, out)


def _named_sub_jobs(
    session: Session, project_ids: list[int], sub_job_ids: list[int]
) -> list[Target]:
    """The sub jobs named with --sub-job, found among the --project's (one request per
    project for its sub job list); SubJobNotFound names any that is not there."""
    company_id = session.company.id
    listed = list_projects(session.client, company_id, ids=project_ids)
    missing = sorted(set(project_ids) - {p.id for p in listed})
    if missing:
        raise SubJobNotFound(f"project {missing[0]} was not found (or you cannot see it)")
    found: dict[int, Target] = {}
    for project in listed:
        for job in session.client.sub_jobs(company_id, project.id):
            found[job.id] = Target(project, job)
    unknown = [i for i in sub_job_ids if i not in found]
    if unknown:
        projects = ", ".join(str(p) for p in project_ids)
        raise SubJobNotFound(f"sub job {unknown[0]} is not a sub job of project {projects}")
    return [found[i] for i in dict.fromkeys(sub_job_ids)]


def _not_found(session: Session, status: ProjectStatus) -> ProjectStatus:
    """A named project Procore does not have (or hides): said with its id, not a stand-in row."""
    return dataclasses.replace(status, message=_no_project(session, status.project.id))


def _named_if_missing(session: Session, result: RefreshResult) -> RefreshResult:
    """A refresh of a named project Procore does not have says which id that was."""
    project = result.project
    if not isinstance(result.error, NotFound) or project.name != _stand_in(project.id):
        return result
    return dataclasses.replace(result, message=_no_project(session, result.project.id))


def _no_project(session: Session, project_id: int) -> str:
    company = session.company
    return (
        f"No project {project_id} in company {company.name} ({company.id}), or you cannot see "
        "it. Check the id (the number in the project's Procore address) and that you were "
        "added to the project."
    )


def _stand_in(project_id: int) -> str:
    """The name a project named by id has until Procore gives its own."""
    return f"Project {project_id}"


def cached_status(
    environment: str, company_id: int | None, args: argparse.Namespace, out: TextIO
) -> int:
    """The last-known state from the cache, with its age; no sign-in, no request."""
    cache = open_cache_or_none()
    connector = connector_choice(args)
    cached = cache.read(environment, company_id, connector=connector) if cache is not None else None
    if cache is not None:
        cache.close()
    if cached is None:
        which = f"company {company_id}" if company_id else "any company"
        write_line(
            sys.stderr,
            f"costcode-sync: error: nothing is kept on this computer for {which} in "
            f"'{environment}'. Run costcode-sync status without --cached (or open the desktop "
            "app) once while Procore can be reached.",
        )
        return EXIT_NOTHING_DONE
    wanted = set(args.project or ())
    shown = [
        cached.statuses[p.id]
        for p in cached.projects
        if p.id in cached.statuses and (not wanted or p.id in wanted)
    ]
    ids = {s.project.id for s in shown}
    jobs = set(args.sub_job or ())
    if args.sub_job:  # only those sub jobs, as without --cached
        shown = []
    if not args.no_sub_jobs:  # each sub job's last-known state, after its project
        shown += [
            s
            for (pid, sid), s in cached.sub_job_statuses.items()
            if pid in ids and (not jobs or sid in jobs)
        ]
    statuses = output.by_project_number(shown)
    if args.json:
        _dump(output.cached_status_json(cached, statuses), out)
    else:
        output.print_cached_status(cached, statuses, out)
    return EXIT_OK


def _remember(
    cache: CacheStore,
    session: Session,
    company_list: CompanyList,
    projects: list[Project] | None,
    statuses: list[ProjectStatus],
) -> None:
    """Keep what was read for `status --cached` and the desktop app's next start: projects'
    and sub jobs' results (their lists were kept as they were read). Only a whole company
    list replaces the cached one (a --project status adds its projects' results)."""
    environment = cache_key(session.environment)
    if projects is not None:
        cache.save_company(environment, session.company, company_list, projects)
    cache.save_statuses(environment, company_list, statuses)


def refresh(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    lock: HeldRefresh | None = None
    if not args.dry_run:  # held before the statuses are read, so they are not out of date
        try:
            lock = _hold_refresh_lock(session, args)
        except RefreshBusy as busy:
            write_line(sys.stderr, f"costcode-sync: {busy}")
            return EXIT_BUSY
        if lock is None:
            return EXIT_INTERRUPTED
    cache = open_cache_or_none()  # the sub job lists a status kept, and kept for the next
    try:
        return _refresh_holding(session, args, out, lock, sub_job_lists(session, args, cache))
    finally:
        if cache is not None:
            cache.close()
        if lock is not None:
            lock.release()


def _hold_refresh_lock(session: Session, args: argparse.Namespace) -> HeldRefresh | None:
    """The company's refresh lock: waited for (saying whom for) with --wait or on a terminal,
    else RefreshBusy. None: Ctrl+C while waiting."""
    wait = args.wait if args.wait is not None else sys.stdin.isatty()

    def waiting(holder: LockHolder | None) -> None:
        write_line(sys.stderr, waiting_words(holder), flush=True)  # with --json too

    try:
        return company_lock(session).acquire(COMMAND, wait=wait, on_wait=waiting)
    except KeyboardInterrupt:
        write_line(sys.stderr, "Stopped while waiting; nothing was sent.")
        return None


def _refresh_holding(
    session: Session,
    args: argparse.Namespace,
    out: TextIO,
    lock: HeldRefresh | None,
    lists: SubJobLists,
) -> int:
    company_list = read_company_list(
        session.client, session.company.id, connector=connector_choice(args)
    )
    progress = Progress(quiet=args.json)
    try:
        projects, statuses = _projects_to_refresh(session, company_list, args, progress, lists)
    except SubJobNotFound as exc:
        write_line(sys.stderr, f"costcode-sync: error: {exc}")
        return EXIT_NOTHING_DONE
    history = open_history_or_none()
    notice = history.notice if history is not None else ""  # a bad file was moved aside
    if notice and not args.json:  # --json: it is in the report
        write_line(sys.stderr, f"costcode-sync: warning: {notice}")
    try:
        run = _run_refresh(
            session, company_list, projects, statuses, history, args, progress, lock, lists
        )
    finally:
        if history is not None:
            history.close()
    run.results[:] = [_named_if_missing(session, r) for r in run.results]
    if run.recovery.text() and not args.json:  # --json: recovered_after_interruption
        write_line(sys.stderr, run.recovery.text())
    code = exit_code(run, named=set(args.project or ()), fail_on_refused=args.fail_on_refused)
    single = len(args.project or ()) == 1 and not args.all_out_of_date
    if single and len(run.results) == 1:
        result = run.results[0]
        if args.json:
            report = output.refresh_json(result, session.environment)
            _dump(
                {
                    **report,
                    "erp_connector": output.connector_json(company_list.connector),
                    "history_problem": run.history_problem or None,
                    "notice": notice or None,
                },
                out,
            )
        else:
            output.print_refresh(result, out, session.environment)
    elif args.json:
        report = output.run_json(
            run,
            session.client,
            session.environment,
            dry_run=args.dry_run,
            concurrency=args.concurrency,
            connector=company_list.connector,
        )
        _dump({**report, "notice": notice or None}, out)
    else:
        skipping_fails = {EXIT_OK: False, EXIT_REFUSED: True}.get(code)
        output.print_run(run, out, session.environment, skipping_fails=skipping_fails)
    if run.history_problem and not args.json:  # --json: it is in the report
        write_line(sys.stderr, f"costcode-sync: warning: {run.history_problem}")
    return code


def exit_code(run: RefreshRun, *, named: set[int], fail_on_refused: bool) -> int:
    """0 done; 1 some failed; 2 nothing done; 3 some skipped, with --fail-on-refused.

    A project skipped because it may not be refreshed (no permission, not connected to the ERP,
    another list) fails the run only with --fail-on-refused, or when every project was skipped
    and the user named one: a nightly --all-out-of-date whose only out-of-date projects are
    ones it may not refresh has done all it can."""
    if not run.results and not run.not_started:
        return EXIT_OK  # nothing was out of date
    fine = run.refreshed + run.unchanged
    if run.failed or run.not_started:
        something = fine or any(r.changed for r in run.failed)
        return EXIT_SOME_FAILED if something else EXIT_NOTHING_DONE
    if not run.skipped:
        return EXIT_OK
    if fail_on_refused:
        return EXIT_REFUSED
    if fine or not any(r.project.id in named for r in run.skipped):
        return EXIT_OK
    return EXIT_NOTHING_DONE  # every project refused, one of them asked for by name


def _projects_to_refresh(
    session: Session,
    company_list: CompanyList,
    args: argparse.Namespace,
    progress: Progress,
    lists: SubJobLists,
) -> tuple[list[Project | Target], dict[TargetKey, ProjectStatus]]:
    """Active out-of-date projects and sub jobs (with --all-out-of-date), then those named
    with --project (each followed by its sub jobs unless --no-sub-jobs: refresh_many lists
    them) or --sub-job; and the statuses read on the way, which the refresh starts from
    instead of reading again."""
    if args.sub_job:
        named = _named_sub_jobs(session, args.project, args.sub_job)
        return list[Project | Target](named), {}
    chosen: dict[TargetKey, Project | Target] = {}
    statuses: dict[TargetKey, ProjectStatus] = {}
    if args.all_out_of_date:
        listed = list_projects(session.client, company_list.company_id, status="Active")
        active = [p for p in listed if p.active]
        for status in _out_of_date(session, company_list, active, args, progress, lists):
            chosen[status.key] = status.target  # a Target: its sub jobs were checked already
            statuses[status.key] = status
    for project_id in args.project or ():
        # Named: as a Project (its own name when the check found it), so its sub jobs follow it.
        found = chosen.pop(project_id, None)
        project = found.project if isinstance(found, Target) else found
        chosen[project_id] = project or Project(project_id, _stand_in(project_id), None, True)
    return list(chosen.values()), statuses


def _out_of_date(
    session: Session,
    company_list: CompanyList,
    projects: list[Project],
    args: argparse.Namespace,
    progress: Progress,
    lists: SubJobLists,
) -> list[ProjectStatus]:
    """The statuses that are out of date, or could not be read (the refresh says)."""
    total = len(projects)
    found = status_estimate(session.client, company_list, projects)
    text = f"Checking {total} active projects."
    progress.say(f"{text} {found.text}" if found.requests else text)
    checked = check_projects(
        session.client,
        company_list,
        projects,
        concurrency=args.concurrency,
        sub_jobs=not args.no_sub_jobs,
        sub_job_lists=lists,
    )
    by_key: dict[int, list[ProjectStatus]] = {}  # they come as each check ends
    for status in checked:
        by_key.setdefault(status.project.id, []).append(status)
    # In the order Procore lists them, each project's sub jobs after it.
    statuses = [s for p in projects for s in by_key.get(p.id, [])]
    # Out of date by services.out_of_date's rule (the count the window and `status` say); those
    # whose check failed are tried too, and the refresh says what became of them.
    chosen = [s for s in statuses if standing(s).out_of_date or s.state is ProjectState.ERROR]
    jobs = count_out_of_date(s for s in statuses if s.sub_job is not None)
    own = count_out_of_date(s for s in statuses if s.sub_job is None)
    text = f"{own} of {total} active projects are out of date"
    progress.say(f"{text}, and {plural(jobs, 'sub job')}." if jobs else f"{text}.")
    return chosen


def _run_refresh(
    session: Session,
    company_list: CompanyList,
    projects: list[Project | Target],
    statuses: dict[TargetKey, ProjectStatus],
    history: HistoryStore | None,
    args: argparse.Namespace,
    progress: Progress,
    lock: HeldRefresh | None,
    lists: SubJobLists,
) -> RefreshRun:
    """refresh_many on a thread; Ctrl+C stops new projects, those under way finish."""
    cancel = CancelToken()
    ended = threading.Event()
    done: list[RefreshRun] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            done.append(
                refresh_many(
                    session,
                    company_list,
                    projects,
                    history=history,
                    concurrency=args.concurrency,
                    dry_run=args.dry_run,
                    on_event=progress.on_event,
                    cancel=cancel,
                    statuses=statuses,
                    lock=lock,
                    who=COMMAND,
                    sub_jobs=not args.no_sub_jobs,
                    sub_job_lists=lists,
                )
            )
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)
        finally:
            ended.set()

    threading.Thread(target=work, name="refresh-run", daemon=True).start()
    _wait_for(ended, cancel, progress)
    if failure:
        raise failure[0]
    return done[0]


def _wait_for(ended: threading.Event, cancel: CancelToken, progress: Progress) -> None:
    """Until the run has ended. An Event rather than Thread.join: a join that Ctrl+C interrupts
    can leave the thread looking finished while it still runs."""
    while True:
        try:
            if ended.wait(0.2):
                return
        except KeyboardInterrupt:
            if cancel.cancelled:
                # At once, as a kill would be: the run's worker threads would hold up a normal
                # exit until their requests end. The history shows the run as interrupted.
                sys.stderr.flush()
                os._exit(EXIT_INTERRUPTED)
            cancel.cancel()
            progress.say(
                "Stopping: no new project starts; the ones under way finish and are checked. "
                "Press Ctrl+C again to quit at once."
            )


def _dump(report: dict[str, Any], out: TextIO) -> None:
    """The report as JSON, without the isolates the services put around names for the window
    (services/text.py): a script compares the words, not what a window needs to show them."""
    json.dump(_without_isolates(report), out, indent=2)
    out.write("\n")


def _without_isolates(value: Any) -> Any:
    if isinstance(value, str):
        return without_isolates(value)
    if isinstance(value, dict):
        return {key: _without_isolates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_isolates(item) for item in value]
    return value
