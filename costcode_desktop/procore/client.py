"""ProcoreClient: the resource methods the services call; one instance shared by all workers."""

from __future__ import annotations

import logging
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
from .limits import (
    COMPANIES_PAGE_SIZE,
    COST_CODES_PAGE_SIZE,
    PROJECTS_PAGE_SIZE,
    SUB_JOBS_PAGE_SIZE,
    SYNC_BATCH_SIZE,
)
from .pacing import PacingStats, QuotaView
from .pagination import pages
from .parse import (
    admin_tool,
    merge_sync_results,
    parse_admin_permission,
    parse_company,
    parse_copy_result,
    parse_cost_code,
    parse_project,
    parse_project_id,
    parse_segment_item_list,
    parse_standard_cost_code,
    parse_standard_cost_code_list,
    parse_sub_job,
    parse_sync_result,
    parse_user,
    parse_wbs_segment,
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
    SubJob,
    SyncResult,
    User,
    WbsSegment,
)

T = TypeVar("T")
log = logging.getLogger("costcode_desktop.procore")

# Answers that mean "not for you" from the WBS endpoints (403, and 404 or 410, both NotFound),
# after which the deprecated list call is tried. A 400 or 422 is a fault in the request, and
# a 401 or 5xx says nothing about the endpoint: those are raised.
WBS_REFUSED = (PermissionDenied, NotFound)


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

    def me(self, *, company_id: int | None = None, cancel: CancelToken | None = None) -> User:
        """Who signed in. A service account (client credentials) must name its company: then
        Procore-Company-Id goes here too, which Procore does not ask of users' tokens."""
        response = self._get("/rest/v1.0/me", None, company_id=company_id, cancel=cancel)
        return _parsed(response, parse_user)

    def companies(
        self, *, company_id: int | None = None, cancel: CancelToken | None = None
    ) -> list[Company]:
        """The companies of the user; `company_id` as for `me` (service accounts only)."""
        items = self._all(
            "/rest/v1.0/companies",
            {"page": 1, "per_page": COMPANIES_PAGE_SIZE},
            what="companies",
            company_id=company_id,
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
        allowed = parse_admin_permission(response.data)
        # Procore documents none of the manifest's names: keep what came, to learn them.
        tool = admin_tool(response.data)
        log.debug(
            "permissions of project %s: admin tool %s -> %s",
            project_id,
            {k: tool.get(k) for k in ("name", "user_access_level", "permitted_actions")}
            if tool is not None
            else "not found",
            allowed,
        )
        return allowed

    def wbs_segments(
        self, company_id: int, *, cancel: CancelToken | None = None
    ) -> list[WbsSegment]:
        """List Company WBS Segments (not paginated, but a Link would be followed)."""
        items = self._all(
            f"/rest/v1.0/companies/{int(company_id)}/work_breakdown_structure/segments",
            {},
            what="WBS segments",
            company_id=company_id,
            cancel=cancel,
        )
        return unique_by_id((parse_wbs_segment(item) for item in items), lambda s: s.id)

    def segment_item_lists(
        self, company_id: int, segment_id: int, *, cancel: CancelToken | None = None
    ) -> list[StandardCostCodeList]:
        """List Company WBS Segment Item Lists of one segment."""
        company = int(company_id)
        items = self._all(
            f"/rest/v1.0/companies/{company}/work_breakdown_structure/segments/"
            f"{int(segment_id)}/lists",
            {},
            what="cost code lists",
            company_id=company_id,
            cancel=cancel,
        )
        return unique_by_id((parse_segment_item_list(i) for i in items), lambda s: s.id)

    def cost_code_lists(
        self, company_id: int, *, cancel: CancelToken | None = None
    ) -> list[StandardCostCodeList]:
        """The company's cost code lists: the item lists of its cost code WBS segment (two
        requests), or the deprecated List Standard Cost Code Lists when Procore refuses the WBS
        endpoints (WBS_REFUSED) or shows no cost code segment.

        The deprecated call is the fallback, not the rule: Procore denies deprecated APIs to
        new applications (rest_api_lifecycle.md).
        """
        try:
            segments = self.wbs_segments(company_id, cancel=cancel)
            # `type` tells the segment; its `name` is a translated label (tutorial_wbs.md).
            found = next((s for s in segments if s.type.strip().lower() == "cost_code"), None)
            if found is not None:
                return self.segment_item_lists(company_id, found.id, cancel=cancel)
            log.info(
                "company %s shows no cost code WBS segment; using the deprecated call", company_id
            )
        except WBS_REFUSED as exc:
            log.info(
                "Procore refused the WBS lists of company %s (HTTP %s); using the deprecated call",
                company_id,
                exc.status,
            )
        return self.standard_cost_code_lists(company_id, cancel=cancel)

    def standard_list_of(
        self,
        company_id: int,
        wbs_list: StandardCostCodeList,
        *,
        cancel: CancelToken | None = None,
    ) -> StandardCostCodeList | None:
        """The deprecated call's record of a WBS list: the ERP list of the same name, else the
        only ERP list. None when there is none, or Procore refuses the deprecated call.

        For when a WBS list's id turns out not to be its standard_cost_code_list_id, which no
        source rules out (docs/procore-api.md §2).
        """
        try:
            lists = self.standard_cost_code_lists(company_id, cancel=cancel)
        except WBS_REFUSED as exc:
            log.warning("the deprecated list call was refused too (HTTP %s)", exc.status)
            return None
        wanted = wbs_list.name.strip().casefold()
        erp = [item for item in lists if item.is_erp_list == wbs_list.is_erp_list]
        named = [item for item in erp if item.name.strip().casefold() == wanted]
        if len(named) == 1:
            return named[0]
        return erp[0] if len(erp) == 1 else None

    def standard_cost_code_lists(
        self, company_id: int, *, cancel: CancelToken | None = None
    ) -> list[StandardCostCodeList]:
        """List Standard Cost Code Lists: deprecated since 2022-03-31 (use cost_code_lists)."""
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

    def sub_jobs(
        self, company_id: int, project_id: int, *, cancel: CancelToken | None = None
    ) -> list[SubJob]:
        """List Sub Jobs of a project (Sage Extras), SUB_JOBS_PAGE_SIZE a page.

        The project list says nothing of sub jobs, so this is one request per project asked.
        """
        items = self._all(
            "/rest/v1.0/sub_jobs",
            {"project_id": int(project_id), "page": 1, "per_page": SUB_JOBS_PAGE_SIZE},
            what="sub jobs",
            company_id=company_id,
            cancel=cancel,
        )
        jobs = (parse_sub_job(item, project_id=int(project_id)) for item in items)
        return unique_by_id(jobs, lambda j: j.id)

    def cost_codes(
        self,
        company_id: int,
        project_id: int,
        *,
        sub_job_id: int | None = None,
        cancel: CancelToken | None = None,
    ) -> list[CostCode]:
        """The project's own cost codes, or with `sub_job_id` that sub job's list."""
        params: dict[str, int] = {"project_id": project_id}
        if sub_job_id is not None:
            params["sub_job_id"] = int(sub_job_id)
        params.update({"page": 1, "per_page": COST_CODES_PAGE_SIZE})
        items = self._all(
            "/rest/v1.0/cost_codes",
            params,
            what="project cost codes" if sub_job_id is None else "sub job cost codes",
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
        sub_job_id: int | None = None,
        cancel: CancelToken | None = None,
    ) -> CopyResult:
        """Copy company codes (ancestors included by the caller) into the project, or into its
        sub job `sub_job_id` ("The ID of the subjob biller", a body field).

        Not retried once it may have reached Procore: on a time-out or server error the caller
        re-reads the project and plans again. An empty id list sends nothing (status 0).
        """
        ids = list(dict.fromkeys(int(i) for i in standard_ids))
        if not ids:
            return CopyResult((), (), 0)
        body: dict[str, int | list[int]] = {
            "project_id": int(project_id),
            "standard_cost_code_list_id": int(list_id),
            "standard_cost_code_ids": ids,
        }
        if sub_job_id is not None:
            body["sub_job_id"] = int(sub_job_id)
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
        sub_job_id: int | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncResult:
        """Rename codes in batches of at most 1,000; per-item errors come back, not raised.

        With `sub_job_id` (a query parameter, as project_id) the codes are that sub job's.
        """
        params: dict[str, int] = {"project_id": int(project_id)}
        if sub_job_id is not None:
            params["sub_job_id"] = int(sub_job_id)
        results: list[SyncResult] = []
        for start in range(0, len(updates), SYNC_BATCH_SIZE):
            batch = updates[start : start + SYNC_BATCH_SIZE]
            body = {"updates": [{"id": int(ident), "name": str(name)} for ident, name in batch]}
            response = self._http.send(
                "PATCH",
                "/rest/v1.0/cost_codes/sync",
                params=params,
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
        code: str,
        parent_id: int | None,
        sub_job_id: int | None = None,
        cancel: CancelToken | None = None,
    ) -> CostCode:
        """Rename one code (the fallback when sync refuses a batch).

        As the spec has it (Body98, CostCode1): project_id in the body, and `code` (the code's
        own segment, unchanged) required with `name`. The current parent goes along, since
        whether a code sent without one moves to the root is not documented.
        """
        attributes: dict[str, str | int] = {"code": str(code), "name": str(name)}
        if parent_id is not None:
            attributes["parent_id"] = int(parent_id)
        body: dict[str, object] = {"project_id": int(project_id), "cost_code": attributes}
        if sub_job_id is not None:
            body["sub_job_id"] = int(sub_job_id)  # Body98's optional sub_job_id
        response = self._http.send(
            "PATCH",
            f"/rest/v1.0/cost_codes/{int(cost_code_id)}",
            json_body=body,
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
