"""Counted nouns in messages, written one way everywhere ("1 code", "3 codes")."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and the noun in the number it needs; `many` for a plural not made with "s"."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many if many is not None else word + 's'}"
