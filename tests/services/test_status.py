from __future__ import annotations

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import SandboxServer
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
