"""Small helpers for keyboard users and screen readers, shared by the windows and dialogs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QWidget

CLEAR_ACTION = "_q_qlineeditclearaction"  # the name Qt gives a line edit's clear button action


def set_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab visits the widgets in this order (hidden or disabled ones are skipped by Qt)."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def name_clear_button(edit: QLineEdit, text: str = "Clear") -> None:
    """Give a line edit's clear button (an icon only) a name and a tooltip."""
    edit.setClearButtonEnabled(True)
    action = edit.findChild(QAction, CLEAR_ACTION)
    if action is not None:
        action.setText(text)
        action.setToolTip(text)
