"""The unsupported code a project already has, and the sentence that says what a refresh does."""

from __future__ import annotations

from costcode_desktop.costcodes import (
    COMMON,
    CompanyCodes,
    DiffStatus,
    ProjectCode,
    StandardCode,
    compare,
    connector_by_key,
    outlook,
    plan_refresh,
)

DIV = StandardCode(1, "01", "01", "General Requirements", None)
PM = StandardCode(2, "01-100", "100", "Project Manager", 1)
SUPER = StandardCode(3, "01-200", "200", "Superintendent", 1)
BAD = StandardCode(6, "02 410", "410", "Paving", None)
UNDER_BAD = StandardCode(7, "02 410-1", "1", "Paving patch", 6)
STANDARD = [DIV, PM, SUPER, BAD, UNDER_BAD]


def has(
    std: StandardCode, code_id: int, name: str | None = None, *, locked: bool = False
) -> ProjectCode:
    parent = 100 + std.parent_id if std.parent_id else None
    return ProjectCode(
        code_id, std.full_code, std.code, name or std.name, parent, std.id, erp_managed=locked
    )


def test_an_unsupported_code_the_project_already_has_is_in_sync() -> None:
    project = [has(DIV, 101), has(PM, 102), has(SUPER, 103), has(BAD, 106), has(UNDER_BAD, 107)]
    result = compare(STANDARD, project)
    rows = {row.full_code: row for row in result.rows}
    assert rows["02 410"].status is DiffStatus.IN_SYNC
    assert "space" in rows["02 410"].note, "the reason is kept for the tooltip"
    assert result.count(DiffStatus.UNSUPPORTED) == 0
    assert plan_refresh(result).skipped == ()
    assert outlook(result).sentence() == (
        "Nothing to refresh: the project matches the company list."
    )


def test_an_unsupported_code_described_otherwise_stays_as_it_is() -> None:
    project = [has(DIV, 101), has(PM, 102), has(SUPER, 103), has(BAD, 106, "Paving (old)")]
    result = compare(STANDARD, project)
    rows = {row.full_code: row for row in result.rows}
    assert rows["02 410"].status is DiffStatus.UNSUPPORTED
    plan = plan_refresh(result)
    assert plan.updates == (), "never sent"
    assert {s.full_code for s in plan.skipped} == {"02 410", "02 410-1"}
    assert outlook(result).sentence() == (
        "Nothing to refresh: 2 unsupported codes stay as they are."
    )


def test_the_sentence_counts_what_is_sent_and_what_stays() -> None:
    project = [
        has(DIV, 101, "General Reqs", locked=True),
        has(PM, 102, "PM - J. Smith"),
        has(BAD, 106),
        ProjectCode(108, "01-900", "900", "Owner Allowance", 101, None),
    ]
    result = compare(STANDARD, project)
    said = outlook(result)
    assert (said.add, said.fix, said.locked, said.unsupported, said.only_on_project) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    assert said.sentence() == (
        "Refresh will add 1 code and fix 1 description; 1 description locked by Sage 300 CRE, "
        "1 unsupported code and 1 code only on the project stay as they are."
    )


def test_one_thing_left_stays_as_it_is() -> None:
    project = [has(DIV, 101, "Gen. Req.", locked=True), has(PM, 102), has(SUPER, 103)]
    project += [has(BAD, 106), has(UNDER_BAD, 107)]
    assert outlook(compare(STANDARD, project)).sentence() == (
        "Nothing to refresh: 1 description locked by Sage 300 CRE stays as it is."
    )
    assert outlook(compare(STANDARD, project[1:])).sentence() == "Refresh will add 1 code."


def test_the_sentence_names_the_connector_whose_lock_stays() -> None:
    project = [has(DIV, 101, "Gen. Req.", locked=True), has(PM, 102), has(SUPER, 103)]
    project += [has(BAD, 106), has(UNDER_BAD, 107)]
    acumatica = CompanyCodes(STANDARD, connector_by_key("acumatica"))
    assert outlook(compare(acumatica, project)).sentence() == (
        "Nothing to refresh: 1 description locked by Acumatica stays as it is."
    )
    unknown = CompanyCodes(STANDARD, COMMON)
    assert outlook(compare(unknown, project)).sentence() == (
        "Nothing to refresh: 1 description locked by your ERP system stays as it is."
    )
