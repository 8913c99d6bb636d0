"""Typed records for the Procore resources this application reads and writes.

Who and where (the user, companies, projects, sub jobs, cost code lists) are defined here; the
codes and the answers to writing them (code_records.py) load on first use (PEP 562): the
window's first paint reads projects and lists from its cache, and no codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcode_desktop.lazy import lazy_names

if TYPE_CHECKING:
    from costcode_desktop.procore.code_records import (
        CopyFailure,
        CopyResult,
        CostCode,
        LineItemType,
        RateLimitStatus,
        StandardCostCode,
        SyncError,
        SyncResult,
        WbsSegment,
    )


@dataclass(frozen=True, slots=True)
class User:
    id: int
    login: str
    name: str


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    project_number: str | None
    active: bool
    display_name: str | None = None
    # The project list's extended view and the single-project read carry the list id (null for
    # a project without one); `list_known` says whether the answer had the field at all.
    standard_cost_code_list_id: int | None = None
    list_known: bool = False
    # The single-project read carries it; for many projects at once it comes from the list
    # filtered on filters[synced] (see services/listing.py). None: not known yet.
    is_erp_integrated: bool | None = None
    # Whether origin_id is set (an integration owns the project; the value is never kept);
    # None when the answer did not carry the field.
    has_origin_id: bool | None = None

    @property
    def needs_detail(self) -> bool:
        """Whether the single-project read is still needed to know its list and ERP link."""
        return not self.list_known or self.is_erp_integrated is None


@dataclass(frozen=True, slots=True)
class SubJob:
    """A project's sub job (a Sage 300 CRE Extra): a biller with its own cost code list."""

    id: int
    project_id: int
    code: str  # "Unique code in the scope of a Project"
    name: str
    # Whether the ERP connector owns the record; the value itself is never kept or sent.
    erp_managed: bool = False


@dataclass(frozen=True, slots=True)
class StandardCostCodeList:
    """A company cost code list, from the WBS segment item lists or the deprecated call."""

    id: int
    name: str
    is_erp_list: bool
    available_to_use_on_new_projects: bool = True
    # From List Company WBS Segment Item Lists: its id is taken to be the list's
    # standard_cost_code_list_id (docs/procore-api.md §2), which callers check.
    from_wbs: bool = False
    codes_count: int | None = None  # segment_items_count, when the answer gives it


_IN_CODE_RECORDS = (
    "CopyFailure",
    "CopyResult",
    "CostCode",
    "LineItemType",
    "RateLimitStatus",
    "StandardCostCode",
    "SyncError",
    "SyncResult",
    "WbsSegment",
)
__getattr__ = lazy_names(
    __name__, dict.fromkeys(_IN_CODE_RECORDS, "costcode_desktop.procore.code_records")
)

__all__ = [
    "Company",
    "CopyFailure",
    "CopyResult",
    "CostCode",
    "LineItemType",
    "Project",
    "RateLimitStatus",
    "StandardCostCode",
    "StandardCostCodeList",
    "SubJob",
    "SyncError",
    "SyncResult",
    "User",
    "WbsSegment",
]
