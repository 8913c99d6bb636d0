"""Load a company: its ERP list, its projects and when each was last refreshed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from costcode_desktop.costcodes import AUTO
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.records import Project

from .company import CompanyList, read_company_list
from .history.store import HistoryError, HistoryStore
from .listing import list_projects
from .recovery import recover_if_free
from .session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompanyLoad:
    company_list: CompanyList
    projects: list[Project]  # active and inactive, as Procore lists them
    last_refreshed: dict[int, datetime]  # project id -> last refresh; {} if unreadable (logged)


def load_company(
    session: Session,
    *,
    history: HistoryStore | None,
    cancel: CancelToken | None = None,
    connector: str = AUTO,
) -> CompanyLoad:
    """What the window and `costcode-sync status` start from for the session's company.

    The projects come with their cost code list and ERP flag (see listing.py), so checking them
    costs one request per project compared and none for a project that cannot be refreshed. A
    load is a fresh look: permissions refused before are asked again when next needed.
    `connector` is the Connection setting (AUTO: the list's name says which).
    """
    company_id = session.company.id
    projects = list_projects(session.client, company_id, status="All", cancel=cancel)
    # After the projects: their list ids (when listed) check the list's (read_company_list).
    company_list = read_company_list(
        session.client, company_id, cancel=cancel, projects=projects, connector=connector
    )
    session.permissions.forget_refusals(company_id)
    if history is not None:  # a start with the history: record what an interrupted run left
        recover_if_free(session, company_list, history, cancel=cancel)
    return CompanyLoad(company_list, projects, _last_refreshed(session, history))


def _last_refreshed(session: Session, history: HistoryStore | None) -> dict[int, datetime]:
    """The history is a nicety here: a company still loads when it cannot be read."""
    if history is None:
        return {}
    try:
        return history.last_refreshed(session.company.id, session.environment.key)
    except HistoryError:
        log.warning("could not read the refresh history", exc_info=True)
        return {}
