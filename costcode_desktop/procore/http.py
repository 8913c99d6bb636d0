"""The request loop: headers, retries with backoff, rate-limit waits, 401 refresh, error mapping."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

from .auth import TokenSource
from .cancel import CancelToken, check
from .environments import normalize_base_url
from .error_bodies import error_from_response, redact, truncate
from .errors import (
    Cancelled,
    ConnectionFailed,
    MalformedResponse,
    ProcoreError,
    RateLimited,
    ServerError,
    TimedOut,
)
from .jsontext import NotJson, TooDeep, read_json
from .network import build_http_client
from .network_errors import (
    connection_failure,
    proxy_auth_response,
    request_failed,
    request_of,
    retry_reason,
)
from .pacing import Pacer, PacingStats, QuotaView
from .records import RateLimitStatus

log = logging.getLogger("costcode_desktop.procore")

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})

Params = Mapping[str, str | int | list[int]]  # a list: the key repeated (filters[id][])
WaitCallback = Callable[[str, float], None]
SleepFunction = Callable[[float, CancelToken | None], None]

# Extra listener for waits of requests made in this thread (or context): lets one run of several
# projects hear the waits its own requests cause, with one client shared by everything.
_wait_listener: ContextVar[WaitCallback | None] = ContextVar("procore_wait_listener", default=None)


@contextmanager
def waits_reported_to(callback: WaitCallback | None) -> Iterator[None]:
    """Within this block, waits of requests sent from this thread are also told to `callback`."""
    token = _wait_listener.set(callback)
    try:
        yield
    finally:
        _wait_listener.reset(token)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per request (all causes), backoff and the longest limit wait."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Long enough to wait out a spent hourly window (60 minutes) rather than fail the work:
    # with Procore's 600-an-hour example limit a large run needs it, and says so up front.
    max_rate_limit_wait: float = 3700.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_rate_limit_wait < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Full-jitter exponential backoff before retry number `retry` (1 for the first)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(retry - 1, 30)))
        return rng.uniform(0.0, ceiling)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    data: Any  # decoded JSON (None for 204)
    headers: httpx.Headers
    request_id: str | None
    url: str  # the URL actually requested, query included


def default_sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    else:
        cancel.wait(seconds)


def _clock_text(moment: float) -> str:
    return time.strftime("%H:%M", time.localtime(moment))


def _seconds_text(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} seconds"
    return f"{seconds:.0f} seconds"


def _parse_number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def _parse_int(value: str | None) -> int | None:
    number = _parse_number(value)
    return int(number) if number is not None else None


class _AttemptFailedError(Exception):
    """Internal: one attempt failed; `retry` says whether another attempt may be made."""

    def __init__(self, error: ProcoreError, retry: bool, reason: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry = retry
        self.reason = reason


class Requester:
    """Sends one logical request with up to `max_attempts` HTTP attempts; thread-safe."""

    def __init__(
        self,
        api_url: str,
        tokens: TokenSource,
        *,
        timeout: float,
        retry: RetryPolicy,
        transport: httpx.BaseTransport | None,
        on_wait: WaitCallback | None,
        sleep: SleepFunction | None,
        user_agent: str,
        clock: Callable[[], float],
        pacing: bool = True,
    ) -> None:
        self.api_url = normalize_base_url(api_url, "API address", "https://api.procore.com")
        self._origin = httpx.URL(self.api_url)
        self._tokens = tokens
        self._retry = retry
        self._on_wait = on_wait
        self._sleep = sleep or default_sleep
        self._user_agent = user_agent
        self._clock = clock
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._count = 0
        self._throttled = 0
        self._rate = RateLimitStatus()
        self._pacer = Pacer(clock, enabled=pacing, max_wait=retry.max_rate_limit_wait)
        client_timeout = httpx.Timeout(timeout, connect=min(10.0, timeout))
        # Proxies from the environment or the system and the OS certificate store, unless a
        # transport is given (tests): see network.py.
        self._client = build_http_client(client_timeout, transport=transport)

    # -- state -----------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    @property
    def throttled_count(self) -> int:
        """429 answers received (each one was waited out or reported)."""
        with self._lock:
            return self._throttled

    @property
    def pacing_stats(self) -> PacingStats:
        return self._pacer.stats

    @property
    def rate_limit(self) -> RateLimitStatus:
        with self._lock:
            return self._rate

    def quota(self) -> QuotaView:
        return self._pacer.quota()

    def _note_rate_limit(self, headers: httpx.Headers) -> RateLimitStatus | None:
        limit = _parse_int(headers.get("x-rate-limit-limit"))
        remaining = _parse_int(headers.get("x-rate-limit-remaining"))
        reset = _parse_number(headers.get("x-rate-limit-reset"))
        if limit is None and remaining is None and reset is None:
            return None
        if reset is not None and reset < 1_000_000_000:  # seconds from now, not a Unix time
            reset += self._clock()
        status = RateLimitStatus(limit=limit, remaining=remaining, reset_at=reset)
        with self._lock:
            self._rate = status
        return status

    # -- URLs and headers ------------------------------------------------------------------

    def resolve(self, path_or_url: str) -> httpx.URL:
        """A path on the API host, or an absolute URL that must stay on that same host."""
        if path_or_url.startswith("/"):
            return httpx.URL(self.api_url + path_or_url)
        url = httpx.URL(path_or_url)
        if _origin_of(url) != _origin_of(self._origin):
            # Never send the token to another server, whatever a Link header says.
            raise MalformedResponse(
                detail=f"Procore sent a link to another server ({url.scheme}://{url.host})."
            )
        return url

    def _headers(self, token: str, company_id: int | None, has_body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": self._user_agent,
        }
        if company_id is not None:
            headers["Procore-Company-Id"] = str(company_id)
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    # -- the loop --------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Params | None = None,
        json_body: Mapping[str, Any] | None = None,
        company_id: int | None = None,
        idempotent: bool = True,
        cancel: CancelToken | None = None,
    ) -> ApiResponse:
        """One logical request; raises a ProcoreError subclass once it cannot succeed.

        Idempotent requests are retried on connection errors, time-outs, 500/502/503/504 and
        unreadable 2xx bodies. A non-idempotent request is retried only when it cannot have been
        processed: 429, a 401 answered before processing, or a failure to connect at all.
        """
        url = self.resolve(path_or_url)
        try:
            return self._send(method, url, params, json_body, company_id, idempotent, cancel)
        except ProcoreError as error:  # one not tied to an answer (a token, a cancel): this one
            error.at(method, url.path, None)
            raise

    def _send(
        self,
        method: str,
        url: httpx.URL,
        params: Params | None,
        json_body: Mapping[str, Any] | None,
        company_id: int | None,
        idempotent: bool,
        cancel: CancelToken | None,
    ) -> ApiResponse:
        max_attempts = self._retry.max_attempts
        auth_retried = False
        attempt = 0
        while True:
            attempt += 1
            check(cancel)
            try:
                response, token = self._attempt(
                    method, url, params, json_body, company_id, attempt, idempotent, cancel
                )
                status = response.status_code
                if status == 407:  # a proxy wants a sign-in: trying again cannot help
                    raise request_failed(proxy_auth_response(response), response.request)
                if status == 401:
                    if (
                        not auth_retried
                        and attempt < max_attempts
                        and self._tokens.token_rejected(token)
                    ):
                        auth_retried = True
                        log.debug("access token rejected; retrying once with a fresh one")
                        continue
                    raise self._error(response, token)
                if status == 429 or (
                    status == 503 and idempotent and "retry-after" in response.headers
                ):
                    self._rate_limit_wait(response, token, attempt, cancel)
                    continue
                if 200 <= status < 300:
                    return self._success(response, idempotent)
                if status in RETRYABLE_STATUSES:
                    raise _AttemptFailedError(
                        self._error(response, token),
                        idempotent,
                        f"Procore had a server problem (HTTP {status})",
                    )
                raise self._error(response, token)
            except _AttemptFailedError as failure:
                if not failure.retry or attempt >= max_attempts:
                    raise failure.error from failure.__cause__
                delay = self._retry.backoff(attempt, self._rng)
                reason = (
                    f"{failure.reason}; trying again in {_seconds_text(delay)} "
                    f"(attempt {attempt + 1} of {max_attempts})"
                )
                self._wait(reason, delay, cancel)

    def _token(self, cancel: CancelToken | None) -> str:
        try:
            return self._tokens.bearer_token(cancel)
        except (ConnectionFailed, ServerError) as exc:
            # Nothing reached the API yet, so trying again is safe for every method (unless it
            # cannot help: a certificate or a proxy sign-in).
            retry = not (isinstance(exc, ConnectionFailed) and exc.permanent)
            raise _AttemptFailedError(exc, retry, "Could not get a Procore sign-in token") from exc

    def _attempt(
        self,
        method: str,
        url: httpx.URL,
        params: Params | None,
        json_body: Mapping[str, Any] | None,
        company_id: int | None,
        attempt: int,
        idempotent: bool,
        cancel: CancelToken | None,
    ) -> tuple[httpx.Response, str]:
        """Send once when the pacer allows; returns the answer and the token it was sent with.

        Transport failures become _AttemptFailedError. The token is taken after any pacing
        wait, so a long wait never sends a token that expired meanwhile.
        """
        ticket = self._pacer.before_send(lambda why, seconds: self._wait(why, seconds, cancel))
        reading: RateLimitStatus | None = None
        try:
            token = self._token(cancel)
            headers = self._headers(token, company_id, json_body is not None)
            response = self._send_once(
                method, url, params, json_body, headers, token, attempt, idempotent
            )
            status = response.status_code
            if status == 429:
                with self._lock:
                    self._throttled += 1
            found = self._note_rate_limit(response.headers)
            # 401s and server errors are not counted against the quota: their headers (if any)
            # say nothing reliable about it.
            if status != 401 and status < 500:
                reading = found
            return response, token
        finally:
            self._pacer.after_answer(ticket, reading)

    def _send_once(
        self,
        method: str,
        url: httpx.URL,
        params: Params | None,
        json_body: Mapping[str, Any] | None,
        headers: dict[str, str],
        token: str,
        attempt: int,
        idempotent: bool,
    ) -> httpx.Response:
        with self._lock:
            self._count += 1
        started = time.monotonic()
        path = url.raw_path.decode("ascii", errors="replace")
        try:
            response = self._client.request(
                method, url, params=params, json=json_body, headers=headers
            )
        except httpx.HTTPError as exc:
            elapsed = (time.monotonic() - started) * 1000
            log.debug(
                "%s %s -> %s %.0f ms attempt %d", method, path, type(exc).__name__, elapsed, attempt
            )
            failure = self._transport_failure(exc, idempotent, token)
            request_failed(failure.error, request_of(exc))
            raise failure from exc
        except httpx.InvalidURL as exc:
            raise ConnectionFailed(
                "The Procore address is not valid. Check the environment or custom URL in "
                "Connection settings.",
                detail=truncate(str(exc), 300),
            ) from None
        elapsed = (time.monotonic() - started) * 1000
        request_id = response.headers.get("x-request-id")
        if params:
            path = response.request.url.raw_path.decode("ascii", errors="replace")
        log.debug(
            "%s %s -> %d request_id=%s %.0f ms attempt %d",
            method,
            path,
            response.status_code,
            request_id,
            elapsed,
            attempt,
        )
        return response

    def _transport_failure(
        self, exc: httpx.HTTPError, idempotent: bool, token: str
    ) -> _AttemptFailedError:
        detail = truncate(redact(f"{type(exc).__name__}: {exc}", (token,)) or "", 300)
        # These fail before anything was sent: safe to repeat even a POST.
        not_sent = isinstance(
            exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.ProxyError
        )
        network = connection_failure(exc, detail)
        if network is not None:
            return _AttemptFailedError(
                network, not network.permanent and (idempotent or not_sent), retry_reason(network)
            )
        if isinstance(exc, httpx.TimeoutException):
            return _AttemptFailedError(
                TimedOut(detail=detail), idempotent or not_sent, "Procore did not answer in time"
            )
        if isinstance(exc, httpx.DecodingError):
            return _AttemptFailedError(
                MalformedResponse(detail=detail), idempotent, "Procore sent an unreadable answer"
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            return _AttemptFailedError(
                ConnectionFailed(
                    "The Procore address is not valid. Check the environment or custom URL in "
                    "Connection settings.",
                    detail=detail,
                ),
                False,
                "",
            )
        return _AttemptFailedError(
            ConnectionFailed(detail=detail), idempotent or not_sent, "Could not reach Procore"
        )

    def _success(self, response: httpx.Response, idempotent: bool) -> ApiResponse:
        request_id = response.headers.get("x-request-id")
        status = response.status_code
        content = response.content
        if status == 204 or (not content.strip() and status != 200):
            data: Any = None
        else:
            try:
                data = read_json(content)
            except NotJson as exc:
                snippet = content[:200].decode("utf-8", errors="replace")
                if isinstance(exc, TooDeep):
                    detail = "The answer is nested too deeply to read."
                elif snippet.strip():
                    detail = truncate(f"Not JSON: {snippet}", 300)
                else:
                    detail = "Empty answer."
                error = MalformedResponse(status=status, request_id=request_id, detail=detail)
                request_failed(error, response.request)
                raise _AttemptFailedError(
                    error, idempotent, "Procore sent an unreadable answer"
                ) from None
        return ApiResponse(status, data, response.headers, request_id, str(response.request.url))

    def _error(self, response: httpx.Response, token: str) -> ProcoreError:
        reset_at = None
        if response.status_code == 429:
            _, reset_at = self._limit_delay(response.headers)
        error = error_from_response(
            response.status_code,
            response.headers,
            response.content,
            secrets=(token,),
            reset_at=reset_at,
        )
        return request_failed(error, response.request)

    # -- waiting ---------------------------------------------------------------------------

    def _limit_delay(self, headers: httpx.Headers) -> tuple[float | None, float | None]:
        """(seconds to wait, Unix reset time) from Retry-After, else X-Rate-Limit-Reset."""
        now = self._clock()
        server_now = _parse_http_date(headers.get("date"))
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            seconds = _parse_number(retry_after)
            if seconds is None:
                moment = _parse_http_date(retry_after)
                if moment is not None:
                    seconds = moment - (server_now if server_now is not None else now)
            if seconds is not None:
                seconds = max(0.0, seconds)
                return seconds, now + seconds
        reset = _parse_number(headers.get("x-rate-limit-reset"))
        if reset is not None:
            if reset < 1_000_000_000:  # a count of seconds rather than a Unix time
                seconds = reset
            else:  # measure against the server's own clock when it sent one
                seconds = reset - (server_now if server_now is not None else now)
            if seconds > 0:
                return seconds, now + seconds
        return None, None

    def _rate_limit_wait(
        self, response: httpx.Response, token: str, attempt: int, cancel: CancelToken | None
    ) -> None:
        """Wait out a 429 (or 503 with Retry-After), or raise when that is not possible."""
        status = response.status_code
        delay, reset_at = self._limit_delay(response.headers)
        if delay is None:
            delay = self._retry.backoff(attempt, self._rng)
            reset_at = self._clock() + delay
        error = error_from_response(status, response.headers, response.content, secrets=(token,))
        limited = RateLimited(
            _limit_message(reset_at),
            status=status,
            request_id=error.request_id,
            detail=error.detail,
            reset_at=reset_at,
        )
        if attempt >= self._retry.max_attempts or delay > self._retry.max_rate_limit_wait:
            raise request_failed(limited, response.request)
        delay += self._rng.uniform(0.25, 2.0)  # spread the threads that all hit the limit
        until = self._clock() + delay
        what = "Procore limit reached" if status == 429 else "Procore is busy"
        self._wait(f"{what}; resuming at {_clock_text(until)}", delay, cancel)
        self._pacer.waited_until(until)

    def _wait(self, reason: str, seconds: float, cancel: CancelToken | None) -> None:
        """Sleep (waking on cancel); a reason is logged and told to the wait listeners."""
        check(cancel)
        if reason:
            log.info("waiting %.1f s: %s", seconds, reason)
            if self._on_wait is not None:
                self._on_wait(reason, seconds)
            listener = _wait_listener.get()
            if listener is not None:
                try:
                    listener(reason, seconds)
                except Exception:  # a listener's bug must not break the request
                    log.exception("wait listener failed")
        else:
            log.debug("pacing: holding a request back %.2f s", seconds)
        self._sleep(seconds, cancel)
        if cancel is not None and cancel.cancelled:
            raise Cancelled()


def _limit_message(reset_at: float | None) -> str:
    if reset_at is None:
        return RateLimited.default_message
    return (
        f"Procore's request limit was reached. It resets at about {_clock_text(reset_at)}; "
        "try again then."
    )
