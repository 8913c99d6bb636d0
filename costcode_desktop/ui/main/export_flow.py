"""Exporting the comparison shown: where to save (Documents, then the last folder used), what
(the lines the table shows), and, once saved, a note with Open and Show in Folder.

The file is written on the worker (Controller.export); nothing here touches the disk.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget

from costcode_desktop.services.export import ExportHeader
from costcode_desktop.ui.kit.elided import ElidedLabel

if TYPE_CHECKING:
    from costcode_desktop.ui.compare.pane import ComparePane
    from costcode_desktop.ui.main.controller import Controller

LAST_FOLDER_KEY = "export/last_folder"


def documents_folder() -> str:
    """The user's Documents folder (the home folder where there is none)."""
    location = QStandardPaths.StandardLocation.DocumentsLocation
    return QStandardPaths.writableLocation(location) or str(Path.home())


def show_in_folder(path: Path) -> None:
    """Select the file in Explorer or the Finder; elsewhere open its folder."""
    if sys.platform == "win32":
        subprocess.Popen(["explorer", f"/select,{path}"])
    elif sys.platform == "darwin":
        subprocess.Popen(["open", "-R", str(path)])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ExportedNote(QWidget):
    """'Saved … to …' with Open and Show in Folder, in the status bar until dismissed or the
    next export (non-modal: the window stays usable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportedNote")
        self.path: Path | None = None
        self.text = ElidedLabel(parent=self)  # plain text: the path holds a project's name
        self.text.setObjectName("exportedText")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setObjectName("exportedOpen")
        self.open_button.setAccessibleName("Open the exported file")
        self.folder_button = QPushButton("Show in &Folder", self)
        self.folder_button.setObjectName("exportedShowInFolder")
        self.folder_button.setAccessibleName("Show the exported file in its folder")
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.setObjectName("exportedDismiss")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.folder_button)
        layout.addWidget(self.close_button)
        self.hide()

    def show_saved(self, path: Path, what: str) -> None:
        self.path = path
        self.text.setText(f"Saved {what} to {path}")
        self.show()


class ExportFlow(QObject):
    """Asks where, hands the writing to the controller, and says where it went."""

    saved = Signal(str)  # path, once the note is shown

    def __init__(
        self,
        controller: Controller,
        compare: ComparePane,
        settings: QSettings | None,
        note: ExportedNote,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.compare = compare
        self.settings = settings  # the window's; None: remembered for this session only
        self._last_folder = ""
        self.note = note
        # Seams for tests: the OS's file manager and default application.
        self.open_file: Callable[[Path], object] = open_file
        self.show_in_folder: Callable[[Path], object] = show_in_folder
        self._what = ""
        note.open_button.clicked.connect(lambda: note.path and self.open_file(note.path))
        note.folder_button.clicked.connect(lambda: note.path and self.show_in_folder(note.path))
        controller.export_finished.connect(self._finished)

    def start_folder(self) -> str:
        """The last folder exported to, else Documents: never the process's working folder."""
        last = self._last_folder
        if self.settings is not None:
            last = str(self.settings.value(LAST_FOLDER_KEY, "", type=str) or "")
        return last or documents_folder()

    def choose(self, parent: QWidget, kind: str) -> Path | None:
        """Ask where to save the comparison shown as `kind` ("csv" or "xlsx"), then export."""
        status = self.compare.status
        if status is None or self.compare.comparison is None:
            return None
        project = status.project
        name = f"{project.project_number or project.id} {project.name} cost codes.{kind}"
        name = "".join(ch for ch in name if ch not in '<>:"/\\|?*' and ch.isprintable())
        filters = "Excel workbook (*.xlsx)" if kind == "xlsx" else "CSV file (*.csv)"
        start = str(Path(self.start_folder()) / name)
        chosen, _ = QFileDialog.getSaveFileName(parent, "Export comparison", start, filters)
        if not chosen:
            return None
        if not chosen.lower().endswith(f".{kind}"):
            chosen += f".{kind}"
        path = Path(chosen)
        self._last_folder = str(path.parent)
        if self.settings is not None:
            self.settings.setValue(LAST_FOLDER_KEY, self._last_folder)
        return path if self.export(path) else None

    def export(self, path: Path) -> bool:
        """Export the lines the table shows (all of them when no filter is on)."""
        status, comparison = self.compare.status, self.compare.comparison
        company_list, company = self.controller.company_list, self.controller.company
        if status is None or comparison is None or company_list is None or company is None:
            return False
        model = self.compare.model
        filters = model.filters_text()
        rows = model.visible_rows() if filters else None
        header = ExportHeader(
            company_name=company.name,
            list_name=company_list.list.name,
            project_name=status.project.name,
            project_number=status.project.project_number,
            company_read_at=company_list.read_at,
            project_read_at=status.checked_at,
            filters=filters,
        )
        shown = len(rows) if rows is not None else len(comparison.rows)
        lines = "line" if shown == 1 else "lines"
        self._what = f"the {shown} {lines} shown" if filters else f"all {shown} {lines}"
        self.note.hide()
        self.controller.export(path, header, comparison, rows)
        return True

    def _finished(self, path: str) -> None:
        self.note.show_saved(Path(path), self._what or "the comparison")
        self.saved.emit(path)
