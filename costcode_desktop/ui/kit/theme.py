"""Presentation of diff and project states: a symbol, a word and theme-aware colours.

Every colour the interface draws itself lives in this registry as a light and a dark value
(a `Tone`), chosen to stay apart for the common colour-vision deficiencies (blue / orange /
purple / vermillion families), to keep text on them at 4.5:1 or more (tests/ui/test_theme.py
measures it), and always paired with a symbol and a word. The light and dark palettes of
ui/appearance.py are here too, so the contrast test reads one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.services import ProjectState


class Tone(NamedTuple):
    light: str  # on a light palette
    dark: str  # on a dark palette

    def pick(self, dark: bool) -> str:
        return self.dark if dark else self.light


# -- the registry ------------------------------------------------------------------------------

BLUE = Tone("#d4e8fa", "#1d3c5a")  # missing / added / running
ORANGE = Tone("#fde3b8", "#55400f")  # differs / updated / out of date / finished with failures
PURPLE = Tone("#e9def5", "#3d2c52")  # only on the project
VERMILLION = Tone("#f8d3c9", "#5c261b")  # unsupported / error / failed / interrupted
GREY = Tone("#e6e6e6", "#3a3a3a")  # no access / skipped / cancelled
# Emphasis of changed words inside a differing description (drawn on ORANGE rows, with bold and
# an underline as well).
CHANGED_WORDS = Tone("#f4b860", "#7a5a12")
# The status banner: green while working and when done (what Procore users know), red on failure.
BANNER_OK = Tone("#1e7b34", "#1b6e2f")
BANNER_ERROR = Tone("#b3261e", "#a3231c")
BANNER_TEXT = Tone("#ffffff", "#ffffff")
# Working offline: a quiet slate, not the red of a failure (nothing is broken; it is read-only).
BANNER_OFFLINE = Tone("#3d5260", "#34495a")
# Error text on the window background (the sign-in dialog's message).
ERROR_TEXT = Tone("#b3261e", "#ff8a80")
# The edge of check boxes, radio buttons and text fields in the forced modes: 3:1 or more against
# the window and the field (Fusion's own edge is too faint on a dark window).
CONTROL_EDGE = Tone("#8a8a8a", "#80848b")

TINTS: dict[str, Tone] = {
    "blue": BLUE,
    "orange": ORANGE,
    "purple": PURPLE,
    "vermillion": VERMILLION,
    "grey": GREY,
}

Role = QPalette.ColorRole

# The forced light and dark palettes (Fusion style), every role of the Active group; the Inactive
# group is the same (a window behind another keeps its colours) and DISABLED_* changes the rest.
LIGHT_PALETTE: dict[QPalette.ColorRole, str] = {
    Role.Window: "#f3f3f3",
    Role.WindowText: "#1b1b1b",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f5f6f8",
    Role.Text: "#1b1b1b",
    Role.PlaceholderText: "#595c61",
    Role.Button: "#f8f8f8",
    Role.ButtonText: "#1b1b1b",
    Role.BrightText: "#ffffff",
    Role.Light: "#ffffff",
    Role.Midlight: "#e3e3e3",
    Role.Mid: "#c4c4c4",
    Role.Dark: "#a0a0a0",
    Role.Shadow: "#787878",
    Role.Highlight: "#1f66c2",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b5cad",
    Role.LinkVisited: "#6b3fa0",
    Role.ToolTipBase: "#ffffe8",
    Role.ToolTipText: "#1b1b1b",
}
LIGHT_DISABLED: dict[QPalette.ColorRole, str] = {
    Role.WindowText: "#9b9b9b",
    Role.Text: "#9b9b9b",
    Role.ButtonText: "#9b9b9b",
    Role.PlaceholderText: "#b0b0b0",
    Role.Base: "#f3f3f3",
    Role.Button: "#f0f0f0",
    Role.Highlight: "#bdbdbd",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8aa7c8",
    Role.LinkVisited: "#a996c0",
}
DARK_PALETTE: dict[QPalette.ColorRole, str] = {
    Role.Window: "#2a2c30",
    Role.WindowText: "#e8e8e8",
    Role.Base: "#1c1d20",
    Role.AlternateBase: "#23252a",
    Role.Text: "#e8e8e8",
    Role.PlaceholderText: "#b0b3b8",
    Role.Button: "#35383d",
    Role.ButtonText: "#e8e8e8",
    Role.BrightText: "#ffffff",
    Role.Light: "#4a4d53",
    Role.Midlight: "#3e4146",
    Role.Mid: "#26282b",
    Role.Dark: "#18191b",
    Role.Shadow: "#0e0e10",
    Role.Highlight: "#3570bd",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#6cb4ff",
    Role.LinkVisited: "#c39bff",
    Role.ToolTipBase: "#33363b",
    Role.ToolTipText: "#e8e8e8",
}
DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    Role.WindowText: "#74777d",
    Role.Text: "#74777d",
    Role.ButtonText: "#74777d",
    Role.PlaceholderText: "#6a6d72",
    Role.Base: "#25272b",
    Role.Button: "#2e3034",
    Role.Highlight: "#3a3d42",
    Role.HighlightedText: "#a0a3a8",
    Role.Link: "#4a6d91",
    Role.LinkVisited: "#7a6a96",
}


# -- looks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    symbol: str
    word: str
    tone: Tone | None = None  # background; None keeps the view's own

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"

    @property
    def light(self) -> str:
        return self.tone.light if self.tone else ""

    @property
    def dark(self) -> str:
        return self.tone.dark if self.tone else ""


DIFF_LOOKS: dict[DiffStatus, Look] = {
    DiffStatus.IN_SYNC: Look("✓", "In sync"),
    DiffStatus.MISSING: Look("+", "Missing", BLUE),
    DiffStatus.DESCRIPTION_DIFFERS: Look("≠", "Differs", ORANGE),
    DiffStatus.ONLY_ON_PROJECT: Look("◆", "Only on project", PURPLE),
    DiffStatus.UNSUPPORTED: Look("⚠", "Unsupported", VERMILLION),
}

# Rows a refresh leaves as they are: quiet grey, muted text, and words that say they stay, so
# they never read as the differences a refresh fixes (nor as errors). The status column is narrow
# and shared by every connector, so the label says "ERP"; the tooltip, the summary and the
# outlook sentence name the connector in use.
LOCKED_LOOK = Look("≠", "Locked by ERP, stays", GREY)
UNSENT_LOOK = Look("⊘", "Unsupported, stays", GREY)
# A project code whose cost types are not its company code's defaults (symbol and colour).
COST_TYPES_DIFFER_LOOK = Look("≠", "Cost types differ", ORANGE)

STATE_LOOKS: dict[ProjectState, Look] = {
    ProjectState.IN_SYNC: Look("✓", "In sync"),
    ProjectState.OUT_OF_DATE: Look("●", "Out of date", ORANGE),
    ProjectState.NOT_ERP_INTEGRATED: Look("–", "Not ERP-integrated"),
    ProjectState.OTHER_LIST: Look("–", "Other list"),
    ProjectState.NO_ACCESS: Look("⊘", "No access", GREY),
    ProjectState.ERROR: Look("⚠", "Error", VERMILLION),
}
CHECKING_LOOK = Look("…", "Checking…")


# -- reading the palette -----------------------------------------------------------------------


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colour(tone: Tone, palette: QPalette | None = None) -> QColor:
    """The tone's value for the palette in use (the application's unless one is given)."""
    return QColor(tone.pick(is_dark(palette)))


def background(look: Look, palette: QPalette | None = None) -> QColor | None:
    return colour(look.tone, palette) if look.tone else None


def changed_words_colour(palette: QPalette | None = None) -> QColor:
    return colour(CHANGED_WORDS, palette)


class PaletteNotifier(QObject):
    """Says when the application's palette changed (a light / dark switch, the OS's colours).

    Widgets with a stylesheet never get a PaletteChange event, so the ones whose stylesheet
    holds colours (the banner, the sign-in message) listen here and set it again.
    """

    changed = Signal()

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName(NOTIFIER_NAME)
        forward = getattr(app, "paletteChanged", None)  # QGuiApplication, deprecated in Qt 6
        self.forwards = forward is not None
        if forward is not None:
            forward.connect(self.changed)


NOTIFIER_NAME = "costcodesyncPaletteNotifier"


def palette_notifier() -> PaletteNotifier:
    app = QCoreApplication.instance()
    assert app is not None, "a QApplication comes first"
    found = app.findChild(PaletteNotifier, NOTIFIER_NAME)
    return found if isinstance(found, PaletteNotifier) else PaletteNotifier(app)


# -- contrast (WCAG 2.x) -------------------------------------------------------------------------


def relative_luminance(value: str) -> float:
    """WCAG relative luminance of an sRGB colour given as #rrggbb."""
    text = value.lstrip("#")
    channels = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (same) to 21 (black on white); text needs 4.5 or more."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def export_fills() -> dict[DiffStatus, str | None]:
    """Each status's row colour in the light palette ("#rrggbb", None: the table's own white),
    for an Excel export that looks like the table it came from, on paper too."""
    return {status: look.light or None for status, look in DIFF_LOOKS.items()}
