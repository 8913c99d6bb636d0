"""Defensive parsing: records, copy/sync answers and every error body shape."""

from __future__ import annotations

import json

import pytest

from costcode_desktop.procore import (
    CopyFailure,
    CostCode,
    MalformedResponse,
    SyncError,
)
from costcode_desktop.procore.error_bodies import error_detail, is_app_not_installed
from costcode_desktop.procore.parse import (
    parse_company,
    parse_copy_result,
    parse_cost_code,
    parse_project,
    parse_standard_cost_code,
    parse_standard_cost_code_list,
    parse_sync_result,
    parse_user,
)
from costcode_desktop.procore.records import LineItemType

BIG = 562949953421312  # more than 32 bits
HUGE = 9_007_199_254_740_993  # more than a double holds exactly

STANDARD = {
    "id": BIG,
    "standard_cost_code_list_id": BIG + 1,
    "parent_id": BIG + 2,
    "code": "100",
    "full_code": "01-100",
    "name": "Pvmt Repair/Sealing",
    "origin_id": None,
    "origin_data": None,
}
PROJECT_CODE = {
    "id": HUGE,
    "code": "100",
    "full_code": "01-100",
    "name": "Pvmt Repair/Sealing",
    "parent": {"id": BIG},
    "position": 3,
    "origin_id": "SAGE-01-100",
    "origin_data": {"job": "x"},
    "standard_cost_code_id": BIG,
    "line_item_types": [],
}


def body(data: object) -> bytes:
    return json.dumps(data).encode()


# -- error bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"errors": "Project not found"}, "Project not found"),
        (
            {"errors": ["Name can't be blank", "Code is taken"]},
            "Name can't be blank; Code is taken",
        ),
        (
            {"errors": {"name": ["can't be blank", "is too long"], "base": ["Record is locked"]}},
            "Record is locked; name: can't be blank, is too long",
        ),
        ({"error": "App is not connected to this company"}, "App is not connected to this company"),
        ({"error": {"message": "Forbidden", "code": 403}}, "Forbidden"),
        ({"message": "Rate limit exceeded"}, "Rate limit exceeded"),
        (
            {
                "code": "invalid",
                "message": "Invalid cost code",
                "fields": ["code"],
                "reason": "format",
            },
            "Invalid cost code (format); fields: code",
        ),
        (
            {"code": "invalid", "message": "Bad", "fields": {"name": ["too long"]}, "reason": None},
            "Bad; fields: name: too long",
        ),
        (
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            "Client authentication failed (invalid_client)",
        ),
        ({"code": "E42"}, "error code E42"),
        ({"name": ["has already been taken"]}, "name: has already been taken"),
        (["first", {"message": "second"}], "first; second"),
        ({}, None),
        ({"errors": []}, None),
    ],
)
def test_error_body_shapes(data: object, expected: str | None) -> None:
    assert error_detail(body(data)) == expected


def test_plain_text_and_html_bodies_are_shortened() -> None:
    assert error_detail(b"Service Unavailable") == "Service Unavailable"
    html = b"<html><head><style>p{}</style><title>x</title></head><body><h1>Bad Gateway</h1></body>"
    assert error_detail(html) == "x Bad Gateway"
    long = error_detail(b"A" * 5000)
    assert long is not None
    assert len(long) <= 300
    assert long.endswith("…")
    assert error_detail(b"") is None
    assert error_detail(b"\xff\xfe\x00garbage") is not None


def test_long_json_message_is_bounded() -> None:
    detail = error_detail(body({"errors": ["x" * 400, "y" * 400]}))
    assert detail is not None
    assert len(detail) <= 600


# -- records -----------------------------------------------------------------------------------


def test_standard_code_keeps_big_ids_and_drops_origin_data() -> None:
    code = parse_standard_cost_code(STANDARD)
    assert code.id == BIG
    assert isinstance(code.id, int)
    assert code.standard_cost_code_list_id == BIG + 1
    assert code.parent_id == BIG + 2
    assert code.erp_managed is False
    assert not hasattr(code, "origin_data")
    assert not hasattr(code, "origin_id")


def test_project_cost_code() -> None:
    code = parse_cost_code(PROJECT_CODE)
    assert code == CostCode(
        HUGE, "100", "01-100", "Pvmt Repair/Sealing", BIG, BIG, True, 3, line_item_types=()
    )


def test_cost_types_of_a_code() -> None:
    """line_item_types: each type's code and name (origin_id dropped); absent is unknown."""
    labor = {"id": 7, "name": "Labor", "code": "L", "base_type": "labor", "origin_id": "x1"}
    odd = [labor, "junk", {"id": 8}, {"code": "M", "name": None, "base_type": 3}]
    code = parse_cost_code({**PROJECT_CODE, "line_item_types": odd})
    assert code.line_item_types == (
        LineItemType(7, "L", "Labor", "labor"),
        LineItemType(None, "M", "", "3"),
    )
    assert not hasattr(code.line_item_types[0], "origin_id")
    absent = {k: v for k, v in PROJECT_CODE.items() if k != "line_item_types"}
    assert parse_cost_code(absent).line_item_types is None
    assert parse_cost_code({**PROJECT_CODE, "line_item_types": None}).line_item_types is None
    standard = parse_standard_cost_code({**STANDARD, "line_item_types": [labor]})
    assert standard.line_item_types == (LineItemType(7, "L", "Labor", "labor"),)
    assert parse_standard_cost_code(STANDARD).line_item_types is None


@pytest.mark.parametrize(
    ("origin", "managed"), [(None, False), ("", False), ("  ", False), ("A1", True), (17, True)]
)
def test_erp_managed_follows_origin_id(origin: object, managed: bool) -> None:
    assert parse_cost_code({**PROJECT_CODE, "origin_id": origin}).erp_managed is managed


def test_cost_code_variants() -> None:
    variant = {"id": "12", "code": 100, "sortable_code": "01-100", "name": None, "parent_id": 5}
    code = parse_cost_code(variant)
    assert (code.id, code.code, code.full_code, code.name, code.parent_id) == (
        12,
        "100",
        "01-100",
        "",
        5,
    )
    assert code.standard_cost_code_id is None
    assert code.position is None
    assert parse_cost_code({**PROJECT_CODE, "parent": None}).parent_id is None
    assert parse_cost_code({**PROJECT_CODE, "position": "n/a"}).position is None


def test_standard_code_list_id_falls_back_to_the_requested_list() -> None:
    item = {k: v for k, v in STANDARD.items() if k != "standard_cost_code_list_id"}
    assert parse_standard_cost_code(item, list_id=9).standard_cost_code_list_id == 9


@pytest.mark.parametrize(
    ("parser", "data", "problem"),
    [
        (parse_cost_code, {"id": 1}, "is missing"),
        (parse_cost_code, {**PROJECT_CODE, "id": None}, "'id' should be a whole number"),
        (parse_cost_code, {**PROJECT_CODE, "id": True}, "'id'"),
        (parse_cost_code, {**PROJECT_CODE, "id": 1.5}, "'id'"),
        (parse_cost_code, {**PROJECT_CODE, "name": ["x"]}, "'name' should be text"),
        (parse_cost_code, {**PROJECT_CODE, "parent": "x"}, "'parent'"),
        (parse_cost_code, {**PROJECT_CODE, "full_code": None, "sortable_code": None}, "full_code"),
        (parse_cost_code, "not an object", "Expected cost code as an object"),
        (parse_standard_cost_code, {"id": 1, "standard_cost_code_list_id": 2}, "missing"),
        (parse_project, {"id": 1, "name": "x", "active": "maybe"}, "'active'"),
        (parse_company, {"name": "x"}, "'id' is missing"),
        (parse_user, [], "Expected user"),
        (parse_standard_cost_code_list, {"id": {}}, "'id'"),
    ],
)
def test_bad_records_are_malformed(parser: object, data: object, problem: str) -> None:
    with pytest.raises(MalformedResponse) as caught:
        parser(data)  # type: ignore[operator]
    assert problem in (caught.value.detail or "")


def test_project_and_list_defaults() -> None:
    project = parse_project({"id": BIG, "name": "Tower", "project_number": None})
    assert project.active is True
    assert project.standard_cost_code_list_id is None
    assert project.is_erp_integrated is None
    detailed = parse_project(
        {
            "id": 1,
            "name": "T",
            "active": False,
            "standard_cost_code_list_id": BIG,
            "is_erp_integrated": True,
        }
    )
    assert (detailed.active, detailed.standard_cost_code_list_id, detailed.is_erp_integrated) == (
        False,
        BIG,
        True,
    )
    listed = parse_standard_cost_code_list({"id": 3, "name": "Sage 300 CRE", "is_erp_list": True})
    assert listed.is_erp_list
    assert listed.available_to_use_on_new_projects


# -- copy answers ------------------------------------------------------------------------------

DUPLICATE = "Not copied: the project already has a cost code with this code."


def test_copy_201() -> None:
    result = parse_copy_result({"successes": [PROJECT_CODE], "failures": []}, 201)
    assert result.status == 201
    assert [c.id for c in result.created] == [HUGE]
    assert result.failures == ()


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (
            [{"standard_cost_code_id": 5, "full_code": "01-100", "error": "already exists"}],
            CopyFailure(5, "01-100", "already exists"),
        ),
        (
            [{"id": 5, "errors": {"full_code": ["has already been taken"]}}],
            CopyFailure(5, None, "full_code: has already been taken"),
        ),
        (
            [{"standard_cost_code": {"id": 5, "full_code": "01-100"}, "message": "Duplicate"}],
            CopyFailure(5, "01-100", "Duplicate"),
        ),
        (
            ["Cost code 01-100 already exists"],
            CopyFailure(None, None, "Cost code 01-100 already exists"),
        ),
        ({"5": "already exists"}, CopyFailure(5, None, "already exists")),
        # The spec's shape (Post207Response): the failures are cost codes, "biller-created
        # duplicates"; their id is the project code's, so only standard_cost_code_id counts.
        (
            [
                {
                    "id": 562949953999999,
                    "biller_id": 11,
                    "biller_type": "Project",
                    "code": "100",
                    "full_code": "01-100",
                    "name": "PM",
                    "standard_cost_code_id": 5,
                    "origin_id": None,
                }
            ],
            CopyFailure(5, "01-100", DUPLICATE),
        ),
        (
            [{"id": 9, "code": "01", "full_code": "01", "standard_cost_code_id": None}],
            CopyFailure(None, "01", DUPLICATE),
        ),
        ([{"id": 5}], CopyFailure(5, None, "Procore did not copy this code (no reason given).")),
    ],
)
def test_copy_207_failure_shapes(failures: object, expected: CopyFailure) -> None:
    result = parse_copy_result({"successes": [], "failures": failures}, 207)
    assert result.failures == (expected,)
    assert result.status == 207


def test_copy_bare_list_and_errors_key() -> None:
    assert len(parse_copy_result([PROJECT_CODE], 201).created) == 1
    result = parse_copy_result(
        {"created": [PROJECT_CODE], "errors": [{"id": 1, "reason": "dup"}]}, 207
    )
    assert len(result.created) == 1
    assert result.failures == (CopyFailure(1, None, "dup"),)


def test_copy_bad_success_item_is_malformed() -> None:
    with pytest.raises(MalformedResponse):
        parse_copy_result({"successes": [{"id": 1}], "failures": []}, 201)
    with pytest.raises(MalformedResponse):
        parse_copy_result("created", 201)


# -- sync answers ------------------------------------------------------------------------------


def test_sync_entities_and_errors() -> None:
    data = {
        "entities": [PROJECT_CODE],
        "errors": [
            {"id": 7, "name": "New", "errors": {"name": ["cannot be changed: ERP locked"]}},
            {"errors": "Unknown cost code"},
            "plain failure",
        ],
    }
    result = parse_sync_result(data, "rid-1")
    assert [c.id for c in result.updated] == [HUGE]
    assert result.errors == (
        SyncError(7, "name: cannot be changed: ERP locked"),
        SyncError(None, "Unknown cost code"),
        SyncError(None, "plain failure"),
    )
    assert result.request_ids == ("rid-1",)


def test_sync_error_items_as_procore_documents_them() -> None:
    """using_sync_actions.md (lines 20-23, 207-216): each error item echoes the caller's
    attributes and adds `errors`; an unknown id says "Entity with this ID not found"."""
    data = {
        "entities": [],
        "errors": [
            {
                "id": 0,
                "name": "No project has this id value",
                "errors": {"id": ["Entity with this ID not found"]},
            },
            {
                "id": HUGE,
                "name": "Project Manager",
                "code": "100",
                "errors": {"base": ["Locked by the ERP"], "name": ["is too long"]},
            },
        ],
    }
    assert parse_sync_result(data, None).errors == (
        SyncError(0, "id: Entity with this ID not found"),
        SyncError(HUGE, "Locked by the ERP; name: is too long"),
    )


def test_sync_tolerates_missing_keys() -> None:
    result = parse_sync_result({}, None)
    assert result.updated == ()
    assert result.errors == ()
    assert result.request_ids == ()


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("App is not connected to this company", True),
        ("The app has not been installed", True),
        ("This application is uninstalled", True),
        ("app is disconnected", True),
        ("You do not have permission", False),
        ("Project not connected to ERP", False),
        ("App access denied", False),
        (None, False),
    ],
)
def test_app_not_installed_detection(detail: str | None, expected: bool) -> None:
    assert is_app_not_installed(detail) is expected
