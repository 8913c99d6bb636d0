"""The GUI thread's share of the GIL: paint a change at once, hold the GIL while painting,
take it back sooner, and run few worker threads beside the window.

Qt lays out and paints on a later turn of the event loop. When the same click also starts a
job on the pool, that later paint runs while the job's thread holds the GIL, and each of its
hundreds of calls into Python (a table's cells) waits for it: a click that needs 30 ms of
painting took 80 ms and more. `paint_now` does the layout and the paint in the click's own
turn; `Worker.submit(..., after_paint=True)` starts the job on the next one.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


def paint_now(window: QWidget) -> None:
    """Lay out what changed (a banner shown, a panel hidden) and paint the window now."""
    if not window.isVisible():
        return
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    window.repaint()


class _PaintFromPython(QObject):
    """Takes a window's update requests and serves each from Python (see `paint_holding_gil`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.UpdateRequest and isinstance(watched, QWidget):
            watched.event(event)  # Qt paints what is dirty, inside this call
            return True
        return False


def paint_holding_gil(window: QWidget) -> None:
    """Paint `window` with the GIL held from start to end, not taken again for every cell.

    Qt paints a window when its update request comes round in the event loop, which runs
    without the GIL; each of the paint's calls into Python (a table's data(), hundreds per
    paint) must take it back. With a pool thread running Python, each call waits its turn: a
    300-row table's 5 ms paint took 300 ms beside one such thread. This filter serves the
    request from a Python call instead, so the paint takes the GIL once and its calls into
    Python find it held (at most the 1 ms switch interval lets another thread in). Measured
    beside one busy thread: 12-31 ms instead of about 300.
    """
    window.installEventFilter(_PaintFromPython(window))


# How long a thread running Python keeps the GIL when another asks for it (Python's default is
# 5 ms). The pool's threads parse and compare while the GUI thread paints, and a paint calls into
# Python hundreds of times: at 5 ms a wait, a 30 ms paint became 80 ms and more. At 1 ms the
# GUI thread gets it back sooner; the workers, mostly waiting on the network, lose little.
GUI_SWITCH_INTERVAL = 0.001  # seconds


def favour_gui_thread() -> None:
    """For the application's process (its GUI thread shares the GIL with the workers)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)


# Projects the window checks, and refreshes, at a time (the CLI's default is services'
# DEFAULT_CONCURRENCY, 3). Under Procore's 25 requests per 10 s more threads add little speed
# (a request takes 0.2 s and more), and each one running Python takes the GIL from the GUI
# thread when results arrive together, as they do when the limit's window opens again. A
# refresh's result carries the most work (its read-back compared, the cache and the history
# written): one project at a time. The demo's longest gap in a refresh of all its projects,
# medians of 5 to 10 runs: 41 ms with three at a time, 32-37 ms with two, 20-25 ms with one.
CHECK_CONCURRENCY = 2
REFRESH_CONCURRENCY = 1
