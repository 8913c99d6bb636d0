"""Typed records of cost codes and their cost types, and of Procore's answers to writing them
(re-exported by records.py, which loads this module on first use)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
