"""Whether Qt will find a screen, asked before the QApplication is built.

Without one, Qt's xcb plugin aborts the process with advice to reinstall the application; on
Linux and the BSDs we can tell from the environment beforehand and say something useful instead.
Windows and macOS always have a display.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

NO_DISPLAY = (
    "No display found (DISPLAY/WAYLAND_DISPLAY not set). Run on a desktop, or set "
    "QT_QPA_PLATFORM=offscreen for --screenshot or --self-test."
)


def display_missing(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when nothing tells Qt where to draw: no X11 or Wayland display and no platform
    chosen with QT_QPA_PLATFORM (offscreen, vnc, eglfs … are the user's choice)."""
    if not (platform.startswith("linux") or "bsd" in platform):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
