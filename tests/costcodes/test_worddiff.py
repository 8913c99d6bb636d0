from __future__ import annotations

import time
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from costcode_desktop.costcodes.worddiff import word_diff

# Descriptions are short free text: words, spaces, punctuation, non-ASCII letters.
text = st.text(
    alphabet=st.sampled_from(list("abcAB  -./,'\"\tÉéß–0123")) | st.characters(),
    max_size=40,
)


def changed(spans: list[tuple[str, bool]]) -> list[str]:
    return [part for part, flag in spans if flag]


def test_a_suffix_added_on_the_project_is_marked_on_the_old_side_only() -> None:
    old, new = word_diff("Project Manager - J. Smith", "Project Manager")
    assert old == [("Project Manager", False), (" - J. Smith", True)]
    assert new == [("Project Manager", False)]


def test_a_replaced_word_is_marked_on_both_sides() -> None:
    old, new = word_diff("Concrete Forming", "Concrete Reinforcing")
    assert old == [("Concrete ", False), ("Forming", True)]
    assert new == [("Concrete ", False), ("Reinforcing", True)]


def test_a_case_only_change_counts() -> None:
    old, new = word_diff("Site work", "Site Work")
    assert changed(old) == ["work"]
    assert changed(new) == ["Work"]


def test_punctuation_is_compared_character_by_character() -> None:
    old, new = word_diff("Doors - Frames", "Doors – Frames")
    assert changed(old) == ["-"]
    assert changed(new) == ["–"]


def test_empty_sides() -> None:
    assert word_diff("", "") == ([], [])
    assert word_diff("", "Paving") == ([], [("Paving", True)])
    assert word_diff("Paving", "") == ([("Paving", True)], [])


def test_results_are_fresh_lists_so_callers_cannot_spoil_the_cache() -> None:
    old, _new = word_diff("Superintendent", "Super")
    old.append(("x", True))
    assert word_diff("Superintendent", "Super")[0] == [("Superintendent", True)]


def test_repeated_calls_are_cheap() -> None:
    pairs = [(f"Code {i} description here", f"Code {i} Description there") for i in range(200)]
    for old, new in pairs:
        word_diff(old, new)
    start = time.perf_counter()
    for _ in range(10):
        for old, new in pairs:
            word_diff(old, new)
    assert time.perf_counter() - start < 0.5  # 2,000 cached look-ups


@given(text, text)
def test_joining_the_spans_gives_back_both_descriptions(old: str, new: str) -> None:
    old_spans, new_spans = word_diff(old, new)
    assert "".join(part for part, _ in old_spans) == old
    assert "".join(part for part, _ in new_spans) == new
    assert all(part for part, _ in old_spans + new_spans), "no empty spans"


@given(text, text)
def test_neighbouring_spans_have_different_flags(old: str, new: str) -> None:
    for spans in word_diff(old, new):
        flags = [flag for _, flag in spans]
        assert all(a != b for a, b in pairwise(flags))


@given(text, text)
def test_the_unchanged_parts_are_the_same_on_both_sides(old: str, new: str) -> None:
    old_spans, new_spans = word_diff(old, new)
    kept_old = "".join(part for part, flag in old_spans if not flag)
    kept_new = "".join(part for part, flag in new_spans if not flag)
    assert kept_old == kept_new
    if old != new:
        assert changed(old_spans) or changed(new_spans)


@given(text)
def test_identical_descriptions_have_no_changed_span(value: str) -> None:
    old_spans, new_spans = word_diff(value, value)
    assert not changed(old_spans)
    assert not changed(new_spans)
    assert old_spans == new_spans
