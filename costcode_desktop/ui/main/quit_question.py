"""Quitting while a refresh runs: finish it first, stop after the projects under way, or stay.

A refresh stopped half-way leaves projects half-written, so quitting asks. The question is
window-modal and opened with `open()`: no nested event loop, the banner keeps moving while it is
on screen, and the window only closes once the work has ended.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from costcode_desktop.ui.kit.as_given import plain


class QuitAnswer(enum.Enum):
    FINISH = "finish"  # let the run end, then quit
    STOP = "stop"  # start no further project; quit once those under way are done
    KEEP = "keep"  # do not quit


class QuitQuestion(QMessageBox):
    answered = Signal(object)  # QuitAnswer

    def __init__(self, parent: QWidget, quit_word: str) -> None:
        super().__init__(parent)
        plain(self)
        self.setObjectName("quitQuestion")
        self.setWindowTitle(f"{quit_word} CostCodeSync")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setIcon(QMessageBox.Icon.Question)
        self.setText(f"A refresh is running. {quit_word} anyway?")
        self.setInformativeText(
            "Finish, then quit: every project in the run is refreshed, then CostCodeSync "
            "closes.\nStop after the current project: projects not started yet are left as "
            "they are; those being written are finished.\nKeep working: nothing changes."
        )
        self.finish = self.addButton("&Finish, Then Quit", QMessageBox.ButtonRole.AcceptRole)
        self.finish.setObjectName("quitFinish")
        self.stop = self.addButton(
            "&Stop After the Current Project", QMessageBox.ButtonRole.DestructiveRole
        )
        self.stop.setObjectName("quitStop")
        self.keep = self.addButton("&Keep Working", QMessageBox.ButtonRole.RejectRole)
        self.keep.setObjectName("quitKeep")
        self.setDefaultButton(self.keep)
        self.setEscapeButton(self.keep)
        self.buttonClicked.connect(self._clicked)

    @Slot(QAbstractButton)
    def _clicked(self, button: QAbstractButton) -> None:
        if button is self.finish:
            self.answered.emit(QuitAnswer.FINISH)
        elif button is self.stop:
            self.answered.emit(QuitAnswer.STOP)
        else:
            self.answered.emit(QuitAnswer.KEEP)
