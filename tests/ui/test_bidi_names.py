"""A name with a right-to-left override (U+202E), shown as given, stays inside its own isolate:
the words after it in the sentence still read left to right."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from pytestqt.qtbot import QtBot

from costcode_desktop.procore.environments import PRODUCTION
from costcode_desktop.services import Session
from costcode_desktop.services.text import FSI, PDI, isolated, quoted, without_isolates

EVIL = "A. P. \u202eevil Clerk"
AFTER = " · Example Builders · Demo"


def _x_positions(text: str, start: int, end: int) -> list[float]:
    """Where Qt's text engine puts the cursor before each character of text[start:end]."""
    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    return [line.cursorToX(i)[0] for i in range(start, end)]


def _reads_left_to_right(sentence: str, words: str) -> bool:
    start = sentence.index(words)
    xs = _x_positions(sentence, start, start + len(words))
    return all(a < b for a, b in itertools.pairwise(xs))


def test_the_words_after_an_rlo_name_keep_their_order(qtbot: QtBot) -> None:
    del qtbot  # a QApplication for the text engine
    bare = f"Signed in as {EVIL}{AFTER}"
    assert not _reads_left_to_right(bare, "Example Builders"), "the override leaks (control)"
    fenced = f"Signed in as {isolated(EVIL)}{AFTER}"
    assert _reads_left_to_right(fenced, "Example Builders")


def test_the_signed_in_sentence_fences_both_names() -> None:
    user = type("User", (), {"name": EVIL})()
    company = type("Company", (), {"name": "\u202eevil Co"})()
    session = Session.__new__(Session)
    for name, value in (
        ("user", user),
        ("company", company),
        ("environment", PRODUCTION),
    ):
        object.__setattr__(session, name, value)
    text = session.signed_in_text
    assert f"{FSI}{EVIL}{PDI}" in text
    assert f"{FSI}\u202eevil Co{PDI}" in text


def test_a_stray_isolate_in_a_name_cannot_open_the_fence() -> None:
    sneaky = f"x{PDI}\u202eevil"  # its PDI would close the fence before the override
    fenced = quoted(sneaky)
    assert fenced.count(PDI) == 1
    assert fenced.endswith(PDI)
    assert _reads_left_to_right(f"Checking {fenced} now, please", "now, please")
    assert without_isolates(f"Checking {fenced}") == "Checking 'x\u202eevil'"
