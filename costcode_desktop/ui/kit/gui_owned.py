"""State only the GUI thread may assign: a worker that tries is stopped at the assignment.

Workers return values; the GUI thread receives them through queued signals and assigns them.
An assignment from any other thread is a data race, so it raises `WrongThread` at once
instead of corrupting the window later.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QThread


class WrongThread(RuntimeError):
    """GUI-owned state was assigned from a worker thread."""


def require_gui_thread(what: str) -> None:
    """Raise WrongThread unless called on the application's (GUI) thread."""
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() != app.thread():
        raise WrongThread(f"{what} may only be changed on the GUI thread")


class GuiOwned:
    """A plain object whose attributes only the GUI thread may assign."""

    def __setattr__(self, name: str, value: Any) -> None:
        require_gui_thread(f"{type(self).__name__}.{name}")
        super().__setattr__(name, value)
