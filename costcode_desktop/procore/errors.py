"""One exception type per failure class, each with a message an accountant can act on."""

from __future__ import annotations

import copy


class ProcoreError(Exception):
    """Base of every failure talking to Procore; `str()` is the user-facing message."""

    default_message = "Procore could not complete the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.request_id = request_id
        self.detail = detail
        # The request that failed, as IT may be told it: method and path (never the query or
        # a token), and the proxy it went through; set by the client when it gives up.
        self.method: str | None = None
        self.path: str | None = None
        self.proxy: str | None = None
        super().__init__(self.message)

    def at(self, method: str, path: str, proxy: str | None) -> None:
        """Record the request this failure belongs to (the first one recorded stays)."""
        if self.method is None:
            self.method, self.path, self.proxy = method, path, proxy

    @property
    def network(self) -> bool:
        """No server answered: the connection, the name lookup, a proxy or TLS failed."""
        return self.status is None and isinstance(self, ConnectionFailed)

    def with_message(self, message: str) -> ProcoreError:
        """Same failure, reworded with context the caller knows (a project name, say)."""
        clone = copy.copy(self)
        clone.message = message
        clone.args = (message,)
        clone.__cause__ = self
        return clone

    def technical_details(self) -> str:
        """Details for a Details button or a log line: no secrets ever reach these fields."""
        parts = [f"{type(self).__name__}: {self.message}"]
        if self.method and self.path:
            parts.append(f"Request: {self.method} {self.path}")
        if self.network:
            parts.append("Kind: network error (no answer from Procore)")
        elif self.status is not None:
            parts.append(f"Kind: HTTP error {self.status} (Procore answered)")
        if self.request_id:
            parts.append(f"Procore request id: {self.request_id}")
        if self.detail:
            said = "Network error" if self.network else "Server said" if self.status else "Error"
            parts.append(f"{said}: {self.detail}")
        if self.proxy:
            parts.append(f"Proxy: {self.proxy}")
        return "\n".join(parts)


class ConnectionFailed(ProcoreError):
    default_message = (
        "Could not reach Procore. Check the internet connection (and proxy, if your office uses "
        "one), then try again."
    )
    # True when trying again cannot help until a setting changes (a certificate, a proxy
    # password): the request loop then gives up at once instead of retrying.
    permanent: bool = False


class TimedOut(ConnectionFailed):
    default_message = "Procore did not answer in time. Try again in a few minutes."


class HostNotFound(ConnectionFailed):
    """The server's name could not be looked up (DNS): usually no internet connection."""

    default_message = (
        "Could not find Procore's server. Check that this computer is connected to the internet, "
        "then try again."
    )


class ProxyFailed(ConnectionFailed):
    """The proxy server could not be reached, or would not pass the request on."""

    default_message = (
        "Could not get through the proxy server. Check the network connection; if it keeps "
        "happening, ask your IT department."
    )


class ProxyAuthenticationRequired(ProxyFailed):
    """407: the proxy wants a sign-in this app cannot give (or refused the one it gave)."""

    default_message = (
        "The proxy server asks for a user name and password. Ask your IT department to let "
        "CostCodeSync reach Procore without a proxy sign-in."
    )
    permanent = True


class CertificateNotTrusted(ConnectionFailed):
    """TLS certificate verification failed (often a TLS-inspecting company firewall)."""

    default_message = (
        "The secure connection to Procore could not be verified. A network device may be "
        "inspecting traffic: ask your IT department to install the company's root certificate "
        "in Windows or macOS, or to set COSTCODESYNC_CA_BUNDLE."
    )
    permanent = True


class CertificateBundleUnusable(ConnectionFailed):
    """COSTCODESYNC_CA_BUNDLE names a file that cannot be used."""

    default_message = (
        "The certificate file named by COSTCODESYNC_CA_BUNDLE cannot be used. Correct the path "
        "or remove the variable, then restart CostCodeSync."
    )
    permanent = True


class AuthenticationFailed(ProcoreError):
    default_message = "Procore did not accept the sign-in (it may have expired). Sign in again."


class PermissionDenied(ProcoreError):
    default_message = (
        "You do not have permission for this in Procore. Ask a Procore administrator to give you "
        "'Admin' on the project's Admin tool."
    )


class NotFound(ProcoreError):
    default_message = (
        "Procore could not find this item, or you cannot see it. Check that you were added to the "
        "project in Procore."
    )


class InvalidRequest(ProcoreError):
    """400 or 422: Procore refused the content of the request."""

    default_message = "Procore refused the request."


class CompanyIdRequired(InvalidRequest):
    """Procore's "Missing Procore-Company-Id header!": a service account must name its company."""

    default_message = (
        "Procore needs to know which company this service account works in. Enter the company "
        "id in the sign-in settings (for costcode-sync: --company or PROCORE_COMPANY_ID), then "
        "sign in again. It is the number after app.procore.com/ in the browser's address bar "
        "when that company is open in Procore."
    )


class Conflict(ProcoreError):
    default_message = "Procore refused a duplicate."


class PayloadTooLarge(ProcoreError):
    default_message = "The request was too large for Procore (at most 1,000 cost codes at once)."


class RateLimited(ProcoreError):
    default_message = "Procore's request limit was reached. Wait a few minutes and try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        request_id: str | None = None,
        detail: str | None = None,
        reset_at: float | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, detail=detail)
        self.reset_at = reset_at  # Unix time when Procore says the quota resets


class ServerError(ProcoreError):
    default_message = (
        "Procore had a problem answering (a server error). Try again in a few minutes."
    )


class MalformedResponse(ProcoreError):
    default_message = (
        "Procore sent an answer this application could not read. Try again; if it keeps "
        "happening, send the log to support."
    )


class Cancelled(ProcoreError):
    default_message = "Cancelled."
