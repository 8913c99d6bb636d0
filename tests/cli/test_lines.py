"""cli/lines.escaped: control characters shown as escapes, printable text kept, and a form a
reader can always decode back to the text it stands for."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcode_desktop.cli.lines import escaped

_ESCAPE = re.compile(r"\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")
_NAMED = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # what acts on a terminal or breaks a line


def decoded(shown: str) -> str:
    """What a reader makes of the escaped form: each escape is one character, a lone backslash
    is itself."""
    return _ESCAPE.sub(lambda m: _NAMED.get(m[1]) or chr(int(m[1][1:], 16)), shown)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Riverside Clinic", "Riverside Clinic"),
        ("Großmarkt Ōsaka – Phase Ⅱ ✓ 東京", "Großmarkt Ōsaka – Phase Ⅱ ✓ 東京"),
        ("a\x1b[31mred\x1b[0m", r"a\x1b[31mred\x1b[0m"),
        ("\x1b]0;title\x07", r"\x1b]0;title\x07"),
        ("nul\x00 del\x7f c1\x9b", r"nul\x00 del\x7f c1\x9b"),
        ("one\ntwo\r\tthree", r"one\ntwo\r\tthree"),
        (
            "\u202eevil\u202c \u2066\u2069 \u200e\u200f \u061c \u200b \ufeff",
            r"\u202eevil\u202c \u2066\u2069 \u200e\u200f \u061c \u200b \ufeff",
        ),
        ("line\u2028para\u2029", r"line\u2028para\u2029"),
        ("no\u00a0break", "no\u00a0break"),  # a space, shown as one
        (r"C:\Users\Ana\AppData", r"C:\Users\Ana\AppData"),  # a path keeps its backslashes
        (r"C:\tmp\x41", r"C:\\tmp\\x41"),  # ...but never reads as an escape
        ("\\\x1b", r"\\\x1b"),
    ],
)
def test_control_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    result = escaped(text)
    assert result == shown
    assert not any(unicodedata.category(c) in _HIDDEN for c in result)
    assert decoded(result) == text


@given(st.text(alphabet=st.characters(codec=None), max_size=40))
def test_the_escaped_form_is_printable_and_decodes_to_the_text(text: str) -> None:
    result = escaped(text)
    assert not any(unicodedata.category(c) in _HIDDEN for c in result)
    assert decoded(result) == text


@given(st.text(alphabet="\\xnrtuU0123456789abcdefABCDEF\x1b\n", max_size=30))
def test_backslashes_never_make_an_escape_ambiguous(text: str) -> None:
    assert decoded(escaped(text)) == text
