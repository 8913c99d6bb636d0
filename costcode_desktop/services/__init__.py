"""Use cases over Procore and the domain: plain Python, callable from the GUI, CLI and tests.

The record and error types the GUI needs are re-exported here, so `ui` never imports `procore`.
They load on first use (PEP 562), so importing one light module of the package (paths, the
cache) does not bring in the HTTP client: the window paints before it needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costcode_desktop.lazy import lazy_names

if TYPE_CHECKING:
    from costcode_desktop.procore import CancelToken, Environment, TokenSource
    from costcode_desktop.procore.errors import Cancelled, ProcoreError
    from costcode_desktop.procore.records import Company, Project, SubJob, User

    from .budget import Estimate, duration_text, status_estimate
    from .bulk import (
        RefreshRun,
        refresh_estimate,
        refresh_many,
        retry_failed,
        starting_points,
    )
    from .checks import check_project, check_projects, check_sub_job
    from .company import (
        CompanyList,
        CompanyListUnavailable,
        read_company_list,
        read_comparison,
        refusal_reason,
    )
    from .cost_types import CostTypeTodo, cost_type_todos
    from .events import (
        ProjectRefreshed,
        RefreshEstimate,
        RefreshEvent,
        RefreshLocked,
        RefreshStep,
        RefreshWaiting,
    )
    from .listing import list_projects
    from .load import CompanyLoad, load_company
    from .out_of_date import Standing, count_inactive_changed, count_out_of_date, standing
    from .parallel import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, run_parallel
    from .permissions import PermissionCache
    from .preview import PreviewLine, RefreshPreview, check_permissions, refresh_preview
    from .refresh import CodeIssue, RefreshResult, refresh_project
    from .refresh_outcome import RefreshOutcome
    from .session import Session, connect, open_demo_session, open_sandbox_session
    from .status import ProjectState, ProjectStatus, status_after_refresh
    from .sub_job_lists import SUB_JOBS_FRESH_FOR, SubJobLists
    from .targets import Target, TargetKey

_HOME = {  # name -> the module that defines it
    "CancelToken": "costcode_desktop.procore",
    "Environment": "costcode_desktop.procore",
    "TokenSource": "costcode_desktop.procore",
    "Cancelled": "costcode_desktop.procore.errors",
    "ProcoreError": "costcode_desktop.procore.errors",
    "Company": "costcode_desktop.procore.records",
    "Project": "costcode_desktop.procore.records",
    "SubJob": "costcode_desktop.procore.records",
    "User": "costcode_desktop.procore.records",
    "Estimate": ".budget",
    "duration_text": ".budget",
    "status_estimate": ".budget",
    "refresh_estimate": ".bulk",
    "starting_points": ".bulk",
    "RefreshEstimate": ".events",
    "list_projects": ".listing",
    "PermissionCache": ".permissions",
    "PreviewLine": ".preview",
    "RefreshPreview": ".preview",
    "check_permissions": ".preview",
    "refresh_preview": ".preview",
    "RefreshRun": ".bulk",
    "refresh_many": ".bulk",
    "retry_failed": ".bulk",
    "CostTypeTodo": ".cost_types",
    "cost_type_todos": ".cost_types",
    "CompanyList": ".company",
    "CompanyListUnavailable": ".company",
    "read_company_list": ".company",
    "read_comparison": ".company",
    "refusal_reason": ".company",
    "ProjectRefreshed": ".events",
    "RefreshEvent": ".events",
    "RefreshLocked": ".events",
    "RefreshStep": ".events",
    "RefreshWaiting": ".events",
    "CompanyLoad": ".load",
    "load_company": ".load",
    "DEFAULT_CONCURRENCY": ".parallel",
    "MAX_CONCURRENCY": ".parallel",
    "run_parallel": ".parallel",
    "CodeIssue": ".refresh",
    "RefreshOutcome": ".refresh_outcome",
    "RefreshResult": ".refresh",
    "refresh_project": ".refresh",
    "Session": ".session",
    "connect": ".session",
    "open_demo_session": ".session",
    "open_sandbox_session": ".session",
    "Standing": ".out_of_date",
    "count_inactive_changed": ".out_of_date",
    "count_out_of_date": ".out_of_date",
    "standing": ".out_of_date",
    "ProjectState": ".status",
    "ProjectStatus": ".status",
    "check_project": ".checks",
    "check_projects": ".checks",
    "check_sub_job": ".checks",
    "status_after_refresh": ".status",
    "SUB_JOBS_FRESH_FOR": ".sub_job_lists",
    "SubJobLists": ".sub_job_lists",
    "Target": ".targets",
    "TargetKey": ".targets",
}


__getattr__ = lazy_names(__name__, _HOME)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "SUB_JOBS_FRESH_FOR",
    "CancelToken",
    "Cancelled",
    "CodeIssue",
    "Company",
    "CompanyList",
    "CompanyListUnavailable",
    "CompanyLoad",
    "CostTypeTodo",
    "Environment",
    "Estimate",
    "PermissionCache",
    "PreviewLine",
    "ProcoreError",
    "Project",
    "ProjectRefreshed",
    "ProjectState",
    "ProjectStatus",
    "RefreshEstimate",
    "RefreshEvent",
    "RefreshLocked",
    "RefreshOutcome",
    "RefreshPreview",
    "RefreshResult",
    "RefreshRun",
    "RefreshStep",
    "RefreshWaiting",
    "Session",
    "Standing",
    "SubJob",
    "SubJobLists",
    "Target",
    "TargetKey",
    "TokenSource",
    "User",
    "check_permissions",
    "check_project",
    "check_projects",
    "check_sub_job",
    "connect",
    "cost_type_todos",
    "count_inactive_changed",
    "count_out_of_date",
    "duration_text",
    "list_projects",
    "load_company",
    "open_demo_session",
    "open_sandbox_session",
    "read_company_list",
    "read_comparison",
    "refresh_estimate",
    "refresh_many",
    "refresh_preview",
    "refresh_project",
    "refusal_reason",
    "retry_failed",
    "run_parallel",
    "standing",
    "starting_points",
    "status_after_refresh",
    "status_estimate",
]
