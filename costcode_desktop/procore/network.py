"""The one factory for HTTP clients: proxies from the environment or the system, OS certificates.

httpx's own discovery (trust_env) reads `urllib.request.getproxies()`: the *_PROXY environment
variables, else the Windows registry or macOS System Configuration. It ignores the system's
bypass list, so a system proxy would also carry requests to 127.0.0.1. We mirror its discovery,
route it through our own transports (which send loopback directly and remember which proxy a
request used, for clear messages), and verify TLS against the OS certificate store (truststore)
so TLS-inspecting company proxies work once IT has installed the company root certificate.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
import ssl
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import httpx

from . import proxy_script
from .environments import is_loopback_host

log = logging.getLogger("costcode_desktop.procore")

CA_BUNDLE_ENV = "COSTCODESYNC_CA_BUNDLE"
PROXY_EXTENSION = "costcodesync.proxy"  # request.extensions key: the ProxyRoute used
BUNDLE_EXTENSION = "costcodesync.ca_bundle"  # request.extensions key: the bundle path used

_announced: set[str] = set()
_announced_lock = threading.Lock()


def _announce(level: int, message: str) -> None:
    """Log a configuration fact once per process (clients are built many times)."""
    with _announced_lock:
        if message in _announced:
            return
        _announced.add(message)
    log.log(level, "%s", message)


# -- TLS ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsSetup:
    """How servers' certificates are checked; `problem` says why a configured bundle is unusable."""

    context: ssl.SSLContext
    store: str
    bundle: str | None = None
    problem: str | None = None


def _bundle_problem(path: Path, reason: str) -> str:
    return (
        f"The certificate file named by the {CA_BUNDLE_ENV} environment variable cannot be used: "
        f"{path} {reason}. Correct the path (or remove the variable to use this computer's own "
        "certificates), then restart CostCodeSync."
    )


def _bundle_setup(value: str) -> TlsSetup:
    path = Path(value).expanduser()
    reason: str | None = None
    if not path.exists():
        reason = "does not exist"
    elif path.is_dir():
        reason = "is a folder, not a certificate file"
    else:
        try:
            context = ssl.create_default_context(cafile=str(path))
        except ssl.SSLError:
            reason = "does not contain any certificate in PEM format"
        except OSError as exc:
            reason = f"could not be read ({exc.strerror or type(exc).__name__})"
        else:
            store = f"the certificate file {path} (from {CA_BUNDLE_ENV})"
            _announce(logging.INFO, f"TLS certificates: {store}")
            return TlsSetup(context, store, bundle=str(path))
    problem = _bundle_problem(path, reason)
    _announce(logging.WARNING, problem)
    # Never used for https (the transports refuse first); plain http to loopback still works.
    placeholder = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies against nothing
    return TlsSetup(placeholder, "none (unusable bundle)", str(path), problem)


def tls_setup() -> TlsSetup:
    """COSTCODESYNC_CA_BUNDLE if set, else the OS store (truststore), else httpx's certifi."""
    value = os.environ.get(CA_BUNDLE_ENV, "").strip()
    if value:
        return _bundle_setup(value)
    try:
        import truststore

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        store = "the operating system's certificate store (truststore)"
    except Exception as exc:  # ImportError, or a platform/Python where truststore refuses
        log.debug("truststore unavailable: %s: %s", type(exc).__name__, exc)
        context = httpx.create_ssl_context()
        store = "the certifi bundle (the operating system's store is unavailable)"
    _announce(logging.INFO, f"TLS certificates: {store}")
    return TlsSetup(context, store)


# -- proxies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyRoute:
    """A proxy as the user may be told about it: never its user name or password."""

    scheme: str
    host: str
    port: int | None
    source: str  # "set by the HTTPS_PROXY environment variable", "from the Windows proxy settings"
    variable: str | None  # the environment variable it came from; None for the system settings
    has_credentials: bool = False
    problem: str | None = None  # why this app cannot use it, if it cannot

    @property
    def from_environment(self) -> bool:
        return self.variable is not None

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port is not None else host


def _environment_variable(scheme: str) -> str:
    """The variable urllib took the value from (lowercase wins, as in urllib)."""
    wanted = f"{scheme}_proxy"
    names = [name for name, value in os.environ.items() if name.lower() == wanted and value]
    if wanted in names:
        return wanted
    return names[0] if names else wanted.upper()


def _system_source() -> str:
    if sys.platform == "win32":
        return "from the Windows proxy settings"
    if sys.platform == "darwin":
        return "from the macOS network proxy settings"
    return "from the system proxy settings"


def _proxy_info() -> tuple[dict[str, str], bool]:
    """What httpx reads: the environment if it names any proxy, else the OS settings."""
    environment = urllib.request.getproxies_environment()
    if environment:
        return environment, True
    try:
        return urllib.request.getproxies(), False
    except Exception as exc:  # a broken registry value must not stop the app
        log.warning("could not read the system proxy settings: %s", type(exc).__name__)
        return {}, False


def _route(
    value: str, scheme_key: str, from_environment: bool
) -> tuple[httpx.URL | None, ProxyRoute]:
    variable = _environment_variable(scheme_key) if from_environment else None
    source = f"set by the {variable} environment variable" if variable else _system_source()
    text = value if "://" in value else f"http://{value}"
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        return None, ProxyRoute("", "", None, source, variable, problem="unreadable")
    route = ProxyRoute(
        url.scheme,
        url.host,
        url.port,
        source,
        variable,
        has_credentials=bool(url.username or url.password),
    )
    if not url.host or url.scheme not in ("http", "https", "socks5", "socks5h"):
        return None, _with_problem(route, "unsupported")
    return url, route


def _with_problem(route: ProxyRoute, problem: str) -> ProxyRoute:
    return dataclasses.replace(route, problem=problem)


def _no_proxy_pattern(host: str) -> str:
    """NO_PROXY entries as httpx turns them into mount patterns."""
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host.split("/")[0])
    except ValueError:
        return f"all://{host}" if host.lower() == "localhost" else f"all://*{host}"
    return f"all://[{host}]" if address.version == 6 else f"all://{host}"


def discover_proxies() -> dict[str, tuple[httpx.URL | None, ProxyRoute] | None]:
    """Mount pattern -> (proxy URL, route), or None for "no proxy"; the rules of httpx 0.28."""
    info, from_environment = _proxy_info()
    found: dict[str, tuple[httpx.URL | None, ProxyRoute] | None] = {}
    for scheme in ("http", "https", "all"):
        value = info.get(scheme)
        if value:
            found[f"{scheme}://"] = _route(value, scheme, from_environment)
    for host in (entry.strip() for entry in info.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        pattern = _no_proxy_pattern(host)
        try:
            httpx.URL(pattern)  # what httpx.Client(mounts=...) parses; "::1/128" would fail it
        except (httpx.InvalidURL, ValueError):
            _announce(logging.WARNING, f"ignoring a NO_PROXY entry this app cannot read: {host!r}")
            continue
        found[pattern] = None
    return found


def proxy_routes() -> dict[str, ProxyRoute | None]:
    """Which proxy each kind of address would use right now (for diagnostics and tests)."""
    return {key: None if value is None else value[1] for key, value in discover_proxies().items()}


# -- transports ---------------------------------------------------------------------------------


class BundleUnusableError(httpx.ConnectError):
    """Raised instead of connecting when COSTCODESYNC_CA_BUNDLE cannot be used."""


class ProxyUnusableError(httpx.ProxyError):
    """Raised instead of connecting when the configured proxy is of a kind httpx cannot use."""


def _tag(request: httpx.Request, key: str, value: object) -> None:
    request.extensions = {**request.extensions, key: value}


class _DirectTransport(httpx.HTTPTransport):
    """Straight to the server, checking certificates with the chosen store."""

    def __init__(self, tls: TlsSetup) -> None:
        super().__init__(verify=tls.context, trust_env=False)
        self.tls = tls

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _check_tls(self.tls, request)
        return super().handle_request(request)


def _check_tls(tls: TlsSetup, request: httpx.Request) -> None:
    if request.url.scheme != "https":
        return
    if tls.problem is not None:
        raise BundleUnusableError(tls.problem, request=request)
    if tls.bundle is not None:
        _tag(request, BUNDLE_EXTENSION, tls.bundle)


class _ProxiedTransport(httpx.BaseTransport):
    """Through one proxy; loopback addresses (the built-in sandbox) always go direct."""

    def __init__(self, url: httpx.URL | None, route: ProxyRoute, direct: _DirectTransport) -> None:
        self.route = route
        self._direct = direct
        self._inner: httpx.HTTPTransport | None = None
        if url is not None and route.problem is None:
            context = direct.tls.context
            try:
                # An https:// proxy's own certificate is checked with the same store.
                proxy = httpx.Proxy(url=url, ssl_context=context if url.scheme == "https" else None)
                self._inner = httpx.HTTPTransport(verify=context, proxy=proxy, trust_env=False)
            except (ValueError, ImportError, RuntimeError):  # e.g. socks5 without socksio
                self.route = _with_problem(route, "unsupported")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if is_loopback_host(request.url.host):
            return self._direct.handle_request(request)
        _check_tls(self._direct.tls, request)
        _tag(request, PROXY_EXTENSION, self.route)
        if self._inner is None:
            raise ProxyUnusableError(
                f"proxy setting not usable: {self.route.problem}", request=request
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


def build_http_client(
    timeout: httpx.Timeout | float,
    *,
    transport: httpx.BaseTransport | None = None,
    follow_redirects: bool = False,
) -> httpx.Client:
    """Every httpx.Client of the app comes from here.

    With `transport` (tests) nothing is discovered. Otherwise: proxies as httpx would find them
    (environment, else Windows/macOS settings; NO_PROXY honoured), never for loopback, and TLS
    verified by COSTCODESYNC_CA_BUNDLE, the OS store, or certifi, in that order. Never raises
    for a bad setting: requests fail with a clear error instead.
    """
    if transport is not None:
        return httpx.Client(timeout=timeout, transport=transport, follow_redirects=follow_redirects)
    tls = tls_setup()
    direct = _DirectTransport(tls)
    mounts: dict[str, httpx.BaseTransport | None] = {}
    proxies = discover_proxies()
    script = None if proxies else proxy_script.configured_pac_host()
    if script is not None:
        _announce(
            logging.WARNING,
            f"the system proxy settings use a configuration script (from {script}) this app "
            "cannot run: connecting directly; set HTTPS_PROXY if that fails",
        )
    for pattern, found in proxies.items():
        if found is None:
            mounts[pattern] = None
            continue
        url, route = found
        _announce(logging.INFO, f"proxy for {pattern} {route.address} ({route.source})")
        mounts[pattern] = _ProxiedTransport(url, route, direct)
    # transport= turns httpx's own proxy discovery off: ours above replaces it, and verify
    # lives on our transports.
    return httpx.Client(
        timeout=timeout,
        transport=direct,
        mounts=mounts,
        trust_env=False,
        follow_redirects=follow_redirects,
    )
