"""ProcoreClient: the resource methods the services call; one instance shared by all workers."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

import httpx

from costcode_desktop import __version__

from .auth import TokenSource
from .cancel import CancelToken
from .errors import InvalidRequest, MalformedResponse, NotFound, PermissionDenied
from .http import (
    ApiResponse,
    Params,
    Requester,
    RetryPolicy,
    SleepFunction,
    WaitCallback,
    waits_reported_to,
)
from .pacing import PacingStats, QuotaView
from .pagination import pages
from .parse import (
    merge_sync_results,
    parse_admin_permission,
    parse_company,
    parse_copy_result,
    parse_cost_code,
    parse_project,
    parse_project_id,
    parse_standard_cost_code,
    parse_standard_cost_code_list,
    parse_sync_result,
    parse_user,
    unique_by_id,
)
from .records import (
    Company,
    CopyResult,
    CostCode,
    Project,
    RateLimitStatus,
    StandardCostCode,
    StandardCostCodeList,
    SyncResult,
    User,
)

T = TypeVar("T")

SYNC_BATCH_SIZE = 1000  # Procore's documented maximum for cost_codes/sync
PROJECTS_PAGE_SIZE = 300  # projects v1.1: "The max page size is 300 projects"
COST_CODES_PAGE_SIZE = 1000
COMPANIES_PAGE_SIZE = 100


class ProcoreClient:
    """Typed calls to the Procore REST API (production, sandboxes, custom URL, built-in sandbox).

    Every method takes `cancel`, checked before each HTTP attempt and during every wait.
    Thread-safe: one instance serves all workers, and with `pacing` (the default) they share one
    pacer that slows every request down before Procore's quota runs out (see pacing.py).
    """

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, shared safely
        transport: httpx.BaseTransport | None = None,
        on_wait: WaitCallback | None = None,
        sleep: SleepFunction | None = None,
        user_agent: str = f"CostCodeSync/{__version__}",
        clock: Callable[[], float] = time.time,
        pacing: bool = True,
    ) -> None:
        self._http = Requester(
            api_url,
            tokens,
            timeout=timeout,
            retry=retry,
            transport=transport,
            on_wait=on_wait,
            sleep=sleep,
            user_agent=user_agent,
            clock=clock,
            pacing=pacing,
        )

    def __repr__(self) -> str:
        return f"ProcoreClient({self.api_url!r})"

    @property
    def api_url(self) -> str:
        return self._http.api_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ProcoreClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def rate_limit(self) -> RateLimitStatus:
        """The last X-Rate-Limit-* headers seen."""
        return self._http.rate_limit

    @property
    def request_count(self) -> int:
        """HTTP requests sent by this client, retries included."""
        return self._http.request_count

    @property
    def throttled_count(self) -> int:
        """429 answers received by this client (each one waited out or reported)."""
        return self._http.throttled_count

    def quota(self) -> QuotaView:
        """What is known of Procore's quota now (the last hour's requests, the windows seen)."""
        return self._http.quota()

    @property
    def pacing_stats(self) -> PacingStats:
        """How often and how long pacing held requests back to stay under the quota."""
        return self._http.pacing_stats

    def waits_reported_to(self, callback: WaitCallback | None) -> AbstractContextManager[None]:
        """Within the block, this thread's waits (limits, retries) are also told to `callback`.

        For one run among others on the shared client: its callback hears only its own waits.
        """
        return waits_reported_to(callback)

    # -- helpers ---------------------------------------------------------------------------

    def _all(
        self,
        path: str,
        params: Params,
        *,
        what: str,
        company_id: int | None,
        cancel: CancelToken | None,
    ) -> list[Any]:
        items: list[Any] = []
        for page in pages(
            self._http, path, params, what=what, company_id=company_id, cancel=cancel
        ):
            items.extend(page)
        return items

    def _get(
        self,
        path: str,
        params: Params | None,
        *,
        company_id: int | None,
        cancel: CancelToken | None,
    ) -> ApiResponse:
        return self._http.send("GET", path, params=params, company_id=company_id, cancel=cancel)

    # -- reads -----------------------------------------------------------------------------

    def me(self, *, cancel: CancelToken | None = None) -> User:
        response = self._get("/rest/v1.0/me", None, company_id=None, cancel=cancel)
        return _parsed(response, parse_user)

    def companies(self, *, cancel: CancelToken | None = None) -> list[Company]:
        items = self._all(
            "/rest/v1.0/companies",
            {"page": 1, "per_page": COMPANIES_PAGE_SIZE},
            what="companies",
            company_id=None,
            cancel=cancel,
        )
        return unique_by_id((parse_company(item) for item in items), lambda c: c.id)

    def projects(
        self,
        company_id: int,
        *,
        status: str = "All",
        name: str | None = None,
        ids: Sequence[int] | None = None,
        view: str = "extended",
        cancel: CancelToken | None = None,
    ) -> list[Project]:
        """The company's projects the user can see, PROJECTS_PAGE_SIZE a page.

        The extended view (the default) carries each project's standard_cost_code_list_id, so
        a status needs no single-project read for it; the normal view does not.
        """
        params = _project_filters(company_id, status, ids)
        params["view"] = view
        if name:
            params["filters[name]"] = name
        items = self._all(
            "/rest/v1.1/projects", params, what="projects", company_id=company_id, cancel=cancel
        )
        return unique_by_id((parse_project(item) for item in items), lambda p: p.id)

    def erp_synced_project_ids(
        self,
        company_id: int,
        *,
        status: str = "All",
        ids: Sequence[int] | None = None,
        cancel: CancelToken | None = None,
    ) -> frozenset[int] | None:
        """Ids of the projects synced with the ERP (filters[synced]=true), compact view.

        The project list carries no ERP flag, so this is how it is known for many projects at
        once: a project is synced once the ERP connector has exported it. None when Procore
        refuses the filter: the caller then reads each project on its own.
        """
        params = _project_filters(company_id, status, ids)
        params.update({"filters[synced]": "true", "view": "compact"})
        try:
            items = self._all(
                "/rest/v1.1/projects",
                params,
                what="ERP-synced projects",
                company_id=company_id,
                cancel=cancel,
            )
        except InvalidRequest:
            return None
        return frozenset(parse_project_id(item) for item in items)

    def project(
        self, company_id: int, project_id: int, *, cancel: CancelToken | None = None
    ) -> Project:
        response = self._get(
            f"/rest/v1.0/projects/{int(project_id)}",
            {"company_id": company_id},
            company_id=company_id,
            cancel=cancel,
        )
        return _parsed(response, parse_project)

    def can_manage_cost_codes(
        self, company_id: int, project_id: int, *, cancel: CancelToken | None = None
    ) -> bool | None:
        """Whether the user may change this project's cost codes; None when Procore won't say."""
        try:
            response = self._get(
                "/rest/v1.0/settings/permissions",
                {"project_id": int(project_id)},
                company_id=company_id,
                cancel=cancel,
            )
        except (InvalidRequest, NotFound, PermissionDenied, MalformedResponse):
            return None  # no manifest for us: the write itself will tell
        return parse_admin_permission(response.data)

    def standard_cost_code_lists(
        self, company_id: int, *, cancel: CancelToken | None = None
    ) -> list[StandardCostCodeList]:
        items = self._all(
            "/rest/v1.0/standard_cost_code_lists",
            {"company_id": company_id},
            what="standard cost code lists",
            company_id=company_id,
            cancel=cancel,
        )
        return unique_by_id((parse_standard_cost_code_list(i) for i in items), lambda s: s.id)

    def standard_cost_codes(
        self, company_id: int, list_id: int, *, cancel: CancelToken | None = None
    ) -> list[StandardCostCode]:
        items = self._all(
            "/rest/v1.0/standard_cost_codes",
            {
                "company_id": company_id,
                "standard_cost_code_list_id": list_id,
                "view": "extended",
                "page": 1,
                "per_page": COST_CODES_PAGE_SIZE,
            },
            what="standard cost codes",
            company_id=company_id,
            cancel=cancel,
        )
        codes = (parse_standard_cost_code(item, list_id=list_id) for item in items)
        return unique_by_id(codes, lambda c: c.id)

    def cost_codes(
        self, company_id: int, project_id: int, *, cancel: CancelToken | None = None
    ) -> list[CostCode]:
        items = self._all(
            "/rest/v1.0/cost_codes",
            {"project_id": project_id, "page": 1, "per_page": COST_CODES_PAGE_SIZE},
            what="project cost codes",
            company_id=company_id,
            cancel=cancel,
        )
        return unique_by_id((parse_cost_code(item) for item in items), lambda c: c.id)

    # -- writes (never origin_id or origin_data: the ERP connector owns them) ----------------

    def copy_subset_from_standard_list(
        self,
        company_id: int,
        project_id: int,
        list_id: int,
        standard_ids: Sequence[int],
        *,
        cancel: CancelToken | None = None,
    ) -> CopyResult:
        """Copy company codes (ancestors included by the caller) into the project.

        Not retried once it may have reached Procore: on a time-out or server error the caller
        re-reads the project and plans again. An empty id list sends nothing (status 0).
        """
        ids = list(dict.fromkeys(int(i) for i in standard_ids))
        if not ids:
            return CopyResult((), (), 0)
        body = {
            "project_id": int(project_id),
            "standard_cost_code_list_id": int(list_id),
            "standard_cost_code_ids": ids,
        }
        response = self._http.send(
            "POST",
            "/rest/v1.0/cost_codes/copy_subset_from_standard_list",
            json_body=body,
            company_id=company_id,
            idempotent=False,
            cancel=cancel,
        )
        return _parsed(response, lambda data: parse_copy_result(data, response.status))

    def sync_cost_codes(
        self,
        company_id: int,
        project_id: int,
        updates: Sequence[tuple[int, str]],
        *,
        cancel: CancelToken | None = None,
    ) -> SyncResult:
        """Rename codes in batches of at most 1,000; per-item errors come back, not raised."""
        results: list[SyncResult] = []
        for start in range(0, len(updates), SYNC_BATCH_SIZE):
            batch = updates[start : start + SYNC_BATCH_SIZE]
            body = {"updates": [{"id": int(ident), "name": str(name)} for ident, name in batch]}
            response = self._http.send(
                "PATCH",
                "/rest/v1.0/cost_codes/sync",
                params={"project_id": project_id},
                json_body=body,
                company_id=company_id,
                cancel=cancel,
            )
            results.append(
                _parsed(response, partial(parse_sync_result, request_id=response.request_id))
            )
        return merge_sync_results(results)

    def update_cost_code(
        self,
        company_id: int,
        project_id: int,
        cost_code_id: int,
        name: str,
        *,
        cancel: CancelToken | None = None,
    ) -> CostCode:
        response = self._http.send(
            "PATCH",
            f"/rest/v1.0/cost_codes/{int(cost_code_id)}",
            params={"project_id": project_id},
            json_body={"cost_code": {"name": str(name)}},
            company_id=company_id,
            cancel=cancel,
        )
        return _parsed(response, _unwrapped_cost_code)


def _project_filters(
    company_id: int, status: str, ids: Sequence[int] | None
) -> dict[str, str | int | list[int]]:
    params: dict[str, str | int | list[int]] = {
        "company_id": company_id,
        "filters[by_status]": status,
        "page": 1,
        "per_page": PROJECTS_PAGE_SIZE,
    }
    if ids:
        params["filters[id][]"] = [int(i) for i in ids]
    return params


def _unwrapped_cost_code(data: Any) -> CostCode:
    if isinstance(data, dict) and isinstance(data.get("cost_code"), dict):
        data = data["cost_code"]  # tolerate a wrapped answer
    return parse_cost_code(data)


def _parsed(response: ApiResponse, parse: Callable[[Any], T]) -> T:
    """Parse an answer; a shape problem keeps the status and request id for the log."""
    try:
        return parse(response.data)
    except MalformedResponse as exc:
        exc.status = exc.status if exc.status is not None else response.status
        exc.request_id = exc.request_id or response.request_id
        raise
