"""Checking projects against the company list: one request for each project's codes (and
each sub job's), a few at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from costcode_desktop.procore.errors import Cancelled, NotFound, PermissionDenied, ProcoreError
from costcode_desktop.procore.records import Project, SubJob

from .company import CompanyList, read_comparison, refusal_reason
from .parallel import run_parallel
from .status import ProjectState, ProjectStatus
from .sub_job_lists import SubJobLists

if TYPE_CHECKING:  # annotations only: the client brings httpx
    from costcode_desktop.procore import CancelToken, ProcoreClient

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


def check_project(
    client: ProcoreClient,
    company_list: CompanyList,
    project_id: int,
    *,
    cancel: CancelToken | None = None,
    listed: Project | None = None,
) -> ProjectStatus:
    """Compare one project's codes with the company list: one request for its codes.

    `listed` is the project as the project list gave it; when that says which cost code list
    the project uses and whether it is ERP-integrated (listing.list_projects), a project that
    cannot be refreshed costs nothing, and the project itself is read only when it does not.
    """
    company_id = company_list.company_id
    if listed is not None and listed.id == project_id and not listed.needs_detail:
        project = listed
    else:
        try:
            project = client.project(company_id, project_id, cancel=cancel)
        except (NotFound, PermissionDenied) as exc:
            stand_in = listed or Project(project_id, f"Project {project_id}", None, True)
            return ProjectStatus(stand_in, ProjectState.NO_ACCESS, message=str(exc), error=exc)
    refusal = refusal_reason(project, company_list)
    if refusal is not None:
        state = (
            ProjectState.NOT_ERP_INTEGRATED
            if project.is_erp_integrated is False
            else ProjectState.OTHER_LIST
        )
        return ProjectStatus(project, state, message=refusal)
    return _compared(client, company_list, project, None, cancel)


def _compared(
    client: ProcoreClient,
    company_list: CompanyList,
    project: Project,
    sub_job: SubJob | None,
    cancel: CancelToken | None,
) -> ProjectStatus:
    """One request per 1,000 codes: the project's (or the sub job's) codes, compared."""
    sub_job_id = None if sub_job is None else sub_job.id
    try:
        comparison = read_comparison(
            client, company_list, project.id, sub_job_id=sub_job_id, cancel=cancel
        )
    except (NotFound, PermissionDenied) as exc:
        return ProjectStatus(
            project, ProjectState.NO_ACCESS, message=str(exc), error=exc, sub_job=sub_job
        )
    state = ProjectState.IN_SYNC if comparison.in_sync else ProjectState.OUT_OF_DATE
    return ProjectStatus(project, state, comparison, sub_job=sub_job)


def check_sub_job(
    client: ProcoreClient,
    company_list: CompanyList,
    project: Project,
    sub_job: SubJob,
    *,
    cancel: CancelToken | None = None,
) -> ProjectStatus:
    """One sub job's list against the company list. `project` must be as listed (with its
    list id and ERP flag): a sub job's codes come from the same company list as its project's."""
    refusal = refusal_reason(project, company_list)
    if refusal is not None:
        state = (
            ProjectState.NOT_ERP_INTEGRATED
            if project.is_erp_integrated is False
            else ProjectState.OTHER_LIST
        )
        return ProjectStatus(project, state, message=refusal, sub_job=sub_job)
    return _compared(client, company_list, project, sub_job, cancel)


def check_sub_jobs(
    client: ProcoreClient,
    company_list: CompanyList,
    status: ProjectStatus,
    *,
    cancel: CancelToken | None = None,
    lists: SubJobLists | None = None,
) -> list[ProjectStatus]:
    """The sub jobs of a checked project, each compared: one request per sub job, and one for
    the sub job list unless `lists` keeps it (services/sub_job_lists.py). Only a project that
    is itself compared (on the company list and ERP-integrated) is asked: the others' sub jobs
    could not be refreshed either.

    A sub job of a kept list that Procore no longer has (its codes answer 404) is dropped, and
    the project's list read again once: what it names now is compared, and nothing is said of
    the one that went."""
    if status.sub_job is not None or status.state not in COMPARED:
        return []
    project = status.project
    lists = lists or SubJobLists(client, company_list.company_id)
    try:
        jobs = lists.of(project.id, cancel=cancel)
    except (NotFound, PermissionDenied):
        return []  # the project's own status already says what can be seen
    found = [_compared(client, company_list, project, job, cancel) for job in jobs]
    gone = {s.sub_job.id for s in found if s.sub_job and isinstance(s.error, NotFound)}
    if not gone or lists.read_here(project.id):
        return found  # a list read just now: Procore's answer is shown as it is
    return _after_gone(client, company_list, project, lists, found, gone, cancel)


def _after_gone(
    client: ProcoreClient,
    company_list: CompanyList,
    project: Project,
    lists: SubJobLists,
    found: list[ProjectStatus],
    gone: set[int],
    cancel: CancelToken | None,
) -> list[ProjectStatus]:
    """Kept sub jobs were not found: out of the cache, and the list read again (once)."""
    lists.drop(project.id, gone)
    kept = [s for s in found if s.sub_job is not None and s.sub_job.id not in gone]
    try:
        jobs = lists.read(project.id, cancel=cancel)
    except Cancelled:
        raise
    except ProcoreError as exc:  # the others stand; the list, without the gone, ages as kept
        log.warning("could not list the sub jobs of project %s again: %s", project.id, exc)
        return kept
    done = {s.sub_job.id: s for s in kept if s.sub_job is not None}
    return [
        done.get(job.id) or _compared(client, company_list, project, job, cancel) for job in jobs
    ]


COMPARED = frozenset({ProjectState.IN_SYNC, ProjectState.OUT_OF_DATE})


def check_projects(
    client: ProcoreClient,
    company_list: CompanyList,
    projects: Iterable[Project],
    *,
    concurrency: int = 1,
    cancel: CancelToken | None = None,
    on_error: Callable[[Project, ProcoreError], None] | None = None,
    sub_jobs: bool = False,
    sub_job_lists: SubJobLists | None = None,
) -> Iterator[ProjectStatus]:
    """Statuses one by one, so a caller can show each as soon as it is known.

    With `sub_jobs`, the compared projects' sub jobs (check_sub_jobs) follow once every
    project is checked, each a status of its own (`sub_job` set): the projects' states are
    known first, and the sub job lists (one request a project when not kept) come after them
    rather than between them. `sub_job_lists` says where their lists come from: the cache
    while fresh (the window and `costcode-sync` pass one); without it each is read.

    In the projects' order with `concurrency` 1, else in the order the checks finish (and
    `on_error` is called from the checking threads). A cancel stops new checks; the iteration
    then raises Cancelled once those under way have ended.
    """

    lists = sub_job_lists or SubJobLists(client, company_list.company_id)

    def check(project: Project) -> ProjectStatus:
        try:
            return check_project(client, company_list, project.id, cancel=cancel, listed=project)
        except Cancelled:
            raise
        except ProcoreError as exc:
            if on_error is not None:
                on_error(project, exc)
            return ProjectStatus(project, ProjectState.ERROR, message=str(exc), error=exc)

    def check_jobs(status: ProjectStatus) -> list[ProjectStatus]:
        try:
            return check_sub_jobs(client, company_list, status, cancel=cancel, lists=lists)
        except Cancelled:
            raise
        except ProcoreError as exc:
            if on_error is not None:
                on_error(status.project, exc)
            return []  # the project's own status stands; its sub jobs are unknown

    listed = list(projects)
    with_jobs: dict[int, ProjectStatus] = {}  # by the project's place in the list
    for index, status in _every(check, listed, concurrency, cancel):
        if sub_jobs and status.state in COMPARED:
            with_jobs[index] = status
        yield status
    parents = [with_jobs[index] for index in sorted(with_jobs)]
    for _index, statuses in _every(check_jobs, parents, concurrency, cancel):
        yield from statuses


def _every(
    fn: Callable[[T], R], items: list[T], concurrency: int, cancel: CancelToken | None
) -> Iterator[tuple[int, R]]:
    """run_parallel over the items; then Cancelled if a cancel left some of them not started."""
    done = 0
    for pair in run_parallel(fn, items, concurrency=concurrency, cancel=cancel, name="check"):
        done += 1
        yield pair
    if done < len(items) and cancel is not None:
        cancel.raise_if_cancelled()
