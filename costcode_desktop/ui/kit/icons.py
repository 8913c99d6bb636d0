"""The application icon, from PNGs shipped inside the package so it also works when frozen.

The PNGs are rendered from resources/costcodesync*.svg by packaging/render_icons.py --package;
every size goes into one QIcon so each screen scale picks a pixel-exact image.
"""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

log = logging.getLogger(__name__)

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The window and taskbar icon; a missing size is logged, never fatal."""
    icon = QIcon()
    folder = resources.files("costcode_desktop.resources").joinpath("icons")
    for size in ICON_SIZES:
        name = f"costcodesync-{size}.png"
        pixmap = QPixmap()
        try:
            loaded = pixmap.loadFromData(folder.joinpath(name).read_bytes(), "PNG")
        except OSError:
            loaded = False
        if loaded:
            icon.addPixmap(pixmap)
        else:
            log.warning("application icon %s is missing from the package", name)
    return icon
