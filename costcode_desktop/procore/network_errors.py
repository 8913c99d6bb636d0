"""Transport failures to messages an accountant can act on: proxy, certificate, name lookup.

Messages name the server host and the proxy's host:port, never a URL with a query, a proxy
password or a token.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator

import httpx

from . import proxy_script
from .error_bodies import truncate
from .errors import (
    CertificateBundleUnusable,
    CertificateNotTrusted,
    ConnectionFailed,
    HostNotFound,
    ProcoreError,
    ProxyAuthenticationRequired,
    ProxyFailed,
)
from .network import (
    BUNDLE_EXTENSION,
    CA_BUNDLE_ENV,
    PROXY_EXTENSION,
    BundleUnusableError,
    ProxyRoute,
    ProxyUnusableError,
)

_STATUS_LINE = re.compile(r"^\s*(\d{3})\b\s*([^\r\n]{0,60})")
_CLOCK_CODES = frozenset({9, 10})  # X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every cause/context below it (httpx wraps httpcore wraps OSError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((item for item in _chain(exc) if isinstance(item, kind)), None)


def request_of(exc: httpx.HTTPError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised before a request was attached
        return None


def _route_of(request: httpx.Request | None) -> ProxyRoute | None:
    route = request.extensions.get(PROXY_EXTENSION) if request is not None else None
    return route if isinstance(route, ProxyRoute) else None


def proxy_in_use(request: httpx.Request | None) -> str | None:
    """The proxy a request went through, for a Details box: scheme, host:port and where the
    setting came from, never its user name or password (None when the request is unknown)."""
    if request is None:
        return None
    route = _route_of(request)
    if route is None:
        return "none (a direct connection)"
    address = f"{route.scheme}://{route.address}" if route.scheme else "an unreadable setting"
    return f"{address} ({route.source})"


def request_failed(error: ProcoreError, request: httpx.Request | None) -> ProcoreError:
    """The error, with the request it belongs to recorded (method, path without the query,
    the proxy in use)."""
    if request is not None:
        error.at(request.method, request.url.path, proxy_in_use(request))
    return error


def _proxy_phrase(route: ProxyRoute | None) -> str:
    """The proxy's host:port and where the setting came from, never its password."""
    if route is None or not route.address:
        return "the proxy server"
    return f"the proxy server {route.address} ({route.source})"


def _proxy_name(route: ProxyRoute | None) -> str:
    phrase = _proxy_phrase(route)
    return phrase[0].upper() + phrase[1:]


def _ask_it(route: ProxyRoute | None) -> str:
    if route is not None and route.variable is not None:
        return f"ask your IT department whether the {route.variable} setting is still right"
    return "ask your IT department whether the proxy settings are still right"


def proxy_auth_failure(
    route: ProxyRoute | None, host: str, *, detail: str | None = None
) -> ProxyAuthenticationRequired:
    """407: a proxy that wants a sign-in; the message never repeats the proxy's password."""
    if route is not None and route.has_credentials:
        message = (
            f"{_proxy_name(route)} did not accept the user name and password in the proxy "
            "setting. Ask your IT department to check them (this app can send only a plain user "
            "name and password to a proxy, not your Windows sign-in)."
        )
    else:
        message = (
            f"{_proxy_name(route)} asks for a user name and password, which this app cannot "
            f"send on its own. Ask your IT department to let CostCodeSync reach {host} without "
            "a proxy sign-in."
        )
    return ProxyAuthenticationRequired(message, status=407, detail=detail)


def proxy_auth_response(response: httpx.Response) -> ProxyAuthenticationRequired:
    """A 407 answered directly (plain-http forwarding) rather than to a CONNECT."""
    request = response.request
    detail = truncate(f"HTTP 407 {response.reason_phrase}", 100)
    return proxy_auth_failure(_route_of(request), request.url.host or "Procore", detail=detail)


def _certificate_failure(
    error: ssl.SSLCertVerificationError, host: str, request: httpx.Request | None, detail: str
) -> CertificateNotTrusted:
    bundle = request.extensions.get(BUNDLE_EXTENSION) if request is not None else None
    if isinstance(bundle, str):
        message = (
            f"The secure connection to {host} could not be verified with the certificates in "
            f"{bundle} (set by {CA_BUNDLE_ENV}). Ask your IT department for the right "
            f"certificate file, or remove {CA_BUNDLE_ENV} to use this computer's own "
            "certificates."
        )
    else:
        message = (
            f"The secure connection to {host} could not be verified: its certificate is not "
            "trusted by this computer. A network device (such as a company firewall or proxy) "
            "may be inspecting traffic. Ask your IT department to install the company's root "
            f"certificate in Windows or macOS, or to set {CA_BUNDLE_ENV} to the company's "
            "certificate file."
        )
    if getattr(error, "verify_code", None) in _CLOCK_CODES:
        message += " Also check that this computer's date and time are right."
    return CertificateNotTrusted(message, detail=detail)


def _proxy_refused(
    exc: httpx.ProxyError, route: ProxyRoute | None, host: str, detail: str
) -> ConnectionFailed:
    """The proxy answered our CONNECT with something other than 2xx."""
    match = _STATUS_LINE.match(str(exc))
    status = int(match.group(1)) if match else None
    if status == 407:
        return proxy_auth_failure(route, host, detail=detail)
    answer = f' (it answered "{match.group(0).strip()}")' if match else ""
    if status == 403:
        error = ProxyFailed(
            f"{_proxy_name(route)} refused to connect this app to {host}{answer}. Ask your IT "
            f"department to allow {host} through the proxy.",
            status=status,
            detail=detail,
        )
        error.permanent = True
        return error
    return ProxyFailed(
        f"{_proxy_name(route)} could not connect this app to {host}{answer}. Try again in a few "
        f"minutes; if it keeps happening, ask your IT department to allow {host} through the "
        "proxy.",
        status=status,
        detail=detail,
    )


def _proxy_unusable(route: ProxyRoute | None, detail: str) -> ProxyFailed:
    source = route.source if route is not None else "from the proxy settings"
    if route is None or not route.host:
        message = (
            f"The proxy setting ({source}) could not be understood. Ask your IT department to "
            "check it."
        )
    else:
        message = (
            f"{_proxy_name(route)} is a kind of proxy ({route.scheme}) this app cannot use. Ask "
            "your IT department for the address of an HTTP proxy (http://host:port)."
        )
    error = ProxyFailed(message, detail=detail)
    error.permanent = True
    return error


def _proxy_script_needed(
    script: str, host: str, lookup_failed: bool, detail: str
) -> ConnectionFailed:
    """A direct connection failed on a computer whose proxy comes from a script we cannot run."""
    verb = "find" if lookup_failed else "reach"
    message = (
        f"Could not {verb} {host}. This computer's proxy settings use an automatic "
        f"configuration script (from {script}), which CostCodeSync cannot read, so it tried to "
        "connect directly. Ask your IT department for the proxy server's address, set it in the "
        "HTTPS_PROXY environment variable (see 'Company networks' in the README), then restart "
        "CostCodeSync."
    )
    error = HostNotFound if lookup_failed else ConnectionFailed
    return error(message, detail=detail)


def connection_failure(exc: httpx.HTTPError, detail: str) -> ConnectionFailed | None:
    """A specific, plain explanation of a transport failure, or None for the general one.

    `detail` is the caller's redacted technical text, kept for the Details view.
    """
    request = request_of(exc)
    host = request.url.host if request is not None and request.url.host else "Procore"
    route = _route_of(request)
    if isinstance(exc, BundleUnusableError):
        return CertificateBundleUnusable(str(exc), detail=detail)
    if isinstance(exc, ProxyUnusableError):
        return _proxy_unusable(route, detail)
    certificate = _find(exc, ssl.SSLCertVerificationError)
    if isinstance(certificate, ssl.SSLCertVerificationError):
        return _certificate_failure(certificate, host, request, detail)
    if isinstance(exc, httpx.ProxyError):
        return _proxy_refused(exc, route, host, detail)
    lookup_failed = _find(exc, socket.gaierror) is not None
    # Connecting through a proxy means connecting to the proxy; TLS trouble (checked above or
    # any other ssl.SSLError) is with the server at the end of the tunnel, not the proxy.
    if (
        route is not None
        and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        and _find(exc, ssl.SSLError) is None
    ):
        verb = "find" if lookup_failed else "connect to"
        return ProxyFailed(
            f"Could not {verb} {_proxy_phrase(route)}. Check that this computer is connected to "
            f"the office network (or VPN), then try again; if it keeps happening, "
            f"{_ask_it(route)}.",
            detail=detail,
        )
    direct_failure = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    script = proxy_script.configured_pac_host() if route is None and direct_failure else None
    if script is not None:
        return _proxy_script_needed(script, host, lookup_failed, detail)
    if lookup_failed and isinstance(exc, httpx.ConnectError):
        return HostNotFound(
            f"Could not find {host}. Check that this computer is connected to the internet, "
            f"then try again. If other websites open, ask your IT department whether {host} is "
            "blocked.",
            detail=detail,
        )
    return None


def retry_reason(error: ConnectionFailed) -> str:
    """A short reason for the "trying again in …" line."""
    if isinstance(error, ProxyFailed):
        return "Could not get through the proxy server"
    if isinstance(error, HostNotFound):
        return "Could not find Procore's server (is the computer offline?)"
    return "Could not reach Procore"
