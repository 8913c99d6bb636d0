"""What the window shows, held in one place: the session, the company list, each project's result.

The controller owns one `WindowState` and is the only code that assigns it, on the GUI thread
(a worker's assignment raises `WrongThread`). Widgets read it through the controller and hear
of changes through the controller's signals; none keeps a copy.

A project's result may be last-known rather than just read: from the cache, or kept because
its latest check or refresh failed. Such a result carries a mark (`Staleness`) saying so.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from costcode_desktop.services.cache.known import Staleness, after_check
from costcode_desktop.ui.kit.gui_owned import GuiOwned, require_gui_thread

if TYPE_CHECKING:
    from costcode_desktop.services import Company, CompanyList, Project, ProjectStatus, Session
    from costcode_desktop.services.cache import CachedCompany, CacheStore
    from costcode_desktop.services.history import HistoryStore

LAST_KNOWN = Staleness()  # read earlier (another session, or before a reload); nothing failed since


class WindowState(GuiOwned):
    """The session and the company's data; assigned only on the GUI thread."""

    def __init__(self) -> None:
        self.session: Session | None = None
        self.history: HistoryStore | None = None
        self.cache: CacheStore | None = None
        self.environment: str | None = None  # the environment key of what is shown
        self.company: Company | None = None  # the company shown (signed in or not)
        self.company_list: CompanyList | None = None
        self.list_cached = False  # the company list is last-known, not read this session
        self.list_changed_at: datetime | None = None  # when the list last changed, if known
        self.projects: tuple[Project, ...] = ()
        self._ids: frozenset[int] = frozenset()
        self._statuses: dict[int, ProjectStatus] = {}
        # Sub jobs' (Sage Extras') results, by (project id, sub job id); read this session only.
        self._sub_jobs: dict[tuple[int, int], ProjectStatus] = {}
        self._marks: dict[int, Staleness] = {}
        self._last_refreshed: dict[int, datetime] = {}

    # -- reading (read-only views: a reader cannot change them) ----------------------------------

    @property
    def statuses(self) -> MappingProxyType[int, ProjectStatus]:
        return MappingProxyType(self._statuses)

    @property
    def sub_job_statuses(self) -> MappingProxyType[tuple[int, int], ProjectStatus]:
        return MappingProxyType(self._sub_jobs)

    @property
    def marks(self) -> MappingProxyType[int, Staleness]:
        """Projects whose result is last-known, and why (absent: read just now)."""
        return MappingProxyType(self._marks)

    @property
    def last_refreshed(self) -> MappingProxyType[int, datetime]:
        return MappingProxyType(self._last_refreshed)

    def shows(self, environment: str, company_id: int) -> bool:
        """This company's data is on screen (from the cache or read this session)."""
        return (
            self.company_list is not None
            and self.environment == environment
            and self.company is not None
            and self.company.id == company_id
        )

    # -- changing ------------------------------------------------------------------------------

    def load(
        self,
        company_list: CompanyList | None,
        projects: list[Project],
        last_refreshed: dict[int, datetime],
        *,
        environment: str | None = None,
        company: Company | None = None,
    ) -> None:
        """A new company (or none): every per-project result of the previous one goes."""
        self.environment = environment
        self.company = company
        self.company_list = company_list
        self.list_cached = False
        self.list_changed_at = None
        self.projects = tuple(projects)
        self._ids = frozenset(project.id for project in projects)
        self._statuses = {}
        self._sub_jobs = {}
        self._marks = {}
        self._last_refreshed = dict(last_refreshed)

    def load_cached(self, cached: CachedCompany, last_refreshed: dict[int, datetime]) -> None:
        """The company's last-known state: every result marked as read in an earlier session."""
        self.load(
            cached.company_list,
            cached.projects,
            last_refreshed,
            environment=cached.environment,
            company=cached.company,
        )
        self.list_cached = True
        self.list_changed_at = cached.list_changed_at
        self._statuses = {pid: s for pid, s in cached.statuses.items() if pid in self._ids}
        self._marks = {pid: cached.marks.get(pid, LAST_KNOWN) for pid in self._statuses}

    def reload(
        self,
        company_list: CompanyList,
        projects: list[Project],
        last_refreshed: dict[int, datetime],
        list_changed_at: datetime | None,
    ) -> None:
        """The same company read again: the results of projects still listed stay, as
        last-known, until each is checked again."""
        require_gui_thread("WindowState.reload")
        self.company_list = company_list
        self.list_cached = False
        self.list_changed_at = list_changed_at
        self.projects = tuple(projects)
        self._ids = frozenset(project.id for project in projects)
        self._statuses = {pid: s for pid, s in self._statuses.items() if pid in self._ids}
        self._sub_jobs = {key: s for key, s in self._sub_jobs.items() if key[0] in self._ids}
        self._marks = {pid: self._marks.get(pid, LAST_KNOWN) for pid in self._statuses}
        self._last_refreshed = dict(last_refreshed)

    def record(self, status: ProjectStatus) -> None:
        """A check's or a refresh's answer; a failed check keeps the last known result."""
        require_gui_thread("WindowState.record")
        project_id = status.project.id
        if project_id not in self._ids:  # a late answer about another company's project
            return
        if status.sub_job is not None:
            key = (project_id, status.sub_job.id)
            shown_job, _mark = after_check(self._sub_jobs.get(key), status)
            self._sub_jobs[key] = shown_job
            return
        shown, mark = after_check(self._statuses.get(project_id), status)
        self._statuses[project_id] = shown
        if mark is None:
            self._marks.pop(project_id, None)
        else:
            self._marks[project_id] = mark

    def mark(self, project_id: int, mark: Staleness) -> None:
        """The project's result stays, marked (a refresh failed before reading it back)."""
        require_gui_thread("WindowState.mark")
        if project_id in self._statuses:
            self._marks[project_id] = mark

    def refreshed(self, project_id: int, when: datetime) -> None:
        require_gui_thread("WindowState.refreshed")
        self._last_refreshed[project_id] = when
