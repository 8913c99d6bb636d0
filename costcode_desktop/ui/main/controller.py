"""The one owner of the window's state: runs the use cases on the worker and says what changed.

The window never talks to Procore or the disk itself: it asks the controller, which hands the
work to the background helper. Work functions return values or report typed events; only the
controller assigns its `WindowState`, on the GUI thread, and then emits a signal. The window
and its panes read the state from here and never keep copies.

The use cases that need the HTTP client (loading a company, refreshing, the demo) are imported
by their work functions, on the worker: the window paints its last-known state before them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from costcode_desktop.services import Cancelled, ProjectState, RefreshOutcome
from costcode_desktop.services.cache.known import (
    Staleness,
    cache_key,
    recheck_order,
    unreachable,
)
from costcode_desktop.services.status import without_access
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.details import for_it
from costcode_desktop.ui.kit.explain import explain
from costcode_desktop.ui.kit.paint import CHECK_CONCURRENCY, REFRESH_CONCURRENCY
from costcode_desktop.ui.kit.worker import Job, Worker
from costcode_desktop.ui.main.state import WindowState
from costcode_desktop.ui.main.work import (
    LastKnown,
    Starting,
    Stores,
    closing,
    demo_session,
    last_known,
    load_modules_for_a_refresh,
    opened,
    refresh_failure,
    remember_refresh,
    starting,
)
from costcode_desktop.ui.signin.account import AccountFlow

if TYPE_CHECKING:
    from costcode_desktop.costcodes import Comparison, ComparisonRow
    from costcode_desktop.services import (
        Company,
        CompanyList,
        CompanyLoad,
        CostTypeTodo,
        Project,
        ProjectStatus,
        RefreshEvent,
        RefreshPreview,
        RefreshResult,
        Session,
        Target,
        TargetKey,
    )
    from costcode_desktop.services.export import ExportHeader
    from costcode_desktop.services.history.store import HistoryStore
    from costcode_desktop.ui.main.run_events import ChecksStopped, RefreshFinished

log = logging.getLogger(__name__)

Failure = Callable[[BaseException, str], None]
DEMO = "demo"  # the demo's environment key
# Seconds before trying Procore again while it cannot be reached: soon at first, then less
# often, never a busy loop. Reload (F5) and the banner's Try Again try at once.
RETRY_DELAYS = (5, 15, 30, 60, 120, 300)


class Controller(QObject):
    session_opened = Signal(object)  # Session: a sign-in, the demo, or another company
    signed_out = Signal()
    company_loaded = Signal(object)  # CompanyLoad; every project is being checked next
    checks_started = Signal(object)  # [project id] being checked; what is known of them stays
    status_changed = Signal(object)  # ProjectStatus, from a check or a refresh's read-back
    checking_progress = Signal(int, int)  # done, total (0, 0: busy, no count yet)
    checks_finished = Signal()
    refresh_started = Signal(object)  # [Project] waiting to be refreshed
    refresh_step = Signal(object)  # RefreshStep
    refresh_waiting = Signal(object)  # RefreshWaiting
    refresh_locked = Signal(object)  # RefreshLocked: another process refreshes this company
    refresh_estimate = Signal(object)  # RefreshEstimate: before the first project, after each
    permissions_checked = Signal()  # the session now knows the permissions check_permissions asked
    project_refreshed = Signal(object)  # RefreshResult (the state already holds its status)
    last_refreshed_changed = Signal(object, object)  # project id (64-bit), datetime
    refresh_finished = Signal(object)  # RefreshRun
    export_finished = Signal(str)  # path
    failed = Signal(str, str, str)  # what was being done, message, details
    cached_shown = Signal(object)  # CachedCompany: its last-known state is in the state now
    last_known_read = Signal()  # the start's read of the last-known state is over, shown or not
    offline_changed = Signal(str)  # why Procore cannot be reached; "" once it can again
    # Something to tell the user that is no failure: a history file that could not be read was
    # moved aside (and where to), the demo's saved state could not be read and it started again.
    notice = Signal(str)
    refresh_ended = Signal()  # the refresh job is over, however it ended
    shut_down = Signal()  # after shutdown(): the work has stopped, the session and stores closed

    def __init__(self, parent: QObject | None = None, *, worker: Worker | None = None) -> None:
        super().__init__(parent)
        self.worker = worker or Worker(self)
        self.state = WindowState()
        self.account = AccountFlow(self.worker, self)
        self.account.session_ready.connect(self._session_ready)
        self.account.sign_out_finished.connect(self.signed_out)
        self.account.unreachable.connect(self._unreachable)
        self.account.sign_in_needed.connect(self._sign_in_ended)
        self.account.connection_saved.connect(self._connection_saved)
        self._check_job: Job | None = None
        self._refresh_job: Job | None = None
        self._generation = 0  # bumped when the company changes: late check results are dropped
        self._loading = False
        self._warmed = False
        self._offline = ""
        self._signing_in = False  # a stored sign-in is being tried again
        self._shutting_down = False
        self.offline_details = ""  # for IT: why Procore could not be reached, as it happened
        self.is_shut_down = False
        self._retries = 0  # tries since Procore was last reached
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.try_again)
        # Checks and refreshes include the projects' sub jobs (Sage Extras); View menu.
        self.include_sub_jobs = True
        # The last run's codes left with no cost type (services.cost_types), for its result.
        self.cost_type_todos: list[CostTypeTodo] = []
        # A staged start: the sign-in (or the demo) waits for after_first_paint, so its work
        # does not hold up the paint of the last-known state. Once only: later starts of the
        # demo or a sign-in go on at once.
        self.paint_first = False
        self._after_paint: list[Callable[[], None]] = []

    # -- reading -------------------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        return self.state.session

    @property
    def history(self) -> HistoryStore | None:
        return self.state.history

    @property
    def company_list(self) -> CompanyList | None:
        return self.state.company_list

    @property
    def statuses(self) -> Mapping[int, ProjectStatus]:
        return self.state.statuses

    def status(self, project_id: int) -> ProjectStatus | None:
        return self.state.statuses.get(project_id)

    def target_status(self, key: TargetKey) -> ProjectStatus | None:
        """A project's result (key: its id) or a sub job's (key: (project id, sub job id))."""
        if isinstance(key, tuple):
            return self.state.sub_job_statuses.get(key)
        return self.state.statuses.get(key)

    @property
    def sub_job_statuses(self) -> Mapping[tuple[int, int], ProjectStatus]:
        return self.state.sub_job_statuses

    def permission(self, project_id: int) -> bool | None:
        """The session's kept answer to "may the user change its codes?" (None: not known)."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None:
            return None
        return session.permissions.answer(company_list.company_id, project_id)

    def mark(self, project_id: int) -> Staleness | None:
        """Why the project's result is last-known (None: it was read just now)."""
        return self.state.marks.get(project_id)

    @property
    def marks(self) -> Mapping[int, Staleness]:
        return self.state.marks

    @property
    def company(self) -> Company | None:
        """The company shown: the session's, or the last-known one while not signed in."""
        session = self.state.session
        return session.company if session is not None else self.state.company

    @property
    def offline(self) -> str:
        """Why Procore cannot be reached now ("" when it can): the window is read-only."""
        return self._offline

    @property
    def refreshing(self) -> bool:
        return self._refresh_job is not None

    @property
    def loading(self) -> bool:
        return self._loading

    # -- opening -------------------------------------------------------------------------------

    def start(self) -> None:
        """A normal start: the last-known state at once (if any), then the stored sign-in."""

        read_policy = self.account.policy_reader()

        def work(_job: Job) -> Starting:
            from costcode_desktop.services.settings import load_settings

            settings = load_settings().settings
            connection = read_policy().apply(settings.connection)
            try:  # IT's policy may name another environment than the file
                environment = connection.environment_key()
            except ValueError:
                environment = ""
            remembered = settings.companies.get(environment)
            return starting(environment, remembered, connector=connection.erp_connector)

        self._signing_in = True
        self.worker.submit(
            work,
            on_result=self._started,
            on_error=self._start_without_cache,
            on_done=lambda: self._last_known_done(self.account.restore),
        )

    def open_demo(self, *, reset: bool = False) -> None:
        """The demo company: its last-known state at once, then the demo sandbox."""

        def work(_job: Job) -> Starting:
            return starting(DEMO, None, forget=reset)

        def start_demo() -> None:
            self.worker.submit(
                lambda job: demo_session(reset, job),
                on_result=self._session_ready,
                on_error=self.failure("Starting the demo"),
                on_progress=lambda _event: self.checking_progress.emit(0, 0),
            )

        self._loading = True
        self.worker.submit(
            work,
            on_result=self._started,
            on_error=self._start_without_cache,
            on_done=lambda: self._last_known_done(start_demo),
        )

    def _last_known_done(self, then: Callable[[], None]) -> None:
        """The last-known state is shown (or there is none): go on to `then`, at once or, with
        `paint_first`, when the window says the state is painted (after_first_paint)."""
        if self.paint_first:
            self._after_paint.append(then)
            self.last_known_read.emit()
        else:
            self.last_known_read.emit()
            then()

    def after_first_paint(self) -> None:
        """The window has painted what the start read: the sign-in (or the demo) goes on, and
        whatever starts later goes on at once."""
        self.paint_first = False
        waiting, self._after_paint = self._after_paint, []
        if self._shutting_down:  # closed before its first paint: nothing more to start
            return
        for then in waiting:
            then()

    def _started(self, starting: Starting) -> None:
        self._keep_stores(starting.stores)
        if starting.last_known is not None and self.state.session is None:
            self._show_cached(starting.last_known)

    def _start_without_cache(self, error: BaseException, details: str) -> None:
        log.warning("the last-known state could not be read: %s\n%s", error, details)

    def _show_cached(self, last_known: LastKnown) -> None:
        self.state.load_cached(last_known.cached, last_known.last_refreshed)
        self.cached_shown.emit(last_known.cached)

    def use_session(self, session: Session, history: HistoryStore | None = None) -> None:
        """Adopt an already signed-in session (tests, the sign-in flow, the demo)."""
        stores = Stores(history or self.state.history, self.state.cache)
        if stores.history is not None and stores.cache is not None:
            self._adopt(session, stores)
            return
        self.worker.submit(
            lambda _job: opened(stores),
            on_result=lambda opened: self._adopt(session, opened),
            on_error=self.failure("Opening the refresh history"),
        )

    def _session_ready(self, session: Session) -> None:
        self._signing_in = False
        self.use_session(session)

    def _adopt(self, session: Session, stores: Stores) -> None:
        previous = self.state.session
        if previous is not None and previous.client is not session.client:
            self.worker.submit(lambda _job: previous.close())  # may wait on the network
        if previous is None or previous.client is not session.client:
            for text in session.notices:
                self.notice.emit(text)
        self._keep_stores(stores)
        self.state.session = session
        self._back_online()  # signing in reached Procore
        if not self.state.shows(cache_key(session.environment), session.company.id):
            self._clear_company()
        self.session_opened.emit(session)
        self.reload()
        if not self._warmed:  # what a refresh needs, loaded now on the worker, not on the click
            self._warmed = True
            self.worker.submit(load_modules_for_a_refresh)

    def _keep_stores(self, stores: Stores) -> None:
        """Use these stores from now on; ones they replace are closed on the worker."""
        for old, new in ((self.state.history, stores.history), (self.state.cache, stores.cache)):
            if old is not None and new is not old:
                self.worker.submit(closing(old))
        history = stores.history
        if history is not None and history is not self.state.history and history.notice:
            self.notice.emit(history.notice)
        self.state.history = stores.history
        self.state.cache = stores.cache

    def switch_company(self, company: Company) -> None:
        session = self.state.session
        if session is None or self.refreshing or company.id == session.company.id:
            return
        self.cancel_checks()
        self.state.session = session.with_company(company)  # same client, another company
        self._clear_company()
        self.session_opened.emit(self.state.session)
        self.account.remember_company(self.state.session)
        self.reload()

    def sign_out(self) -> None:
        session = self.state.session
        if session is None or self.refreshing:
            return
        self.cancel_checks()
        self.state.session = None
        self._clear_company()
        self._back_online()
        cache = self.state.cache
        if cache is not None:  # what was read with this sign-in goes with it
            environment = cache_key(session.environment)
            self.worker.submit(lambda _job: cache.forget_environment(environment))
        self.account.sign_out(session, on_error=self.failure("Signing out"))

    def _clear_company(self) -> None:
        self._generation += 1
        self.state.load(None, [], {})

    # -- loading the company and checking projects ---------------------------------------------

    def _connection_saved(self) -> None:
        """Another ERP connector chosen in Connection settings: its rules apply at once."""
        company_list = self.company_list
        if self.session is None or company_list is None:
            return
        from costcode_desktop.costcodes import choose

        setting = self.account.settings.connection.erp_connector
        if choose(setting, company_list.list.name) != company_list.connector:
            self.reload()

    def reload(self, *, reread_sub_jobs: bool = False) -> None:
        """Read the company list and projects again, then check every project (the stalest
        first). Its last-known state, if not on screen yet, is shown while that goes on.
        `reread_sub_jobs` (the user's Reload): list every project's sub jobs again too, not
        only those whose kept list has aged (services.sub_job_lists)."""
        session = self.state.session
        if session is None:
            if self.state.company_list is not None:  # a last-known state, not signed in
                self.try_again()
            return
        if self.refreshing:
            return
        self._retry.stop()
        self.cancel_checks()
        history, cache = self.state.history, self.state.cache
        environment, company = cache_key(session.environment), session.company
        shown = self.state.shows(environment, company.id)
        connector = self.account.settings.connection.erp_connector  # Connection settings' choice
        self._loading = True
        self._generation += 1
        generation = self._generation

        def work(job: Job) -> tuple[CompanyLoad, datetime | None]:
            from costcode_desktop.services.load import load_company

            if cache is not None and not shown:
                known = last_known(cache, history, environment, company.id, connector)
                if known is not None:
                    job.report(known)
            load = load_company(session, history=history, cancel=job.cancel, connector=connector)
            changed_at = None
            if cache is not None:
                changed_at = cache.save_company(
                    environment, company, load.company_list, load.projects
                )
            return load, changed_at

        def cached(event: object) -> None:
            if isinstance(event, LastKnown) and generation == self._generation:
                self._show_cached(event)

        def loaded(result: tuple[CompanyLoad, datetime | None]) -> None:
            if generation == self._generation:
                self._company_ready(*result, reread_sub_jobs=reread_sub_jobs)

        def failed(error: BaseException, details: str) -> None:
            self._loading = False
            if generation != self._generation:
                return
            if unreachable(error):
                self._went_offline(error)
            else:
                self.failure("Loading the company")(error, details)

        self.worker.submit(work, on_result=loaded, on_error=failed, on_progress=cached)

    def _company_ready(
        self, load: CompanyLoad, list_changed_at: datetime | None, *, reread_sub_jobs: bool
    ) -> None:
        session = self.state.session
        if session is None:  # signed out or shut down while it was read
            return
        environment, company = cache_key(session.environment), session.company
        if self.state.shows(environment, company.id):
            self.state.reload(
                load.company_list, load.projects, load.last_refreshed, list_changed_at
            )
        else:
            self.state.load(
                load.company_list,
                load.projects,
                load.last_refreshed,
                environment=environment,
                company=company,
            )
            self.state.list_changed_at = list_changed_at
        self._back_online()
        self.company_loaded.emit(load)
        state = self.state
        order = recheck_order(load.projects, state.statuses, state.marks, list_changed_at)
        self.check(order, reread_sub_jobs=reread_sub_jobs)

    def check(self, projects: list[Project], *, reread_sub_jobs: bool = False) -> None:
        """Compare these projects with the company list in the background, a few at a time,
        in this order. Their last-known results stay on screen until their answers come.
        Their sub jobs' lists are the cache's while fresh, unless `reread_sub_jobs`."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None or self.state.list_cached:
            return
        from costcode_desktop.ui.main.run_events import ChecksStopped, ProjectChecked

        cache, environment = self.state.cache, cache_key(session.environment)
        total = len(projects)
        generation = self._generation
        sub_jobs = self.include_sub_jobs
        self.checks_started.emit([project.id for project in projects])

        def work(job: Job) -> ChecksStopped | None:
            from costcode_desktop.services import SubJobLists, check_projects

            gone: list[BaseException] = []

            def stop_if_unreachable(_project: Project, error: BaseException) -> None:
                if unreachable(error) and not gone:  # the others would only fail slowly
                    gone.append(error)
                    job.cancel.cancel()

            lists = SubJobLists(
                session.client,
                company_list.company_id,
                cache=cache,
                environment=environment,
                reread=reread_sub_jobs,
            )
            statuses = check_projects(
                session.client,
                company_list,
                projects,
                concurrency=CHECK_CONCURRENCY,
                cancel=job.cancel,
                on_error=stop_if_unreachable,
                sub_jobs=sub_jobs,
                sub_job_lists=lists,
            )
            done = 0
            try:
                for status in statuses:
                    done += status.sub_job is None  # the bar counts projects
                    if cache is not None:
                        cache.save_statuses(environment, company_list, [status])
                    job.report(ProjectChecked(status, done, total))
            except Cancelled:
                if not gone:
                    raise
            return ChecksStopped(gone[0]) if gone else None

        def progressed(event: object) -> None:
            match event:
                case ProjectChecked(status=status, done=done) if generation == self._generation:
                    self._record(status)
                    self.checking_progress.emit(done, total)

        def finished(outcome: ChecksStopped | None) -> None:
            if generation != self._generation:
                return
            if outcome is not None:
                self._went_offline(outcome.error)
            self.checks_finished.emit()

        self.checking_progress.emit(0, total)
        self._check_job = self.worker.submit(
            work,
            on_result=finished,
            on_error=self.failure("Checking the projects", quiet_cancel=True),
            on_progress=progressed,
            on_done=self._checks_done,
            after_paint=True,  # the rows just listed are drawn before the checks compete
        )

    def _record(self, status: ProjectStatus) -> None:
        self.state.record(status)
        shown = self.target_status(status.key)
        if shown is not None:
            self.status_changed.emit(shown)

    def _checks_done(self) -> None:
        self._check_job = None
        self._loading = False

    def cancel_checks(self) -> None:
        if self._check_job is not None:
            self._check_job.cancel.cancel()

    # -- refreshing ----------------------------------------------------------------------------

    def preview(self, statuses: list[ProjectStatus]) -> RefreshPreview | None:
        """What refreshing these would do, with the permissions known so far (no I/O)."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None:
            return None
        from costcode_desktop.services.preview import refresh_preview

        return refresh_preview(session, company_list, statuses)

    def check_permissions(self, projects: list[Project]) -> None:
        """Ask Procore, in the background, whether the user may change these projects' codes;
        the session keeps the answers for the refresh that follows."""
        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None or not projects:
            return

        company_id = company_list.company_id

        def work(job: Job) -> list[int]:
            from costcode_desktop.services.preview import check_permissions

            check_permissions(session, company_list, projects, cancel=job.cancel)
            answer = session.permissions.answer
            return [p.id for p in projects if answer(company_id, p.id) is False]

        self.worker.submit(
            work,
            on_result=self._permissions_known,
            on_error=self.failure("Checking your permissions", quiet_cancel=True),
        )

    def _permissions_known(self, refused: list[int]) -> None:
        """Projects the user may not change become *No access*: not out of date to act on."""
        for project_id in refused:
            status = self.state.statuses.get(project_id)
            if status is not None and status.state is ProjectState.OUT_OF_DATE:
                self._record(without_access(status))
        self.permissions_checked.emit()

    def refresh(
        self, projects: Sequence[Project | Target], *, concurrency: int = REFRESH_CONCURRENCY
    ) -> bool:
        """Refresh these projects (each with its sub jobs, unless include_sub_jobs is off) and
        sub jobs, a few at a time; False when a refresh is already running.

        The run starts from the projects' results on screen (services decide whether each is
        fresh enough to act on), so a project just checked is not read again.
        """
        from costcode_desktop.services import Target

        session, company_list = self.state.session, self.state.company_list
        if session is None or company_list is None or self.refreshing or not projects:
            return False
        if self._offline or self.state.list_cached:
            return False  # read-only until Procore answers again
        history, cache = self.state.history, self.state.cache
        environment = cache_key(session.environment)
        # A copy (the run reads it from its threads), sub jobs under their own keys.
        statuses: dict[TargetKey, ProjectStatus] = dict(self.state.sub_job_statuses.items())
        statuses.update(self.state.statuses.items())
        # Handed over, not kept by the job's closure: the run lets each status go once its
        # project is done (the window has a newer one by then), not all at the job's end.
        handed = [statuses]
        del statuses
        sub_jobs = self.include_sub_jobs

        def work(job: Job) -> RefreshFinished:
            from costcode_desktop.services import ProjectRefreshed, SubJobLists
            from costcode_desktop.services.bulk import refresh_many
            from costcode_desktop.services.cost_types import RunTodos
            from costcode_desktop.ui.main.run_events import RefreshFinished

            todos = RunTodos(session.environment)

            def remember(event: RefreshEvent) -> None:
                if isinstance(event, ProjectRefreshed):
                    if cache is not None:
                        remember_refresh(cache, environment, company_list, event)
                    todos.add(event.result)
                job.report(event)

            run = refresh_many(
                session,
                company_list,
                projects,
                history=history,
                on_event=remember,
                concurrency=concurrency,
                cancel=job.cancel,
                statuses=handed.pop(),
                sub_jobs=sub_jobs,
                # The sub jobs the checks found (kept in the cache), not listed again.
                sub_job_lists=SubJobLists(
                    session.client, company_list.company_id, cache=cache, environment=environment
                ),
            )
            return RefreshFinished(run, tuple(todos.of(run)))

        self._refresh_job = self.worker.submit(
            work,
            on_result=self._refresh_finished,
            on_error=self.failure("Refreshing"),
            on_progress=self._refresh_progressed,
            on_done=self._refresh_done,
            after_paint=True,  # the window shows the run starting before the run competes
        )
        self.refresh_started.emit([p.project if isinstance(p, Target) else p for p in projects])
        return True

    def _refresh_progressed(self, event: object) -> None:
        from costcode_desktop.services import (
            ProjectRefreshed,
            RefreshEstimate,
            RefreshLocked,
            RefreshStep,
            RefreshWaiting,
        )

        match event:
            case RefreshStep():
                self.refresh_step.emit(event)
            case RefreshWaiting():
                self.refresh_waiting.emit(event)
            case RefreshLocked():
                self.refresh_locked.emit(event)
            case RefreshEstimate():
                self.refresh_estimate.emit(event)
            case ProjectRefreshed(result=result, status=status):
                if status is not None:
                    self._record(status)
                if result.sub_job is not None:  # its row has its own result, and no times
                    self.project_refreshed.emit(result)
                    return
                if result.outcome is RefreshOutcome.FAILED:
                    # Read back or not, the row says the refresh failed until a check succeeds.
                    self._mark_failed_refresh(result)
                if result.outcome is RefreshOutcome.REFRESHED or result.changed:
                    # A run that failed part-way may still have written codes: say when.
                    when = datetime.now(UTC)
                    self.state.refreshed(result.project.id, when)
                    self.last_refreshed_changed.emit(result.project.id, when)
                self.project_refreshed.emit(result)

    def _refresh_finished(self, finished: RefreshFinished) -> None:
        self._refresh_job = None
        run = finished.run
        self.cost_type_todos = list(finished.todos)
        gone = next((r.error for r in run.failed if unreachable(r.error)), None)
        if gone is not None:
            # Procore cannot be reached: checking now would only fail. The next try reads
            # the company again and checks every project.
            self._went_offline(gone)
        else:
            # Projects whose refresh could not say where they stand are checked again.
            unknown = [r.project for r in run.results if r.after is None] + run.not_started
            if unknown:
                self.check(unknown)
        self.refresh_finished.emit(run)

    def _mark_failed_refresh(self, result: RefreshResult) -> None:
        """Its last result stays, marked with the failure, until it is checked again."""
        project_id = result.project.id
        self.state.mark(project_id, refresh_failure(result))
        shown = self.state.statuses.get(project_id)
        if shown is not None:
            self.status_changed.emit(shown)

    def cancel_refresh(self) -> None:
        if self._refresh_job is not None:
            self._refresh_job.cancel.cancel()

    def _refresh_done(self) -> None:
        self._refresh_job = None
        self.refresh_ended.emit()

    # -- when Procore cannot be reached ----------------------------------------------------------

    def try_again(self) -> None:
        """Try to reach Procore now: the retry timer, Try Again, or Reload while offline."""
        self._retry.stop()
        if self.refreshing:
            return
        if self.state.session is not None:
            self.reload()
        elif not self._signing_in:
            self._signing_in = True
            self.account.restore()

    def _unreachable(self, error: BaseException) -> None:
        """Signing in could not reach Procore: stay on the last-known state, try again later."""
        self._signing_in = False
        self._went_offline(error)

    def _sign_in_ended(self) -> None:
        self._signing_in = False

    def _went_offline(self, error: BaseException) -> None:
        self._loading = False
        message, more = explain(error, "")
        self.offline_details = for_it("Reaching Procore", more or message)
        log.warning("Procore cannot be reached: %s", message)
        if not getattr(error, "permanent", False):  # a certificate or proxy setting: no use
            delay = RETRY_DELAYS[min(self._retries, len(RETRY_DELAYS) - 1)]
            self._retries += 1
            self._retry.start(delay * 1000)
        self._offline = message
        self.offline_changed.emit(message)  # also when it stays: the banner's button is back

    def _back_online(self) -> None:
        self._retries = 0
        self._retry.stop()
        if self._offline:
            self._offline = ""
            self.offline_changed.emit("")

    @property
    def next_try_in(self) -> int:
        """Milliseconds until Procore is tried again by itself (-1: it is not scheduled)."""
        return self._retry.remainingTime() if self._retry.isActive() else -1

    # -- export --------------------------------------------------------------------------------

    def export(
        self,
        path: Path,
        header: ExportHeader,
        comparison: Comparison,
        rows: Sequence[ComparisonRow] | None = None,
    ) -> None:
        """Write the file on the worker (every row, or `rows`: the ones shown)."""
        fills = theme.export_fills()

        def work(_job: Job) -> str:
            if path.suffix.lower() == ".xlsx":
                from costcode_desktop.services.export_xlsx import write_xlsx  # openpyxl: here

                write_xlsx(path, header, comparison, fills=fills, rows=rows)
            else:
                from costcode_desktop.services.export import write_csv

                write_csv(path, header, comparison, rows)
            return str(path)

        self.worker.submit(
            work, on_result=self.export_finished.emit, on_error=self.failure("Exporting")
        )

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop background work, then close the session and the stores (at exit only).

        Nothing here waits: the jobs under way are told to stop, and once the worker is idle
        the session and the stores are closed on it; `shut_down` says when that is done (the
        GUI thread never waits on the network or the disk, not even when quitting)."""
        if self._shutting_down:
            return
        self._shutting_down = True
        self._generation += 1  # answers still on their way are about a closed window
        self._retry.stop()
        self.worker.cancel_all()
        session, history, cache = self.state.session, self.state.history, self.state.cache
        self.state.session = None
        self.state.history = None
        self.state.cache = None

        def close_all(_job: Job) -> None:
            if session is not None:
                session.close()
            for store in (history, cache):
                if store is not None:
                    store.close()

        def when_idle() -> None:
            if self.worker.busy:
                return
            self.worker.busy_changed.disconnect(when_idle)
            self.worker.submit(close_all, on_done=self._closed)

        self.worker.busy_changed.connect(when_idle)
        when_idle()

    def _closed(self) -> None:
        self.is_shut_down = True
        self.shut_down.emit()

    # -- helpers -------------------------------------------------------------------------------

    def failure(self, doing: str, *, quiet_cancel: bool = False) -> Failure:
        def report(error: BaseException, details: str) -> None:
            self._loading = False
            if quiet_cancel and isinstance(error, Cancelled):
                return
            message, more = explain(error, details)
            log.warning("%s failed: %s", doing, message)
            self.failed.emit(doing, message, for_it(doing, more or message))

        return report
