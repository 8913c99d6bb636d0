"""The line under the history tables: what is listed, and the buttons that export it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from costcode_desktop.services.history.export import suggested_history_file_name


class HistoryFooter(QWidget):
    """The summary and the two export buttons; `export_requested` carries "csv" or "xlsx"."""

    export_requested = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("historyFooter")
        self.summary = QLabel(self)
        self.summary.setObjectName("historySummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.export_csv_button = QPushButton("Export &CSV…", self)
        self.export_csv_button.setObjectName("historyExportCsv")
        self.export_csv_button.setAccessibleName("Export the listed runs to a CSV file")
        self.export_csv_button.setToolTip(
            "Save the listed runs, one row per project, as a CSV file (Ctrl+E)"
        )
        self.export_csv_button.clicked.connect(lambda: self.export_requested.emit("csv"))
        self.export_xlsx_button = QPushButton("Export E&xcel…", self)
        self.export_xlsx_button.setObjectName("historyExportXlsx")
        self.export_xlsx_button.setAccessibleName("Export the listed runs to an Excel workbook")
        self.export_xlsx_button.setToolTip(
            "Save the listed runs as an Excel workbook: one sheet of projects, one of code "
            "changes (Ctrl+Shift+E)"
        )
        self.export_xlsx_button.clicked.connect(lambda: self.export_requested.emit("xlsx"))

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)  # the spacing of the rest of the window
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.export_csv_button)
        layout.addWidget(self.export_xlsx_button)

    def enable_exports(self, enabled: bool) -> None:
        self.export_csv_button.setEnabled(enabled)
        self.export_xlsx_button.setEnabled(enabled)


def ask_export_path(parent: QWidget, company_name: str, kind: str) -> Path | None:
    """Where to save an export of `kind` ("csv" or "xlsx"); None when the user cancels."""
    name = suggested_history_file_name(company_name, date.today(), f".{kind}")
    filters = "Excel workbook (*.xlsx)" if kind == "xlsx" else "CSV file (*.csv)"
    path, _ = QFileDialog.getSaveFileName(parent, "Export refresh history", name, filters)
    if not path:
        return None
    if not path.lower().endswith(f".{kind}"):
        path += f".{kind}"
    return Path(path)
