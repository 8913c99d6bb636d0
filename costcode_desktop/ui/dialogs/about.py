"""Help → About: the version, what it runs on (copyable for support), and the licences."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, Signal, Slot, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProxyStyle,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop import APP_NAME, __version__
from costcode_desktop.costcodes.words import plural
from costcode_desktop.licence_texts import Licences, LicenceText, read_licences
from costcode_desktop.licences import (
    LGPL_TERMS,
    QT_CODE,
    QT_SOURCE,
    Component,
    notice_text,
)
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.appearance import current_appearance
from costcode_desktop.ui.kit.as_given import plain, tooltip_as_given
from costcode_desktop.ui.kit.copy_rows import enable_row_copy
from costcode_desktop.ui.kit.sizing import scaled_size
from costcode_desktop.ui.kit.worker import Worker

HEADERS = ("Component", "Version", "Licence", "Home page")
LGPL_HTML = (
    f"<b>Qt and PySide6</b>: {LGPL_TERMS} Their source code is at "
    f"<a href='{QT_SOURCE}'>{QT_SOURCE}</a> and <a href='{QT_CODE}'>{QT_CODE}</a>. "
    "Select a component and choose <i>View Licence Text</i> to read its licence in full."
)
COL_NAME, COL_VERSION, COL_LICENCE, COL_URL = range(4)


def system_info() -> str:
    """One line for a support request: versions and platform, nothing personal."""
    app = QApplication.instance()
    style = "?"
    if isinstance(app, QApplication):
        current = app.style()
        style = (current.baseStyle() if isinstance(current, QProxyStyle) else current).name()
    mode = current_appearance(app) if isinstance(app, QApplication) else None
    return "; ".join(
        [
            f"{APP_NAME} {__version__}",
            f"Qt {qVersion()}",
            f"PySide6 {PySide6.__version__}",
            f"Python {platform.python_version()}",
            platform.platform(),
            f"{QGuiApplication.platformName()} / {style} / {mode or 'system'}",
        ]
    )


class AboutDialog(QDialog):
    """The licences are read on the worker (package metadata is on disk); the rows follow."""

    loaded = Signal()

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.resize(scaled_size(self, 760, 600))
        self.components: list[Component] = []
        self.texts: dict[str, list[LicenceText]] = {}
        self.text_dialog: LicenceTextDialog | None = None

        icon = QLabel(self)
        window_icon = QApplication.windowIcon()
        if not window_icon.isNull():
            icon.setPixmap(window_icon.pixmap(64, 64))
        title = QLabel(
            f"<h2 style='margin:0'>{APP_NAME}</h2>"
            f"<p style='margin-top:4px'>Version {__version__}</p>"
            "<p>Keeps each Procore project's cost codes in line with the company's ERP "
            "standard cost code list (Sage 300 CRE, Acumatica, Sage Intacct, ...).</p>",
            self,
        )
        title.setObjectName("aboutTitle")
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading = QHBoxLayout()
        heading.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(title, 1)

        self.versions = QLabel(
            f"Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}",
            self,
        )
        self.versions.setObjectName("aboutVersions")
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.system_info = QLineEdit(system_info(), self)
        self.system_info.setObjectName("aboutSystemInfo")
        self.system_info.setReadOnly(True)
        self.system_info.setAccessibleName("System information")
        self.system_info.setCursorPosition(0)
        self.copy_info = QPushButton("Copy &System Info", self)
        self.copy_info.setObjectName("aboutCopySystemInfo")
        self.copy_info.setToolTip("Copy this line, for example into a message to your support")
        self.copy_info.clicked.connect(
            lambda: self._copy(self.system_info.text(), "System information copied.")
        )
        info_label = QLabel("System &info:", self)
        info_label.setBuddy(self.system_info)
        info_row = QHBoxLayout()
        info_row.addWidget(info_label)
        info_row.addWidget(self.system_info, 1)
        info_row.addWidget(self.copy_info)

        licences_label = QLabel("Bundled components and their &licences:", self)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("aboutLicences")
        self.table.setAccessibleName("Bundled components and their licences")
        licences_label.setBuddy(self.table)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setAccessibleName("Columns of the licences")
        header.setHighlightSections(False)
        for column in (COL_NAME, COL_VERSION, COL_LICENCE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_URL, QHeaderView.ResizeMode.Stretch)
        self.copy_rows_action = enable_row_copy(
            self.table, lambda n: self.status.setText(f"{plural(n, 'row')} copied.")
        )[0]

        self.lgpl = QLabel(LGPL_HTML, self)
        self.lgpl.setObjectName("aboutLgplNote")
        self.lgpl.setWordWrap(True)
        self.lgpl.setOpenExternalLinks(True)
        self.lgpl.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        theme.palette_notifier().changed.connect(self._relink)

        self.status = plain(QLabel(self))  # may quote an error reading the licence files
        self.status.setObjectName("aboutStatus")
        buttons = QDialogButtonBox(self)
        self.copy_all = buttons.addButton("&Copy Licences", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_all.setObjectName("aboutCopyLicences")
        self.copy_all.setToolTip("Copy the versions and every component's licence as text")
        self.copy_all.clicked.connect(
            lambda: self._copy(self.full_text(), "Versions and licences copied.")
        )
        self.view_text = buttons.addButton(
            "View Licence &Text…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.view_text.setObjectName("aboutViewLicence")
        self.view_text.setToolTip(
            "Read the full licence of the selected component (or double-click it)"
        )
        self.view_text.clicked.connect(self.show_licence_text)
        self.table.doubleClicked.connect(lambda _index: self.show_licence_text())
        for button in (self.copy_all, self.view_text):
            button.setEnabled(False)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("aboutClose")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(heading)
        layout.addWidget(self.versions)
        layout.addLayout(info_row)
        layout.addSpacing(4)
        layout.addWidget(licences_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.lgpl)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)
        close.setFocus()
        self.status.setText("Reading the list of bundled components…")
        worker.submit(
            lambda _job: read_licences(qVersion()),
            on_result=self._fill,
            on_error=lambda _exc, details: self.status.setText(
                "The list of components could not be read: " + details.splitlines()[-1]
            ),
        )

    def _fill(self, found: Licences) -> None:
        self.components, self.texts = found.components, found.texts
        self.table.setRowCount(len(self.components))
        for row, component in enumerate(self.components):
            cells = (component.name, component.version, component.licence, component.url)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if component.note:
                    item.setToolTip(tooltip_as_given(component.note))
                self.table.setItem(row, column, item)
        self.table.selectRow(0)
        for button in (self.copy_all, self.view_text):
            button.setEnabled(True)
        self.status.setText("")
        self.loaded.emit()

    @Slot()
    def show_licence_text(self) -> LicenceTextDialog | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.components):
            return None
        component = self.components[row]
        if self.text_dialog is None:
            self.text_dialog = LicenceTextDialog(self)
        self.text_dialog.show_component(component, self.texts.get(component.name, []))
        return self.text_dialog

    @Slot()
    def _relink(self) -> None:
        """Lay the note out again, so its links take the new palette's link colour."""
        self.lgpl.setText("")
        self.lgpl.setText(LGPL_HTML)

    def full_text(self) -> str:
        return f"{system_info()}\n\n{notice_text(self.components)}\n"

    def _copy(self, text: str, done: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.status.setText(done)


class LicenceTextDialog(QDialog):
    """One component's licence, in full, read-only and copyable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licenceTextDialog")
        self.resize(scaled_size(self, 700, 640))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("licenceText")
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Licence text")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def show_component(self, component: Component, texts: list[LicenceText]) -> None:
        self.setWindowTitle(f"{component.name}: {component.licence}")
        if texts:
            body = "\n\n".join(f"── {t.title} ──\n\n{t.text.strip()}" for t in texts)
        else:
            where = f" at {component.url}" if component.url else ""
            body = (
                f"{component.name} is used under {component.licence}. Its licence file was not "
                f"shipped with the package; the text is published{where}."
            )
        self.text.setPlainText(body)
        self.text.moveCursor(QTextCursor.MoveOperation.Start)
        self.show()
        self.raise_()
        self.activateWindow()
