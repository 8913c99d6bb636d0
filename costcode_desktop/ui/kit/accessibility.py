"""Small helpers for keyboard users and screen readers, shared by the windows and dialogs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

CLEAR_ACTION = "_q_qlineeditclearaction"  # the name Qt gives a line edit's clear button action


def set_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab visits the widgets in this order (hidden or disabled ones are skipped by Qt)."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def name_clear_button(edit: QLineEdit, text: str = "Clear") -> None:
    """Give a line edit's clear button (an icon only) a name and a tooltip; Escape clears it."""
    edit.setClearButtonEnabled(True)
    edit.installEventFilter(_ClearOnEscape(edit))
    action = edit.findChild(QAction, CLEAR_ACTION)
    if action is not None:
        action.setText(text)
        action.setToolTip(text)


class _ClearOnEscape(QObject):
    """Escape in a search box with text clears it; in an empty one it goes on (to a dialog)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            isinstance(watched, QLineEdit)
            and isinstance(event, QKeyEvent)
            and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            and event.key() == Qt.Key.Key_Escape
            and watched.text()
        ):
            event.accept()  # an override accepted: no shortcut takes Escape from the box
            if event.type() == QEvent.Type.KeyPress:
                watched.clear()
            return event.type() == QEvent.Type.KeyPress
        return False
