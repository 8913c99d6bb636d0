"""List Sub Jobs: a project's sub jobs (Sage 300 CRE Extras), each with its own cost codes.

`GET /rest/v1.0/sub_jobs?project_id=` with `page` and `per_page` (SDK
CoreCostCodesSubJobsSubJobsApi.md, rest_v10_sub_jobs_get).
"""

from __future__ import annotations

from .context import Context
from .views import sub_job_view
from .wire import Response, errors, int_param, json_response, paginate

GENERAL_CAP = 2000


def list_sub_jobs(ctx: Context) -> Response:
    project_id = int_param(ctx.request, "project_id")
    if project_id is None:
        raise errors(400, "project_id is required")
    project = ctx.visible_project(project_id)
    views = [sub_job_view(row) for row in ctx.store.sub_jobs(project["id"])]
    page, headers = paginate(ctx.request, views, cap=GENERAL_CAP)
    return json_response(200, page, headers)
