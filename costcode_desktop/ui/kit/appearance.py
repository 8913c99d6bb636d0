"""Light and dark mode: follow the system, or force light or dark with Fusion and our palettes.

"system" keeps the platform's own style and colours and follows the OS colour scheme while the
application runs. Where the native style cannot draw dark (Windows' windowsvista style, or any
platform whose palette stays light when the OS says dark), it falls back to Fusion with our dark
palette. "light" and "dark" always use Fusion with the palettes of ui/theme.py.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, QSettings, Qt, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from costcode_desktop.ui.kit import theme

log = logging.getLogger(__name__)

SYSTEM, LIGHT, DARK = "system", "light", "dark"
MODES = (SYSTEM, LIGHT, DARK)
SETTINGS_KEY = "appearance"

Group = QPalette.ColorGroup


def saved_appearance(settings: QSettings | None) -> str:
    """The mode stored in the window settings ("system" when none or unknown)."""
    if settings is None:
        return SYSTEM
    value = settings.value(SETTINGS_KEY, SYSTEM)
    return value if isinstance(value, str) and value in MODES else SYSTEM


def save_appearance(settings: QSettings | None, mode: str) -> None:
    if settings is not None:
        settings.setValue(SETTINGS_KEY, mode)


def palette(dark: bool) -> QPalette:
    """Our complete light or dark palette: every role, Active, Inactive and Disabled groups."""
    active = theme.DARK_PALETTE if dark else theme.LIGHT_PALETTE
    disabled = theme.DARK_DISABLED if dark else theme.LIGHT_DISABLED
    result = QPalette()
    for role, value in active.items():
        for group in (Group.Active, Group.Inactive, Group.Disabled):
            result.setColor(group, role, QColor(value))
    for role, value in disabled.items():
        result.setColor(Group.Disabled, role, QColor(value))
    accent = getattr(QPalette.ColorRole, "Accent", None)  # Qt 6.6+
    if accent is not None:
        for group in (Group.Active, Group.Inactive, Group.Disabled):
            result.setColor(group, accent, result.color(group, QPalette.ColorRole.Highlight))
    return result


STYLE_NAME = "costcodesyncFusion"


def _is_ours(style: QStyle) -> bool:
    return style.objectName() == STYLE_NAME


class _Appearance(QObject):
    """Per application: the mode in force, the native style to go back to, the OS listener."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("costcodesyncAppearance")
        self.app = app
        self.mode = SYSTEM
        self.native_style = app.style().name()
        self.applying = False
        self.requested_scheme = False  # we asked Qt for a colour scheme (Qt 6.8+)
        hints = app.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+
            hints.colorSchemeChanged.connect(self.scheme_changed)

    @Slot(Qt.ColorScheme)
    def scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.mode == SYSTEM and not self.applying:
            log.info("the system colour scheme changed to %s", scheme.name)
            self.apply(SYSTEM, scheme)

    def apply(self, mode: str, scheme: Qt.ColorScheme | None = None) -> None:
        self.mode = mode
        self.applying = True
        try:
            if mode == SYSTEM:
                self._request_scheme(None)
                self._follow_system(scheme if scheme is not None else system_scheme(self.app))
            else:
                self._request_scheme(mode)
                self._use_fusion(dark=mode == DARK)
        finally:
            self.applying = False
        notifier = theme.palette_notifier()
        if not notifier.forwards:  # a Qt without QGuiApplication.paletteChanged
            notifier.changed.emit()

    def _follow_system(self, scheme: Qt.ColorScheme) -> None:
        self._set_style(self.native_style)
        self.app.setPalette(QPalette())  # nothing of ours: the platform's own colours
        wants_dark = scheme == Qt.ColorScheme.Dark
        if wants_dark and (sys.platform == "win32" or not theme.is_dark(self.app.palette())):
            self._use_fusion(dark=True)  # the native style cannot draw dark

    def _use_fusion(self, *, dark: bool) -> None:
        if not _is_ours(self.app.style()):
            from costcode_desktop.ui.kit.fusion import FusionStyle  # only when forced

            self.app.setStyle(FusionStyle(STYLE_NAME))
        self.app.setPalette(palette(dark))

    def _set_style(self, name: str) -> None:
        if _is_ours(self.app.style()) or self.app.style().name() != name:
            self.app.setStyle(name)

    def _request_scheme(self, mode: str | None) -> None:
        """Tell the platform too (Qt 6.8+), so title bars and native dialogs match."""
        hints = self.app.styleHints()
        if not hasattr(hints, "setColorScheme"):
            return
        if mode is None:
            if self.requested_scheme:
                hints.unsetColorScheme()
                self.requested_scheme = False
            return
        hints.setColorScheme(Qt.ColorScheme.Dark if mode == DARK else Qt.ColorScheme.Light)
        self.requested_scheme = True


def _state(app: QApplication) -> _Appearance:
    found = app.findChild(_Appearance, "costcodesyncAppearance")
    return found if isinstance(found, _Appearance) else _Appearance(app)


def system_scheme(app: QApplication) -> Qt.ColorScheme:
    hints = app.styleHints()
    return hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown


def apply_appearance(app: QApplication, mode: str) -> None:
    """Use "system", "light" or "dark" from now on (unknown values mean "system")."""
    _state(app).apply(mode if mode in MODES else SYSTEM)


def current_appearance(app: QApplication) -> str | None:
    """The mode last applied to this application, or None if apply_appearance never ran."""
    found = app.findChild(_Appearance, "costcodesyncAppearance")
    return found.mode if isinstance(found, _Appearance) else None
