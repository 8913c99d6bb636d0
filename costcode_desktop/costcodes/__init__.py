"""The domain: cost code records, validation, natural order, comparison and refresh plans."""

from .codes import DELIMITERS, ProjectCode, StandardCode, code_problem, natural_key
from .compare import CompanyCodes, Comparison, ComparisonRow, DiffStatus, compare
from .outlook import Outlook, outlook
from .plan import (
    LOCKED_REASON,
    NO_DESCRIPTION_REASON,
    SYNC_BATCH_LIMIT,
    NameUpdate,
    RefreshPlan,
    SkippedCode,
    plan_refresh,
)
from .words import plural

__all__ = [
    "DELIMITERS",
    "LOCKED_REASON",
    "NO_DESCRIPTION_REASON",
    "SYNC_BATCH_LIMIT",
    "CompanyCodes",
    "Comparison",
    "ComparisonRow",
    "DiffStatus",
    "NameUpdate",
    "Outlook",
    "ProjectCode",
    "RefreshPlan",
    "SkippedCode",
    "StandardCode",
    "code_problem",
    "compare",
    "natural_key",
    "outlook",
    "plan_refresh",
    "plural",
]
