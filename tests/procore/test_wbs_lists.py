"""The company's cost code lists through WBS, with the deprecated call only when WBS is refused.

The answers are copied from tutorial_wbs.md's default pattern and the SDK models
RestV10CompaniesCompanyIdWorkBreakdownStructureSegmentsGet200ResponseInner and
...SegmentsSegmentIdListsGet200ResponseInner.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from costcode_desktop.procore import (
    InvalidRequest,
    MalformedResponse,
    ServerError,
    StandardCostCodeList,
)

from .helpers import Harness, fast_retry, reply

COMPANY = 4264807
SEGMENTS_PATH = f"/rest/v1.0/companies/{COMPANY}/work_breakdown_structure/segments"
LEGACY_PATH = "/rest/v1.0/standard_cost_code_lists"


def segment(ident: int, kind: str, name: str, position: int) -> dict[str, Any]:
    return {
        "id": ident,
        "type": kind,
        "name": name,
        "position": position,
        "segment_items_count": 0,
        "required": kind != "sub_job",
        "delimiter": ".",
        "project_can_modify_origin_project": True,
        "project_can_delete_origin_company": True,
        "structure": "tiered" if kind == "cost_code" else "flat",
        "created_at": "2022-03-31T12:00:00Z",
        "updated_at": "2022-03-31T12:00:00Z",
        "wbs_pattern_id": 3113970,
    }


SEGMENTS = [
    segment(447334, "sub_job", "Sub Job", 0),
    segment(447332, "cost_code", "Cost Code", 1),
    segment(447333, "line_item_type", "Cost Type", 2),
]
LISTS = [
    {
        "id": 11,
        "name": "Sage 300 CRE Standard Cost Code List",
        "segment_items_count": 305,
        "erp_integrated": True,
        "available_to_use_on_new_projects": True,
    },
    {
        "id": 12,
        "name": "Procore Default List",
        "segment_items_count": 47,
        "erp_integrated": False,
        "available_to_use_on_new_projects": False,
    },
]
LEGACY = [
    {"id": 11, "name": "Sage 300 CRE Standard Cost Code List", "is_erp_list": True},
    {"id": 12, "name": "Procore Default List", "is_erp_list": False},
]


def procore(
    *,
    segments: httpx.Response | None = None,
    lists: httpx.Response | None = None,
    legacy: httpx.Response | None = None,
) -> Harness:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == SEGMENTS_PATH:
            return segments or reply(SEGMENTS)
        if path == f"{SEGMENTS_PATH}/447332/lists":
            return lists or reply(LISTS)
        if path == LEGACY_PATH:
            return legacy or reply(LEGACY)
        raise AssertionError(f"unexpected {path}")

    return Harness(handler, retry=fast_retry(2))


def paths(h: Harness) -> list[str]:
    return [r.url.path for r in h.requests]


def test_the_lists_of_the_cost_code_segment_in_two_requests() -> None:
    h = procore()
    lists = h.client.cost_code_lists(COMPANY)
    assert lists == [
        StandardCostCodeList(11, "Sage 300 CRE Standard Cost Code List", True, True, True, 305),
        StandardCostCodeList(12, "Procore Default List", False, False, True, 47),
    ]
    assert paths(h) == [SEGMENTS_PATH, f"{SEGMENTS_PATH}/447332/lists"]
    for request in h.requests:
        assert request.headers["procore-company-id"] == str(COMPANY)
        assert not request.url.query, "neither endpoint takes parameters"


def test_the_segment_is_found_by_type_not_by_its_translated_name() -> None:
    translated = [
        {**SEGMENTS[1], "id": 1, "type": "custom", "name": "Cost Code"},
        {**SEGMENTS[1], "name": "Code de coût"},
    ]
    h = procore(segments=reply(translated))
    assert [item.id for item in h.client.cost_code_lists(COMPANY)] == [11, 12]
    assert paths(h)[-1] == f"{SEGMENTS_PATH}/447332/lists"


@pytest.mark.parametrize("status", [403, 404, 410])
@pytest.mark.parametrize("refused", ["segments", "lists"])
def test_a_refused_wbs_endpoint_falls_back_to_the_deprecated_call(
    status: int, refused: str
) -> None:
    no = reply({"code": status, "message": "Not for you", "error": "Forbidden"}, status)
    h = procore(**{refused: no})
    lists = h.client.cost_code_lists(COMPANY)
    assert [(item.id, item.is_erp_list, item.from_wbs) for item in lists] == [
        (11, True, False),
        (12, False, False),
    ]
    assert paths(h)[-1] == LEGACY_PATH
    assert h.requests[-1].url.params["company_id"] == str(COMPANY)
    assert len(h.requests) == (2 if refused == "segments" else 3)


def test_no_cost_code_segment_falls_back_to_the_deprecated_call() -> None:
    h = procore(segments=reply([SEGMENTS[0], SEGMENTS[2]]))
    assert [item.id for item in h.client.cost_code_lists(COMPANY)] == [11, 12]
    assert paths(h) == [SEGMENTS_PATH, LEGACY_PATH]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (reply({"code": 400, "message": "Bad company"}, 400), InvalidRequest),
        (reply({"errors": "Internal Server Error"}, 500), ServerError),
    ],
)
def test_other_failures_are_not_a_refusal(answer: httpx.Response, error: type[Exception]) -> None:
    h = procore(segments=answer)
    with pytest.raises(error):
        h.client.cost_code_lists(COMPANY)
    assert LEGACY_PATH not in paths(h)


def test_an_answer_without_ids_is_malformed_not_a_traceback() -> None:
    h = procore(lists=reply([{"name": "No id", "erp_integrated": True}]))
    with pytest.raises(MalformedResponse) as caught:
        h.client.cost_code_lists(COMPANY)
    assert "'id' is missing" in (caught.value.detail or "")


def wbs(name: str, ident: int = 99) -> StandardCostCodeList:
    return StandardCostCodeList(ident, name, True, from_wbs=True)


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        (LEGACY, 11),  # by name
        ([{"id": 5, "name": "Other name", "is_erp_list": True}, LEGACY[1]], 5),  # the only ERP
        ([{"id": 5, "name": "A", "is_erp_list": True}, {**LEGACY[0], "name": "B"}], None),
        ([LEGACY[1]], None),
    ],
)
def test_the_deprecated_record_of_a_wbs_list(legacy: list[Any], expected: int | None) -> None:
    h = procore(legacy=reply(legacy))
    twin = h.client.standard_list_of(COMPANY, wbs("Sage 300 CRE Standard Cost Code List"))
    assert (twin.id if twin else None) == expected


def test_the_deprecated_record_is_none_when_that_call_is_refused() -> None:
    h = procore(legacy=reply({"code": 403, "message": "Deprecated"}, 403))
    assert h.client.standard_list_of(COMPANY, wbs("Sage 300 CRE Standard Cost Code List")) is None
