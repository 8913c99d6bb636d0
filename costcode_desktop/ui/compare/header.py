"""The two lines above the comparison: which company list and which project's list, how old.

'Company list: **Sage 300 CRE Standard Cost Code List** · 240 codes · read 10:42:05'
'Project list: **23-104 Riverside Clinic** · read 10:42:07'
'Sage 300 CRE code rules: only / - and . between sections, at most 12 characters (…)'

The names come from Procore: plain text, bold, elided to the room there is (the whole name in
the tooltip), so neither markup nor length in a name changes the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from costcode_desktop.ui.kit.as_given import plain
from costcode_desktop.ui.kit.elided import ElidedLabel


class HeaderLine(QWidget):
    """'Caption: name · rest', the name bold and elided."""

    def __init__(self, caption: str, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.caption = plain(QLabel(caption, self))
        self.caption.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.name = ElidedLabel(parent=self)
        self.name.setObjectName(name)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        # The name takes the room the rest of the line leaves, up to its whole width: a long
        # one is elided before the count and the time are.
        policy = self.name.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.name.setSizePolicy(policy)
        self.rest = ElidedLabel(parent=self)  # the count and the time, in a narrow pane too
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addSpacing(self.fontMetrics().horizontalAdvance(" "))
        layout.addWidget(self.name, 1)
        layout.addWidget(self.rest)  # left-aligned: it takes what room is left over

    def set(self, name: str, rest: str) -> None:
        self.name.setText(name)
        self.name.setMaximumWidth(self.name.natural_width())
        self.name.setVisible(bool(name))
        self.rest.setText(rest)

    def text(self) -> str:
        return f"{self.caption.text()} {self.name.text()}{self.rest.text()}"


class CompareHeader(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("compareHeader")
        self.company = HeaderLine("Company list:", "compareCompanyList", self)
        self.project = HeaderLine("Project list:", "compareProjectName", self)
        # Whose code rules make a code unsupported: the ERP connector's, or the common ones.
        self.rules = ElidedLabel(parent=self)
        self.rules.setObjectName("compareConnectorRules")
        self.rules.setAccessibleName("ERP connector code rules")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.company)
        layout.addWidget(self.project)
        layout.addWidget(self.rules)

    def text(self) -> str:
        """The lines with the whole names, as a screen reader or a test reads them."""
        lines = [line.text() for line in (self.company, self.project) if not line.isHidden()]
        if not self.rules.isHidden():
            lines.append(self.rules.text())
        return "\n".join(lines)
