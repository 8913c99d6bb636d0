"""The window's state has one owner, and only the GUI thread may change it."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from costcode_desktop.services import Project, ProjectState, ProjectStatus
from costcode_desktop.services.cache import Staleness
from costcode_desktop.ui.kit.gui_owned import WrongThread
from costcode_desktop.ui.kit.worker import Job, Worker
from costcode_desktop.ui.main.controller import Controller
from costcode_desktop.ui.main.state import WindowState
from costcode_desktop.ui.main.window import MainWindow
from costcode_desktop.ui.signin.account import AccountState

from .conftest import LINCOLN


def _off_the_gui_thread(change: object) -> BaseException | None:
    """Run `change` on a plain thread; what it raised, if anything."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            change()  # type: ignore[operator]
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return raised[0] if raised else None


def test_a_worker_assigning_the_window_state_is_stopped(qtbot: QtBot) -> None:
    controller = Controller()
    errors: list[BaseException] = []

    def work(_job: Job) -> None:
        controller.state.session = None  # what a careless work function might do

    with qtbot.waitSignal(controller.worker.busy_changed, timeout=10_000) as idle:
        controller.worker.submit(work, on_error=lambda error, _details: errors.append(error))
    qtbot.waitUntil(lambda: not controller.worker.busy, timeout=10_000)
    assert idle.signal_triggered
    assert len(errors) == 1
    assert isinstance(errors[0], WrongThread)
    assert "WindowState.session" in str(errors[0])


@pytest.mark.parametrize(
    "change",
    [
        lambda state: setattr(state, "company_list", None),
        lambda state: state.load(None, [], {}),
        lambda state: state.reload(None, [], {}, None),
        lambda state: state.mark(1, Staleness("could not reach Procore")),
        lambda state: state.record(
            ProjectStatus(Project(1, "One", None, True), ProjectState.IN_SYNC)
        ),
    ],
    ids=["assign", "load", "reload", "mark", "record"],
)
def test_every_way_of_changing_the_state_refuses_other_threads(change: object) -> None:
    state = WindowState()
    error = _off_the_gui_thread(lambda: change(state))  # type: ignore[operator]
    assert isinstance(error, WrongThread)
    change(state)  # type: ignore[operator]  # the GUI thread may


def test_the_account_state_refuses_other_threads() -> None:
    state = AccountState()
    assert isinstance(_off_the_gui_thread(lambda: setattr(state, "store", None)), WrongThread)


def test_the_state_can_only_be_read_through_views(window: MainWindow) -> None:
    statuses = window.controller.statuses
    assert LINCOLN in statuses
    with pytest.raises(TypeError):
        statuses[LINCOLN] = statuses[LINCOLN]  # type: ignore[index]


def test_panes_read_the_company_list_from_the_controller(window: MainWindow) -> None:
    """The comparison's header names the list the controller holds; the pane keeps no copy."""
    assert window.projects.select_project(LINCOLN)
    company_list = window.controller.company_list
    assert company_list is not None
    assert company_list.list.name in window.compare.header.text()
    assert not hasattr(window, "company_list")
    assert not hasattr(window, "session")
    assert not hasattr(window.compare, "company_list")


def test_the_worker_never_assigns_state_in_a_whole_refresh(
    window: MainWindow, qtbot: QtBot
) -> None:
    """A refresh end to end: were any assignment made off the GUI thread it would raise."""
    worker: Worker = window.controller.worker
    failures: list[str] = []
    window.controller.failed.connect(lambda doing, message, _d: failures.append(message))
    assert window.projects.select_project(LINCOLN)
    with qtbot.waitSignal(window.refresh_finished, timeout=60_000):
        window.refresh_flow.refresh_selected()
    qtbot.waitUntil(lambda: not worker.busy, timeout=30_000)
    assert failures == []
    status = window.controller.status(LINCOLN)
    assert status is not None
    assert status.state is ProjectState.IN_SYNC
