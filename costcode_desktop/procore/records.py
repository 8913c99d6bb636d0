"""Typed records for the Procore resources this application reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # Only the single-project endpoint returns these two; None means "not read yet".
    standard_cost_code_list_id: int | None = None
    is_erp_integrated: bool | None = None


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


@dataclass(frozen=True, slots=True)
class WbsSegment:
    id: int
    type: str  # "cost_code", "line_item_type", "sub_job", "custom", ...
    name: str


@dataclass(frozen=True, slots=True)
class StandardCostCode:
    id: int
    standard_cost_code_list_id: int
    parent_id: int | None
    code: str
    full_code: str
    name: str
    # Whether the ERP connector owns the record; the value itself is never kept or sent.
    erp_managed: bool = False


@dataclass(frozen=True, slots=True)
class CostCode:
    """A project cost code."""

    id: int
    code: str
    full_code: str
    name: str
    parent_id: int | None
    standard_cost_code_id: int | None
    erp_managed: bool = False
    position: int | None = None


@dataclass(frozen=True, slots=True)
class CopyFailure:
    standard_cost_code_id: int | None
    full_code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class CopyResult:
    """Answer of copy_subset_from_standard_list (201, or 207 with failures)."""

    created: tuple[CostCode, ...]
    failures: tuple[CopyFailure, ...]
    status: int


@dataclass(frozen=True, slots=True)
class SyncError:
    id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Answer of PATCH cost_codes/sync: always 200, per-item errors inside."""

    updated: tuple[CostCode, ...]
    errors: tuple[SyncError, ...]
    request_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """Last X-Rate-Limit-* values seen; issue #5's pacing reads these."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
