"""The sign-in page of the authorization-code grant: GET and POST /oauth/authorize.

GET `/oauth/authorize?response_type=code&client_id=…&redirect_uri=…&state=…` shows a consent
page (login, password, Allow, Deny) whose form posts the same four values back as hidden fields.
POST `/oauth/authorize` (form-encoded) checks them again, then:

- Deny: 302 to `redirect_uri?error=access_denied&error_description=…&state=…`;
- Allow with a wrong login or password: the form again with an error (200, no redirect);
- Allow with good credentials: a new authorization code (random, single use, bound to the client,
  the redirect URI and the user, valid 600 s of the sandbox clock) and 302 to
  `redirect_uri?code=…&state=…`. For `urn:ietf:wg:oauth:2.0:oob` a page shows the code instead.

An unknown client or a redirect URI that is not registered for the app (exact match; the OOB URI
is always allowed) answers a 400 error page and never redirects: sending the user to an
unchecked URI is how codes leak. Other mistakes with a good redirect URI (a response_type other
than `code`, a bad PKCE challenge) are sent back to it as `error=…`, as RFC 6749 section
4.1.2.1 says. `state` is echoed exactly when given and left out when not.

PKCE (RFC 7636): `code_challenge` (43 to 128 characters of A-Z a-z 0-9 - . _ ~) with
`code_challenge_method` `S256` or `plain` (the default) is kept with the code; the token
endpoint then wants the matching `code_verifier` (oauth.py). Without a challenge nothing changes.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, urlencode

from .context import Context
from .oauth import AUTH_CODE_LIFETIME
from .pages import ConsentForm, code_page, consent_page, denied_page, error_page, redirect
from .seedmodel import OOB_REDIRECT_URI
from .store import Row, Store
from .wire import Response

Params = Mapping[str, Sequence[str]]

INVALID_CREDENTIALS = "Invalid login or password."
CHALLENGE_METHODS = ("S256", "plain")
CHALLENGE_PATTERN = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 section 4.2


class _Refused(Exception):
    """Stops the request with the given page."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    app: Row
    redirect_uri: str
    state: str | None
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    @property
    def oob(self) -> bool:
        return self.redirect_uri == OOB_REDIRECT_URI

    def form(self, login: str = "", error: str | None = None) -> ConsentForm:
        return ConsentForm(
            app_name=self.app["name"],
            client_id=self.app["client_id"],
            redirect_uri=self.redirect_uri,
            state=self.state,
            login=login,
            error=error,
            code_challenge=self.code_challenge,
            code_challenge_method=self.code_challenge_method,
        )


def redirect_uri_allowed(app: Row, redirect_uri: str) -> bool:
    """Exact match with a registered URI; the out-of-band URI is always allowed."""
    return redirect_uri == OOB_REDIRECT_URI or redirect_uri in Store.redirect_uris(app)


def with_query(uri: str, pairs: Sequence[tuple[str, str]]) -> str:
    """`uri` with `pairs` appended to its query, percent-encoded (a space is %20, + is %2B)."""
    query = urlencode(pairs, quote_via=quote, safe="")
    if not query:
        return uri
    if "?" not in uri:
        return f"{uri}?{query}"
    return uri + query if uri.endswith(("?", "&")) else f"{uri}&{query}"


def _single(params: Params, name: str) -> str | None:
    values = params.get(name, ())
    if len(values) > 1:
        raise _Refused(
            error_page(400, "Invalid request", f"The parameter {name} is given more than once.")
        )
    return values[0] if values else None


def _check_request(ctx: Context, params: Params) -> AuthorizeRequest:
    for name in (
        "client_id",
        "redirect_uri",
        "response_type",
        "state",
        "code_challenge",
        "code_challenge_method",
    ):
        _single(params, name)
    client_id = _single(params, "client_id") or ""
    app = ctx.store.app(client_id) if client_id else None
    if app is None:
        detail = f"client_id {client_id!r} is not known" if client_id else "client_id is missing"
        raise _Refused(
            error_page(
                400,
                "Unknown application",
                f"The request cannot be served: {detail}. Nothing was sent anywhere.",
            )
        )
    redirect_uri = _single(params, "redirect_uri") or ""
    if not redirect_uri:
        raise _Refused(error_page(400, "Invalid request", "The request is missing redirect_uri."))
    if not redirect_uri_allowed(app, redirect_uri):
        raise _Refused(
            error_page(
                400,
                "Redirect URI not registered",
                f"The redirect URI {redirect_uri} is not registered for {app['name']} "
                "(dynamic URIs are not supported: it must match a registered URI exactly). "
                "You were not redirected.",
            )
        )
    request = AuthorizeRequest(app, redirect_uri, _single(params, "state"))
    response_type = _single(params, "response_type") or ""
    if response_type != "code":
        if response_type:
            error = "unsupported_response_type"
            description = f"The response type {response_type!r} is not supported; use code."
        else:
            error, description = "invalid_request", "The request is missing response_type."
        raise _Refused(_send_back(request, error, description))
    return _with_challenge(request, params)


def _with_challenge(request: AuthorizeRequest, params: Params) -> AuthorizeRequest:
    """The request with its PKCE challenge, checked; a bad one goes back as invalid_request."""
    challenge = _single(params, "code_challenge")
    method = _single(params, "code_challenge_method")
    if challenge is None:
        if method is not None:
            raise _Refused(
                _send_back(
                    request, "invalid_request", "code_challenge_method needs code_challenge."
                )
            )
        return request
    method = method or "plain"  # RFC 7636 section 4.3
    if method not in CHALLENGE_METHODS:
        raise _Refused(
            _send_back(
                request,
                "invalid_request",
                f"The code_challenge_method {method!r} is not supported; use S256.",
            )
        )
    if not CHALLENGE_PATTERN.fullmatch(challenge):
        raise _Refused(
            _send_back(
                request,
                "invalid_request",
                "The code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, -, ., _, ~.",
            )
        )
    return replace(request, code_challenge=challenge, code_challenge_method=method)


def _send_back(request: AuthorizeRequest, error: str, description: str) -> Response:
    """An error for the client: redirected to it, or shown when there is nowhere to redirect."""
    if request.oob:
        if error == "access_denied":
            return denied_page(request.app["name"])
        return error_page(400, "Invalid request", description)
    pairs = [("error", error), ("error_description", description)]
    if request.state is not None:
        pairs.append(("state", request.state))
    return redirect(with_query(request.redirect_uri, pairs))


def _body_params(ctx: Context) -> dict[str, list[str]]:
    try:
        text = ctx.request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(
            error_page(400, "Invalid request", "The form was not sent as UTF-8.")
        ) from None
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return params


def _user_for(store: Store, login: str, password: str) -> Row | None:
    user = store.user_by_login(login) if login else None
    expected = user["password"] if user is not None else None
    # Compare even when there is no such user, so timing does not tell which logins exist.
    matches = hmac.compare_digest(
        (expected or "\0no password\0").encode("utf-8"), password.encode("utf-8")
    )
    return user if user is not None and expected is not None and matches else None


def authorize_page(ctx: Context) -> Response:
    """GET /oauth/authorize: the consent page, or an error page that never redirects."""
    try:
        request = _check_request(ctx, ctx.request.query)
    except _Refused as refused:
        return refused.response
    return consent_page(request.form())


def authorize_decision(ctx: Context) -> Response:
    """POST /oauth/authorize: Allow (with login and password) or Deny."""
    try:
        if ctx.request.param("password") is not None:
            raise _Refused(
                error_page(
                    400,
                    "Invalid request",
                    "The password must be sent in the form body, never in the URL.",
                )
            )
        params = _body_params(ctx)
        request = _check_request(ctx, params)
        decision = _single(params, "decision")
        if decision == "deny":
            return _send_back(
                request,
                "access_denied",
                "The resource owner or authorization server denied the request.",
            )
        login = (_single(params, "login") or "").strip()
        password = _single(params, "password") or ""
        if decision != "allow":
            return consent_page(request.form(login, "Choose Allow or Deny."), status=400)
        user = _user_for(ctx.store, login, password)
        if user is None:
            return consent_page(request.form(login, INVALID_CREDENTIALS))
        code = _new_code(ctx, request, user["id"])
    except _Refused as refused:
        return refused.response
    if request.oob:
        return code_page(request.app["name"], code)
    pairs = [("code", code)]
    if request.state is not None:
        pairs.append(("state", request.state))
    return redirect(with_query(request.redirect_uri, pairs))


def _new_code(ctx: Context, request: AuthorizeRequest, user_id: int) -> str:
    code = secrets.token_urlsafe(32)
    ctx.store.insert_auth_code(
        code=code,
        grant_id=secrets.token_hex(16),
        client_id=request.app["client_id"],
        redirect_uri=request.redirect_uri,
        user_id=user_id,
        now=ctx.now(),
        lifetime=AUTH_CODE_LIFETIME,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
    )
    return code
