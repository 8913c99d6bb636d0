from __future__ import annotations

import pytest

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.procore import Cancelled, CancelToken, ProcoreClient
from costcode_desktop.sandbox import FaultConfig, SandboxServer
from costcode_desktop.services import CompanyList, ProjectState, check_projects

from .seeds import COMPANY, P_DRIFTED, P_HIDDEN, P_IN_SYNC, P_NO_ADMIN, P_NOT_ERP, P_OTHER_LIST


def test_every_visible_project_gets_a_state(
    client: ProcoreClient, company_list: CompanyList
) -> None:
    projects = client.projects(COMPANY, status="All")
    statuses = {s.project.id: s for s in check_projects(client, company_list, projects)}

    assert P_HIDDEN not in statuses  # Procore does not list projects the user cannot see
    assert statuses[P_IN_SYNC].state is ProjectState.IN_SYNC
    assert statuses[P_IN_SYNC].summary == "In sync"
    drifted = statuses[P_DRIFTED]
    assert drifted.state is ProjectState.OUT_OF_DATE
    assert drifted.count(DiffStatus.MISSING) == 6
    assert drifted.count(DiffStatus.DESCRIPTION_DIFFERS) == 2
    assert drifted.count(DiffStatus.ONLY_ON_PROJECT) == 1
    assert drifted.count(DiffStatus.UNSUPPORTED) == 1
    assert drifted.summary == "7 differences"  # the locked description is not one
    assert statuses[P_NOT_ERP].state is ProjectState.NOT_ERP_INTEGRATED
    assert statuses[P_OTHER_LIST].state is ProjectState.OTHER_LIST
    assert statuses[P_NO_ADMIN].state is ProjectState.OUT_OF_DATE  # reading needs no Admin


def test_a_project_the_user_cannot_see_is_no_access(
    client: ProcoreClient, company_list: CompanyList
) -> None:
    from costcode_desktop.procore.records import Project

    hidden = Project(P_HIDDEN, "Secret Warehouse", "23-109", True)
    (status,) = check_projects(client, company_list, [hidden])
    assert status.state is ProjectState.NO_ACCESS
    assert status.project.name == "Secret Warehouse"


def test_company_list_is_the_erp_list_with_all_its_codes(
    server: SandboxServer, company_list: CompanyList
) -> None:
    assert company_list.list.name == "Sage 300 CRE Standard Cost Code List"
    assert len(company_list.codes) == len(server.standard_codes(11))


def test_several_at_a_time_gives_the_same_statuses(
    client: ProcoreClient, company_list: CompanyList
) -> None:
    projects = client.projects(COMPANY, status="All")
    one = list(check_projects(client, company_list, projects))
    three = list(check_projects(client, company_list, projects, concurrency=3))
    assert [s.project.id for s in one] == [p.id for p in projects], "one at a time: in order"
    assert {s.project.id: (s.state, s.summary) for s in three} == {
        s.project.id: (s.state, s.summary) for s in one
    }
    assert len(three) == len(projects)


def test_an_error_is_a_status_and_a_cancel_is_raised(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    projects = client.projects(COMPANY, status="All")
    server.faults = FaultConfig(error_rate=1.0)
    errors: list[int] = []
    statuses = list(
        check_projects(
            client,
            company_list,
            projects[:2],
            concurrency=2,
            on_error=lambda project, _exc: errors.append(project.id),
        )
    )
    assert {s.state for s in statuses} == {ProjectState.ERROR}
    assert sorted(errors) == sorted(p.id for p in projects[:2])

    server.faults = FaultConfig()
    cancel = CancelToken()
    checked = check_projects(client, company_list, projects, concurrency=2, cancel=cancel)
    next(checked)
    cancel.cancel()
    with pytest.raises(Cancelled):
        list(checked)
