"""PKCE (RFC 7636) on the client side: the challenge in the authorize URL, the verifier in the
token request only, and never in a message."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from costcode_desktop.procore import Pkce, SignInExpired, TokenEndpoint, new_pkce

from .helpers import reply

SECRET = "s3cr3t-client-SECRET"
CALLBACK = "http://127.0.0.1:8765/callback"


def endpoint(handler: object) -> TokenEndpoint:
    http = httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return TokenEndpoint("https://login.example.test", "client-id-1", SECRET, http=http)


def test_the_challenge_is_rfc_7636_s256() -> None:
    # RFC 7636 appendix B.
    pkce = Pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce.verifier not in repr(pkce)


def test_a_new_verifier_is_long_random_and_url_safe() -> None:
    verifiers = {new_pkce().verifier for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
        )


def test_the_authorize_url_has_the_challenge_and_the_token_request_the_verifier() -> None:
    seen: list[httpx.Request] = []

    def token(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply({"access_token": "a", "refresh_token": "r", "expires_in": 5400})

    pkce = new_pkce()
    with_pkce = endpoint(token)
    query = parse_qs(urlsplit(with_pkce.authorize_url(CALLBACK, "st", pkce)).query)
    assert query["code_challenge"] == [pkce.challenge]
    assert query["code_challenge_method"] == ["S256"]
    assert pkce.verifier not in with_pkce.authorize_url(CALLBACK, "st", pkce)
    without = parse_qs(urlsplit(with_pkce.authorize_url(CALLBACK, "st")).query)
    assert "code_challenge" not in without

    with_pkce.authorization_code("the-code", CALLBACK, pkce)
    (request,) = seen
    assert pkce.verifier not in str(request.url)
    form = parse_qs(request.content.decode())
    assert form["code_verifier"] == [pkce.verifier]
    assert form["code"] == ["the-code"]


def test_a_refused_verifier_ends_the_sign_in_and_is_never_shown() -> None:
    pkce = new_pkce()
    body = {"error": "invalid_grant", "error_description": f"bad verifier {pkce.verifier}"}
    with pytest.raises(SignInExpired) as caught:
        endpoint(lambda request: reply(body, 400)).authorization_code("c", CALLBACK, pkce)
    assert pkce.verifier not in caught.value.technical_details()
    assert pkce.verifier not in str(caught.value)
