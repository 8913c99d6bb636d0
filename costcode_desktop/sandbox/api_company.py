"""Read-only endpoints: me, companies, projects, standard cost code lists and codes."""

from __future__ import annotations

from .context import Context
from .views import company_view, project_view, standard_code_view, standard_list_view
from .wire import (
    Response,
    bool_param,
    errors,
    int_list_param,
    int_param,
    json_response,
    paginate,
)

PROJECTS_V11_CAP = 300  # "The max page size is 300 projects due to the size of the data"
GENERAL_CAP = 2000
_V11_VIEWS = frozenset({"ids", "compact", "normal", "extended"})


def me(ctx: Context) -> Response:
    user = ctx.signed_in
    return json_response(200, {"id": user["id"], "login": user["login"], "name": user["name"]})


def companies(ctx: Context) -> Response:
    rows = [company_view(row) for row in ctx.store.companies() if ctx.belongs_to(row["id"])]
    page, headers = paginate(ctx.request, rows, cap=GENERAL_CAP)
    return json_response(200, page, headers)


_STATUSES = {"all": None, "active": True, "inactive": False}


def projects(ctx: Context) -> Response:
    """The v1.0 and v1.1 project lists: active projects unless filters[by_status] says.

    v1.1 takes view=compact|normal|extended (normal by default; only extended carries
    standard_cost_code_list_id) and at most 300 a page; filters[synced]=true keeps the projects
    exported to the ERP (is_erp_integrated here).
    """
    company = ctx.company_param()
    request = ctx.request
    status_raw = request.param("filters[by_status]") or "Active"
    if status_raw.lower() not in _STATUSES:
        raise errors(400, "filters[by_status] must be one of All, Active, Inactive")
    wanted_active = _STATUSES[status_raw.lower()]
    name_filter = (request.param("filters[name]") or "").lower()
    number_filter = request.param("filters[project_number]")
    id_filter = int_list_param(request, "filters[id]")
    synced = bool_param(request, "filters[synced]")
    v11 = request.path.startswith("/rest/v1.1/")
    view = request.param("view") or "normal"
    if v11 and view not in _V11_VIEWS:
        raise errors(400, f"view must be one of {', '.join(sorted(_V11_VIEWS))}")

    rows = []
    for row in ctx.store.projects(company["id"]):
        if not ctx.can_see(row):
            continue
        if wanted_active is not None and bool(row["active"]) != wanted_active:
            continue
        if name_filter and name_filter not in row["name"].lower():
            continue
        if number_filter is not None and row["project_number"] != number_filter:
            continue
        if id_filter is not None and row["id"] not in id_filter:
            continue
        if synced and not row["is_erp_integrated"]:
            continue
        rows.append(row)
    sort = request.param("sort")
    if sort in ("name", "display_name"):
        rows.sort(key=lambda r: (str(r[sort]).lower(), r["id"]))
    if view == "ids":
        views: list[dict[str, object]] = [{"id": row["id"]} for row in rows]
    elif view == "compact":
        views = [{"id": row["id"], "name": row["name"]} for row in rows]
    else:
        shape = view if v11 else "v1.0"
        views = [project_view(row, company, view=shape) for row in rows]
    cap = PROJECTS_V11_CAP if v11 else GENERAL_CAP
    page, headers = paginate(request, views, cap=cap)
    return json_response(200, page, headers)


def project_detail(ctx: Context) -> Response:
    project_id = int(ctx.args["id"])
    company_id = int_param(ctx.request, "company_id")
    if company_id is not None and company_id != ctx.company_id:
        raise errors(404, f"Project {project_id} not found")
    project = ctx.visible_project(project_id)
    company = ctx.store.company(project["company_id"])
    assert company is not None
    return json_response(200, project_view(project, company, view="detail"))


def standard_cost_code_lists(ctx: Context) -> Response:
    company = ctx.company_param()
    rows = [standard_list_view(row) for row in ctx.store.standard_lists(company["id"])]
    page, headers = paginate(ctx.request, rows, cap=GENERAL_CAP)
    return json_response(200, page, headers)


def standard_cost_codes(ctx: Context) -> Response:
    company = ctx.company_param()
    request = ctx.request
    list_id = int_param(request, "standard_cost_code_list_id", required=True)
    assert list_id is not None
    std_list = ctx.store.standard_list(list_id)
    if std_list is None or std_list["company_id"] != company["id"]:
        raise errors(404, f"Standard cost code list {list_id} not found")
    rows = ctx.store.standard_codes(list_id)
    if bool_param(request, "only_active_cost_codes"):
        rows = [row for row in rows if row["active"]]
    origin_filter = request.param("filters[origin_id]")
    if origin_filter is not None:
        rows = [row for row in rows if row["origin_id"] == origin_filter]
    extended = request.param("view") == "extended"
    views = [standard_code_view(row, extended=extended) for row in rows]
    page, headers = paginate(request, views, cap=GENERAL_CAP)
    return json_response(200, page, headers)
