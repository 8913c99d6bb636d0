"""List Line Item Types (cost types), and the project Admin page the app's link opens."""

from __future__ import annotations

from .api_company import GENERAL_CAP
from .context import Context
from .cost_types import assigned
from .pages import admin_page
from .views import line_item_type_view
from .wire import Response, errors, int_param, json_response, paginate


def line_item_types(ctx: Context) -> Response:
    """GET /rest/v1.0/line_item_types: "You must supply either a company_id or project_id"."""
    request = ctx.request
    if int_param(request, "company_id") is not None:
        company_id = ctx.company_param()["id"]
    else:
        project_id = int_param(request, "project_id")
        if project_id is None:
            raise errors(400, "You must supply either a company_id or project_id.")
        company_id = ctx.visible_project(project_id)["company_id"]
    rows = ctx.store.line_item_types(company_id)
    origin_filter = request.param("filters[origin_id]")
    if origin_filter is not None:
        rows = [row for row in rows if row["origin_id"] == origin_filter]
    page, headers = paginate(request, [line_item_type_view(r) for r in rows], cap=GENERAL_CAP)
    return json_response(200, page, headers)


def project_admin(ctx: Context) -> Response:
    """What https://app.procore.com/<project id>/project/admin stands for: the project's codes
    and the cost types assigned to them, for a person to look at (no token: a browser page)."""
    project_id = int(ctx.args["id"])
    project = ctx.store.project(project_id)
    if project is None:
        raise errors(404, f"Project {project_id} not found")
    codes = [
        (
            row["full_code"],
            row["name"],
            ", ".join(str(t.get("code", "")) for t in assigned(row["line_item_types"])),
        )
        for row in ctx.store.cost_codes(project_id)
    ]
    return admin_page(project["name"], codes)
