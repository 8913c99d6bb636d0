"""What a refresh of several projects would do, before anything is sent: the bulk preview.

Worked out from the statuses already read, plus the permission check (asked once per project per
session, and kept for the run that follows): a project the user may not change is shown as
refused, not as "would change". `refresh_preview` does no I/O (the window calls it on the GUI
thread); `check_permissions` asks Procore what is not known yet (on a worker).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from costcode_desktop.costcodes import plan_refresh
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.records import Project

from .budget import Estimate
from .bulk import refresh_estimate, starting_points
from .company import CompanyList, refusal_reason
from .parallel import DEFAULT_CONCURRENCY, run_parallel
from .refresh import no_admin_message
from .session import Session
from .status import ProjectStatus


@dataclass(frozen=True)
class PreviewLine:
    project: Project
    to_add: int
    to_update: int
    skipped: int  # codes that cannot be sent, or locked descriptions
    refused: str = ""  # why the refresh will be refused; "" when it goes ahead
    checking: bool = False  # the permission is not known yet

    @property
    def will_change(self) -> bool:
        return not self.refused and bool(self.to_add or self.to_update)


@dataclass(frozen=True)
class RefreshPreview:
    lines: list[PreviewLine]
    estimate: Estimate  # the requests and time of refreshing all of them

    @property
    def checking(self) -> bool:
        """Some permissions are still being asked."""
        return any(line.checking for line in self.lines)

    @property
    def refused(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.refused]


def refresh_preview(
    session: Session, company_list: CompanyList, statuses: Sequence[ProjectStatus]
) -> RefreshPreview:
    """What refreshing these projects would do, from their comparisons and the kept answers."""
    cache, company_id = session.permissions, company_list.company_id
    lines = []
    shown = [s for s in statuses if s.comparison is not None]
    for status in shown:
        assert status.comparison is not None
        plan = plan_refresh(status.comparison)
        project = status.project
        refused = refusal_reason(project, company_list) or ""
        checking = False
        if not refused and not plan.is_empty:
            if cache.known(company_id, project.id):
                if cache.answer(company_id, project.id) is False:
                    refused = no_admin_message(project)
            else:
                checking = True
        lines.append(
            PreviewLine(
                project, len(plan.to_add), len(plan.updates), len(plan.skipped), refused, checking
            )
        )
    points = starting_points(
        company_list, [s.project for s in shown], {s.project.id: s for s in shown}
    )
    return RefreshPreview(lines, refresh_estimate(session, company_list, points))


def check_permissions(
    session: Session,
    company_list: CompanyList,
    projects: Sequence[Project],
    *,
    cancel: CancelToken | None = None,
) -> None:
    """Ask Procore, a few projects at a time, what the session does not know yet."""
    cache, company_id = session.permissions, company_list.company_id
    unknown = [p for p in projects if not cache.known(company_id, p.id)]

    def ask(project: Project) -> bool | None:
        return cache.check(session.client, company_id, project.id, cancel=cancel)

    for _index, _allowed in run_parallel(
        ask, unknown, concurrency=DEFAULT_CONCURRENCY, cancel=cancel, name="permissions"
    ):
        pass
