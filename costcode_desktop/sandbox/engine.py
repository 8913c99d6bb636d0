"""The request pipeline: faults, routing, authentication, rate limits, company header, endpoint."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

from . import oauth, routes
from .clock import SandboxClock
from .context import Context
from .faults import Fault, FaultConfig, FaultInjector
from .jsontext import read_json
from .ratelimit import RateDecision, RateLimitConfig, RateLimiter
from .store import Store
from .wire import ApiError, Request, Response, errors, json_response

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
# rest_api_lifecycle.md: "New applications are denied access to deprecated APIs." The status and
# words of that denial are not documented: 403, naming the replacement (tutorial_wbs.md).
DEPRECATED_MESSAGE = (
    "This endpoint is deprecated and new applications are denied access to deprecated APIs. "
    "Use List Company WBS Segment Item Lists instead."
)

_UNAVAILABLE_PAGE = (
    b"<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One handled request, for tests. status 0 means the connection was dropped on purpose.

    json_body is the parsed JSON body, or for form-encoded bodies (OAuth) the form fields as a
    dict; None when there was no body or it could not be parsed.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    json_body: object | None
    company_header: str | None


def _recorded_body(request: Request) -> object | None:
    if not request.body.strip():
        return None
    try:
        if request.is_json() or request.body.lstrip()[:1] in (b"{", b"["):
            parsed: object = read_json(request.body)
            return parsed
        return dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    except ValueError:  # NotJson, UnicodeDecodeError
        return None


class SandboxApp:
    """Turns a Request into a Response; shared by all handler threads."""

    def __init__(
        self,
        store: Store,
        clock: SandboxClock,
        *,
        faults: FaultConfig,
        rate_limits: RateLimitConfig,
        token_lifetime: float,
        refuse_deprecated: bool = False,
    ) -> None:
        self.store = store
        self.clock = clock
        self.token_lifetime = token_lifetime
        # As Procore does for new applications (rest_api_lifecycle.md): tests may switch it.
        self.refuse_deprecated = refuse_deprecated
        self._injector = FaultInjector(faults)
        self._limiter = RateLimiter(rate_limits)
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()

    # --- configuration that tests may swap at any time -----------------------------------------

    @property
    def faults(self) -> FaultConfig:
        return self._injector.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._injector = FaultInjector(config)

    @property
    def rate_limits(self) -> RateLimitConfig:
        return self._limiter.config

    @rate_limits.setter
    def rate_limits(self, config: RateLimitConfig) -> None:
        self._limiter = RateLimiter(config)

    # --- request log ---------------------------------------------------------------------------

    @property
    def records(self) -> list[RequestRecord]:
        with self._records_lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._records_lock:
            self._records.clear()

    # --- the pipeline --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        try:
            response = self._respond(request)
        except Exception:  # a bug in the sandbox must not hang the client
            log.exception("sandbox error handling %s %s", request.method, request.path)
            response = json_response(500, {"errors": "Internal sandbox error (see the log)"})
        response.headers.append(("X-Request-Id", str(uuid.uuid4())))
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query={k: list(v) for k, v in request.query.items()},
            status=0 if response.drop else response.status,
            json_body=_recorded_body(request),
            company_header=request.header("procore-company-id"),
        )
        with self._records_lock:
            self._records.append(record)
        return response

    def _respond(self, request: Request) -> Response:
        injector, limiter = self._injector, self._limiter
        faulted = injector.applies_to(request.path)
        fault = Fault.NONE
        if faulted:
            if injector.config.latency:
                time.sleep(injector.config.latency)
            fault = injector.decide()
        if fault is Fault.RATE_LIMITED:
            return self._burst_429(limiter)
        if fault in (Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.UNAVAILABLE_RETRY):
            return self._server_error(fault, limiter)
        response = self._run(request, limiter)
        if fault is Fault.DROP:
            response.drop = True
        elif (
            faulted
            and response.status == 200
            and response.json_payload
            and response.content_type is not None
            and "json" in response.content_type
            and injector.malformed()
        ):
            response.body = response.body[: len(response.body) // 2]
        return response

    def _run(self, request: Request, limiter: RateLimiter) -> Response:
        ctx = Context(request, self.store, self.clock, self.token_lifetime)
        decision = limiter.peek(ANONYMOUS, self.clock.now())
        try:
            found = routes.match(request.method, request.path)
            if request.method not in routes.KNOWN_METHODS or (
                found.route is None and found.allowed
            ):
                allow = ", ".join(found.allowed)
                raise ApiError(
                    405, {"errors": "Method Not Allowed"}, [("Allow", allow)] if allow else []
                )
            if found.route is None:
                raise errors(404, "Not Found", reason="not_found")
            route = found.route
            ctx.args = found.args
            if route.auth:
                oauth.authenticate(ctx)
                owner = f"{ctx.client_id}:{ctx.signed_in['id']}"
                decision = limiter.hit(owner, self.clock.now())
                if not decision.allowed:
                    raise ApiError(429, {"errors": "Rate limit exceeded"})
            if route.company or (route.service_company and ctx.service_account):
                ctx.check_company_header()
            if route.deprecated and self.refuse_deprecated:
                raise errors(403, DEPRECATED_MESSAGE, reason="deprecated")
            response = route.endpoint(ctx)
        except ApiError as exc:
            response = exc.response()
        response.headers.extend(decision.headers(self.clock.offset))
        return response

    def _burst_429(self, limiter: RateLimiter) -> Response:
        now = self.clock.now()
        peek = limiter.peek(ANONYMOUS, now)
        decision = RateDecision(False, peek.limit, 0, now + 1, 1)
        headers = decision.headers(self.clock.offset)
        return json_response(429, {"errors": "Rate limit exceeded"}, headers)

    def _server_error(self, fault: Fault, limiter: RateLimiter) -> Response:
        headers = limiter.peek(ANONYMOUS, self.clock.now()).headers(self.clock.offset)
        if fault is Fault.SERVER_ERROR:
            return json_response(500, {"errors": "Internal Server Error"}, headers)
        if fault is Fault.UNAVAILABLE_RETRY:
            headers.append(("Retry-After", "1"))
        return Response(
            503, _UNAVAILABLE_PAGE, "text/html; charset=utf-8", headers, json_payload=False
        )
