"""The one HTTP client for Procore: hosts, auth, pagination, rate limits, retries, records."""

from __future__ import annotations

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
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ProcoreError,
    RateLimited,
    ServerError,
    TimedOut,
)
from .http import RetryPolicy
from .oauth import (
    OOB_REDIRECT_URI,
    SignInExpired,
    TokenEndpoint,
    TokenGrant,
    new_state,
)
from .records import (
    Company,
    CopyFailure,
    CopyResult,
    CostCode,
    Project,
    RateLimitStatus,
    StandardCostCode,
    StandardCostCodeList,
    SyncError,
    SyncResult,
    User,
)

__all__ = [
    "DEVELOPER_SANDBOX",
    "ENVIRONMENTS",
    "MONTHLY_SANDBOX",
    "OOB_REDIRECT_URI",
    "PRODUCTION",
    "AuthenticationFailed",
    "CancelToken",
    "Cancelled",
    "ClientCredentials",
    "Company",
    "Conflict",
    "ConnectionFailed",
    "CopyFailure",
    "CopyResult",
    "CostCode",
    "Environment",
    "InvalidRequest",
    "MalformedResponse",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "ProcoreClient",
    "ProcoreError",
    "Project",
    "RateLimitStatus",
    "RateLimited",
    "RefreshingTokens",
    "RetryPolicy",
    "ServerError",
    "SignInExpired",
    "StandardCostCode",
    "StandardCostCodeList",
    "StaticToken",
    "SyncError",
    "SyncResult",
    "TimedOut",
    "TokenEndpoint",
    "TokenGrant",
    "TokenSource",
    "TokenVault",
    "User",
    "custom_environment",
    "is_loopback_host",
    "new_state",
]
