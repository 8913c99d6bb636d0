"""Word-level differences between two descriptions, for highlighting inside a table cell."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

Span = tuple[str, bool]  # (text, changed)
Spans = tuple[Span, ...]

# A word, a run of whitespace, or one punctuation character: every character lands in a token,
# so the pieces join back to the original text, and "-" vs "–" marks one character, not a run.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> tuple[list[Span], list[Span]]:
    """Spans of each side marked changed or not, so a delegate can paint only what differs."""
    old_spans, new_spans = _cached_diff(old, new)
    return list(old_spans), list(new_spans)  # fresh lists: the cached tuples stay untouched


@lru_cache(maxsize=4096)
def _cached_diff(old: str, new: str) -> tuple[Spans, Spans]:
    """Painting asks for the same visible rows again and again; align each pair only once."""
    if old == new:
        whole: Spans = ((old, False),) if old else ()
        return whole, whole
    old_tokens = _TOKEN.findall(old)
    new_tokens = _TOKEN.findall(new)
    old_marks: list[Span] = []
    new_marks: list[Span] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            old_marks.append(("".join(old_tokens[i1:i2]), changed))
        if j2 > j1:
            new_marks.append(("".join(new_tokens[j1:j2]), changed))
    return _merged(old_marks), _merged(new_marks)


def _merged(spans: list[Span]) -> Spans:
    """Neighbours with the same flag become one span, so a painter draws fewer pieces."""
    out: list[Span] = []
    for text, changed in spans:
        if out and out[-1][1] == changed:
            out[-1] = (out[-1][0] + text, changed)
        else:
            out.append((text, changed))
    return tuple(out)
