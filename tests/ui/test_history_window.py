"""The history window on a real store and a real worker; the store refuses the GUI thread."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from PySide6.QtCore import QCoreApplication, QDate, Qt, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from costcode_desktop.costcodes import NameUpdate, StandardCode
from costcode_desktop.procore.records import Project
from costcode_desktop.services import CodeIssue, RefreshOutcome, RefreshResult
from costcode_desktop.services.history.export import RUN_COLUMNS
from costcode_desktop.services.history.store import (
    HistoryError,
    HistoryStore,
    RunDetails,
    RunStatus,
)
from costcode_desktop.ui.history.models import (
    CHANGE_DESCRIPTION,
    CHANGE_KIND,
    CHANGE_REQUEST,
    PROJECT_NAME,
    PROJECT_OUTCOME,
    RUN_STARTED,
    RUN_STATUS,
)
from costcode_desktop.ui.history.window import NOT_AVAILABLE, HistoryWindow
from costcode_desktop.ui.kit.roles import SORT_ROLE
from costcode_desktop.ui.kit.worker import Worker

COMPANY = 4264807
TOWER, ANNEX, HARBOR, OLD = 11, 12, 13, 14
NOW = datetime.now(UTC).replace(microsecond=0)
SHOTS = "screenshots"


class Clock:
    """Set to a moment before each run; moves a minute per reading."""

    def __init__(self) -> None:
        self.now = NOW

    def at(self, days_ago: float) -> None:
        self.now = NOW - timedelta(days=days_ago)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def tower_failed() -> RefreshResult:
    return RefreshResult(
        Project(TOWER, "Tower B", "2024-017", True),
        RefreshOutcome.FAILED,
        "'Tower B': added 1 code and updated 1 description; 1 code could not be added.",
        added=(StandardCode(1, "01-300", "300", "Temporary Facilities", None),),
        updated=(NameUpdate(2, "01-100", "Project Manager - J. Smith", "Project Manager"),),
        skipped=(CodeIssue("03_300", "Cast-in-Place Concrete", "Unsupported separator."),),
        failed=(CodeIssue("2-100", "Demolition", "Procore refused it.", "req-42"),),
    )


def simple(project_id: int, name: str, number: str, outcome: RefreshOutcome) -> RefreshResult:
    added = (
        (StandardCode(5, "01-500", "500", "Site Security", None),)
        if outcome is RefreshOutcome.REFRESHED
        else ()
    )
    return RefreshResult(
        Project(project_id, name, number, True), outcome, f"'{name}': {outcome.value}.", added=added
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def history(store_path: Path) -> Iterator[HistoryStore]:
    """Runs of one company on the sandbox, and some the window must not show."""
    clock = Clock()
    with HistoryStore(store_path, clock=clock) as store:

        def run(
            days_ago: float, user: str = "anna", env: str = "sandbox", company: int = COMPANY
        ) -> int:
            clock.at(days_ago)
            return store.start_run(
                user=user, environment=env, company_id=company, company_name="Acme Builders"
            )

        failed = run(1)
        store.record_project(failed, tower_failed())
        store.record_project(failed, simple(ANNEX, "Annex", "2024-018", RefreshOutcome.UNCHANGED))
        store.finish_run(failed)

        cancelled = run(5, user="bo")
        store.record_project(
            cancelled, simple(HARBOR, "Harborview", "2023-002", RefreshOutcome.REFRESHED)
        )
        store.finish_run(cancelled, cancelled=True)

        interrupted = run(20)
        store.record_project(
            interrupted, simple(TOWER, "Tower B", "2024-017", RefreshOutcome.REFRESHED)
        )

        old = run(200)
        store.record_project(old, simple(OLD, "Old Depot", "2019-001", RefreshOutcome.REFRESHED))
        store.finish_run(old)

        other_company = run(2, company=99)
        store.finish_run(other_company)
        production = run(3, env="production")
        store.finish_run(production)

        with sqlite3.connect(store_path) as db:  # as if the app had crashed during that run
            db.execute("UPDATE runs SET writer_token = 'gone' WHERE id = ?", (interrupted,))
        db.close()
        yield store


class GuiThreadGuard:
    """Wraps the store's reads: any call on the GUI thread is recorded and refused."""

    def __init__(self, store: HistoryStore) -> None:
        self.violations: list[str] = []
        self.calls: list[str] = []
        for name in (
            "runs",
            "run_details",
            "last_refreshed",
            "start_run",
            "record_project",
            "finish_run",
        ):
            setattr(store, name, self._guarded(name, getattr(store, name)))
        self.store = store

    def _guarded(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.check(name)
            return method(*args, **kwargs)

        return call

    def check(self, name: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None
        if QThread.currentThread() == app.thread():
            self.violations.append(name)
            raise AssertionError(f"history store used on the GUI thread: {name}")
        self.calls.append(name)

    def open_store(self) -> HistoryStore:
        self.check("open_store")
        return self.store


@pytest.fixture
def guard(history: HistoryStore) -> GuiThreadGuard:
    return GuiThreadGuard(history)


@pytest.fixture
def worker() -> Iterator[Worker]:
    worker = Worker()
    yield worker
    worker.wait_for_done(10_000)


def open_window(qtbot: QtBot, window: HistoryWindow, *, details: bool = False) -> HistoryWindow:
    """Show it and wait for the runs (and the newest run's details, which follow on their own)."""
    qtbot.addWidget(window)
    window.resize(1100, 700)
    signals = [window.loaded, window.details_loaded] if details else [window.loaded]
    with qtbot.waitSignals(signals, timeout=10_000):
        window.show()
    return window


@pytest.fixture
def window(qtbot: QtBot, worker: Worker, guard: GuiThreadGuard) -> Iterator[HistoryWindow]:
    win = HistoryWindow(worker, guard.open_store, COMPANY, "sandbox", company_name="Acme Builders")
    open_window(qtbot, win, details=True)
    yield win
    win.close()
    assert guard.violations == [], "the GUI thread read the history"


def ids_by_user(window: HistoryWindow) -> list[tuple[str, RunStatus]]:
    """(user, status) of the listed runs, in the order shown."""
    runs = {run.id: run for run in window.runs_model.runs()}
    return [(runs[i].user, runs[i].status) for i in window.listed_run_ids()]


def shown(model: Any, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def shot(window: HistoryWindow, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    QApplication.processEvents()
    assert window.grab().save(str(path))
    return path


def wait_reload(qtbot: QtBot, window: HistoryWindow, change: Callable[[], object]) -> None:
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        change()


def select_run(qtbot: QtBot, window: HistoryWindow, user: str, status: RunStatus) -> RunDetails:
    run = next(r for r in window.runs_model.runs() if (r.user, r.status) == (user, status))
    if window.shown_details is not None and window.shown_details.run.id == run.id:
        assert window.select_run(run.id)
        return window.shown_details
    with qtbot.waitSignal(
        window.details_loaded, timeout=10_000, check_params_cb=lambda d: d.run.id == run.id
    ) as blocker:
        assert window.select_run(run.id)
    assert blocker.args is not None
    details: RunDetails = blocker.args[0]
    return details


def test_lists_the_company_runs_newest_first(
    window: HistoryWindow, guard: GuiThreadGuard, tmp_path: Path
) -> None:
    assert window.objectName() == "historyWindow"
    assert window.windowTitle() == "Refresh history — Acme Builders"
    assert window.isWindow()
    assert ids_by_user(window) == [
        ("anna", RunStatus.FINISHED),
        ("bo", RunStatus.CANCELLED),
        ("anna", RunStatus.INTERRUPTED),
    ], "not the 200-day-old run, the other company, or production"
    proxy = window.runs_proxy
    statuses = [proxy.index(row, RUN_STATUS).data() for row in range(proxy.rowCount())]
    assert statuses == ["⚠ Finished with failures", "⊘ Cancelled", "✕ Interrupted"]
    tip = proxy.index(2, RUN_STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "never finished" in tip
    started = proxy.index(0, RUN_STARTED).data(SORT_ROLE)
    assert isinstance(started, float)
    assert started > proxy.index(1, RUN_STARTED).data(SORT_ROLE)
    assert proxy.index(0, 5).data() == "2"  # projects
    assert proxy.index(0, 6).data() == "⚠ 1"  # failed projects
    assert proxy.index(0, 6).data(SORT_ROLE) == 1
    assert window.summary.text() == "3 runs · 1 interrupted · 1 cancelled · 1 with failures"
    assert window.from_date.date() == QDate.currentDate().addDays(-90)
    assert window.to_date.date() == QDate.currentDate()
    assert window.findChild(type(window.runs_view), "historyRunsView") is window.runs_view
    assert "open_store" in guard.calls
    assert "runs" in guard.calls

    # The newest run is selected, with its details.
    assert window.projects_model.rowCount() == 2
    shot(window, tmp_path / SHOTS, "1-history")

    window.runs_view.sortByColumn(RUN_STATUS, Qt.SortOrder.AscendingOrder)
    assert [s for s, _ in [(proxy.index(r, RUN_STATUS).data(), 0) for r in range(3)]] == [
        "✕ Interrupted",
        "⚠ Finished with failures",
        "⊘ Cancelled",
    ], "sorting by status puts the runs that need a look first"


def test_reading_shows_loading_and_picks_up_new_runs(
    qtbot: QtBot, window: HistoryWindow, store_path: Path
) -> None:
    with HistoryStore(store_path) as writer:  # as the refresh would, from elsewhere
        run_id = writer.start_run(
            user="cy", environment="sandbox", company_id=COMPANY, company_name="Acme Builders"
        )
        writer.record_project(run_id, simple(ANNEX, "Annex", "2024-018", RefreshOutcome.REFRESHED))
        with qtbot.waitSignals([window.loaded, window.details_loaded], timeout=10_000):
            window.reload_button.click()
            assert window.summary.text() == "Loading…"
        assert ids_by_user(window)[0] == ("cy", RunStatus.RUNNING)
        assert window.runs_proxy.index(0, RUN_STATUS).data() == "↻ Running"
        assert window.shown_details is not None
        assert window.shown_details.run.user == "anna", "the selected run stays selected"
        assert select_run(qtbot, window, "cy", RunStatus.RUNNING).run.projects == 1

        writer.finish_run(run_id)
        with qtbot.waitSignals([window.loaded, window.details_loaded], timeout=10_000):
            window.reload()
        assert ids_by_user(window)[0] == ("cy", RunStatus.FINISHED)
        assert window.shown_details.run.id == run_id
        assert window.shown_details.run.status is RunStatus.FINISHED, "not a stale copy"


def test_filter_by_project_number_or_name(qtbot: QtBot, window: HistoryWindow) -> None:
    wait_reload(qtbot, window, lambda: window.project_filter.setText("tower"))
    assert ids_by_user(window) == [("anna", RunStatus.FINISHED), ("anna", RunStatus.INTERRUPTED)]
    wait_reload(qtbot, window, lambda: window.project_filter.setText("2023-002"))
    assert ids_by_user(window) == [("bo", RunStatus.CANCELLED)]
    wait_reload(qtbot, window, lambda: window.project_filter.setText("annex 2024"))
    assert ids_by_user(window) == [("anna", RunStatus.FINISHED)]
    # The matching project is the one selected in the details.
    selected = window.projects_view.currentIndex()
    assert selected.siblingAtColumn(PROJECT_NAME).data() == "Annex"

    wait_reload(qtbot, window, lambda: window.project_filter.setText("nowhere"))
    assert window.runs_model.rowCount() == 0
    assert window.runs_pane.message.startswith("No runs match the filters")
    assert window.summary.text() == "0 runs"
    assert not window.export_csv_button.isEnabled()


def test_filter_by_dates_and_failures(qtbot: QtBot, window: HistoryWindow, tmp_path: Path) -> None:
    today = QDate.currentDate()

    def widen() -> None:
        window.from_date.setDate(today.addDays(-365))

    wait_reload(qtbot, window, widen)
    assert len(window.listed_run_ids()) == 4, "the 200-day-old run is back"

    def older_only() -> None:
        window.to_date.setDate(today.addDays(-10))

    wait_reload(qtbot, window, older_only)
    assert [user for user, _ in ids_by_user(window)] == ["anna", "anna"]
    assert ids_by_user(window)[0][1] is RunStatus.INTERRUPTED

    def back_to_today() -> None:
        window.to_date.setDate(today)

    wait_reload(qtbot, window, back_to_today)
    wait_reload(qtbot, window, lambda: window.failures_only.setChecked(True))
    assert ids_by_user(window) == [
        ("anna", RunStatus.FINISHED),
        ("anna", RunStatus.INTERRUPTED),
    ], "failures, and the run that never finished"

    def inverted() -> None:
        window.from_date.setDate(today.addDays(1))

    wait_reload(qtbot, window, inverted)
    assert "From day is after the To day" in window.runs_pane.message
    shot(window, tmp_path / SHOTS, "3-no-match")


def test_details_of_a_run_and_a_project(
    qtbot: QtBot, window: HistoryWindow, tmp_path: Path
) -> None:
    details = select_run(qtbot, window, "anna", RunStatus.FINISHED)
    assert [p.project_name for p in details.projects] == ["Tower B", "Annex"]
    projects = window.projects_proxy
    assert shown(projects, PROJECT_OUTCOME) == ["⚠ Failed", "= Unchanged"]
    tip = projects.index(0, 7).data(Qt.ItemDataRole.ToolTipRole)
    assert "req-42" in tip
    assert "Run of " in window.run_heading.text()
    assert "1 failed" in window.run_heading.text()

    # The first project is selected: its code changes are shown.
    changes = window.changes_proxy
    assert shown(changes, CHANGE_KIND) == ["+ Added", "≠ Updated", "– Skipped", "⚠ Failed"]
    assert changes.index(1, CHANGE_DESCRIPTION).data() == (
        "Project Manager - J. Smith → Project Manager"
    )
    assert changes.index(3, CHANGE_REQUEST).data() == "req-42"
    assert window.changes_pane.title.text() == "Code changes — 2024-017 Tower B"
    shot(window, tmp_path / SHOTS, "2-details")

    assert window.select_project(ANNEX)
    assert window.changes_model.rowCount() == 0
    assert window.changes_pane.message.startswith("No code was added")

    details = select_run(qtbot, window, "anna", RunStatus.INTERRUPTED)
    assert details.run.status is RunStatus.INTERRUPTED
    assert shown(window.projects_proxy, PROJECT_OUTCOME) == ["✓ Refreshed"]
    assert "✕ Interrupted" in window.run_heading.text()

    # Details already read are shown again without another read.
    select_run(qtbot, window, "anna", RunStatus.FINISHED)
    assert window.projects_model.rowCount() == 2


def test_export_both_formats(qtbot: QtBot, window: HistoryWindow, tmp_path: Path) -> None:
    target = tmp_path / "history.csv"
    with qtbot.waitSignal(window.exported, timeout=10_000) as blocker:
        window.export_to(target)
    assert blocker.args == [str(target)]
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(RUN_COLUMNS)
    assert [(r[3], r[8], r[9]) for r in rows[1:]] == [
        ("Finished", "Tower B", "Failed"),
        ("Finished", "Annex", "Unchanged"),
        ("Cancelled", "Harborview", "Refreshed"),
        ("Interrupted", "Tower B", "Refreshed"),
    ]
    assert rows[1][15] == "req-42"
    assert "saved" in window.summary.text()

    workbook = tmp_path / "history.xlsx"
    with qtbot.waitSignal(window.exported, timeout=10_000):
        window.export_to(workbook)
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Projects", "Code changes"]
    assert book["Projects"].max_row == 5
    changes = list(book["Code changes"].iter_rows(min_row=2, values_only=True))
    assert [(row[3], row[4], row[5]) for row in changes] == [
        ("Tower B", "Added", "01-300"),
        ("Tower B", "Updated", "01-100"),
        ("Tower B", "Skipped", "03_300"),
        ("Tower B", "Failed", "2-100"),
        ("Harborview", "Added", "01-500"),
        ("Tower B", "Added", "01-500"),
    ]


def test_export_with_a_project_filter_keeps_only_that_project(
    qtbot: QtBot, window: HistoryWindow, tmp_path: Path
) -> None:
    wait_reload(qtbot, window, lambda: window.project_filter.setText("annex"))
    target = tmp_path / "annex.csv"
    with qtbot.waitSignal(window.exported, timeout=10_000):
        window.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[8] for r in rows[1:]] == ["Annex"]


def test_an_export_failure_is_shown_plainly(
    qtbot: QtBot, window: HistoryWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.banner.state_changed, timeout=10_000):
        window.export_to(tmp_path / "missing" / "history.csv")
    assert window.banner.property("state") == "error"
    text = window.banner.message.text()
    assert text.startswith("Export failed: Could not write 'history.csv': the folder")
    assert window.export_csv_button.isEnabled()
    assert not (tmp_path / "missing").exists()


def test_no_history_yet(qtbot: QtBot, worker: Worker, tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "empty.sqlite3") as store:
        win = HistoryWindow(worker, lambda: store, COMPANY, "sandbox")
        open_window(qtbot, win)
        assert win.runs_pane.message.startswith("No refreshes recorded yet")
        assert win.windowTitle() == "Refresh history"
        assert win.summary.text() == "0 runs"
        shot(win, tmp_path / SHOTS, "4-empty")
        win.close()


def test_an_unavailable_history_is_explained(qtbot: QtBot, worker: Worker, tmp_path: Path) -> None:
    win = HistoryWindow(worker, lambda: None, COMPANY, "sandbox", company_name="Acme")
    open_window(qtbot, win)
    assert win.banner.property("state") == "error"
    assert win.banner.message.text() == NOT_AVAILABLE
    assert "could not be read" in win.runs_pane.message
    shot(win, tmp_path / SHOTS, "5-unavailable")
    win.close()


def test_a_history_error_is_shown_in_plain_words(
    qtbot: QtBot, worker: Worker, history: HistoryStore
) -> None:
    def broken(**_kwargs: Any) -> list[Any]:
        raise HistoryError("The refresh history at x could not be read: disk I/O error.")

    history.runs = broken  # type: ignore[method-assign]
    win = HistoryWindow(worker, lambda: history, COMPANY, "sandbox")
    open_window(qtbot, win)
    assert win.banner.message.text() == (
        "The refresh history at x could not be read: disk I/O error."
    )
    win.close()


def test_the_guard_catches_a_read_on_the_gui_thread(guard: GuiThreadGuard) -> None:
    with pytest.raises(AssertionError, match="GUI thread"):
        guard.store.runs()
    assert guard.violations == ["runs"]


def test_a_long_history_stays_readable(qtbot: QtBot, worker: Worker, tmp_path: Path) -> None:
    clock = Clock()
    with HistoryStore(tmp_path / "long.sqlite3", clock=clock) as store:
        for n in range(40):
            clock.at(80 - 2 * n)
            run_id = store.start_run(
                user=["anna", "bo", "cy"][n % 3],
                environment="sandbox",
                company_id=COMPANY,
                company_name="Acme Builders",
                dry_run=n % 10 == 3,
            )
            for p in range(1 + n % 4):
                outcome = RefreshOutcome.FAILED if (n, p) == (37, 1) else RefreshOutcome.REFRESHED
                store.record_project(
                    run_id, simple(100 + p, f"Project {p}", f"24-{p:03d}", outcome)
                )
            if n not in (12, 39):
                store.finish_run(run_id, cancelled=n == 30)
        with sqlite3.connect(tmp_path / "long.sqlite3") as db:  # run 12 was left by a crash
            db.execute("UPDATE runs SET writer_token = 'gone' WHERE id = 13")
        db.close()
        win = HistoryWindow(worker, lambda: store, COMPANY, "sandbox")
        open_window(qtbot, win, details=True)
        assert win.windowTitle() == "Refresh history — Acme Builders", "named after the runs"
        assert win.summary.text() == (
            "40 runs · 1 interrupted · 1 cancelled · 1 with failures · 1 running"
        )
        dry = [
            win.runs_proxy.index(row, RUN_STATUS).data() for row in range(win.runs_proxy.rowCount())
        ]
        assert dry.count("✓ Finished (dry run)") == 4
        shot(win, tmp_path / SHOTS, "6-long")
        win.close()


def test_dates_and_counts_follow_the_users_locale(window: HistoryWindow, qtbot: QtBot) -> None:
    from PySide6.QtCore import QLocale

    from costcode_desktop.ui.kit.when import locale_date_time

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        with qtbot.waitSignal(window.loaded, timeout=10_000):
            window.reload()
        proxy = window.runs_proxy
        shown = proxy.index(0, RUN_STARTED).data()
        newest = max(window.runs_model.runs(), key=lambda r: r.started_at)
        assert shown == locale_date_time(newest.started_at)
        day = newest.started_at.astimezone()
        assert shown.startswith(f"{day.day:02d}.{day.month:02d}."), "the German date order"
    finally:
        QLocale.setDefault(before)
