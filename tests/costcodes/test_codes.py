from __future__ import annotations

import pytest

from costcode_desktop.costcodes import SAGE_300, code_problem, natural_key


@pytest.mark.parametrize("code", ["01", "01-100", "1010.001", "12-3456-789", "A/B2", "03-300"])
def test_sage_codes_with_permitted_delimiters_are_fine(code: str) -> None:
    assert code_problem(code, SAGE_300) is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("02 410", "space"),
        ("09_900", "'_'"),
        ("09:900", "':'"),
        ("09,900", "','"),
        ("01--100", "empty section"),
        ("01-", "empty section"),
        ("", "empty"),
        (" 01", "spaces at the start"),
        ("01-1É0", "'É'"),
    ],
)
def test_unsupported_codes_are_explained(code: str, words: str) -> None:
    problem = code_problem(code, SAGE_300)
    assert problem is not None
    assert words in problem


def test_natural_order_puts_2_before_10_and_parents_first() -> None:
    codes = ["10-100", "2-100", "2", "10", "2-20", "2-3", "1010.001", "1010", "A-1", "a-2"]
    assert sorted(codes, key=natural_key) == [
        "2",
        "2-3",
        "2-20",
        "2-100",
        "10",
        "10-100",
        "1010",
        "1010.001",
        "A-1",
        "a-2",
    ]


def test_natural_key_treats_the_three_delimiters_alike() -> None:
    assert natural_key("01-100") == natural_key("01.100") == natural_key("01/100")
