"""The base of the main window's mixins: QMainWindow to mypy, a plain class at run time.

MainWindow is split by concern into mixins; mypy checks their code against QMainWindow, while
at run time Qt stays a single base of MainWindow itself (one C++ object, initialised once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow as WindowMixin
else:
    WindowMixin = object

__all__ = ["WindowMixin"]
