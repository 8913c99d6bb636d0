"""The eliding label: a long name gives way as the window narrows, and comes back as it widens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from costcode_desktop.ui.kit.as_given import tooltip_as_given
from costcode_desktop.ui.kit.elided import ElidedLabel

NAME = "Westgate Office Park - Building C"


def holder(qtbot: QtBot, label: ElidedLabel, width: int) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    QVBoxLayout(window).addWidget(label)
    window.resize(width, 80)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_name_too_long_for_its_width_is_elided_then_shown_whole_again(qtbot: QtBot) -> None:
    label = ElidedLabel(f"Signed in as {NAME}")
    label.setToolTip("ap@example.com at https://api.procore.com")
    window = holder(qtbot, label, 120)
    shown = label.shown_text()
    assert label.elided()
    assert "…" in shown
    assert shown.startswith("Sign"), "the middle gives way"
    assert shown.endswith("g C"), "the middle gives way"
    assert label.text() == f"Signed in as {NAME}"
    assert label.toolTip() == (
        f"Signed in as {NAME}\n\nap@example.com at https://api.procore.com"
    ), "the whole name first, then the label's own tooltip"

    window.resize(label.natural_width() + 40, 80)
    qtbot.waitUntil(lambda: not label.elided(), timeout=1_000)
    assert label.shown_text() == f"Signed in as {NAME}"
    assert label.toolTip() == "ap@example.com at https://api.procore.com"


def test_a_wrapping_label_elides_only_a_word_wider_than_itself(qtbot: QtBot) -> None:
    long_word = "W" * 400
    label = ElidedLabel(f"Refreshing cost codes on '{long_word}' now", wrap=True)
    window = holder(qtbot, label, 300)
    words = label.shown_text().split()
    assert words[:4] == ["Refreshing", "cost", "codes", "on"]
    assert words[-1] == "now"
    assert "…" in words[4]
    assert len(words[4]) < len(long_word)
    assert label.fontMetrics().horizontalAdvance(words[4]) <= label.width() < window.width()


def test_the_length_of_a_name_never_sets_the_width_asked(qtbot: QtBot) -> None:
    short, long = ElidedLabel("Riverside Clinic"), ElidedLabel("W" * 10_000)
    assert long.minimumSizeHint().width() <= 10 * long.fontMetrics().averageCharWidth()
    assert long.sizeHint().width() <= 130 * long.fontMetrics().averageCharWidth()
    assert short.sizeHint().width() >= short.fontMetrics().horizontalAdvance("Riverside Clinic")


def test_markup_is_text(qtbot: QtBot) -> None:
    label = ElidedLabel("<b>bold</b> <img src=x>")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert tooltip_as_given("Riverside Clinic") == "Riverside Clinic", "plain stays as it is"
    assert tooltip_as_given("<b>x</b> & y").endswith("&lt;b&gt;x&lt;/b&gt; &amp; y</p>")
