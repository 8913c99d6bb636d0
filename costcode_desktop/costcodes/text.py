"""Names from Procore, files and users inside sentences shown in the window (services/text.py
hands these on; they live in the domain so its own messages can fence a name too).

A name holding a right-to-left override (U+202E) or other bidi controls, shown as given, would
also reorder the words after it in the same sentence ("Signed in as ‮evil · Example …" reads
backwards past the name). Unicode's first-strong isolates (U+2068 … U+2069) fence it in: the
name takes its direction from its own first strong letter and the rest of the sentence keeps
its own. Terminal output (costcode-sync) drops the isolates again: a terminal shows them as
garbage, and it escapes the controls themselves (cli/lines.py).
"""

from __future__ import annotations

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
_OPENERS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI
_ISOLATES = ("\u2066", "\u2067", "\u2068", "\u2069")  # the openers and PDI


def isolated(name: str) -> str:
    """The name fenced in, so its direction cannot leak into the sentence around it. Its own
    isolates are balanced first (a stray PDI left out, one left open closed at its end): a stray
    one would close the fence early, or keep it open past the name."""
    if not any(mark in name for mark in _ISOLATES):  # nearly every name: no walk in Python
        return f"{FSI}{name}{PDI}"
    kept: list[str] = []
    depth = 0
    for ch in name:
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return f"{FSI}{''.join(kept)}{PDI * depth}{PDI}"


def quoted(name: str) -> str:
    """'name' in quotes, quotes and all inside the isolate (they stay beside the name)."""
    return isolated(f"'{name}'")


def without_isolates(text: str) -> str:
    """The sentence without the fences `isolated` puts around names (for a terminal or a file):
    each outermost FSI with its matching PDI. What is inside, isolates included, stays for the
    caller to show or escape."""
    if FSI not in text:
        return text
    drop: set[int] = set()
    depth, fence = 0, -1
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            if depth == 0 and ch == FSI:
                fence = i
            depth += 1
        elif ch == PDI and depth:
            depth -= 1
            if depth == 0 and fence >= 0:
                drop.update((fence, i))
                fence = -1
    return "".join(ch for i, ch in enumerate(text) if i not in drop)
