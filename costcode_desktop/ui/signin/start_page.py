"""What the window shows when nobody is signed in: sign in to Procore, or open the demo.

Part of the main window (not a dialog), so a clerk's first start is two plain choices. The
connection's details are IT's business, in Connection settings, reached from a small link.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.as_given import plain_label
from costcode_desktop.ui.signin.wording import points_to_settings

ERROR_MARK = "⚠ "  # a problem is marked by a symbol, not by the colour alone
SIGN_IN_WORDS = (
    "Connect to your company's Procore account in your browser; CostCodeSync then lists your "
    "projects and compares their cost codes with the company's standard list."
)
DEMO_WORDS = (
    "Explore CostCodeSync on a built-in demo company with sample projects; nothing is sent "
    "to Procore."
)


class StartPage(QWidget):
    sign_in_clicked = Signal()
    demo_clicked = Signal()
    settings_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        title = plain_label("Welcome to CostCodeSync", self, "startTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        lead = plain_label(
            "Keep your Procore projects' cost codes in step with your ERP's standard list.",
            self,
        )

        self.sign_in_button = QPushButton("Sign in to Procore", self)
        self.sign_in_button.setObjectName("startSignIn")
        self.sign_in_button.setAccessibleName("Sign in to Procore")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in_clicked)
        self.demo_button = QPushButton("Open the Demo", self)
        self.demo_button.setObjectName("startDemo")
        self.demo_button.setAccessibleName("Open the demo company")
        self.demo_button.clicked.connect(self.demo_clicked)
        choices = QGridLayout()
        choices.setHorizontalSpacing(16)
        choices.setVerticalSpacing(14)
        for row, (button, words) in enumerate(
            ((self.sign_in_button, SIGN_IN_WORDS), (self.demo_button, DEMO_WORDS))
        ):
            button.setMinimumHeight(button.sizeHint().height() + 12)
            button.setMinimumWidth(190)
            choices.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            choices.addWidget(plain_label(words, self), row, 1, Qt.AlignmentFlag.AlignVCenter)
        choices.setColumnStretch(1, 1)

        # Why a stored sign-in could not be used, when there was one.
        self.message = plain_label("", self, "startMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.settings_button = QPushButton("Connection settings…", self)
        self.settings_button.setObjectName("startConnectionSettings")
        self.settings_button.setFlat(True)
        self.settings_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.settings_button.setToolTip(
            "For IT: the Procore app CostCodeSync signs in with (environment, client id and "
            "secret, redirect port)"
        )
        self.settings_button.clicked.connect(self.settings_clicked)
        footer = QHBoxLayout()
        question = plain_label("Setting CostCodeSync up for your company?", self)
        question.setWordWrap(False)
        footer.addWidget(question)
        footer.addWidget(self.settings_button)
        footer.addStretch(1)

        card = QFrame(self)
        card.setObjectName("startCard")
        card.setMaximumWidth(660)
        inner = QVBoxLayout(card)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(lead)
        inner.addSpacing(10)
        inner.addLayout(choices)
        inner.addSpacing(6)
        inner.addWidget(self.message)
        inner.addSpacing(10)
        inner.addLayout(footer)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(card, 3)
        centred.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)
        self._restyle()
        theme.palette_notifier().changed.connect(self._restyle)

    def set_message(self, text: str) -> None:
        """Say why the stored sign-in could not be used (empty: nothing to say)."""
        self.message.setText(ERROR_MARK + text if text else "")
        self.message.setVisible(bool(text))
        # The link to the dialog that fixes it is the obvious next step: make it stand out.
        self.settings_button.setFlat(not points_to_settings(text))

    def _restyle(self) -> None:
        colour = theme.ERROR_TEXT.pick(theme.is_dark(QApplication.palette()))
        style = f"QLabel#startMessage {{ color: {colour}; }}"
        if style != self.styleSheet():
            self.setStyleSheet(style)
