"""OAuth token endpoint, bearer checks and the Procore-Company-Id rules."""

from __future__ import annotations

import time

import httpx
import pytest

from costcode_desktop.sandbox import SandboxServer
from costcode_desktop.sandbox import demo as d

from .conftest import Api

GRANT = {
    "grant_type": "client_credentials",
    "client_id": "demo-client",
    "client_secret": "demo-secret",
}


def test_client_credentials_grant_form_encoded(server: SandboxServer, http: httpx.Client) -> None:
    response = http.post("/oauth/token", data=GRANT)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert "refresh_token" not in body
    assert abs(body["created_at"] - time.time()) < 60
    assert response.headers["X-Rate-Limit-Limit"]
    assert response.headers["X-Request-Id"]
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    me = http.get("/rest/v1.0/me", headers={**bearer, "Procore-Company-Id": str(d.COMPANY_ID)})
    assert me.json() == {"id": 1, "login": "ap@example.com", "name": "A. P. Clerk"}
    record = server.requests[0]
    assert record.path == "/oauth/token"
    assert record.query == {}
    assert isinstance(record.json_body, dict)
    assert record.json_body["client_secret"] == "demo-secret"  # in the body, not the URL


def test_client_credentials_grant_json(http: httpx.Client) -> None:
    response = http.post("/oauth/token", json=GRANT)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_token_errors(http: httpx.Client) -> None:
    bad = http.post("/oauth/token", data={**GRANT, "client_secret": "nope"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    assert http.post("/oauth/token", data={**GRANT, "client_id": "x"}).status_code == 401
    other = http.post("/oauth/token", data={**GRANT, "grant_type": "password"})
    assert other.status_code == 400
    assert other.json()["error"] == "unsupported_grant_type"
    missing = http.post("/oauth/token", data={"client_id": "demo-client"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    in_query = http.post("/oauth/token", params={"client_secret": "demo-secret"}, data=GRANT)
    assert in_query.status_code == 400


def test_missing_invalid_and_expired_tokens(server: SandboxServer, http: httpx.Client) -> None:
    missing = http.get("/rest/v1.0/me")
    assert missing.status_code == 401
    assert set(missing.json()) == {"code", "message", "fields", "reason", "error"}
    assert missing.headers["X-Rate-Limit-Remaining"]
    invalid = http.get("/rest/v1.0/me", headers={"Authorization": "Bearer nope"})
    assert invalid.status_code == 401

    token = server.issue_token()
    auth = {"Authorization": f"Bearer {token}"}
    assert http.get("/rest/v1.0/me", headers=auth).status_code == 200
    server.advance_clock(5399)
    assert http.get("/rest/v1.0/me", headers=auth).status_code == 200
    server.advance_clock(2)
    expired = http.get("/rest/v1.0/me", headers=auth)
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]
    assert "WWW-Authenticate" in expired.headers


def test_short_token_lifetime() -> None:
    from costcode_desktop.sandbox import demo_seed

    with SandboxServer(demo_seed(), token_lifetime=60) as server:
        response = httpx.post(f"{server.url}/oauth/token", data=GRANT)
        assert response.json()["expires_in"] == 60
        token = response.json()["access_token"]
        server.advance_clock(61)
        me = httpx.get(f"{server.url}/rest/v1.0/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401


def test_revoke_and_token_info(server: SandboxServer, http: httpx.Client) -> None:
    token = http.post("/oauth/token", data=GRANT).json()["access_token"]
    info = http.get("/oauth/token/info", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 200
    assert info.json()["resource_owner_id"] == 1
    revoke = http.post("/oauth/revoke", data={**GRANT, "token": token})
    assert revoke.status_code == 200
    assert http.post("/oauth/revoke", data={**GRANT, "token": "unknown"}).status_code == 200
    me = http.get("/rest/v1.0/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_issue_token_for_unknown_user(server: SandboxServer) -> None:
    with pytest.raises(ValueError, match="unknown user"):
        server.issue_token(user_id=999)


# --- Procore-Company-Id ------------------------------------------------------------------------


def test_users_need_no_company_header_for_me_and_companies(server: SandboxServer) -> None:
    api = Api(server, server.issue_token(), company=None)
    try:
        assert api.get("/rest/v1.0/me").status_code == 200
        companies = api.get("/rest/v1.0/companies")
        assert companies.status_code == 200
        assert [c["id"] for c in companies.json()] == [
            d.COMPANY_ID,
            d.SERVICE_COMPANY_ID,
            d.ACUMATICA_COMPANY_ID,
        ]
        assert set(companies.json()[0]) == {"id", "name", "is_active", "logo_url", "my_company"}
        missing = api.get("/rest/v1.1/projects", company_id=d.COMPANY_ID)
        assert missing.status_code == 400
        assert missing.json()["message"] == "Missing Procore-Company-Id header!"
        assert api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC).status_code == 400
    finally:
        api.close()


@pytest.mark.parametrize("path", ["/rest/v1.0/me", "/rest/v1.0/companies"])
def test_service_accounts_need_the_company_header_for_me_and_companies(
    server: SandboxServer, http: httpx.Client, path: str
) -> None:
    """oauth_client_credentials.md and developer_managed_service_accounts.md: a service account
    must send Procore-Company-Id to /me and /companies; its token comes from client credentials."""
    token = http.post("/oauth/token", data=GRANT).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    missing = http.get(path, headers=bearer)
    assert missing.status_code == 400
    body = missing.json()
    assert set(body) == {"code", "message", "fields", "reason", "error"}
    assert body["message"] == "Missing Procore-Company-Id header!"
    assert "Procore-Company-Id field" in body["error"]
    given = http.get(path, headers={**bearer, "Procore-Company-Id": str(d.COMPANY_ID)})
    assert given.status_code == 200
    foreign = http.get(path, headers={**bearer, "Procore-Company-Id": str(d.OTHER_COMPANY_ID)})
    assert foreign.status_code == 403


@pytest.mark.parametrize("company", [d.OTHER_COMPANY_ID, 999, "abc"])
def test_foreign_or_unknown_company_is_403(server: SandboxServer, company: int | str) -> None:
    api = Api(server, server.issue_token())
    try:
        response = api.http.get(
            "/rest/v1.1/projects",
            params={"company_id": company},
            headers={**api.headers(), "Procore-Company-Id": str(company)},
        )
        assert response.status_code == 403
        assert set(response.json()) == {"code", "message", "fields", "reason", "error"}
    finally:
        api.close()


def test_company_header_must_match_resource(api: Api) -> None:
    # Query parameter says one company, header another.
    mismatch = api.get("/rest/v1.1/projects", company_id=d.SERVICE_COMPANY_ID)
    assert mismatch.status_code == 403
    lists = api.get("/rest/v1.0/standard_cost_code_lists", company_id=d.SERVICE_COMPANY_ID)
    assert lists.status_code == 403
    # The project belongs to the other company of the user.
    api.company = d.SERVICE_COMPANY_ID
    assert api.get("/rest/v1.0/cost_codes", project_id=d.RIVERSIDE_CLINIC).status_code == 404
    detail = api.get(f"/rest/v1.0/projects/{d.RIVERSIDE_CLINIC}", company_id=d.SERVICE_COMPANY_ID)
    assert detail.status_code == 404
    assert api.get("/rest/v1.0/cost_codes", project_id=d.SERVICE_AGREEMENTS).status_code == 200
    assert server_record_has_header(api)


def server_record_has_header(api: Api) -> bool:
    return api.server.requests[-1].company_header == str(d.SERVICE_COMPANY_ID)


def test_missing_company_id_param_is_400(api: Api) -> None:
    assert api.get("/rest/v1.1/projects").status_code == 400
    assert api.get("/rest/v1.0/standard_cost_code_lists").status_code == 400
    assert api.get("/rest/v1.0/cost_codes").status_code == 400
