"""Widgets Qt made, looked up by their type so PySide need not work the type out.

The first time a call returns a `QWidget *` that Python has no object for yet (a view's
viewport, a toolbar's button), PySide finds the most derived class it could be by trying
every QWidget subclass it knows, and creates each of those classes (and their enums) to do
so: 9 ms, once, at the start. A lookup that names the type (`findChild(QWidget, ...)`) makes
the object with that type at once (0.05 ms); later calls return the same object.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractScrollArea, QToolBar, QToolButton, QWidget

# The name QAbstractScrollArea gives the viewport it makes.
VIEWPORT_NAME = "qt_scrollarea_viewport"
_DIRECT = Qt.FindChildOption.FindDirectChildrenOnly


def viewport_of(view: QAbstractScrollArea) -> QWidget:
    """`view.viewport()`."""
    found = view.findChild(QWidget, VIEWPORT_NAME, _DIRECT)
    if isinstance(found, QWidget) and found is view.viewport():
        return found
    return view.viewport()


def button_of(toolbar: QToolBar, action: QAction) -> QWidget:
    """`toolbar.widgetForAction(action)` for an action shown as a tool button."""
    for button in toolbar.findChildren(QToolButton, options=_DIRECT):
        if button.defaultAction() is action:
            return button
    return toolbar.widgetForAction(action)
