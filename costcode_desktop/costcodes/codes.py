"""Cost code records of the domain and their natural order (validation: connectors.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .cost_types import CostTypes

_NUMBER = re.compile(r"([0-9]+)")
_SORT_SEPARATORS = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class StandardCode:
    """A code on the company-level standard list."""

    id: int
    full_code: str
    code: str
    name: str
    parent_id: int | None
    cost_types: CostTypes = None  # the company's defaults, when Procore says


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
    cost_types: CostTypes = None  # assigned on the project; () none, None not known


@lru_cache(maxsize=262_144)
def natural_key(full_code: str) -> str:
    """Sort key that puts 2-100 before 10-100 and a parent before its children.

    A string, so sorting compares in C: separators become the lowest character, and each
    number becomes a marker, its digit count and its digits, so shorter numbers sort first.
    Any non-alphanumeric run separates tiers, so unsupported codes still sort in place.
    "01" and "1" get the same key: callers break ties on the text.
    """
    parts = _NUMBER.split(_SORT_SEPARATORS.sub("\x00", full_code.casefold()))
    parts[1::2] = map(_number_key, parts[1::2])
    return "".join(parts)


@lru_cache(maxsize=65_536)
def _number_key(number: str) -> str:
    digits = number.lstrip("0") or "0"
    return "\x01" + chr(0x10 + min(len(digits), 0x1F)) + digits
