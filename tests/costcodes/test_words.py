from __future__ import annotations

import pytest

from costcode_desktop.costcodes import plural


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 codes"), (1, "1 code"), (2, "2 codes"), (-1, "-1 codes")]
)
def test_a_regular_noun_takes_an_s_unless_there_is_one(count: int, expected: str) -> None:
    assert plural(count, "code") == expected


def test_an_irregular_plural_is_given() -> None:
    assert plural(2, "entry", "entries") == "2 entries"
    assert plural(1, "entry", "entries") == "1 entry"
