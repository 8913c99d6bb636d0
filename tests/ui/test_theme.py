"""The colour registry: readable text on every colour, in light and in dark, and one source.

Contrast ratios are WCAG 2.x: 4.5:1 for text, 3:1 for the edges of controls.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette

from costcode_desktop.ui.history import models as history_models
from costcode_desktop.ui.kit import theme
from costcode_desktop.ui.kit.theme import Tone, contrast_ratio

Role = QPalette.ColorRole
TEXT = 4.5
EDGE = 3.0
UI = Path(theme.__file__).parent

MODES = {
    "light": (theme.LIGHT_PALETTE, False),
    "dark": (theme.DARK_PALETTE, True),
}
ALL_LOOKS = [
    *theme.DIFF_LOOKS.values(),
    theme.LOCKED_LOOK,
    theme.UNSENT_LOOK,
    *theme.STATE_LOOKS.values(),
    *history_models.RUN_LOOKS.values(),
    history_models.FAILURES_LOOK,
    *history_models.OUTCOME_LOOKS.values(),
    *history_models.CHANGE_LOOKS.values(),
]


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("mode", MODES)
def test_palette_text_is_readable(mode: str) -> None:
    palette, _dark = MODES[mode]
    pairs = {
        "text on base": (Role.Text, Role.Base),
        "text on alternate rows": (Role.Text, Role.AlternateBase),
        "window text": (Role.WindowText, Role.Window),
        "button text": (Role.ButtonText, Role.Button),
        "selected text": (Role.HighlightedText, Role.Highlight),
        "tooltips": (Role.ToolTipText, Role.ToolTipBase),
        "placeholder on base": (Role.PlaceholderText, Role.Base),
        "placeholder on alternate rows": (Role.PlaceholderText, Role.AlternateBase),
        "links on base": (Role.Link, Role.Base),
        "links on the window": (Role.Link, Role.Window),
        "visited links": (Role.LinkVisited, Role.Base),
    }
    for what, (fore, back) in pairs.items():
        ratio = contrast_ratio(palette[fore], palette[back])
        assert ratio >= TEXT, f"{mode}: {what} is {ratio:.2f}:1"


@pytest.mark.parametrize("mode", MODES)
def test_text_on_every_highlight_colour_is_readable(mode: str) -> None:
    palette, dark = MODES[mode]
    tints = {**theme.TINTS, "changed words": theme.CHANGED_WORDS}
    for name, tone in tints.items():
        ratio = contrast_ratio(palette[Role.Text], tone.pick(dark))
        assert ratio >= TEXT, f"{mode}: text on {name} is {ratio:.2f}:1"
    # Inactive projects are drawn in the muted colour, on the state colours too.
    for state, look in theme.STATE_LOOKS.items():
        if look.tone is not None:
            ratio = contrast_ratio(palette[Role.PlaceholderText], look.tone.pick(dark))
            assert ratio >= TEXT, f"{mode}: muted text on {state.name} is {ratio:.2f}:1"
    # So are the comparison's rows a refresh leaves as they are.
    for look in (theme.LOCKED_LOOK, theme.UNSENT_LOOK):
        assert look.tone is not None
        ratio = contrast_ratio(palette[Role.PlaceholderText], look.tone.pick(dark))
        assert ratio >= TEXT, f"{mode}: muted text on '{look.word}' is {ratio:.2f}:1"


@pytest.mark.parametrize("mode", MODES)
def test_banner_and_error_text_are_readable(mode: str) -> None:
    palette, dark = MODES[mode]
    text = theme.BANNER_TEXT.pick(dark)
    assert contrast_ratio(text, theme.BANNER_OK.pick(dark)) >= TEXT
    assert contrast_ratio(text, theme.BANNER_ERROR.pick(dark)) >= TEXT
    assert contrast_ratio(theme.ERROR_TEXT.pick(dark), palette[Role.Window]) >= TEXT


@pytest.mark.parametrize("mode", MODES)
def test_highlight_colours_stand_apart(mode: str) -> None:
    palette, dark = MODES[mode]
    base = palette[Role.Base]
    for name, tone in theme.TINTS.items():
        assert contrast_ratio(tone.pick(dark), base) >= 1.15, f"{mode}: {name} looks like base"
    for (a, first), (b, second) in itertools.combinations(theme.TINTS.items(), 2):
        assert first.pick(dark) != second.pick(dark), f"{mode}: {a} and {b} are the same"
    # The changed words stand out on their differing row, which is orange.
    assert contrast_ratio(theme.CHANGED_WORDS.pick(dark), theme.ORANGE.pick(dark)) >= 1.2
    for role in (Role.Base, Role.AlternateBase):
        ratio = contrast_ratio(palette[Role.Highlight], palette[role])
        assert ratio >= EDGE, f"{mode}: the selection on {role.name} is {ratio:.2f}:1"
    edge = theme.CONTROL_EDGE.pick(dark)
    for role in (Role.Window, Role.Base):
        assert contrast_ratio(edge, palette[role]) >= EDGE, f"{mode}: control edges on {role}"


def test_every_state_has_a_symbol_and_a_word_not_only_a_colour() -> None:
    for looks in (theme.DIFF_LOOKS, theme.STATE_LOOKS):
        symbols = [look.symbol for look in looks.values() if look.tone is not None]
        assert len(symbols) == len(set(symbols)), "coloured states differ by symbol"
        assert all(look.word for look in looks.values())


def test_every_look_takes_its_colour_from_the_registry() -> None:
    registry = set(theme.TINTS.values())
    for look in ALL_LOOKS:
        assert look.tone is None or look.tone in registry, look
        assert isinstance(look.tone, Tone | None)


def test_no_colour_is_written_outside_the_registry() -> None:
    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b")
    for path in sorted(UI.glob("*.py")):
        if path.name == "theme.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not hex_colour.search(text), f"{path.name} has its own colour"
        if path.name != "appearance.py":
            assert "QColor(" not in text, f"{path.name} makes its own colour"
