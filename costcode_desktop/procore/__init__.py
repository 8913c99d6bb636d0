"""The one HTTP client for Procore: hosts, auth, pagination, rate limits, retries, records.

The names below load on first use (PEP 562): the records, errors and environments cost nothing
to import, while the client brings httpx, TLS and the proxy support (about 0.1 s). The window
paints its last-known state before it needs any of those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costcode_desktop.lazy import lazy_names

if TYPE_CHECKING:
    from .auth import ClientCredentials, RefreshingTokens, StaticToken, TokenSource, TokenVault
    from .cancel import CancelToken
    from .client import ProcoreClient
    from .environments import (
        DEVELOPER_SANDBOX,
        ENVIRONMENTS,
        MONTHLY_SANDBOX,
        PRODUCTION,
        Environment,
        custom_environment,
        is_loopback_host,
    )
    from .errors import (
        AuthenticationFailed,
        Cancelled,
        CertificateBundleUnusable,
        CertificateNotTrusted,
        CompanyIdRequired,
        Conflict,
        ConnectionFailed,
        HostNotFound,
        InvalidRequest,
        MalformedResponse,
        NotFound,
        PayloadTooLarge,
        PermissionDenied,
        ProcoreError,
        ProxyAuthenticationRequired,
        ProxyFailed,
        RateLimited,
        ServerError,
        TimedOut,
    )
    from .http import RetryPolicy
    from .network import CA_BUNDLE_ENV, build_http_client
    from .oauth import (
        OOB_REDIRECT_URI,
        Pkce,
        SignInExpired,
        TokenEndpoint,
        TokenGrant,
        new_pkce,
        new_state,
    )
    from .pacing import QuotaView
    from .records import (
        Company,
        CopyFailure,
        CopyResult,
        CostCode,
        Project,
        RateLimitStatus,
        StandardCostCode,
        StandardCostCodeList,
        SubJob,
        SyncError,
        SyncResult,
        User,
        WbsSegment,
    )

_HOME = {  # name -> the module that defines it
    "ClientCredentials": ".auth",
    "RefreshingTokens": ".auth",
    "StaticToken": ".auth",
    "TokenSource": ".auth",
    "TokenVault": ".auth",
    "CancelToken": ".cancel",
    "ProcoreClient": ".client",
    "DEVELOPER_SANDBOX": ".environments",
    "ENVIRONMENTS": ".environments",
    "MONTHLY_SANDBOX": ".environments",
    "PRODUCTION": ".environments",
    "Environment": ".environments",
    "custom_environment": ".environments",
    "is_loopback_host": ".environments",
    "AuthenticationFailed": ".errors",
    "Cancelled": ".errors",
    "CertificateBundleUnusable": ".errors",
    "CertificateNotTrusted": ".errors",
    "CompanyIdRequired": ".errors",
    "Conflict": ".errors",
    "ConnectionFailed": ".errors",
    "HostNotFound": ".errors",
    "InvalidRequest": ".errors",
    "MalformedResponse": ".errors",
    "NotFound": ".errors",
    "PayloadTooLarge": ".errors",
    "PermissionDenied": ".errors",
    "ProcoreError": ".errors",
    "ProxyAuthenticationRequired": ".errors",
    "ProxyFailed": ".errors",
    "RateLimited": ".errors",
    "ServerError": ".errors",
    "TimedOut": ".errors",
    "RetryPolicy": ".http",
    "CA_BUNDLE_ENV": ".network",
    "build_http_client": ".network",
    "OOB_REDIRECT_URI": ".oauth",
    "Pkce": ".oauth",
    "SignInExpired": ".oauth",
    "TokenEndpoint": ".oauth",
    "TokenGrant": ".oauth",
    "new_pkce": ".oauth",
    "new_state": ".oauth",
    "QuotaView": ".pacing",
    "Company": ".records",
    "CopyFailure": ".records",
    "CopyResult": ".records",
    "CostCode": ".records",
    "Project": ".records",
    "RateLimitStatus": ".records",
    "StandardCostCode": ".records",
    "StandardCostCodeList": ".records",
    "SubJob": ".records",
    "SyncError": ".records",
    "SyncResult": ".records",
    "User": ".records",
    "WbsSegment": ".records",
}


__getattr__ = lazy_names(__name__, _HOME)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CA_BUNDLE_ENV",
    "DEVELOPER_SANDBOX",
    "ENVIRONMENTS",
    "MONTHLY_SANDBOX",
    "OOB_REDIRECT_URI",
    "PRODUCTION",
    "AuthenticationFailed",
    "CancelToken",
    "Cancelled",
    "CertificateBundleUnusable",
    "CertificateNotTrusted",
    "ClientCredentials",
    "Company",
    "CompanyIdRequired",
    "Conflict",
    "ConnectionFailed",
    "CopyFailure",
    "CopyResult",
    "CostCode",
    "Environment",
    "HostNotFound",
    "InvalidRequest",
    "MalformedResponse",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "Pkce",
    "ProcoreClient",
    "ProcoreError",
    "Project",
    "ProxyAuthenticationRequired",
    "ProxyFailed",
    "QuotaView",
    "RateLimitStatus",
    "RateLimited",
    "RefreshingTokens",
    "RetryPolicy",
    "ServerError",
    "SignInExpired",
    "StandardCostCode",
    "StandardCostCodeList",
    "StaticToken",
    "SubJob",
    "SyncError",
    "SyncResult",
    "TimedOut",
    "TokenEndpoint",
    "TokenGrant",
    "TokenSource",
    "TokenVault",
    "User",
    "WbsSegment",
    "build_http_client",
    "custom_environment",
    "is_loopback_host",
    "new_pkce",
    "new_state",
]
