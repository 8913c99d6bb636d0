"""Every line costcode-sync writes for people goes through here, with control characters escaped.

Project, company and code names come from Procore (and messages from servers and files): an ESC
sequence, a BEL or a bidi override in one would act on the terminal, and a newline would forge a
line in a nightly job's log. They are shown as `\\x1b`, `\\n`, `\\u202e`; a tab too, as `\\t` (it
would break the table's columns and looks like spaces). Printable text, accents and all, is kept.
A backslash is doubled only where it would read as such an escape, so the form stays unambiguous
and a Windows path keeps its single backslashes. The first-strong isolates the services put around
names for the window (services/text.py) are dropped: the escapes already keep a name's bidi
controls from acting, and a terminal would show the isolates as garbage.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TextIO

from costcode_desktop.services.text import without_isolates

# Controls (C0, DEL, C1), format characters (bidi controls, zero-width ones), surrogates, and
# the line and paragraph separators, which some terminals and editors break lines on.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_READS_AS_ESCAPE = re.compile(r"[\\nrt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}")


def escaped(text: str) -> str:
    """The text with every control character written as a visible escape."""
    text = without_isolates(text)
    if text.isprintable() and "\\" not in text:
        return text  # the usual case: nothing to escape
    shown = []
    for i, ch in enumerate(text):
        if _hidden(ch):
            shown.append(_escape(ch))
        elif ch == "\\" and _escape_follows(text, i + 1):
            shown.append("\\\\")
        else:
            shown.append(ch)
    return "".join(shown)


def write_line(stream: TextIO, text: str, *, flush: bool = False) -> None:
    """One line, escaped, on `stream`: the only way the command's text reaches stdout or stderr."""
    stream.write(escaped(text) + "\n")
    if flush:
        stream.flush()


def shown_width(text: str) -> int:
    """How many characters the text takes once escaped (for columns)."""
    return len(escaped(text))


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    point = ord(ch)
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def _escape_follows(text: str, i: int) -> bool:
    """What comes at `i` would make a backslash before it read as an escape."""
    return i < len(text) and (_hidden(text[i]) or _READS_AS_ESCAPE.match(text, i) is not None)
