"""SandboxServer: a Procore-compatible HTTP server on loopback, for the demo and the tests."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode

from . import browser
from .clock import SandboxClock, SimulatedTime
from .engine import RequestRecord, SandboxApp
from .faults import FaultConfig
from .handler import SandboxHTTPServer
from .ratelimit import RateLimitConfig
from .seed import parse_seed
from .store import Store, new_origin_id
from .views import cost_code_view, standard_code_view


def loopback_address(host: str) -> tuple[str, socket.AddressFamily]:
    """The address to bind for `host`, refusing anything but loopback (ValueError)."""
    if host.lower() == "localhost":
        return "127.0.0.1", socket.AF_INET
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise ValueError(
            f"host {host!r} is not a loopback address: the sandbox only listens on "
            "127.0.0.1, ::1 or localhost"
        ) from None
    if not address.is_loopback:
        raise ValueError(
            f"host {host!r} is not a loopback address: the sandbox only listens on "
            "127.0.0.1, ::1 or localhost"
        )
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    return str(address), family


class SandboxServer:
    """Serves the Procore API subset from a seed; `start()` runs it on a background thread."""

    def __init__(
        self,
        seed: dict[str, Any],
        *,
        db_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
        rate_limits: RateLimitConfig | None = None,
        token_lifetime: int = 5400,
        reset: bool = False,
        refuse_deprecated: bool = False,
        simulated: SimulatedTime | None = None,
    ) -> None:
        """`rate_limits` defaults to Procore's published example limits (RateLimitConfig()).
        With `simulated` the sandbox runs on that SimulatedTime instead of the wall clock; a
        client given its `now` and `sleep` then lives with the limits without waiting them out
        in real time (tests, benchmarks)."""
        parsed = parse_seed(seed)
        self._host, self._family = loopback_address(host)
        self._port = port
        self.simulated = simulated
        self.clock = SandboxClock(simulated.now) if simulated is not None else SandboxClock()
        self._store = Store(db_path)
        try:
            self.reused_state = not reset and self._store.is_seeded()
            if not self.reused_state:
                self._store.reset(parsed, self.clock.now())
        except BaseException:
            self._store.close()
            raise
        self._app = SandboxApp(
            self._store,
            self.clock,
            faults=faults or FaultConfig(),
            rate_limits=rate_limits or RateLimitConfig(),
            token_lifetime=token_lifetime,
            refuse_deprecated=refuse_deprecated,
        )
        self._httpd: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._httpd is not None or self._stopped:
            raise RuntimeError("a SandboxServer can be started once")
        httpd = SandboxHTTPServer((self._host, self._port), self._app, self._family)
        port = httpd.server_address[1]
        host = f"[{self._host}]" if self._family == socket.AF_INET6 else self._host
        httpd.base_url = f"http://{host}:{port}"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"procore-sandbox-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.close_connections()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._store.close()

    def __enter__(self) -> SandboxServer:
        if self._httpd is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_closed(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until `count` client connections in all have been handled to their end (errors
        included) and closed; False if fewer have after `timeout` seconds. For tests of
        clients that go away early."""
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running")
        return self._httpd.wait_closed(count, timeout)

    @property
    def url(self) -> str:
        """The API base, e.g. http://127.0.0.1:PORT; OAuth lives on the same host."""
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._httpd.base_url

    # --- credentials and tokens ----------------------------------------------------------------

    @property
    def client_id(self) -> str:
        return str(self._store.first_app()["client_id"])

    @property
    def client_secret(self) -> str:
        return str(self._store.first_app()["client_secret"])

    def issue_token(self, user_id: int | None = None) -> str:
        """A valid access token for `user_id` (default: the app's acts_as_user)."""
        app = self._store.first_app()
        user = app["acts_as_user"] if user_id is None else user_id
        if self._store.user(user) is None:
            raise ValueError(f"unknown user id {user}")
        token = secrets.token_urlsafe(32)
        self._store.insert_token(
            access_token=token,
            refresh_token=None,
            client_id=app["client_id"],
            user_id=user,
            grant_type="test_helper",
            now=self.clock.now(),
            lifetime=self._app.token_lifetime,
        )
        return token

    # --- the authorization-code sign-in, as a browser and its user would do it -----------------

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        """The redirect URIs registered for the app (the OOB URI is accepted besides these)."""
        return Store.redirect_uris(self._store.first_app())

    def authorize_url(
        self, redirect_uri: str, state: str, *, code_challenge: str | None = None
    ) -> str:
        """The sign-in URL a client opens in the browser: GET /oauth/authorize with its query
        (and a PKCE S256 challenge when given)."""
        pairs = [
            ("response_type", "code"),
            ("client_id", self.client_id),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ]
        if code_challenge is not None:
            pairs += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
        query = urlencode(pairs, quote_via=quote, safe="")
        return f"{self.url}/oauth/authorize?{query}"

    def approve(self, authorize_url: str, login: str, password: str) -> str:
        """Sign in on the page at `authorize_url` and press Allow, over HTTP like a browser.

        Returns the redirect's Location URL (`redirect_uri?code=…&state=…`, not followed), or
        for the out-of-band redirect URI the code the page shows. Raises `SignInError` when the
        page refuses (wrong login or password, unknown client, unregistered redirect URI).
        Safe from any thread.
        """
        return browser.submit(authorize_url, login, password, "allow")

    def user_password(self, login: str) -> str | None:
        """The seeded password of the user with `login` (ignoring case); None if none."""
        user = self._store.user_by_login(login)
        return None if user is None else user["password"]

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (token expiry, rate-limit windows)."""
        self.clock.advance(seconds)

    # --- faults, limits, request log -----------------------------------------------------------

    @property
    def faults(self) -> FaultConfig:
        return self._app.faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._app.faults = config

    @property
    def rate_limits(self) -> RateLimitConfig:
        return self._app.rate_limits

    @rate_limits.setter
    def rate_limits(self, config: RateLimitConfig) -> None:
        self._app.rate_limits = config

    @property
    def refuse_deprecated(self) -> bool:
        """Whether deprecated endpoints (List Standard Cost Code Lists) answer 403, as Procore
        answers new applications."""
        return self._app.refuse_deprecated

    @refuse_deprecated.setter
    def refuse_deprecated(self, refuse: bool) -> None:
        self._app.refuse_deprecated = refuse

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request handled so far, in order."""
        return self._app.records

    def clear_requests(self) -> None:
        self._app.clear_records()

    # --- state inspection and manipulation for tests -------------------------------------------

    def companies(self) -> list[tuple[int, str]]:
        """(id, name) of every company in the sandbox."""
        return [(row["id"], row["name"]) for row in self._store.companies()]

    def project_cost_codes(
        self, project_id: int, sub_job_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The project's (or its sub job's) codes, as GET /rest/v1.0/cost_codes returns them."""
        project = self._store.project(project_id)
        if project is None:
            raise KeyError(f"unknown project id {project_id}")
        sub_job = None if sub_job_id is None else self._store.sub_job(sub_job_id)
        if sub_job_id is not None and (sub_job is None or sub_job["project_id"] != project_id):
            raise KeyError(f"unknown sub job id {sub_job_id} of project {project_id}")
        rows = self._store.cost_codes(project_id, sub_job_id)
        return [cost_code_view(row, project, sub_job) for row in rows]

    def standard_codes(self, list_id: int) -> list[dict[str, Any]]:
        """The list's standard codes in the extended view."""
        if self._store.standard_list(list_id) is None:
            raise KeyError(f"unknown standard cost code list id {list_id}")
        return [standard_code_view(row) for row in self._store.standard_codes(list_id)]

    def add_standard_code(
        self, list_id: int, full_code: str, name: str, parent_full_code: str | None = None
    ) -> int:
        """Simulate hh2 adding a code in Sage: it appears on the company list; returns its id."""
        std_list = self._store.standard_list(list_id)
        if std_list is None:
            raise KeyError(f"unknown standard cost code list id {list_id}")
        existing = {row["full_code"]: row for row in self._store.standard_codes(list_id)}
        if full_code in existing:
            raise ValueError(f"full code {full_code!r} is already on list {list_id}")
        parent_id = None
        code = full_code
        if parent_full_code is not None:
            parent = existing.get(parent_full_code)
            if parent is None:
                raise ValueError(f"parent {parent_full_code!r} is not on list {list_id}")
            if (
                not full_code.startswith(parent_full_code)
                or len(full_code) < len(parent_full_code) + 2
            ):
                raise ValueError(
                    f"full code {full_code!r} must extend its parent's {parent_full_code!r} "
                    "with a delimiter and a segment"
                )
            parent_id = parent["id"]
            code = full_code[len(parent_full_code) + 1 :]
        return self._store.insert_standard_code(
            list_id=list_id,
            parent_id=parent_id,
            code=code,
            full_code=full_code,
            name=name,
            origin_id=new_origin_id() if std_list["is_erp_list"] else None,
        )

    def set_project_code_name(self, project_id: int, full_code: str, name: str) -> None:
        """Simulate a user editing a description on the project (ignores ERP locks)."""
        for row in self._store.cost_codes(project_id):
            if row["full_code"] == full_code:
                self._store.update_cost_code(row["id"], now=self.clock.now(), name=name)
                return
        raise KeyError(f"project {project_id} has no cost code {full_code!r}")
