"""Presentation of diff and project states: a symbol, a word and theme-aware colours.

Colours come from one registry, chosen to stay apart for the common colour-vision deficiencies
(blue / orange / purple / vermillion families) and always paired with a symbol and a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.services import ProjectState


@dataclass(frozen=True)
class Look:
    symbol: str
    word: str
    light: str  # background on a light palette
    dark: str  # background on a dark palette

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"


DIFF_LOOKS: dict[DiffStatus, Look] = {
    DiffStatus.IN_SYNC: Look("✓", "In sync", "", ""),
    DiffStatus.MISSING: Look("+", "Missing", "#d4e8fa", "#1d3c5a"),
    DiffStatus.DESCRIPTION_DIFFERS: Look("≠", "Differs", "#fde3b8", "#55400f"),
    DiffStatus.ONLY_ON_PROJECT: Look("◆", "Only on project", "#e9def5", "#3d2c52"),
    DiffStatus.UNSUPPORTED: Look("⚠", "Unsupported", "#f8d3c9", "#5c261b"),
}

STATE_LOOKS: dict[ProjectState, Look] = {
    ProjectState.IN_SYNC: Look("✓", "In sync", "", ""),
    ProjectState.OUT_OF_DATE: Look("●", "Out of date", "#fde3b8", "#55400f"),
    ProjectState.NOT_ERP_INTEGRATED: Look("–", "Not ERP-integrated", "", ""),
    ProjectState.OTHER_LIST: Look("–", "Other list", "", ""),
    ProjectState.NO_ACCESS: Look("⊘", "No access", "#e6e6e6", "#3a3a3a"),
    ProjectState.ERROR: Look("⚠", "Error", "#f8d3c9", "#5c261b"),
}
CHECKING_LOOK = Look("…", "Checking…", "", "")

# Emphasis of changed words inside a differing description.
CHANGED_WORDS = ("#f4b860", "#8a6414")


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def background(look: Look, palette: QPalette | None = None) -> QColor | None:
    value = look.dark if is_dark(palette) else look.light
    return QColor(value) if value else None


def changed_words_colour(palette: QPalette | None = None) -> QColor:
    return QColor(CHANGED_WORDS[1] if is_dark(palette) else CHANGED_WORDS[0])
