"""Database rows rendered as the JSON objects Procore returns."""

from __future__ import annotations

import zlib
from typing import Any

from .clock import iso8601
from .cost_types import assigned
from .store import Row


def company_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "is_active": bool(row["is_active"]),
        "logo_url": None,
        "my_company": bool(row["my_company"]),
    }


def _stage(name: str | None) -> dict[str, Any] | None:
    """A project stage as Procore gives it, {id, name}; the id is stable for a stage name."""
    if name is None:
        return None
    return {"id": zlib.crc32(name.encode("utf-8")) % 100_000 + 1, "name": name}


# Fields the seed does not describe are there with Procore's names, empty, so that a client
# reading them meets the real shape (weigandconstruction/procore_python_sdk,
# docs/RestV11ProjectsGet200ResponseInner.md, Project1.md and Project3.md).
_EMPTY_NORMAL = (
    "accounting_project_number", "address", "city", "completion_date", "country_code", "county",
    "designated_market_area", "estimated_value", "latitude", "longitude", "origin_code",
    "origin_data", "owners_project_id", "parent_job_id", "phone", "photo_id",
    "project_bid_type_id", "project_owner_type_id", "project_region_id", "project_template",
    "start_date", "state_code", "store_number", "time_zone", "total_value", "zip",
)  # fmt: skip
_EMPTY_EXTENDED = (
    "actual_start_date", "description", "dictionary_type", "estimated_completion_date",
    "estimated_start_date", "flag", "inbound_email", "logo_url", "office", "persistent_message",
    "program", "project_bid_type", "project_owner_type", "project_region", "project_type",
    "projected_finish_date", "public_notes", "square_feet", "tz_name", "warranty_end_date",
    "warranty_start_date",
)  # fmt: skip


def project_view(row: Row, company: Row, *, view: str = "v1.0") -> dict[str, Any]:
    """One project in the shape of `view`: "v1.0" (the v1.0 list), "normal" and "extended" (the
    v1.1 list), or "detail" (GET /rest/v1.0/projects/{id}).

    Only "extended" and "detail" carry standard_cost_code_list_id, and only "detail" carries
    is_erp_integrated; the v1.0 list also has `stage` as text, the others `project_stage`.
    """
    view_fields: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "display_name": row["display_name"],
        "project_number": row["project_number"],
        "active": bool(row["active"]),
        "project_stage": _stage(row["stage"]),
        "origin_id": row["origin_id"],
        "company": {"id": company["id"], "name": company["name"]},
        "is_demo": False,
        "created_at": iso8601(row["created_at"]),
        "updated_at": iso8601(row["updated_at"]),
    }
    view_fields.update(dict.fromkeys(_EMPTY_NORMAL))
    if view == "v1.0":
        view_fields["stage"] = row["stage"]
    if view in ("extended", "detail"):
        view_fields.update(dict.fromkeys(_EMPTY_EXTENDED))
        view_fields["departments"] = []
        view_fields["standard_cost_code_list_id"] = row["standard_cost_code_list_id"]
    if view == "detail":
        stage = view_fields["project_stage"]
        view_fields["project_stage_id"] = stage["id"] if stage else None
        view_fields["is_erp_integrated"] = bool(row["is_erp_integrated"])
    return view_fields


def standard_list_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "is_erp_list": bool(row["is_erp_list"]),
        "available_to_use_on_new_projects": bool(row["available"]),
    }


def wbs_segment_view(row: Row, items: int) -> dict[str, Any]:
    """A company WBS segment (SDK RestV10CompaniesCompanyIdWorkBreakdownStructureSegmentsGet200
    ResponseInner); `type` tells the cost code segment, `name` is only a display label."""
    return {
        "id": row["id"],
        "type": row["type"],
        "name": row["name"],
        "position": row["position"],
        "segment_items_count": items,
        "required": bool(row["required"]),
        "delimiter": row["delimiter"],
        "project_can_modify_origin_project": bool(row["project_can_modify_origin_project"]),
        "project_can_delete_origin_company": bool(row["project_can_delete_origin_company"]),
        "structure": row["structure"],
        "created_at": iso8601(row["created_at"]),
        "updated_at": iso8601(row["created_at"]),
        "wbs_pattern_id": row["wbs_pattern_id"],
    }


def segment_item_list_view(row: Row, items: int) -> dict[str, Any]:
    """A segment item list (SDK ...SegmentsSegmentIdListsGet200ResponseInner). For the cost code
    segment it is a standard cost code list, with the same id (REF: "For cost_code segments,
    this is the Standard Cost Code List ID")."""
    return {
        "id": row["id"],
        "name": row["name"],
        "segment_items_count": items,
        "erp_integrated": bool(row["is_erp_list"]),
        "available_to_use_on_new_projects": bool(row["available"]),
    }


def standard_code_view(row: Row, *, extended: bool = True) -> dict[str, Any]:
    if not extended:
        return {"id": row["id"], "standard_cost_code_list_id": row["list_id"]}
    return {
        "id": row["id"],
        "standard_cost_code_list_id": row["list_id"],
        "parent_id": row["parent_id"],
        "code": row["code"],
        "full_code": row["full_code"],
        "name": row["name"],
        "origin_id": row["origin_id"],
        "origin_data": row["origin_data"],
        # Not in the spec's StandardCostCode model: the sandbox's stand-in for the company's
        # default cost types of a code (docs/procore-api.md, "Cost types").
        "line_item_types": assigned(row["line_item_types"]),
    }


def line_item_type_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "code": row["code"],
        "base_type": row["base_type"],
        "origin_id": row["origin_id"],
        "origin_data": None,
    }


def sub_job_view(row: Row) -> dict[str, Any]:
    """List Sub Jobs' fields (SDK RestV10SubJobsGet200ResponseInner)."""
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "origin_id": row["origin_id"],
        "origin_data": row["origin_data"],
        "created_at": iso8601(row["created_at"]),
        "updated_at": iso8601(row["updated_at"]),
    }


def cost_code_view(row: Row, project: Row, sub_job: Row | None = None) -> dict[str, Any]:
    """A code of the project's own list, or of `sub_job`'s (its biller) when it has one."""
    sub_job_id = row["sub_job_id"]
    return {
        "id": row["id"],
        "code": row["code"],
        "full_code": row["full_code"],
        "name": row["name"],
        "parent": None if row["parent_id"] is None else {"id": row["parent_id"]},
        "position": row["position"],
        "origin_id": row["origin_id"],
        "origin_data": row["origin_data"],
        "standard_cost_code_id": row["standard_cost_code_id"],
        "budgeted": bool(row["budgeted"]),
        "biller": project["name"] if sub_job is None else sub_job["name"],
        "biller_id": project["id"] if sub_job_id is None else sub_job_id,
        "biller_type": "Project" if sub_job_id is None else "SubJob",
        "created_at": iso8601(row["created_at"]),
        "updated_at": iso8601(row["updated_at"]),
        "deleted_at": iso8601(row["deleted_at"]),
        "line_item_types": assigned(row["line_item_types"]),
        "sortable_code": row["full_code"],
    }
