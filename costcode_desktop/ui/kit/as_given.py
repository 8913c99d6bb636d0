"""Text from Procore, files and users shown as given: never read as HTML.

Qt guesses whether a label's, a message box's or a tooltip's text is HTML (`Qt.mightBeRichText`),
so a project named `<b>x</b>` would be drawn bold and `<img src=x>` as a broken image. A label or
message box that holds such text is set to plain text here; a tooltip, which cannot be, is
escaped when Qt would take it for HTML.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt  # QtGui adds mightBeRichText to the Qt namespace
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

Shown = TypeVar("Shown", QLabel, QMessageBox)


def plain(widget: Shown) -> Shown:
    """The label or message box shows its text exactly as given, markup and all."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def plain_label(text: str, parent: QWidget, name: str = "") -> QLabel:
    """A word-wrapped label that shows `text` exactly as given."""
    label = plain(QLabel(text, parent))
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def tooltip_as_given(text: str) -> str:
    """A tooltip that shows `text` literally: unchanged unless Qt would read it as HTML, then
    escaped (line breaks kept)."""
    if not GuiQt.mightBeRichText(text):
        return text
    from html import escape  # here: html.entities is not needed before the first paint

    return f'<p style="white-space:pre-wrap">{escape(text, quote=False)}</p>'
