"""Work Breakdown Structure: the company's segments and the cost code segment's item lists.

These replace List Standard Cost Code Lists, deprecated on 2022-03-31 (tutorial_wbs.md). Neither
endpoint is paginated (the SDK lists no Link or Total header for them).
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .views import segment_item_list_view, wbs_segment_view
from .wire import Response, errors, json_response

# REF: for line_item_type segments, "1 = Procore Cost Types (non-ERP) and 2 = ERP Cost Types".
COST_TYPE_LISTS = (
    {"id": 1, "name": "Procore Cost Types", "erp_integrated": False},
    {"id": 2, "name": "ERP Cost Types", "erp_integrated": True},
)


def _company_id(ctx: Context) -> int:
    """The path's company: it must be the Procore-Company-Id header's (403 otherwise)."""
    company_id = int(ctx.args["company_id"])
    if company_id != ctx.company_id:
        raise errors(
            403,
            f"company {company_id} does not match the Procore-Company-Id header ({ctx.company_id})",
            reason="company_mismatch",
        )
    return company_id


def segments(ctx: Context) -> Response:
    company_id = _company_id(ctx)
    lists = ctx.store.standard_lists(company_id)
    codes = sum(ctx.store.standard_code_count(row["id"]) for row in lists)
    views = [
        wbs_segment_view(row, codes if row["type"] == "cost_code" else 0)
        for row in ctx.store.wbs_segments(company_id)
    ]
    return json_response(200, views)


def segment_item_lists(ctx: Context) -> Response:
    company_id = _company_id(ctx)
    segment_id = int(ctx.args["segment_id"])
    segment = ctx.store.wbs_segment(segment_id)
    if segment is None or segment["company_id"] != company_id:
        raise errors(404, f"Segment {segment_id} not found", reason="not_found")
    views: list[dict[str, Any]] = []
    if segment["type"] == "cost_code":
        views = [
            segment_item_list_view(row, ctx.store.standard_code_count(row["id"]))
            for row in ctx.store.standard_lists(company_id)
        ]
    elif segment["type"] == "line_item_type":
        views = [
            {**item, "segment_items_count": 0, "available_to_use_on_new_projects": True}
            for item in COST_TYPE_LISTS
        ]
    # REF: "Only cost_code and line_item_type segment types are supported; other segment types
    # return an empty array."
    return json_response(200, views)
