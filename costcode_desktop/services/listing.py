"""The company's projects with what a status needs of each, in as few requests as Procore allows.

A status needs each project's standard cost code list and whether it is ERP-integrated. Asking
each project alone costs a request per project; instead the v1.1 project list's extended view
carries `standard_cost_code_list_id` (300 projects a page), and the same list filtered on
`filters[synced]=true` names the projects the ERP connector has exported (the ERP flag), so a
status costs ceil(N/300) + ceil(synced/300) list pages instead of N detail reads. A project whose
answer lacks either stays marked `needs_detail`, and only that project is read on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from costcode_desktop.procore import CancelToken, ProcoreClient
from costcode_desktop.procore.records import Project


def list_projects(
    client: ProcoreClient,
    company_id: int,
    *,
    status: str = "All",
    ids: Sequence[int] | None = None,
    cancel: CancelToken | None = None,
) -> list[Project]:
    """The projects (active, inactive or all; or only `ids`) with their list and ERP flag."""
    projects = client.projects(company_id, status=status, ids=ids, cancel=cancel)
    if all(p.is_erp_integrated is not None for p in projects):
        return projects  # the answer carried the flag itself: nothing more to ask
    synced = client.erp_synced_project_ids(company_id, status=status, ids=ids, cancel=cancel)
    if synced is None:
        return projects  # the filter was refused: those projects are read one by one
    return [
        p if p.is_erp_integrated is not None else replace(p, is_erp_integrated=p.id in synced)
        for p in projects
    ]
