from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest

from costcode_desktop.costcodes import DiffStatus
from costcode_desktop.procore import ProcoreClient
from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.services import (
    CompanyList,
    RefreshOutcome,
    read_company_list,
    refresh_project,
)
from costcode_desktop.services.text import without_isolates
from tests.sandbox_support import api_writes, signed_in_client

from .seeds import COMPANY, P_DRIFTED, P_IN_SYNC, P_NO_ADMIN, P_NOT_ERP, P_OTHER_LIST


def codes_on(server: SandboxServer, project_id: int) -> dict[str, str]:
    return {c["full_code"]: c["name"] for c in server.project_cost_codes(project_id)}


def test_refresh_adds_updates_skips_and_verifies(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    before = codes_on(server, P_DRIFTED)
    steps: list[str] = []
    result = refresh_project(client, company_list, P_DRIFTED, progress=steps.append)

    assert result.outcome is RefreshOutcome.REFRESHED
    assert sorted(c.full_code for c in result.added) == [
        "01-300", "03", "03-100", "03-200", "2", "2-100",
    ]  # fmt: skip
    assert [(u.full_code, u.new_name) for u in result.updated] == [("01-100", "Project Manager")]
    skipped = {issue.full_code: issue.reason for issue in result.skipped}
    assert "Locked" in skipped["01-200"]  # the Sage connector owns that record
    assert "separator" in skipped["03_300"]  # unsupported delimiter, never sent
    assert not result.failed
    assert result.after is not None
    assert result.after.count(DiffStatus.MISSING) == 0
    assert result.after.differences == 0
    assert result.after.locked_differences == 1  # Sage owns that description; left alone
    assert result.verified_in_sync
    assert "Verified: the project now matches the company list." in result.message
    assert steps[0] == "Reading the project"
    assert steps == [
        "Reading the project",
        "Reading its cost codes",
        "Checking your permission",
        "Adding 6 codes",
        "Updating 1 description",
        "Checking the result",
    ]

    after = codes_on(server, P_DRIFTED)
    assert set(before) <= set(after), "a refresh never deletes"
    assert after["01-900"] == "Owner Allowance"  # project-only code kept
    assert after["01-100"] == "Project Manager"
    assert after["01-200"] == "Super"
    assert "03_300" not in after
    counts = Counter(c["full_code"] for c in server.project_cost_codes(P_DRIFTED))
    assert max(counts.values()) == 1, "no duplicates"


def test_refresh_never_sends_origin_fields(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    refresh_project(client, company_list, P_DRIFTED)
    writes = api_writes(server)
    assert [w.method for w in writes] == ["POST", "PATCH"]
    for write in writes:
        assert "origin_id" not in repr(write.json_body)
        assert "origin_data" not in repr(write.json_body)


def test_second_refresh_changes_nothing_and_sends_nothing(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    refresh_project(client, company_list, P_DRIFTED)
    state = server.project_cost_codes(P_DRIFTED)
    server.clear_requests()

    again = refresh_project(client, company_list, P_DRIFTED)

    assert again.outcome is RefreshOutcome.UNCHANGED
    assert not again.changed
    assert api_writes(server) == []
    assert server.project_cost_codes(P_DRIFTED) == state


def test_in_sync_project_is_verified_and_untouched(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    result = refresh_project(client, company_list, P_IN_SYNC)
    assert result.outcome is RefreshOutcome.UNCHANGED
    assert result.verified_in_sync
    assert "already matches" in result.message
    assert api_writes(server) == []


def test_dry_run_reports_the_plan_and_sends_nothing(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    result = refresh_project(client, company_list, P_DRIFTED, dry_run=True)
    assert result.dry_run
    assert result.plan is not None
    assert len(result.plan.to_add) == 6
    # The words of the comparison pane: what is sent, then what stays as it is, and why.
    assert without_isolates(result.message) == (
        "A refresh of 'Riverside Clinic' would add 6 codes and fix 1 description; 1 description "
        "locked by Sage 300 CRE, 1 unsupported code and 1 code only on the project stay as they "
        "are. Nothing was sent (dry run)."
    )
    assert api_writes(server) == []


@pytest.mark.parametrize(
    ("project_id", "words"),
    [
        (P_NOT_ERP, "not connected to Sage 300 CRE"),
        (P_OTHER_LIST, "uses a different cost code list"),
    ],
)
def test_projects_that_cannot_be_refreshed_are_refused_before_sending(
    server: SandboxServer,
    client: ProcoreClient,
    company_list: CompanyList,
    project_id: int,
    words: str,
) -> None:
    result = refresh_project(client, company_list, project_id)
    assert result.outcome is RefreshOutcome.REFUSED
    assert words in result.message
    assert api_writes(server) == []


def test_missing_admin_permission_is_explained_before_anything_is_sent(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    before = server.project_cost_codes(P_NO_ADMIN)
    result = refresh_project(client, company_list, P_NO_ADMIN)
    assert result.outcome is RefreshOutcome.REFUSED
    assert "You need 'Admin' on the Admin tool of 'Pine Hill Offices'" in without_isolates(
        result.message
    )
    assert "Nothing was sent." in result.message
    assert not result.failed
    assert api_writes(server) == []
    assert server.project_cost_codes(P_NO_ADMIN) == before


class NoPermissionManifest(httpx.BaseTransport):
    """A Procore that does not offer the permission manifest (its names are unconfirmed)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/settings/permissions"):
            return httpx.Response(404, json={"errors": "Not Found"})
        return self.inner.handle_request(request)


def test_without_a_manifest_a_403_still_ends_as_a_plain_refusal(server: SandboxServer) -> None:
    before = server.project_cost_codes(P_NO_ADMIN)
    with signed_in_client(server, transport=NoPermissionManifest()) as client:
        company_list = read_company_list(client, COMPANY)
        result = refresh_project(client, company_list, P_NO_ADMIN)
    assert result.outcome is RefreshOutcome.REFUSED
    assert "You need 'Admin' on the Admin tool of 'Pine Hill Offices'" in without_isolates(
        result.message
    )
    assert not result.failed
    assert server.project_cost_codes(P_NO_ADMIN) == before


class LoseFirstCopyAnswer(httpx.BaseTransport):
    """The copy reaches Procore and lands, but its answer is lost on the way back."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "copy_subset" in request.url.path and not self.lost:
            response.read()
            self.lost += 1
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_copy_whose_answer_was_lost_is_not_repeated(server: SandboxServer) -> None:
    transport = LoseFirstCopyAnswer()
    with signed_in_client(server, transport=transport) as client:
        company_list = read_company_list(client, COMPANY)
        result = refresh_project(client, company_list, P_DRIFTED)

    assert transport.lost == 1
    copies = [w for w in api_writes(server) if w.method == "POST"]
    assert len(copies) == 1, "the service looked before copying again"
    assert result.outcome is RefreshOutcome.REFRESHED
    assert len(result.added) == 6  # measured by reading back, not from the lost answer
    counts = Counter(c["full_code"] for c in server.project_cost_codes(P_DRIFTED))
    assert max(counts.values()) == 1


def test_new_code_in_sage_reaches_the_project(server: SandboxServer, client: ProcoreClient) -> None:
    server.add_standard_code(11, "10-400", "Signage", parent_full_code="10")
    company_list = read_company_list(client, COMPANY)
    result = refresh_project(client, company_list, P_IN_SYNC)
    assert [c.full_code for c in result.added] == ["10-400"]
    assert result.verified_in_sync
    assert codes_on(server, P_IN_SYNC)["10-400"] == "Signage"


def test_an_expired_token_mid_refresh_is_renewed_once(
    server: SandboxServer, client: ProcoreClient, company_list: CompanyList
) -> None:
    server.advance_clock(6000)  # past the 5,400 s lifetime
    result = refresh_project(client, company_list, P_DRIFTED)
    assert result.outcome is RefreshOutcome.REFRESHED


class RefuseEverySync(httpx.BaseTransport):
    """Procore answers the sync with a per-item error for every record, naming the ERP lock."""

    def __init__(self, message: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.message = message

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path.endswith("/cost_codes/sync"):
            items = json.loads(request.content)["updates"]
            errors = [{"id": i["id"], "errors": {"base": [self.message]}} for i in items]
            return httpx.Response(200, json={"entities": [], "errors": errors})
        return self.inner.handle_request(request)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Record is managed by an ERP integration", "skipped"),
        ("Name is too long (maximum is 200 characters)", "failed"),
    ],
)
def test_per_item_sync_errors_are_reported_per_code(
    server: SandboxServer, message: str, kind: str
) -> None:
    with signed_in_client(server, transport=RefuseEverySync(message)) as client:
        company_list = read_company_list(client, COMPANY)
        result = refresh_project(client, company_list, P_DRIFTED)

    issues = {i.full_code: i.reason for i in getattr(result, kind)}
    assert "01-100" in issues
    assert not result.updated
    if kind == "skipped":
        assert "Locked by the Sage 300 CRE connector" in issues["01-100"]
        assert result.outcome is RefreshOutcome.REFRESHED  # the codes were still added
    else:
        assert issues["01-100"] == message
        assert result.outcome is RefreshOutcome.FAILED
        assert "1 code failed." in result.message


class RefuseSyncBatches(httpx.BaseTransport):
    """Procore refuses the whole sync (400), so each rename goes through PATCH one code."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.patches: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path.endswith("/cost_codes/sync"):
            return httpx.Response(400, json={"code": 400, "message": "One record is locked"})
        if request.method == "PATCH":
            self.patches.append(request)
        return self.inner.handle_request(request)


def test_the_one_by_one_rename_sends_what_the_spec_requires(server: SandboxServer) -> None:
    """Body98 / CostCode1: project_id in the body, and `code` with `name` in cost_code."""
    transport = RefuseSyncBatches()
    with signed_in_client(server, transport=transport) as client:
        company_list = read_company_list(client, COMPANY)
        before = {c["full_code"]: c for c in server.project_cost_codes(P_DRIFTED)}
        result = refresh_project(client, company_list, P_DRIFTED)

    assert [u.full_code for u in result.updated] == ["01-100"]
    assert result.verified_in_sync
    (patch,) = transport.patches
    assert patch.url.path == f"/rest/v1.0/cost_codes/{before['01-100']['id']}"
    assert not patch.url.query, "project_id goes in the body, not the query"
    assert json.loads(patch.content) == {
        "project_id": P_DRIFTED,
        "cost_code": {
            "code": "100",
            "name": "Project Manager",
            "parent_id": before["01"]["id"],
        },
    }


class DuplicateOnCopy(httpx.BaseTransport):
    """The copy answers 207 as the spec shows it: the code already on the project (a biller
    duplicate, not linked to the standard code) comes back in `failures`, and is not copied."""

    def __init__(self, server: SandboxServer, full_code: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.server = server
        self.full_code = full_code

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/copy_subset_from_standard_list"):
            body = json.loads(request.content)
            duplicate = {
                "id": 562949953999999,
                "biller": "Riverside Clinic",
                "biller_id": body["project_id"],
                "biller_type": "Project",
                "code": self.full_code,
                "full_code": self.full_code,
                "name": "General Conditions (added by hand)",
                "standard_cost_code_id": None,
                "origin_id": None,
                "origin_data": None,
                "line_item_types": [],
            }
            return httpx.Response(207, json={"successes": [], "failures": [duplicate]})
        return self.inner.handle_request(request)


def test_a_207_duplicate_is_reported_by_its_full_code(server: SandboxServer) -> None:
    with signed_in_client(server, transport=DuplicateOnCopy(server, "03")) as client:
        company_list = read_company_list(client, COMPANY)
        result = refresh_project(client, company_list, P_DRIFTED)

    failed = {issue.full_code: issue.reason for issue in result.failed}
    assert failed["03"] == "Not copied: the project already has a cost code with this code."
    assert result.outcome is RefreshOutcome.FAILED
