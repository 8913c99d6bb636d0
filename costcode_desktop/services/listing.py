"""The company's projects with what a status needs of each, in as few requests as Procore allows.

A status needs each project's standard cost code list and whether it is ERP-integrated. Asking
each project alone (Show project) costs a request per project. Instead:

- the v1.1 project list's extended view carries `standard_cost_code_list_id`, 300 projects a
  page (weigandconstruction/procore_python_sdk docs/RestV11ProjectsGet200ResponseInner.md; which
  view carries it is not stated: the extended one, by the model's layout, and a project whose
  answer lacks the field is read alone);
- the ERP flag is in no list. The list's `filters[synced]=true` "returns only item(s) with a
  synced status", and Procore's ERP integration guide says a project is marked synced when the
  ERP connector has exported it and passed back its origin_id (procore/documentation,
  erp_integration/erp_events_dictionary.md, create_or_update_job). That a synced project is what
  Show project calls `is_erp_integrated` is inferred, not stated (docs/procore-api.md §1 reads
  `synced` as undefined), so it is taken only where the two signals agree: synced with an
  origin_id, or neither. A project where they disagree, or a list that refuses the filter, is
  read alone (Show project), and only that project.

So a status costs ceil(N/300) + ceil(synced/300) list pages instead of N detail reads.
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
    return [_with_erp_flag(p, p.id in synced) for p in projects]


def _with_erp_flag(project: Project, synced: bool) -> Project:
    """The flag from the synced list where origin_id agrees; else left for Show project."""
    if project.is_erp_integrated is not None:
        return project
    if project.has_origin_id is not None and project.has_origin_id != synced:
        return project  # the signals disagree: Show project decides
    return replace(project, is_erp_integrated=synced)
