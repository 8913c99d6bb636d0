"""Names from Procore are shown as given: markup is never read as HTML, and a name too long for
the window is elided instead of widening it (issue 13, items 2 and 10).

The demo company, its user, its list and three projects get names holding markup, an entity and
a right-to-left override; every place the window shows them must show those characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.sandbox import SandboxServer, SimulatedTime, demo_seed
from costcode_desktop.services.text import quoted, without_isolates
from costcode_desktop.ui.history.models import PROJECT_NAME, RUN_COMPANY
from costcode_desktop.ui.main.window import MainWindow

from .conftest import LINCOLN, SUMMIT, TRANSIT, GuiThreadGuard, shot

MARKUP = "<b>bold</b> <img src=x> &amp; \u202eevil"
COMPANY_NAME = f"Example {MARKUP} Builders"
USER_NAME = f"A. P. {MARKUP} Clerk"
LIST_NAME = f"Sage {MARKUP} List"
LINCOLN_NAME = f"Lincoln {MARKUP} School"
SUMMIT_NAME = f"Summit {MARKUP} Data Center"
TRANSIT_NAME = f"Transit {MARKUP} Center"
LONG_NAME = "W" * 10_000  # no space to wrap at
SHOTS = "screenshots"


def hostile_seed(lincoln: str = LINCOLN_NAME) -> dict[str, Any]:
    seed = demo_seed()
    company = seed["companies"][0]
    company["name"] = COMPANY_NAME
    next(c for c in company["standard_cost_code_lists"] if c["is_erp_list"])["name"] = LIST_NAME
    for user in seed["users"]:
        user["name"] = USER_NAME
    names = {LINCOLN: lincoln, SUMMIT: SUMMIT_NAME, TRANSIT: TRANSIT_NAME}
    for project in company["projects"]:
        project["name"] = names.get(project["id"], project["name"])
    return seed


@pytest.fixture
def lincoln_name() -> str:
    return LINCOLN_NAME


@pytest.fixture
def sandbox(lincoln_name: str) -> Iterator[SandboxServer]:
    """The conftest's window, on a company whose names hold markup (a test parametrizes
    `lincoln_name` for another name of Lincoln)."""
    server = SandboxServer(hostile_seed(lincoln_name), simulated=SimulatedTime()).start()
    yield server
    server.stop()


def rendered(text: str, rich: bool) -> str:
    """What a user reads of `text`: Qt's rendering of it as HTML when it is taken for HTML."""
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def shown(widget: QWidget) -> str:
    """The words a label (or every visible label of a widget) draws, as Qt draws them."""
    if not isinstance(widget, QLabel):
        labels = [w for w in widget.findChildren(QLabel) if w.isVisibleTo(widget)]
        return " ".join(shown(label) for label in labels)
    text = widget.text()  # an elided label's whole text (the long-name tests see to eliding)
    form = widget.textFormat()
    rich = form == Qt.TextFormat.RichText or (
        form == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
    )
    return rendered(text, rich)


def tip_shown(tip: object) -> str:
    """A tooltip as Qt shows it: it guesses HTML the way a label with AutoText does."""
    assert isinstance(tip, str)
    return rendered(tip, GuiQt.mightBeRichText(tip))


class Places:
    """Each place a name was looked for, and every one where it did not show as given: a test
    reports them all at once, not only the first."""

    def __init__(self) -> None:
        self.wrong: list[str] = []

    def expect(self, where: str, name: str, seen: str) -> None:
        seen = without_isolates(seen)  # invisible: they only keep a name's direction to itself
        if name not in seen:
            self.wrong.append(f"{where} shows {seen!r}")


def test_names_with_markup_show_as_given(
    window: MainWindow, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    places = Places()
    signed_in = f"Signed in as {USER_NAME} · {COMPANY_NAME} · Demo"
    places.expect("signedInLabel", signed_in, shown(window.signed_in))
    places.expect("the window title", COMPANY_NAME, window.windowTitle())

    # The comparison's header names the list and the project; the placeholder a project.
    assert window.projects.select_project(LINCOLN)
    places.expect("the comparison header", LIST_NAME, shown(window.compare.header))
    places.expect("the comparison header", f"24-021 {LINCOLN_NAME}", shown(window.compare.header))
    shot(window, tmp_path / SHOTS, "hostile-1-header")
    assert window.projects.select_project(TRANSIT)
    placeholder = shown(window.compare.stack.currentWidget())
    places.expect("the comparison placeholder", TRANSIT_NAME, placeholder)
    shot(window, tmp_path / SHOTS, "hostile-2-placeholder")

    # A project's tooltip in the list (its status message names it).
    model = window.projects.model
    row = next(
        i
        for i in range(model.rowCount())
        if model.row_at(i).project.id == TRANSIT and model.row_at(i).sub_job is None
    )
    tips = [model.index(row, c).data(Qt.ItemDataRole.ToolTipRole) for c in range(4)]
    places.expect("the projects' tooltip", TRANSIT_NAME, " ".join(tip_shown(t) for t in tips if t))
    assert places.wrong == []


def test_the_refresh_banner_and_its_dialogs_show_names_as_given(
    window: MainWindow, guard: GuiThreadGuard, qtbot: QtBot, tmp_path: Path
) -> None:
    places = Places()
    # Lincoln and Transit together: Transit cannot be refreshed, and the dialog says so first.
    window.projects.select_project(TRANSIT)
    lincoln = next(
        window.projects.proxy.index(r, 0)
        for r in range(window.projects.proxy.rowCount())
        if window.projects.proxy.index(r, 0).data(Qt.ItemDataRole.DisplayRole) == "24-021"
    )
    window.projects.view.selectionModel().select(
        lincoln,
        window.projects.view.selectionModel().SelectionFlag.Select
        | window.projects.view.selectionModel().SelectionFlag.Rows,
    )
    window.refresh_flow.refresh_selected()
    dialog = window.refresh_flow.before_refresh_dialog
    assert dialog is not None
    before = rendered(dialog.text(), dialog.textFormat() != Qt.TextFormat.PlainText)
    places.expect("the confirmation", TRANSIT_NAME, before)

    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        dialog.button(QMessageBox.StandardButton.Ok).click()
        working = f"Refreshing cost codes on '{LINCOLN_NAME}'…"
        places.expect("the refresh banner", working, shown(window.banner.message))
        shot(window, tmp_path / SHOTS, "hostile-3-banner")

    # A refusal: the run's result names the project, in its line (plain text) and tooltip.
    assert window.projects.select_project(SUMMIT)
    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        window.refresh_flow.refresh_selected()
    item = window.result_panel.list.item(0)
    places.expect("the run's result", f"'{SUMMIT_NAME}'", item.text())
    places.expect("the run's result's tooltip", f"'{SUMMIT_NAME}'", tip_shown(item.toolTip()))
    shot(window, tmp_path / SHOTS, "hostile-4-result")

    # The history of those runs: the company and the project in tooltips and titles.
    history = window.show_history()
    qtbot.waitUntil(lambda: history.runs_model.rowCount() == 2, timeout=10_000)
    company_tip = history.runs_model.index(0, RUN_COMPANY).data(Qt.ItemDataRole.ToolTipRole)
    places.expect("the history's runs", f"{COMPANY_NAME} (", tip_shown(company_tip))
    qtbot.waitUntil(lambda: history.projects_model.rowCount() == 1, timeout=10_000)
    name_tip = history.projects_model.index(0, PROJECT_NAME).data(Qt.ItemDataRole.ToolTipRole)
    project = history.projects_model.entry_at(0).project_name
    places.expect("the history's projects", project, tip_shown(name_tip))
    places.expect("the history's changes title", project, shown(history.changes_pane.title))
    history.close()
    assert places.wrong == []


def test_the_bulk_refresh_dialog_shows_names_as_given(window: MainWindow) -> None:
    dialog = window.refresh_flow.refresh_all_out_of_date()
    assert dialog is not None
    names = [dialog.table.item(r, 0) for r in range(dialog.table.rowCount())]
    lincoln = next(item for item in names if item is not None and LINCOLN_NAME in item.text())
    assert tip_shown(lincoln.toolTip()) == f"24-021 {LINCOLN_NAME}"
    assert dialog.heading.textFormat() == Qt.TextFormat.PlainText
    dialog.reject()


def test_the_sign_in_dialog_shows_an_error_as_given(window: MainWindow) -> None:
    """An OAuth callback's error= text reaches the dialog's status line."""
    dialog = window.show_sign_in()
    error = f"Procore refused the sign-in: {MARKUP}"
    window.controller.account.sign_in_failed.emit(error)
    assert shown(dialog.status) == f"⚠ {error}"
    dialog.reject()


def widths_asked(window: MainWindow) -> dict[str, int]:
    """The widths the window and its two biggest parts ask of their layouts, in px."""
    QApplication.processEvents()  # layouts settle as they would on screen
    parts = {"window": window, "central": window.centralWidget(), "status bar": window.statusBar()}
    asked = {}
    for name, widget in parts.items():
        asked[f"{name} minimum"] = widget.minimumSizeHint().width()
        asked[f"{name} preferred"] = widget.sizeHint().width()
    return asked


@pytest.mark.parametrize("lincoln_name", [LONG_NAME])
def test_a_very_long_name_is_elided_not_widening_the_window(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.projects.select_project(LINCOLN)
    assert max(widths_asked(window).values()) < 1_700, widths_asked(window)
    assert LONG_NAME in window.compare.header.text()
    name = window.compare.header.findChild(QLabel, "compareProjectName")
    assert isinstance(name, QLabel)
    assert tip_shown(name.toolTip()) == f"24-021 {LONG_NAME}"
    assert name.width() < window.width()

    with qtbot.waitSignal(window.refresh_finished, timeout=30_000):
        window.refresh_flow.refresh_selected()
        dialog = window.refresh_flow.before_refresh_dialog  # Lincoln lacks an unsendable code
        if dialog is not None:
            dialog.button(QMessageBox.StandardButton.Ok).click()
        # The name fenced in isolates, as every sentence naming one (services/text.py).
        assert window.banner.message.text() == f"Refreshing cost codes on {quoted(LONG_NAME)}…"
        assert max(widths_asked(window).values()) < 1_700, widths_asked(window)
        assert tip_shown(window.banner.message.toolTip()) == window.banner.message.text()
        shot(window, tmp_path / SHOTS, "hostile-5-long-name")


def test_a_long_company_name_keeps_the_status_bar_narrow(qtbot: QtBot, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.signed_in.setText(f"Offline · {LONG_NAME}")
    window.show()
    assert max(widths_asked(window).values()) < 1_700, widths_asked(window)
    assert tip_shown(window.signed_in.toolTip()).startswith(f"Offline · {LONG_NAME}")
