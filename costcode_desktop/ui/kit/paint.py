"""Paint a change at once, before a worker thread starts competing for the GIL.

Qt lays out and paints on a later turn of the event loop. When the same click also starts a
job on the pool, that later paint runs while the job's thread holds the GIL, and each of its
hundreds of calls into Python (a table's cells) waits for it: a click that needs 30 ms of
painting took 80 ms and more. `paint_now` does the layout and the paint in the click's own
turn; `Worker.submit(..., after_paint=True)` starts the job on the next one.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget


def paint_now(window: QWidget) -> None:
    """Lay out what changed (a banner shown, a panel hidden) and paint the window now."""
    if not window.isVisible():
        return
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    window.repaint()


# How long a thread running Python keeps the GIL when another asks for it (Python's default is
# 5 ms). The pool's threads parse and compare while the GUI thread paints, and a paint calls into
# Python hundreds of times: at 5 ms a wait, a 30 ms paint became 80 ms and more. At 1 ms the
# GUI thread gets it back sooner; the workers, mostly waiting on the network, lose little.
GUI_SWITCH_INTERVAL = 0.001  # seconds


def favour_gui_thread() -> None:
    """For the application's process (its GUI thread shares the GIL with the workers)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
