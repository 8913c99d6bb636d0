"""Use cases over Procore and the domain: plain Python, callable from the GUI, CLI and tests.

The record and error types the GUI needs are re-exported here, so `ui` never imports `procore`.
"""

from __future__ import annotations

from costcode_desktop.procore import CancelToken, Environment, TokenSource
from costcode_desktop.procore.errors import Cancelled, ProcoreError
from costcode_desktop.procore.records import Company, Project, User

from .budget import Estimate, duration_text, status_estimate
from .bulk import RefreshRun, refresh_estimate, refresh_many, retry_failed, starting_points
from .company import (
    CompanyList,
    CompanyListUnavailable,
    read_company_list,
    read_comparison,
    refusal_reason,
)
from .events import ProjectRefreshed, RefreshEstimate, RefreshEvent, RefreshStep, RefreshWaiting
from .listing import list_projects
from .load import CompanyLoad, load_company
from .parallel import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, run_parallel
from .permissions import PermissionCache
from .preview import PreviewLine, RefreshPreview, check_permissions, refresh_preview
from .refresh import CodeIssue, RefreshOutcome, RefreshResult, refresh_project
from .session import Session, connect, open_demo_session, open_sandbox_session
from .status import (
    ProjectState,
    ProjectStatus,
    check_project,
    check_projects,
    status_after_refresh,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "CancelToken",
    "Cancelled",
    "CodeIssue",
    "Company",
    "CompanyList",
    "CompanyListUnavailable",
    "CompanyLoad",
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
    "RefreshOutcome",
    "RefreshPreview",
    "RefreshResult",
    "RefreshRun",
    "RefreshStep",
    "RefreshWaiting",
    "Session",
    "TokenSource",
    "User",
    "check_permissions",
    "check_project",
    "check_projects",
    "connect",
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
    "starting_points",
    "status_after_refresh",
    "status_estimate",
]
