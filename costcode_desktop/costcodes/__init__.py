"""The domain: cost code records, validation, natural order, comparison and refresh plans."""

from .codes import ProjectCode, StandardCode, natural_key
from .compare import CompanyCodes, Comparison, ComparisonRow, DiffStatus, compare
from .connectors import (
    AUTO,
    CHOICES,
    COMMON,
    CONNECTORS,
    SAGE_300,
    Connector,
    choose,
    code_problem,
    connector_by_key,
    detect,
)
from .cost_types import (
    CostType,
    codes_text,
    names_text,
    same_types,
)
from .outlook import Outlook, outlook
from .plan import (
    NO_DESCRIPTION_REASON,
    SYNC_BATCH_LIMIT,
    NameUpdate,
    RefreshPlan,
    SkippedCode,
    locked_reason,
    plan_refresh,
)
from .words import plural

__all__ = [
    "AUTO",
    "CHOICES",
    "COMMON",
    "CONNECTORS",
    "NO_DESCRIPTION_REASON",
    "SAGE_300",
    "SYNC_BATCH_LIMIT",
    "CompanyCodes",
    "Comparison",
    "ComparisonRow",
    "Connector",
    "CostType",
    "DiffStatus",
    "NameUpdate",
    "Outlook",
    "ProjectCode",
    "RefreshPlan",
    "SkippedCode",
    "StandardCode",
    "choose",
    "code_problem",
    "codes_text",
    "compare",
    "connector_by_key",
    "detect",
    "locked_reason",
    "names_text",
    "natural_key",
    "outlook",
    "plan_refresh",
    "plural",
    "same_types",
]
