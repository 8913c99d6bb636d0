"""Help → About and Help → How It Works: what they say, and the licences behind them."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import PySide6
import pytest
from PySide6.QtCore import QSettings, Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QLabel
from pytestqt.qtbot import QtBot

from costcode_desktop import __version__, licences
from costcode_desktop.ui.dialogs.about import HEADERS, AboutDialog
from costcode_desktop.ui.dialogs.how_it_works import page
from costcode_desktop.ui.main.window import MainWindow

# What a release bundles and the licence each is used under.
EXPECTED = {
    "Python": "PSF-2.0",
    "Qt": "LGPL-3.0-only",
    "PySide6": "LGPL-3.0-only",
    "shiboken6": "LGPL-3.0-only",
    "httpx": "BSD-3-Clause",
    "httpcore": "BSD-3-Clause",
    "h11": "MIT",
    "anyio": "MIT",
    "idna": "BSD-3-Clause",
    "certifi": "MPL-2.0",
    "keyring": "MIT",
    "jaraco.classes": "MIT",
    "jaraco.functools": "MIT",
    "jaraco.context": "MIT",
    "platformdirs": "MIT",
    "openpyxl": "MIT",
    "et_xmlfile": "MIT",
}


@pytest.fixture
def about(qtbot: QtBot, settings: QSettings) -> AboutDialog:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    dialog = window.show_about()  # the licences are read on the worker
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=10_000)
    return dialog


def rows(dialog: AboutDialog) -> dict[str, tuple[str, ...]]:
    table = dialog.table
    found = {}
    for row in range(table.rowCount()):
        cells = tuple(table.item(row, c).text() for c in range(len(HEADERS)))  # type: ignore[union-attr]
        found[cells[0]] = cells
    return found


def test_about_says_versions_and_licences(about: AboutDialog) -> None:
    assert about.windowTitle() == "About CostCodeSync"
    title = about.findChild(QLabel, "aboutTitle")
    assert isinstance(title, QLabel)
    assert f"Version {__version__}" in title.text()
    assert about.versions.text() == (
        f"Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}"
    )
    info = about.system_info.text()
    assert info.startswith(f"CostCodeSync {__version__}; Qt {qVersion()}; PySide6 ")
    assert about.system_info.isReadOnly()
    listed = rows(about)
    for name, licence in EXPECTED.items():
        assert name in listed, f"{name} is not listed"
        assert listed[name][2] == licence, f"{name}: {listed[name][2]}"
    assert listed["httpx"][1] == metadata.version("httpx")
    assert listed["Qt"][1] == qVersion()
    assert list(listed)[:4] == ["Python", "Qt", "PySide6", "shiboken6"]
    note = about.lgpl.text()
    assert "replace the Qt and PySide6 libraries" in note
    assert "https://download.qt.io" in note
    assert "https://code.qt.io" in note
    assert about.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers


def test_about_text_can_be_copied(about: AboutDialog, qtbot: QtBot) -> None:
    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(about.copy_info, Qt.MouseButton.LeftButton)
    assert clipboard.text() == about.system_info.text()
    qtbot.mouseClick(about.copy_all, Qt.MouseButton.LeftButton)
    text = clipboard.text()
    assert "PySide6 " in text
    assert "LGPL-3.0-only" in text
    assert "https://code.qt.io" in text
    about.table.selectRow(1)
    about.copy_rows_action.trigger()
    assert clipboard.text().split("\t")[:3] == ["Qt", qVersion(), "LGPL-3.0-only"]
    assert about.status.text() == "1 row copied."


def test_each_licence_can_be_read_in_full(about: AboutDialog, qtbot: QtBot) -> None:
    names = [about.table.item(row, 0).text() for row in range(about.table.rowCount())]  # type: ignore[union-attr]
    about.table.selectRow(names.index("PySide6"))
    qtbot.mouseClick(about.view_text, Qt.MouseButton.LeftButton)
    shown = about.text_dialog
    assert shown is not None
    assert shown.isVisible()
    assert shown.windowTitle() == "PySide6: LGPL-3.0-only"
    text = shown.text.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text  # the LGPL v3 builds on the GPL v3's text
    about.table.selectRow(names.index("httpx"))
    about.show_licence_text()
    assert shown.windowTitle() == "httpx: BSD-3-Clause"
    assert "Copyright" in shown.text.toPlainText()
    assert "Redistribution and use in source and binary forms" in shown.text.toPlainText()
    for row, name in enumerate(names):  # every bundled component has its text, not a pointer
        about.table.selectRow(row)
        about.show_licence_text()
        assert "was not shipped" not in shown.text.toPlainText(), name


def test_the_table_stands_in_when_package_metadata_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A frozen build without dist-info still lists what it bundles, from the static table."""

    def missing(_name: str) -> None:
        raise metadata.PackageNotFoundError(_name)

    monkeypatch.setattr(metadata, "requires", missing)
    found = {c.name: c for c in licences.bundled_components("6.9.0")}
    for name, licence in EXPECTED.items():
        assert found[name].licence == licence, name
    assert found["Qt"].version == "6.9.0"
    assert found["PySide6"].version == PySide6.__version__
    assert licences.QT_SOURCE in found["PySide6"].note


def test_licences_from_metadata_follow_the_dependencies() -> None:
    found = {c.name: c for c in licences.bundled_components()}
    assert "Qt" not in found, "Qt is listed only when its version is given"
    assert "pytest" not in found, "test extras are not bundled"
    assert "hypothesis" not in found
    assert found["keyring"].version == metadata.version("keyring")
    assert "LGPL-3.0-only — https://pyside.org" in licences.notice_text([found["PySide6"]])


def test_how_it_works_says_what_a_refresh_does_and_does_not() -> None:
    text = page()
    for words in (
        "Sage 300 CRE Standard Cost Code List",
        "hh2 Cloud Service",
        "out of date",
        "together with the division",
        "reads the project again",
        "never deletes a cost code",
        "locked by the ERP connector",
        "Acumatica and CMiC only <tt>-</tt>",  # whose rules make a code unsupported
        "never budgets, commitments",
        "nothing in the ERP system",
        "'Admin'",
        "Refresh History",
    ):
        assert words in text, words


def test_a_bundle_missing_some_metadata_still_lists_those_packages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = metadata.distribution

    def partial(name: str) -> metadata.Distribution:
        if licences.normalise(name) in {"httpx", "certifi"}:
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "distribution", partial)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    found = {c.name: c for c in licences.bundled_components()}
    assert found["httpx"].licence == "BSD-3-Clause"
    assert found["certifi"].licence == "MPL-2.0"
    assert found["keyring"].version == metadata.version("keyring")
    assert len([c for c in found.values() if c.name == "PySide6"]) == 1
