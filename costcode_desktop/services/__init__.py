"""Use cases over Procore and the domain: plain Python, callable from the GUI, CLI and tests."""

from .company import CompanyList, CompanyListUnavailable, read_company_list, refusal_reason
from .refresh import CodeIssue, RefreshOutcome, RefreshResult, refresh_project
from .status import (
    ProjectState,
    ProjectStatus,
    check_project,
    check_projects,
    status_after_refresh,
)

__all__ = [
    "CodeIssue",
    "CompanyList",
    "CompanyListUnavailable",
    "ProjectState",
    "ProjectStatus",
    "RefreshOutcome",
    "RefreshResult",
    "check_project",
    "check_projects",
    "read_company_list",
    "refresh_project",
    "refusal_reason",
    "status_after_refresh",
]
