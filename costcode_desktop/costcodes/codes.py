"""Cost code records of the domain, code validation and natural ordering."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sage 300 CRE allows only these between tiers; the hh2 connector refuses anything else.
DELIMITERS = "/-."
_SEGMENT_CHARS = re.compile(r"[A-Za-z0-9]+")
_DELIMITER_RUN = re.compile(r"[/\-.]")
_CHUNKS = re.compile(r"\d+|\D+")
_SORT_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")

NaturalKey = tuple[tuple[tuple[int, int, str], ...], ...]


@dataclass(frozen=True, slots=True)
class StandardCode:
    """A code on the company-level standard list."""

    id: int
    full_code: str
    code: str
    name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class ProjectCode:
    """A code on a project's own list."""

    id: int
    full_code: str
    code: str
    name: str
    parent_id: int | None
    standard_id: int | None
    erp_managed: bool = False


def code_problem(full_code: str) -> str | None:
    """Why Sage 300 CRE / hh2 cannot carry this code, or None when it is fine."""
    if not full_code.strip():
        return "The code is empty."
    if full_code != full_code.strip():
        return "The code has spaces at the start or end."
    for char in full_code:
        if char in DELIMITERS or (char.isascii() and char.isalnum()):
            continue
        if char.isspace():
            return "The code uses a space as a separator; Sage 300 CRE allows only / - and ."
        if char.isalnum():
            return f"The code contains '{char}'; Sage 300 CRE codes use only A-Z and 0-9."
        return f"The code uses '{char}' as a separator; Sage 300 CRE allows only / - and ."
    segments = _DELIMITER_RUN.split(full_code)
    if any(not _SEGMENT_CHARS.fullmatch(segment) for segment in segments):
        return "The code has an empty section (two separators together, or one at an end)."
    return None


def natural_key(full_code: str) -> NaturalKey:
    """Sort key that puts 2-100 before 10-100 and a parent before its children."""
    # Any non-alphanumeric run separates tiers here, so unsupported codes still sort in place;
    # "01" and "1" compare equal: callers break ties on the text.
    segments = _SORT_SEPARATORS.split(full_code)
    return tuple(
        tuple(
            (0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk.casefold())
            for chunk in _CHUNKS.findall(segment)
        )
        for segment in segments
    )
