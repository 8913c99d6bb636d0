"""The route table: method, path pattern, endpoint, and which checks run before it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import (
    api_company,
    api_cost_codes,
    api_cost_types,
    api_permissions,
    api_sub_jobs,
    api_wbs,
    authorize,
    oauth,
)
from .context import Context
from .wire import Response, fits_id

Endpoint = Callable[[Context], Response]

KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: Endpoint
    auth: bool = True  # Bearer token required
    company: bool = True  # Procore-Company-Id header required
    # Required from service accounts (client credentials) even where `company` is False: me and
    # companies (oauth_client_credentials.md, developer_managed_service_accounts.md).
    service_company: bool = False
    deprecated: bool = False  # refused when the sandbox denies deprecated APIs


def _route(
    method: str,
    path: str,
    endpoint: Endpoint,
    *,
    auth: bool = True,
    company: bool = True,
    service_company: bool = False,
    deprecated: bool = False,
) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", path)
    pattern = re.compile(f"^{regex}/?$")
    return Route(method, pattern, endpoint, auth, company, service_company, deprecated)


ROUTES: tuple[Route, ...] = (
    _route("GET", "/oauth/authorize", authorize.authorize_page, auth=False, company=False),
    _route("POST", "/oauth/authorize", authorize.authorize_decision, auth=False, company=False),
    _route("POST", "/oauth/token", oauth.token_endpoint, auth=False, company=False),
    _route("POST", "/oauth/revoke", oauth.revoke_endpoint, auth=False, company=False),
    _route("GET", "/oauth/token/info", oauth.token_info_endpoint, auth=False, company=False),
    _route("GET", "/rest/v1.0/me", api_company.me, company=False, service_company=True),
    _route(
        "GET", "/rest/v1.0/companies", api_company.companies, company=False, service_company=True
    ),
    _route("GET", "/rest/v1.0/projects", api_company.projects),
    _route("GET", "/rest/v1.1/projects", api_company.projects),
    _route("GET", "/rest/v1.0/projects/{id}", api_company.project_detail),
    _route("GET", "/rest/v1.1/projects/{id}", api_company.project_detail),
    # Deprecated on 2022-03-31, replaced by the WBS segment item lists below (tutorial_wbs.md).
    _route(
        "GET",
        "/rest/v1.0/standard_cost_code_lists",
        api_company.standard_cost_code_lists,
        deprecated=True,
    ),
    _route(
        "GET",
        "/rest/v1.0/companies/{company_id}/work_breakdown_structure/segments",
        api_wbs.segments,
    ),
    _route(
        "GET",
        "/rest/v1.0/companies/{company_id}/work_breakdown_structure/segments/{segment_id}/lists",
        api_wbs.segment_item_lists,
    ),
    _route("GET", "/rest/v1.0/standard_cost_codes", api_company.standard_cost_codes),
    _route("GET", "/rest/v1.0/settings/permissions", api_permissions.permissions),
    _route("GET", "/rest/v1.0/sub_jobs", api_sub_jobs.list_sub_jobs),
    _route("GET", "/rest/v1.0/line_item_types", api_cost_types.line_item_types),
    _route("GET", "/{id}/project/admin", api_cost_types.project_admin, auth=False, company=False),
    _route("GET", "/rest/v1.0/cost_codes", api_cost_codes.list_cost_codes),
    _route(
        "POST",
        "/rest/v1.0/cost_codes/copy_subset_from_standard_list",
        api_cost_codes.copy_subset,
    ),
    _route("PATCH", "/rest/v1.0/cost_codes/sync", api_cost_codes.sync),
    _route("GET", "/rest/v1.0/cost_codes/{id}", api_cost_codes.show_cost_code),
    _route("PATCH", "/rest/v1.0/cost_codes/{id}", api_cost_codes.update_cost_code),
)


@dataclass(frozen=True, slots=True)
class Match:
    route: Route | None
    args: dict[str, str]
    allowed: tuple[str, ...]  # methods the path accepts (for 405)


def _is_id(digits: str) -> bool:
    return len(digits) <= 19 and fits_id(int(digits))  # 19 digits: 2**63 - 1 has them


def match(method: str, path: str) -> Match:
    allowed: list[str] = []
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None or not all(_is_id(arg) for arg in found.groups()):
            continue  # an id of 2**63 or more names nothing: 404, as an unknown id
        if route.method == method:
            return Match(route, found.groupdict(), ())
        allowed.append(route.method)
    return Match(None, {}, tuple(dict.fromkeys(allowed)))
