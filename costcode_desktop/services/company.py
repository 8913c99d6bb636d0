"""The company-level ERP list, comparing a project with it, and whether it can be refreshed
from it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from costcode_desktop.costcodes import (
    AUTO,
    CompanyCodes,
    Comparison,
    Connector,
    StandardCode,
    choose,
    compare,
)
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import InvalidRequest, NotFound
from costcode_desktop.procore.records import Project, StandardCostCodeList

from .text import quoted

if TYPE_CHECKING:  # annotations only: the client brings httpx, which a first paint does without
    from costcode_desktop.procore import ProcoreClient
    from costcode_desktop.procore.records import StandardCostCode


class CompanyListUnavailable(Exception):
    """The company has no usable ERP standard list; the message says what to do."""


@dataclass(frozen=True)
class CompanyList:
    company_id: int
    list: StandardCostCodeList
    prepared: CompanyCodes  # compared with every project, so worked out once
    read_at: datetime

    @property
    def codes(self) -> tuple[StandardCode, ...]:
        return self.prepared.codes

    @property
    def connector(self) -> Connector:
        """The ERP connector whose rules the list's codes were checked under."""
        return self.prepared.connector


def prepare(codes: Iterable[StandardCode], list_name: str, setting: str = AUTO) -> CompanyCodes:
    """The list's codes checked under the connector the setting names, or its name says."""
    return CompanyCodes(tuple(codes), choose(setting, list_name))


def read_company_list(
    client: ProcoreClient,
    company_id: int,
    *,
    cancel: CancelToken | None = None,
    projects: Iterable[Project] = (),
    connector: str = AUTO,
) -> CompanyList:
    """Read the company's ERP standard list and all its codes.

    `projects`, when they carry their standard_cost_code_list_id, check that the list's id is
    theirs: see _codes_of. `connector` is the Connection setting: a connector's key, or AUTO
    to tell it from the list's name.
    """
    lists = client.cost_code_lists(company_id, cancel=cancel)
    erp_lists = [item for item in lists if item.is_erp_list]
    if not erp_lists:
        raise CompanyListUnavailable(
            "This Procore company has no ERP standard cost code list. Check that the ERP "
            "Integrations tool is connected to your accounting system and that its first cost "
            "code sync has run."
        )
    if len(erp_lists) > 1:
        names = ", ".join(quoted(item.name) for item in erp_lists)
        raise CompanyListUnavailable(
            f"This Procore company has {len(erp_lists)} ERP standard lists ({names}); there "
            "should be one. Ask your Procore administrator which one your ERP connector uses."
        )
    from .convert import standard_codes  # here: the start makes its list from the cache

    used = {p.standard_cost_code_list_id for p in projects} - {None}
    erp_list, records = _codes_of(client, company_id, erp_lists[0], used, cancel)
    prepared = prepare(standard_codes(records), erp_list.name, connector)
    return CompanyList(company_id, erp_list, prepared, datetime.now(UTC))


def _codes_of(
    client: ProcoreClient,
    company_id: int,
    found: StandardCostCodeList,
    used: set[int | None],
    cancel: CancelToken | None,
) -> tuple[StandardCostCodeList, list[StandardCostCode]]:
    """The list's codes, under the id projects and the standard codes call know it by.

    A WBS list's id is taken to be its standard_cost_code_list_id, as the SDK and REF have it;
    no Procore page says so. The deprecated call's record of the same list (by name) replaces
    it when the projects use other lists but not this id, or when the codes call refuses the
    id or finds none of the codes the list counts. Each costs one more request, only then.
    """
    if found.from_wbs and used and found.id not in used:
        found = client.standard_list_of(company_id, found, cancel=cancel) or found
    try:
        records = client.standard_cost_codes(company_id, found.id, cancel=cancel)
    except (NotFound, InvalidRequest) as exc:
        if not found.from_wbs:
            raise
        twin = client.standard_list_of(company_id, found, cancel=cancel)
        if twin is None or twin.id == found.id:
            raise CompanyListUnavailable(
                f"Procore lists {quoted(found.name)} as the company's ERP cost code list but would "
                f"not give its codes (HTTP {exc.status}). Try again later; if it keeps happening, "
                "send the log to support."
            ) from exc
        return twin, client.standard_cost_codes(company_id, twin.id, cancel=cancel)
    if not records and found.from_wbs and found.codes_count:
        twin = client.standard_list_of(company_id, found, cancel=cancel)
        if twin is not None and twin.id != found.id:
            return twin, client.standard_cost_codes(company_id, twin.id, cancel=cancel)
    return found, records


def read_comparison(
    client: ProcoreClient,
    company_list: CompanyList,
    project_id: int,
    *,
    sub_job_id: int | None = None,
    cancel: CancelToken | None = None,
) -> Comparison:
    """Read a project's cost codes (or its sub job's) now and compare them with the company
    list."""
    from .convert import project_codes

    codes = client.cost_codes(
        company_list.company_id, project_id, sub_job_id=sub_job_id, cancel=cancel
    )
    return compare(company_list.prepared, project_codes(codes))


def refusal_reason(project: Project, company_list: CompanyList) -> str | None:
    """Why this project cannot be refreshed from the company list (plain words), or None."""
    if project.is_erp_integrated is False:
        return (
            f"{quoted(project.name)} is not connected to {company_list.connector.system} in "
            "Procore, so its cost codes do not come from the company list. Connect it in the "
            "ERP Integrations tool first."
        )
    if project.standard_cost_code_list_id != company_list.list.id:
        return (
            f"{quoted(project.name)} uses a different cost code list, not "
            f"{quoted(company_list.list.name)}. Procore only refreshes a project from the list it "
            "was created with."
        )
    return None
