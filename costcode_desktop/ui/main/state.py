"""What the window shows, held in one place: the session, the company list, each project's result.

The controller owns one `WindowState` and is the only code that assigns it, on the GUI thread
(a worker's assignment raises `WrongThread`). Widgets read it through the controller and hear
of changes through the controller's signals; none keeps a copy.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from costcode_desktop.services import CompanyList, Project, ProjectStatus, Session
from costcode_desktop.services.history import HistoryStore
from costcode_desktop.ui.kit.gui_owned import GuiOwned, require_gui_thread


class WindowState(GuiOwned):
    """The session and the company's data; assigned only on the GUI thread."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.history: HistoryStore | None = None
        self.company_list: CompanyList | None = None
        self.projects: tuple[Project, ...] = ()
        self._ids: frozenset[int] = frozenset()
        self._statuses: dict[int, ProjectStatus] = {}
        self._last_refreshed: dict[int, datetime] = {}

    # -- reading (read-only views: a reader cannot change them) ----------------------------------

    @property
    def statuses(self) -> MappingProxyType[int, ProjectStatus]:
        return MappingProxyType(self._statuses)

    @property
    def last_refreshed(self) -> MappingProxyType[int, datetime]:
        return MappingProxyType(self._last_refreshed)

    # -- changing ------------------------------------------------------------------------------

    def load(
        self,
        company_list: CompanyList | None,
        projects: list[Project],
        last_refreshed: dict[int, datetime],
    ) -> None:
        """A new company (or none): every per-project result of the previous one goes."""
        self.company_list = company_list
        self.projects = tuple(projects)
        self._ids = frozenset(project.id for project in projects)
        self._statuses = {}
        self._last_refreshed = dict(last_refreshed)

    def record(self, status: ProjectStatus) -> None:
        require_gui_thread("WindowState.record")
        if status.project.id in self._ids:  # a late answer about another company's project
            self._statuses[status.project.id] = status

    def forget(self, project_ids: list[int]) -> None:
        """These projects are being checked again: their result is unknown until then."""
        require_gui_thread("WindowState.forget")
        for project_id in project_ids:
            self._statuses.pop(project_id, None)

    def refreshed(self, project_id: int, when: datetime) -> None:
        require_gui_thread("WindowState.refreshed")
        self._last_refreshed[project_id] = when
