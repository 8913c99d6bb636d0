"""OAuth 2.0 on the sandbox host: /oauth/token, /oauth/revoke, /oauth/token/info, bearer checks.

Only the client-credentials grant is implemented. Grants are dispatched through `GRANTS`, and the
token table already has a refresh_token column, so the authorization-code and refresh-token
(single-use, rotating) grants slot in as two more functions.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .context import Context
from .store import Row
from .wire import ApiError, Response, errors, json_response

SECRET_FIELDS = ("client_secret", "refresh_token", "code", "password")


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


def issue_token(
    ctx: Context, app: Row, user_id: int, grant_type: str, *, refresh: bool
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


Grant = Callable[[Context, Row, Mapping[str, str]], dict[str, Any]]

# authorization_code and refresh_token go here next.
GRANTS: dict[str, Grant] = {"client_credentials": _grant_client_credentials}


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
    form = parse_form(ctx)
    authenticate_client(ctx, form)
    token = form.get("token", "")
    if token:
        ctx.store.revoke_token(token, ctx.now())
    return json_response(200, {})


def token_info_endpoint(ctx: Context) -> Response:
    token = bearer_token(ctx)
    now = ctx.now()
    return json_response(
        200,
        {
            "resource_owner_id": token["user_id"],
            "scope": [],
            "expires_in_seconds": max(0, int(token["expires_at"] - now)),
            "application": {"uid": token["client_id"]},
            "created_at": int(token["created_at"]),
        },
    )


def _unauthorized(message: str, error: str = "invalid_token") -> ApiError:
    header = f'Bearer realm="Procore Sandbox", error="{error}", error_description="{message}"'
    return ApiError(401, {"errors": message}, [("WWW-Authenticate", header)])


def bearer_token(ctx: Context) -> Row:
    """The valid token row for the request's bearer token, or 401."""
    auth = ctx.request.header("authorization") or ""
    scheme, _, value = auth.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorized("Authorization header with a Bearer access token is required")
    token = ctx.store.token(value.strip())
    if token is None or token["revoked_at"] is not None:
        raise _unauthorized("The access token is invalid")
    if ctx.now() >= token["expires_at"]:
        raise _unauthorized("The access token expired")
    return token


def authenticate(ctx: Context) -> None:
    token = bearer_token(ctx)
    user = ctx.store.user(token["user_id"])
    if user is None:
        raise errors(401, "The access token is invalid")
    ctx.user = user
    ctx.client_id = token["client_id"]
