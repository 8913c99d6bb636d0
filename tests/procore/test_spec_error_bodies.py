"""Error answers in the shapes Procore's generated spec gives them (SDK models named below), and
the company header service accounts must send."""

from __future__ import annotations

import httpx
import pytest

from costcode_desktop.procore import (
    AuthenticationFailed,
    CompanyIdRequired,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProcoreError,
)
from costcode_desktop.procore.error_bodies import error_detail

from .helpers import Harness, reply, text

# RestV10CompaniesCompanyIdWorkflowPermanentLogsGet401Response: {code, message, fields, reason,
# error}, the generic model of the 400/401/403/404/422 answers ("fields" is a string).
GENERIC = {
    "code": 422,
    "message": "Standard cost code list 5 is not this project's standard cost code list",
    "fields": "standard_cost_code_list_id",
    "reason": "invalid_standard_cost_code_list",
    "error": "Unprocessable Entity",
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            GENERIC,
            "Standard cost code list 5 is not this project's standard cost code list "
            "(invalid_standard_cost_code_list); fields: standard_cost_code_list_id",
        ),
        # The error model of GET /rest/v1.0/projects' default answer
        # (RestV10ProjectsGetDefaultResponse): {error: {code, message, details[{code, message,
        # source}]}}.
        (
            {
                "error": {
                    "code": "invalid_parameter",
                    "message": "The request is invalid",
                    "details": [
                        {"code": "blank", "message": "page must be positive", "source": "page"}
                    ],
                }
            },
            "The request is invalid; page must be positive",
        ),
        # ErrorsResponse: {base: [str], fields: {field: [str]}} on some 422s.
        (
            {"base": ["Record is locked"], "fields": {"name": ["is too long"]}},
            "Record is locked; fields: name: is too long",
        ),
        # {message, exception} on some 404s; {message, error} on a budget 422.
        ({"message": "Not found", "exception": "RecordNotFound"}, "Not found"),
        (
            {"message": "Budget is locked", "error": "budget_locked"},
            "Budget is locked; budget_locked",
        ),
        # {error: {error}} of a 429 (RestV10BudgetViewSnapshotsPost429Response).
        ({"error": {"error": "Too many requests"}}, "Too many requests"),
    ],
)
def test_every_spec_error_shape_reads_as_one_sentence(body: object, expected: str) -> None:
    assert error_detail(httpx.Response(400, json=body).content) == expected


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, InvalidRequest),
        (401, AuthenticationFailed),
        (403, PermissionDenied),
        (404, NotFound),
        (422, InvalidRequest),
    ],
)
def test_the_generic_model_maps_by_status(status: int, error: type[ProcoreError]) -> None:
    body = {**GENERIC, "code": status, "message": "Something specific"}
    h = Harness(steps=[reply(body, status)])
    with pytest.raises(error) as caught:
        h.client.project(1, 2)
    assert caught.value.detail is not None
    assert caught.value.detail.startswith("Something specific")


MISSING = "Missing Procore-Company-Id header!"


@pytest.mark.parametrize(
    "answer",
    [
        reply({**GENERIC, "code": 400, "message": MISSING}, 400),
        reply({"errors": MISSING}, 401),
        reply({"error": MISSING}, 403),
        reply({"message": MISSING}, 422),
        # tutorial_mpz.md shows it as text, with an explanation below.
        text(MISSING + "\n\nEach call your application makes to the Procore API must ...", 400),
    ],
)
def test_a_missing_company_header_says_where_to_give_the_company_whatever_the_shape(
    answer: httpx.Response,
) -> None:
    h = Harness(steps=[answer, answer])
    with pytest.raises(CompanyIdRequired) as caught:
        h.client.me()
    message = str(caught.value)
    assert "company id in the sign-in settings" in message
    assert "--company or PROCORE_COMPANY_ID" in message
    assert "app.procore.com/" in message
    assert isinstance(caught.value, InvalidRequest)


def test_me_and_companies_send_the_company_only_when_given() -> None:
    h = Harness(
        lambda request: reply(
            {"id": 1, "login": "a", "name": "A"}
            if request.url.path.endswith("/me")
            else [{"id": 7, "name": "Acme"}]
        )
    )
    h.client.me()
    h.client.companies()
    h.client.me(company_id=7)
    h.client.companies(company_id=7)
    assert [r.headers.get("procore-company-id") for r in h.requests] == [None, None, "7", "7"]
