"""The strip under the comparison: the selected line's two descriptions in full, wrapped.

A table cell cuts a long description; here both sides are whole, and where they differ the
changed words carry the table's own marks (tint, bold, underline: not colour alone). The text
goes in through QTextCursor with character formats, never as HTML, so a description is shown
exactly as Procore gave it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QTextEdit, QWidget

from costcode_desktop.costcodes import ComparisonRow, codes_text, names_text
from costcode_desktop.costcodes.worddiff import Span
from costcode_desktop.ui.compare.model import description_spans
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.as_given import plain, tooltip_as_given

MOST_LINES = 4  # a longer description scrolls inside its box rather than pushing the table up
NOT_THERE = {"company": "Not on the company list", "project": "Not on the project"}


class DescriptionText(QTextEdit):
    """Read-only wrapped text exactly as tall as its lines (up to MOST_LINES)."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the table to the banner
        self.viewport().setAutoFillBackground(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(1)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def _fit(self) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = self.document().size().height()
        margin = 2 * round(self.document().documentMargin())
        self.setFixedHeight(round(min(max(lines, line + margin), MOST_LINES * line + margin)))

    def show_spans(self, spans: list[Span], changed: QTextCharFormat) -> None:
        self.clear()
        cursor = self.textCursor()
        usual = QTextCharFormat()
        for text, is_changed in spans:
            if not is_changed or not text.strip():
                cursor.insertText(text, usual)
                continue
            # The marks cover the changed words, not the spaces around them.
            word = text.strip()
            before, after = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            cursor.insertText(before, usual)
            cursor.insertText(word, changed)
            cursor.insertText(after, usual)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def show_missing(self, text: str) -> None:
        self.clear()
        quiet = QTextCharFormat()
        quiet.setFontItalic(True)
        quiet.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        self.textCursor().insertText(text, quiet)


class DetailStrip(QWidget):
    """'Company list  01-100  Earthwork & Mass Grading' over the project's, in full."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("compareDetail")
        self.setAccessibleName("The selected line's descriptions in full")
        self.row: ComparisonRow | None = None
        self.company = DescriptionText("compareDetailCompany", self)
        self.company.setAccessibleName("Company description")
        self.project = DescriptionText("compareDetailProject", self)
        self.project.setAccessibleName("Project description")
        self.company_code = self._code_label()
        self.project_code = self._code_label()
        # Cost types here too: the table's column gives way to the descriptions when narrow.
        self.company_types = plain(QLabel(self))
        self.company_types.setObjectName("compareDetailCompanyTypes")
        self.project_types = plain(QLabel(self))
        self.project_types.setObjectName("compareDetailProjectTypes")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(2)
        for line, (caption, code, text, types) in enumerate(
            (
                ("Company list", self.company_code, self.company, self.company_types),
                ("Project list", self.project_code, self.project, self.project_types),
            )
        ):
            label = plain(QLabel(caption, self))
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setBuddy(text)
            layout.addWidget(label, line, 0)
            layout.addWidget(code, line, 1)
            layout.addWidget(text, line, 2)
            types.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            layout.addWidget(types, line, 3)
        layout.setColumnStretch(2, 1)
        self.show_row(None)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """The tint is held in the text itself: a light / dark switch sets it again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.show_row(self.row)

    def _code_label(self) -> QLabel:
        label = plain(QLabel(self))
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def changed_format(self) -> QTextCharFormat:
        """The table's marks for changed words (see WordDiffDelegate), in the palette's tint."""
        changed = QTextCharFormat()
        changed.setBackground(theme.changed_words_colour(self.palette()))
        changed.setFontWeight(QFont.Weight.Bold)
        changed.setFontUnderline(True)
        return changed

    def show_row(self, row: ComparisonRow | None) -> None:
        self.row = row
        std, own = (row.standard, row.project) if row is not None else (None, None)
        self.company_code.setText(std.full_code if std else "")
        self.project_code.setText(own.full_code if own else "")
        for label, code in ((self.company_types, std), (self.project_types, own)):
            shown = codes_text(code.cost_types) if code is not None else ""
            label.setText(f"Cost types: {shown}" if shown else "")
            tip = names_text(code.cost_types) if shown and code is not None else ""
            label.setToolTip(tooltip_as_given(tip) if tip else "")
        if row is None:
            self.company.show_missing("Select a line to see both descriptions in full.")
            self.project.clear()
            return
        spans = description_spans(row)
        changed = self.changed_format()
        for side, text, code in (("company", self.company, std), ("project", self.project, own)):
            if code is None:
                text.show_missing(NOT_THERE[side])
            elif spans is not None:
                text.show_spans(spans[0] if side == "company" else spans[1], changed)
            else:
                text.show_spans([(code.name, False)], changed)

    def text(self) -> str:
        """Both descriptions as shown, one a line."""
        return f"{self.company.toPlainText()}\n{self.project.toPlainText()}"
