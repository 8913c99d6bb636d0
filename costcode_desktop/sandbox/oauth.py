"""OAuth 2.0 on the sandbox host: /oauth/token, /oauth/revoke, /oauth/token/info, bearer checks.

The sign-in page (/oauth/authorize) that hands out authorization codes is in `authorize.py`.

Grants of /oauth/token (form-encoded or JSON; `client_id` and `client_secret` always required,
in the body or as HTTP Basic, never in the query string):

- `client_credentials`: a token acting for the app's `acts_as_user`, without refresh token.
- `authorization_code` (`code`, `redirect_uri`): the code is single-use, expires after 600 s
  of the sandbox clock and must come back with the client and redirect URI it was issued for.
  A code presented a second time is refused and every token issued from it is revoked
  (RFC 6749 section 4.1.2). When the authorization request sent a PKCE `code_challenge`, the
  request must carry the `code_verifier` it was made from (RFC 7636 section 4.6); a missing or
  wrong one is `invalid_grant` and does not spend the code. The tokens act for the user who
  signed in.
- `refresh_token` (`refresh_token`): single use with rotation. The old refresh token is spent the
  moment the request is processed (even when the answer never reaches the client) and a new pair
  is returned; the old access token stays valid until it expires, as on Procore.

Failures answer `{"error": ..., "error_description": ...}`: 401 `invalid_client`, 400
`invalid_request`, `invalid_grant` or `unsupported_grant_type`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .context import Context
from .store import Row
from .wire import ApiError, Response, error_body, errors, json_response

SECRET_FIELDS = ("client_secret", "refresh_token", "code", "code_verifier", "password")


def oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


def _form(ctx: Context) -> dict[str, str]:
    """The token request's parameters: form-encoded, or JSON when the client says so."""
    request = ctx.request
    if request.is_json():
        data = request.json_body()
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise oauth_error(400, "invalid_request", "The request body must be an object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise oauth_error(400, "invalid_request", "The request body is not UTF-8") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def parse_form(ctx: Context) -> dict[str, str]:
    for name in SECRET_FIELDS:
        if ctx.request.param(name) is not None:
            raise oauth_error(
                400,
                "invalid_request",
                f"{name} must be sent in the request body, never in the query string",
            )
    return _form(ctx)


def _client_credentials_from(ctx: Context, form: Mapping[str, str]) -> tuple[str, str]:
    client_id = form.get("client_id", "")
    client_secret = form.get("client_secret", "")
    auth = ctx.request.header("authorization") or ""
    if not client_id and auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


def authenticate_client(ctx: Context, form: Mapping[str, str]) -> Row:
    client_id, client_secret = _client_credentials_from(ctx, form)
    app = ctx.store.app(client_id) if client_id else None
    if app is None or not hmac.compare_digest(
        app["client_secret"].encode(), client_secret.encode()
    ):
        raise oauth_error(
            401,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication "
            "included, or unsupported authentication method.",
        )
    return app


AUTH_CODE_LIFETIME = 600.0  # seconds of the sandbox clock


def issue_token(
    ctx: Context,
    app: Row,
    user_id: int,
    grant_type: str,
    *,
    refresh: bool,
    grant_id: str | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    access = secrets.token_urlsafe(32)
    refresh_token = secrets.token_urlsafe(32) if refresh else None
    ctx.store.insert_token(
        access_token=access,
        refresh_token=refresh_token,
        client_id=app["client_id"],
        user_id=user_id,
        grant_type=grant_type,
        now=now,
        lifetime=ctx.token_lifetime,
        grant_id=grant_id,
    )
    body: dict[str, Any] = {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": int(ctx.token_lifetime),
        # Wall-clock time, so a client adding expires_in to it stays in its own frame.
        "created_at": int(ctx.clock.to_wall(now)),
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    return body


def _grant_client_credentials(ctx: Context, app: Row, form: Mapping[str, str]) -> dict[str, Any]:
    return issue_token(ctx, app, app["acts_as_user"], "client_credentials", refresh=False)


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise oauth_error(400, "invalid_request", f"The request is missing {name}.")
    return value


def _pkce_problem(code: Row, verifier: str) -> str | None:
    """Why `verifier` does not prove the code's PKCE challenge, or None (also: no challenge)."""
    challenge = code["code_challenge"]
    if challenge is None:
        return None
    if not verifier:
        return "The request is missing code_verifier (the authorization request used PKCE)."
    if code["code_challenge_method"] == "S256":
        digest = hashlib.sha256(verifier.encode("utf-8")).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if not hmac.compare_digest(verifier.encode("utf-8"), challenge.encode("utf-8")):
        return "The code_verifier does not match the code_challenge."
    return None


def _code_problem(
    code: Row | None, app: Row, redirect_uri: str, verifier: str, now: float
) -> str | None:
    """Why `code` cannot be exchanged by `app`, or None when it can."""
    if code is None:
        return "The authorization code is unknown."
    if code["used_at"] is not None:
        return "The authorization code was already used; the tokens issued from it are revoked."
    if code["client_id"] != app["client_id"]:
        return "The authorization code was issued to another client."
    if now >= code["expires_at"]:
        return "The authorization code expired (codes live 10 minutes)."
    if code["redirect_uri"] != redirect_uri:
        return (
            "The redirect_uri does not match the redirection URI used in the authorization request."
        )
    return _pkce_problem(code, verifier)


def _grant_authorization_code(ctx: Context, app: Row, form: Mapping[str, str]) -> dict[str, Any]:
    value = _required(form, "code")
    redirect_uri = _required(form, "redirect_uri")
    store = ctx.store
    with store.transaction():
        now = ctx.now()
        code = store.auth_code(value)
        problem = _code_problem(code, app, redirect_uri, form.get("code_verifier", ""), now)
        if problem is None and code is not None and store.use_auth_code(value, now):
            return issue_token(
                ctx,
                app,
                code["user_id"],
                "authorization_code",
                refresh=True,
                grant_id=code["grant_id"],
            )
        if code is not None and code["used_at"] is not None:
            # Replayed: whoever holds the code should not hold its tokens either.
            store.revoke_grant(code["grant_id"], now)
    # Raised outside the transaction, which would otherwise roll the revocation back.
    raise oauth_error(400, "invalid_grant", problem or "The authorization code was already used.")


def _refresh_problem(token: Row | None, app: Row) -> str | None:
    if token is None:
        return "The refresh token is unknown."
    if token["client_id"] != app["client_id"]:
        return "The refresh token was issued to another client."
    if token["revoked_at"] is not None:
        return "The refresh token was revoked."
    if token["refresh_used_at"] is not None:
        return "The refresh token was already used (refresh tokens are single-use)."
    return None


def _grant_refresh_token(ctx: Context, app: Row, form: Mapping[str, str]) -> dict[str, Any]:
    value = _required(form, "refresh_token")
    store = ctx.store
    with store.transaction():
        now = ctx.now()
        token = store.token_by_refresh(value)
        problem = _refresh_problem(token, app)
        if problem is None and token is not None and store.use_refresh_token(value, now):
            return issue_token(
                ctx,
                app,
                token["user_id"],
                "refresh_token",
                refresh=True,
                grant_id=token["grant_id"],
            )
    raise oauth_error(400, "invalid_grant", problem or "The refresh token was already used.")


Grant = Callable[[Context, Row, Mapping[str, str]], dict[str, Any]]

GRANTS: dict[str, Grant] = {
    "authorization_code": _grant_authorization_code,
    "client_credentials": _grant_client_credentials,
    "refresh_token": _grant_refresh_token,
}


def token_endpoint(ctx: Context) -> Response:
    form = parse_form(ctx)
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise oauth_error(400, "invalid_request", "The request is missing grant_type.")
    app = authenticate_client(ctx, form)
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise oauth_error(
            400,
            "unsupported_grant_type",
            f"The authorization grant type {grant_type!r} is not supported by the sandbox.",
        )
    return json_response(200, grant(ctx, app, form), [("Cache-Control", "no-store")])


def revoke_endpoint(ctx: Context) -> Response:
    """RFC 7009: revoke the pair (access and refresh token) holding `token`; always 200.

    Unknown tokens, tokens of another client and tokens already revoked answer 200 as well,
    and nothing changes.
    """
    form = parse_form(ctx)
    app = authenticate_client(ctx, form)
    token = form.get("token", "")
    if token:
        ctx.store.revoke_token(token, ctx.now(), client_id=app["client_id"])
    return json_response(200, {}, [("Cache-Control", "no-store")])


def token_info_endpoint(ctx: Context) -> Response:
    """The token's details with the SDK's field names (`scopes`, `expires_in_seconds`);
    invalid, expired or revoked tokens answer 401 invalid_token."""
    token = _token_or_problem(ctx)
    if isinstance(token, str):
        header = (
            f'Bearer realm="Procore Sandbox", error="invalid_token", error_description="{token}"'
        )
        raise ApiError(
            401,
            {"error": "invalid_token", "error_description": token},
            [("WWW-Authenticate", header)],
        )
    now = ctx.now()
    return json_response(
        200,
        {
            "resource_owner_id": token["user_id"],
            "scopes": [],
            "expires_in_seconds": max(0, int(token["expires_at"] - now)),
            "application": {"uid": token["client_id"]},
            # The client's frame, like created_at of the token response.
            "created_at": int(ctx.clock.to_wall(token["created_at"])),
        },
        [("Cache-Control", "no-store")],
    )


def _unauthorized(message: str, error: str = "invalid_token") -> ApiError:
    header = f'Bearer realm="Procore Sandbox", error="{error}", error_description="{message}"'
    body = error_body(401, message, reason=error)
    return ApiError(401, body, [("WWW-Authenticate", header)])


def _token_or_problem(ctx: Context) -> Row | str:
    """The valid token row for the request's bearer token, or what is wrong with it."""
    auth = ctx.request.header("authorization") or ""
    scheme, _, value = auth.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return "Authorization header with a Bearer access token is required"
    token = ctx.store.token(value.strip())
    if token is None:
        return "The access token is invalid"
    if token["revoked_at"] is not None:
        return "The access token was revoked"
    if ctx.now() >= token["expires_at"]:
        return "The access token expired"
    return token


def bearer_token(ctx: Context) -> Row:
    """The valid token row for the request's bearer token, or 401."""
    token = _token_or_problem(ctx)
    if isinstance(token, str):
        raise _unauthorized(token)
    return token


def authenticate(ctx: Context) -> None:
    token = bearer_token(ctx)
    user = ctx.store.user(token["user_id"])
    if user is None:
        raise errors(401, "The access token is invalid")
    ctx.user = user
    ctx.client_id = token["client_id"]
    ctx.grant_type = token["grant_type"]
