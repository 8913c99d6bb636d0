"""Cost types (Sage 300 CRE categories; "line item types" in Procore's API) on codes.

A code's cost types are None when the answer did not say (unknown), () when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE_WORD = "(none)"


@dataclass(frozen=True, slots=True)
class CostType:
    code: str  # the abbreviation Sage gives it ("L"); may be empty on a bad record
    name: str  # "Labor"

    @property
    def label(self) -> str:
        return self.code or self.name


CostTypes = tuple[CostType, ...] | None


def codes_text(types: CostTypes) -> str:
    """ "L, M, S" for the table; "" when unknown, "(none)" when the code has none."""
    if types is None:
        return ""
    return ", ".join(t.label for t in types) if types else NONE_WORD


def names_text(types: CostTypes) -> str:
    """ "L Labor, M Material" for a tooltip."""
    if types is None:
        return "not known"
    if not types:
        return "none"
    return ", ".join(f"{t.code} {t.name}".strip() for t in types)


def same_types(first: CostTypes, second: CostTypes) -> bool:
    """Whether two codes have the same cost types; unknown on either side is not a difference."""
    if first is None or second is None:
        return True
    return {t.label for t in first} == {t.label for t in second}
