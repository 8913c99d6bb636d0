"""The table of ERP connectors' code rules: detection, delimiters, lengths, Intacct's list rules."""

from __future__ import annotations

import pytest

from costcode_desktop.costcodes import (
    AUTO,
    COMMON,
    SAGE_300,
    CompanyCodes,
    DiffStatus,
    StandardCode,
    choose,
    compare,
    connector_by_key,
    detect,
)
from costcode_desktop.costcodes.text import FSI, PDI

ACUMATICA = connector_by_key("acumatica")
INTACCT = connector_by_key("intacct")


@pytest.mark.parametrize(
    ("list_name", "key"),
    [
        ("Sage 300 CRE Standard Cost Code List", "sage300"),
        ("Sage 300 CRE® Standard Cost Codes", "sage300"),
        ("Sage 100 Contractor Standard Cost Codes", "sage100"),
        ("Acumatica Standard Cost Code List", "acumatica"),
        ("Acumatica Cloud ERP Standard Cost Code List", "acumatica"),
        ("CMiC Standard Cost Codes", "cmic"),
        ("Sage Intacct Standard Cost Codes", "intacct"),
        ("QuickBooks® Desktop Standard Cost Codes", "quickbooks_desktop"),
        ("QuickBooks Standard Cost Codes", "quickbooks_desktop"),
        ("QuickBooks Online ERP Integration Standard Cost Codes", "quickbooks_online"),
        ("Viewpoint Spectrum Standard Cost Codes", "spectrum"),
        ("Viewpoint Vista Standard Cost Codes", "vista"),
        ("Integration by Ryvit Standard Cost Codes", "vista"),
        ("ERP Standard Cost Code List", "unknown"),
        ("Vistaprint codes", "unknown"),  # a whole word, not a part of one
    ],
)
def test_the_lists_name_says_which_connector(list_name: str, key: str) -> None:
    assert detect(list_name).key == key


def test_a_chosen_connector_overrides_the_lists_name() -> None:
    name = "Acumatica Standard Cost Code List"
    assert choose(AUTO, name).key == "acumatica"
    assert choose("sage300", name) is SAGE_300
    assert choose("no-such-connector", name).key == "acumatica"  # an unknown setting: detected


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("03/300", {"sage300", "sage100"}),
        ("03.300", {"sage300", "sage100", "intacct"}),
        ("03-300", {"sage300", "sage100", "acumatica", "cmic", "intacct", "unknown"}),
        ("03 300", set()),
        ("03_300", set()),
    ],
)
def test_each_connector_allows_its_own_delimiters(code: str, allowed: set[str]) -> None:
    keys = ("sage300", "sage100", "acumatica", "cmic", "intacct", "unknown")
    accepted = {key for key in keys if connector_by_key(key).code_problem(code) is None}
    assert accepted == allowed


def test_a_refused_delimiter_is_explained_with_the_connectors_name() -> None:
    assert ACUMATICA.code_problem("03/300") == (
        "The code uses '/' as a separator; Acumatica allows only -"
    )
    assert SAGE_300.code_problem("02 410") == (
        "The code uses a space as a separator; Sage 300 CRE allows only / - and ."
    )
    spectrum = connector_by_key("spectrum")  # no source gives its delimiters: said so
    problem = spectrum.code_problem("03/300")
    assert problem is not None
    assert "the common rules allow only - (no source gives Viewpoint Spectrum's)" in problem


def test_lengths() -> None:
    assert SAGE_300.code_problem("01-2345-78901") is None  # 13: free-form format allows 15
    assert SAGE_300.code_problem("01-2345-7890123") is None  # 15
    assert SAGE_300.code_problem("01-2345-78901234") == (
        "The code has 16 characters; Sage 300 CRE allows at most 12 characters "
        "(15 in free-form format)."
    )
    quickbooks = connector_by_key("quickbooks_desktop")
    assert quickbooks.code_problem("1-" + "2" * 94) is None
    assert "at most 96 characters" in str(quickbooks.code_problem("1-" + "2" * 95))
    assert not quickbooks.has_cost_types
    assert ACUMATICA.code_problem("01-" + "2" * 40) is None  # no source gives a length
    assert "at most 12 characters" in str(COMMON.code_problem("01-2345-7890"[:-1] + "12"))


def test_unknown_connector_applies_the_common_rules_and_says_so() -> None:
    assert not COMMON.known
    assert COMMON.rules_words == (
        "Unknown ERP connector: common rules applied (only - between sections, "
        "at most 12 characters)"
    )
    assert COMMON.code_problem("03/300") == (
        "The code uses '/' as a separator; the common rules (ERP connector unknown) allow only -"
    )
    assert choose(AUTO, "Standard Cost Codes") is COMMON


def code(code_id: int, full_code: str, name: str, parent_id: int | None = None) -> StandardCode:
    return StandardCode(code_id, full_code, full_code.split("-")[-1], name, parent_id)


def unsupported(codes: list[StandardCode], connector_key: str) -> dict[str, str]:
    company = CompanyCodes(codes, connector_by_key(connector_key))
    rows = compare(company, []).rows_with(DiffStatus.UNSUPPORTED)
    return {row.full_code: row.note for row in rows}


def test_intacct_needs_a_delimiter_except_in_a_parent() -> None:
    codes = [code(1, "01", "General"), code(2, "01-100", "Supervision", 1), code(3, "99", "Misc")]
    found = unsupported(codes, "intacct")
    assert list(found) == ["99"]
    assert "Sage Intacct needs at least one" in found["99"]
    assert unsupported(codes, "sage300") == {}


def test_intacct_needs_one_delimiter_type_throughout() -> None:
    codes = [
        code(1, "01", "General"),
        code(2, "01-100", "Supervision", 1),
        code(3, "01-200", "Temporary Facilities", 1),
        code(4, "01.300", "Cleaning", 1),
    ]
    found = unsupported(codes, "intacct")
    assert list(found) == ["01.300"]
    assert "uses '.' where the list uses '-'" in found["01.300"]
    assert unsupported(codes, "sage300") == {}


def test_intacct_needs_a_parent_chain() -> None:
    codes = [
        code(1, "01-00-000", "General"),  # a division: the zeros are implied
        code(2, "01-04-000", "Site Office", 1),
        code(3, "01-04-100", "Trailer", 2),
        code(4, "02-01-100", "Demolition"),  # under nothing
        code(5, "02-01-110", "Selective Demolition", 4),
    ]
    found = unsupported(codes, "intacct")
    assert set(found) == {"02-01-100", "02-01-110"}  # a child of a refused code is refused
    assert "no parent code on the list" in found["02-01-100"]
    assert "It is under '02-01-100'" in found["02-01-110"]
    assert unsupported(codes, "sage300") == {}


def test_intacct_needs_unique_names_whatever_the_capitals() -> None:
    codes = [
        code(1, "01", "General"),
        code(2, "01-100", "Labor", 1),
        code(3, "01-200", "labor", 1),
        code(4, "01-300", "Cleaning", 1),
    ]
    found = unsupported(codes, "intacct")
    assert set(found) == {"01-100", "01-200"}
    assert "needs every description to be unique" in found["01-200"]
    assert unsupported(codes, "acumatica") == {}


def test_a_repeated_description_is_fenced_in_its_note() -> None:
    """A description is Procore's text: a right-to-left override in it must not reverse the
    rest of the note (the window's tooltip shows it as given)."""
    hostile = "\u202eLabor"
    codes = [code(1, "01", "General"), code(2, "01-100", hostile, 1), code(3, "01-200", hostile, 1)]
    found = unsupported(codes, "intacct")
    assert f"has the description {FSI}'{hostile}'{PDI}; Sage Intacct needs" in found["01-100"]


def test_the_comparison_carries_its_connector() -> None:
    codes = [code(1, "01", "General"), code(2, "01-100", "Supervision", 1)]
    assert compare(CompanyCodes(codes, ACUMATICA), []).connector is ACUMATICA
    assert compare(codes, []).connector is SAGE_300  # as before: the app's first connector
