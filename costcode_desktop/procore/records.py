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


@dataclass(frozen=True, slots=True)
class WbsSegment:
    id: int
    type: str  # "cost_code", "line_item_type", "sub_job", "custom", ...
    name: str


@dataclass(frozen=True, slots=True)
class LineItemType:
    """A cost type ("Line Item Type" in the API; a Sage 300 CRE category). origin_id not kept."""

    id: int | None
    code: str
    name: str
    base_type: str = ""


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
    # The company's default cost types, when the answer carries them (the spec's model has no
    # such field: docs/procore-api.md, "Cost types"); None when it does not.
    line_item_types: tuple[LineItemType, ...] | None = None


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
    # Whose list it is on: "Project" or "SubJob" and that one's id; None when not given.
    biller_type: str | None = None
    biller_id: int | None = None
    # The cost types assigned to the code; () none, None when the answer did not say.
    line_item_types: tuple[LineItemType, ...] | None = None


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
