"""The one HTTP client for Procore: hosts, auth, pagination, rate limits, retries, records."""

from __future__ import annotations

from .auth import ClientCredentials, StaticToken, TokenSource
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
    "RetryPolicy",
    "ServerError",
    "StandardCostCode",
    "StandardCostCodeList",
    "StaticToken",
    "SyncError",
    "SyncResult",
    "TimedOut",
    "TokenSource",
    "User",
    "custom_environment",
    "is_loopback_host",
]
